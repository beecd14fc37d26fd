// Incremental parsing for the editor: a ParseCache that re-parses only the
// top-level chunks an edit touched.
//
// A top-level keyword at column 0 closes every block left open above it
// (LANGUAGE.md §2), so the file splits at those lines into chunks that parse
// independently. Each chunk is parsed once per text and placed at its line and
// offset by shifting ranges (characters never change: a chunk starts at column
// 0). The result is the ParsedFile a full parse gives: the first statement of
// each chunk gets its leading comments from the lines above it, a chunk whose
// last line ends in a comma (a list continued over newlines) is merged with the
// next, and a file with many syntax errors (the parser's cap) is parsed whole.
import { parse, chunkStarts, lineOf, MAX_SYNTAX_ERRORS } from '../syntax/parser';
import { computeLineStarts } from '../syntax/lineEnds';
import { ParseCache } from '../model/workspace';
import type { Arg, Block, Comment, ParsedFile, Scalar, Statement, Value } from '../syntax/ast';
import type { MtDiagnostic, Range } from '../diagnostic';
import { detached } from '../strings';

/** Documents larger than this are not analysed in the editor (one diagnostic says so). */
export const MAX_DOCUMENT_CHARS = 2_000_000;

/** The last line with something on it ends in a comma (possibly followed by a comment). */
const ENDS_WITH_COMMA = /,[ \t\f\v\r]*(#[^\n\r]*)?[\s]*$/;

interface Chunk {
  text: string;
  offset: number;
  line: number;
}
interface Placed {
  text: string;
  line: number;
  offset: number;
  shifted: ParsedFile;
}
interface FileState {
  text: string;
  parsed: ParsedFile;
  placed: Placed[];
}

/** Split a text into independently parseable chunks (exported for tests). */
export function splitChunks(text: string): Chunk[] {
  const cuts = chunkStarts(text); // the same cut points the parser itself uses
  const out: Chunk[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const start = cuts[i];
    const end = i + 1 < cuts.length ? cuts[i + 1] : text.length;
    const prev = out[out.length - 1];
    if (prev && ENDS_WITH_COMMA.test(prev.text)) {
      prev.text = text.slice(prev.offset, end);
      continue;
    }
    out.push({ text: text.slice(start, end), offset: start, line: 0 });
  }
  // line numbers: the line of each chunk start, by the one line-end definition (a lone \r counts)
  const starts = computeLineStarts(text);
  for (const c of out) c.line = lineOf(starts, c.offset);
  return out;
}

const shiftRange = (r: Range, dl: number): Range => ({
  start: { line: r.start.line + dl, character: r.start.character },
  end: { line: r.end.line + dl, character: r.end.character },
});
// Copies are built field by field: parser nodes compute range, quoted and a
// positional argument's value on demand, which a spread would not copy.
const shiftScalar = (s: Scalar, dl: number, doff: number): Scalar => {
  const out: Scalar = { text: s.text, range: shiftRange(s.range, dl), quoted: s.quoted, offset: s.offset + doff };
  if (s.unterminated) out.unterminated = true;
  return out;
};
const shiftValue = (v: Value, dl: number, doff: number): Value => ({
  items: v.items.map((s) => shiftScalar(s, dl, doff)),
  range: shiftRange(v.range, dl),
});
const shiftArg = (a: Arg, dl: number, doff: number): Arg => {
  const out: Arg = { value: shiftValue(a.value, dl, doff), range: shiftRange(a.range, dl) };
  if (a.key) out.key = shiftScalar(a.key, dl, doff);
  return out;
};
function shiftBlock(b: Block, dl: number, doff: number): Block {
  const out: Block = { open: shiftRange(b.open, dl), statements: b.statements.map((s) => shiftStatement(s, dl, doff)) };
  if (b.close) out.close = shiftRange(b.close, dl);
  return out;
}
function shiftStatement(s: Statement, dl: number, doff: number): Statement {
  const out: Statement = {
    keyword: shiftScalar(s.keyword, dl, doff),
    args: s.args.map((a) => shiftArg(a, dl, doff)),
    range: shiftRange(s.range, dl),
    leadingComments: s.leadingComments,
  };
  if (s.block) out.block = shiftBlock(s.block, dl, doff);
  return out;
}
const shiftDiag = (d: MtDiagnostic, dl: number): MtDiagnostic => ({
  ...d,
  range: shiftRange(d.range, dl),
  related: d.related?.map((r) => ({ ...r, range: shiftRange(r.range, dl) })),
});
const shiftComment = (c: Comment, dl: number, doff: number): Comment => ({
  text: c.text,
  range: shiftRange(c.range, dl),
  offset: c.offset + doff,
});

/** A private copy at (dl, doff): every range its own objects, so it can later be moved in place. */
function shiftParsed(p: ParsedFile, dl: number, doff: number): ParsedFile {
  return {
    ...p,
    statements: p.statements.map((s) => shiftStatement(s, dl, doff)),
    comments: p.comments.map((c) => shiftComment(c, dl, doff)),
    diagnostics: p.diagnostics.map((d) => {
      const x = shiftDiag(d, dl);
      if (!x.related) delete x.related;
      return x;
    }),
  };
}

// Moving a placed chunk in place (no allocation: an edit above it only changes its line and offset).
const moveRange = (r: Range, dl: number) => {
  r.start.line += dl;
  r.end.line += dl;
};
const moveScalar = (s: Scalar, dl: number, doff: number) => {
  moveRange(s.range, dl);
  s.offset += doff;
};
function moveStatement(s: Statement, dl: number, doff: number): void {
  moveScalar(s.keyword, dl, doff);
  moveRange(s.range, dl);
  for (const a of s.args) {
    moveRange(a.range, dl);
    if (a.key) moveScalar(a.key, dl, doff);
    moveRange(a.value.range, dl);
    for (const x of a.value.items) moveScalar(x, dl, doff);
  }
  if (s.block) {
    moveRange(s.block.open, dl);
    if (s.block.close) moveRange(s.block.close, dl);
    for (const x of s.block.statements) moveStatement(x, dl, doff);
  }
}
function moveParsed(p: ParsedFile, dl: number, doff: number): void {
  if (dl === 0 && doff === 0) return;
  for (const s of p.statements) moveStatement(s, dl, doff);
  for (const c of p.comments) {
    moveRange(c.range, dl);
    c.offset += doff;
  }
  if (dl)
    for (const d of p.diagnostics) {
      moveRange(d.range, dl);
      for (const r of d.related ?? []) moveRange(r.range, dl);
    }
}

/** The ParsedFile for a document too large to analyse in the editor. */
export function tooLarge(text: string, file: string): ParsedFile {
  const mb = (text.length / 1e6).toFixed(1);
  return {
    file,
    text,
    statements: [],
    comments: [],
    diagnostics: [
      {
        code: 'MT004',
        severity: 'warning',
        file,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message:
          `this file has ${mb} million characters; the editor analyses files up to ` +
          `${MAX_DOCUMENT_CHARS / 1e6} million: run \`mailtopo check\` on it`,
      },
    ],
  };
}

/**
 * A ParseCache for the editor: per file, only the chunks whose text changed are
 * parsed again. Drop-in for `loadWorkspace` / `checkFiles`.
 */
export class IncrementalParseCache extends ParseCache {
  /** One state per file (its latest text only), least recently used first. */
  private files = new Map<string, FileState>();
  /** Chunks parsed (not reused) since creation: for tests and the bench. */
  parsedChunks = 0;

  /** @param maxFiles files kept (open documents and their imports); the least recently used go first. */
  constructor(private readonly maxFiles = 256) {
    super();
  }

  override get(display: string, text: string): ParsedFile {
    const prev = this.files.get(display);
    if (prev && prev.text === text) {
      this.keep(display, prev);
      return prev.parsed;
    }
    if (text.length > MAX_DOCUMENT_CHARS) {
      const parsed = tooLarge(text, display);
      this.keep(display, { text, parsed, placed: [] });
      return parsed;
    }
    const state = this.incremental(display, text, prev);
    this.keep(display, state);
    return state.parsed;
  }

  /** Files held now (tests). */
  get size(): number {
    return this.files.size;
  }

  private keep(display: string, state: FileState): void {
    this.files.delete(display); // re-inserted last: the Map's order is the recency order
    this.files.set(display, state);
    if (this.files.size > this.maxFiles) this.files.delete(this.files.keys().next().value!);
  }

  override delete(display: string): void {
    this.files.delete(display);
  }

  private incremental(display: string, text: string, prev: FileState | undefined): FileState {
    const chunks = splitChunks(text);
    const old = new Map<string, Placed[]>();
    for (const p of prev?.placed ?? []) {
      const l = old.get(p.text);
      if (l) l.push(p);
      else old.set(p.text, [p]);
    }
    const placed: Placed[] = [];
    let diagCount = 0;
    let capped = false;
    for (const c of chunks) {
      const cands = old.get(c.text);
      let reuse: Placed | undefined;
      if (cands?.length) {
        const i = cands.findIndex((p) => p.line === c.line && p.offset === c.offset);
        reuse = cands.splice(i >= 0 ? i : 0, 1)[0];
      }
      let shifted: ParsedFile;
      let own: string;
      if (reuse) {
        // the same text, maybe elsewhere: move its copy in place (the previous version of the file is not used again)
        shifted = reuse.shifted;
        own = reuse.text;
        moveParsed(shifted, c.line - reuse.line, c.offset - reuse.offset);
      } else {
        // parsed from its own copy: the words cut from it must not keep this version of the file alive
        // (a slice of the document would: one document per reused chunk, ~0.2 MB per distinct edit at 10,000 lines)
        own = detached(c.text);
        shifted = shiftParsed(parse(own, display), c.line, c.offset);
        this.parsedChunks++;
      }
      placed.push({ text: own, line: c.line, offset: c.offset, shifted });
      diagCount += shifted.diagnostics.length;
      if (shifted.diagnostics.length >= MAX_SYNTAX_ERRORS) capped = true;
    }
    if (capped || diagCount >= MAX_SYNTAX_ERRORS) {
      // The parser caps syntax errors per file: let it decide for the whole text.
      this.parsedChunks++;
      return { text, parsed: parse(text, display), placed: [] };
    }
    const statements: Statement[] = [];
    const comments: Comment[] = [];
    const diagnostics: MtDiagnostic[] = [];
    for (const p of placed) {
      for (const s of p.shifted.statements) statements.push(s);
      for (const c of p.shifted.comments) comments.push(c);
      for (const d of p.shifted.diagnostics) diagnostics.push(d);
    }
    // Leading comments of each chunk's first statement come from the lines above the chunk.
    if (placed.length > 1) {
      // only a comment alone on its line documents what follows (as the parser decides)
      const byLine = new Map<number, Comment>();
      for (const c of comments)
        if (text.slice(c.offset - c.range.start.character, c.offset).trim() === '') byLine.set(c.range.start.line, c);
      for (let i = 1; i < placed.length; i++) {
        const first = placed[i].shifted.statements[0];
        if (!first || first.keyword.range.start.line !== placed[i].line) continue;
        const lines: string[] = [];
        let l = first.keyword.range.start.line - 1;
        for (let c = byLine.get(l); c; c = byLine.get(--l)) {
          lines.unshift(c.text.replace(/^#\s?/, ''));
        }
        first.leadingComments = lines;
      }
    }
    return { text, parsed: { file: display, text, statements, comments, diagnostics }, placed };
  }
}
