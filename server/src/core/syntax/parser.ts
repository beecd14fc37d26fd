// Chevrotain parser for the uniform statement grammar (LANGUAGE.md §2).
// The AST is built directly in the rules' actions (no CST pass). Every token
// kind is accepted somewhere, so a broken statement costs one MT001 and the
// rest of the file still parses; a top-level keyword at column 0 closes blocks
// left open above it. For speed a statement's arguments are one flat loop
// (one rule call per statement), shaped into args afterwards.
import { EmbeddedActionsParser, EOF, type IToken } from 'chevrotain';
import * as T from './tokens';
import type { Arg, Block, Comment, ParsedFile, Scalar, Statement, Value } from './ast';
import type { MtDiagnostic, Position, Range } from '../diagnostic';
import { TOP_LEVEL_KEYWORDS } from '../schema/schema';

const TOP = new Set(TOP_LEVEL_KEYWORDS);
/** Deeper blocks are flattened (a diagnostic, never a stack overflow). */
export const MAX_DEPTH = 64;
/** Syntax diagnostics per file; past this, one summary diagnostic. */
export const MAX_SYNTAX_ERRORS = 100;

/** Offset -> position, with a cursor: the parser asks mostly in increasing order. */
class Positions {
  readonly starts: number[];
  private cur = 0;
  constructor(readonly text: string) { this.starts = computeLineStarts(text); }
  at(off: number): Position {
    const s = this.starts;
    let i = this.cur;
    // the common case: the same line or the next few (the parser walks forward)
    if (s[i] <= off && (i + 1 >= s.length || s[i + 1] > off)) { /* same line */ }
    else if (i + 2 < s.length && s[i + 1] <= off && s[i + 2] > off) i = i + 1;
    else i = lineOf(s, off);
    this.cur = i;
    return { line: i, character: off - s[i] };
  }
  /** The line of an offset, without allocating (walks forward a little, else bisects). */
  line(off: number): number {
    const s = this.starts;
    let i = this.cur;
    if (s[i] <= off) {
      for (let k = 0; k < 32 && i + 1 < s.length && s[i + 1] <= off; k++) i++;
      if (i + 1 >= s.length || s[i + 1] > off) { this.cur = i; return i; }
    }
    this.cur = lineOf(s, off);
    return this.cur;
  }
  range(from: number, to: number): Range {
    const start = this.at(from);
    // tokens never span lines, so the end is on the start's line
    return { start, end: { line: start.line, character: start.character + (to - from) } };
  }
  isLineStart(off: number): boolean {
    return off === 0 || this.text.charCodeAt(off - 1) === 10;
  }
}

let P: Positions;
/** Offset of the chunk being parsed: token offsets are relative to it. */
let BASE = 0;

// AST nodes compute their ranges on first use: a file's syntax tree keeps
// offsets, and most ranges are never asked for (a Range costs three objects).
class ScalarNode implements Scalar {
  #pos: Positions;
  #r?: Range;
  unterminated?: true;
  constructor(public text: string, public quoted: boolean, public offset: number, readonly length: number, pos: Positions) { this.#pos = pos; }
  get range(): Range { return (this.#r ??= this.#pos.range(this.offset, this.offset + this.length)); }
  set range(r: Range) { this.#r = r; }
  toJSON() { return { text: this.text, range: this.range, quoted: this.quoted, offset: this.offset, ...(this.unterminated ? { unterminated: true } : {}) }; }
}

class ValueNode implements Value {
  #r?: Range;
  constructor(public items: Scalar[], r?: Range) { this.#r = r; }
  get range(): Range { return (this.#r ??= { start: this.items[0].range.start, end: this.items[this.items.length - 1].range.end }); }
  set range(r: Range) { this.#r = r; }
  toJSON() { return { items: this.items, range: this.range }; }
}

class ArgNode implements Arg {
  #r?: Range;
  constructor(public key: Scalar | undefined, public value: Value, r?: Range) { this.#r = r; }
  get range(): Range { return (this.#r ??= { start: (this.key ?? this.value).range.start, end: this.value.range.end }); }
  set range(r: Range) { this.#r = r; }
  toJSON() { return { key: this.key, value: this.value, range: this.range }; }
}

/** Shared by every statement without doc comments (attachComments assigns a new array, never mutates this). */
const NO_COMMENTS: string[] = [];
/** Shared by every statement without arguments. */
const NO_ARGS: Arg[] = [];

class StatementNode implements Statement {
  #r?: Range;
  leadingComments: string[] = NO_COMMENTS;
  constructor(public keyword: Scalar, public args: Arg[], public block: Block | undefined) {}
  get range(): Range {
    if (this.#r) return this.#r;
    const b = this.block;
    let end = this.keyword.range.end;
    if (b) end = b.close ? b.close.end : (b.statements.length ? b.statements[b.statements.length - 1].range.end : b.open.end);
    else if (this.args.length) end = this.args[this.args.length - 1].range.end;
    return (this.#r = { start: this.keyword.range.start, end });
  }
  set range(r: Range) { this.#r = r; }
  toJSON() { return { keyword: this.keyword, args: this.args, block: this.block, range: this.range, leadingComments: this.leadingComments }; }
}

function tokRange(t: IToken): Range {
  const start = P.at(BASE + t.startOffset);
  const len = t.image.length;
  // A token never spans lines except Newline itself.
  if (t.tokenType === T.Newline) return { start, end: { line: start.line + 1, character: 0 } };
  return { start, end: { line: start.line, character: start.character + len } };
}

function unescape(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\(.)/g, '$1');
}

function scalarOf(t: IToken): Scalar {
  const img = t.image;
  if (t.tokenType === T.Str) return new ScalarNode(unescape(img.slice(1, -1)), true, BASE + t.startOffset, img.length, P);
  if (t.tokenType === T.Unterminated) {
    const body = img.endsWith('\\') && !img.endsWith('\\\\') ? img.slice(1, -1) : img.slice(1);
    const sc = new ScalarNode(unescape(body), true, BASE + t.startOffset, img.length, P);
    sc.unterminated = true;
    return sc;
  }
  return new ScalarNode(img, false, BASE + t.startOffset, img.length, P);
}

class MailtopoParser extends EmbeddedActionsParser {
  file = '';
  diags: MtDiagnostic[] = [];
  depth = 0;
  /** Offset of the token at which a missing '}' was last reported (one per place). */
  lastMissingAt = -1;

  constructor() {
    // Recovery is off: the grammar accepts every token somewhere, so there is
    // nothing for Chevrotain's re-sync to do, and its checks cost time.
    super(T.ALL_TOKENS, { recoveryEnabled: false, maxLookahead: 1, skipValidations: true });
    this.performSelfAnalysis();
  }

  error(range: Range, message: string, code = 'MT001'): void {
    if (this.diags.length < MAX_SYNTAX_ERRORS) this.diags.push({ code, severity: 'error', message, file: this.file, range });
  }

  private notTopKwAtCol0 = (): boolean => {
    const t = this.LA(1);
    return !(t.tokenType === T.Word && TOP.has(t.image) && P.isLineStart(BASE + t.startOffset));
  };
  private shallow = (): boolean => this.depth < MAX_DEPTH;
  private deep = (): boolean => this.depth >= MAX_DEPTH;

  public fileRule = this.RULE('fileRule', (): Statement[] => {
    const out: Statement[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Newline); } },
        { ALT: () => { out.push(this.SUBRULE(this.statement)); } },
        { ALT: () => { const t = this.CONSUME(T.RBrace); this.ACTION(() => this.error(tokRange(t), "unexpected '}': no block is open here")); } },
        { ALT: () => this.SUBRULE(this.stray) },
      ]);
    });
    return out;
  });

  /** Tokens that cannot start a statement: consumed with one MT001 each. */
  private stray = this.RULE('stray', (): void => {
    this.OR([
      { ALT: () => { const t = this.CONSUME(T.Semi); this.ACTION(() => this.error(tokRange(t), "a ';' with no statement before it")); } },
      { ALT: () => { const t = this.CONSUME(T.Comma); this.ACTION(() => this.error(tokRange(t), "unexpected ',': expected a statement")); } },
      { ALT: () => { const t = this.CONSUME(T.Equals); this.ACTION(() => this.error(tokRange(t), "unexpected '=': expected a statement")); } },
      { ALT: () => { const t = this.CONSUME(T.Str); this.ACTION(() => this.error(tokRange(t), `unexpected string ${t.image}: a statement starts with a keyword`)); } },
      { ALT: () => { this.CONSUME(T.Unterminated); /* MT002 says it */ } },
      { GATE: this.shallow, ALT: () => {
        const t = this.LA(1);
        this.ACTION(() => this.error(tokRange(t), "a '{' with no statement before it: a block's '{' goes on the line of the statement it opens"));
        this.SUBRULE(this.block, { ARGS: ['a block'] });
      } },
      { GATE: this.deep, ALT: () => { const t = this.CONSUME1(T.LBrace); this.ACTION(() => this.error(tokRange(t), `blocks nested deeper than ${MAX_DEPTH} levels`)); } },
    ]);
  });

  // Chevrotain calls OR/MANY with their alternatives each time; allocating
  // those arrays and closures per token dominated parse time, so they are
  // built once here and work through the fields below (saved and restored
  // around nested blocks).
  private argToks: IToken[] = [];
  private blockStmts: Statement[] = [];
  private stKw: IToken | undefined;
  private lastBlock: Block | undefined;
  private readonly nlLoop = () => { this.CONSUME(T.Newline); this.afterNl = true; };
  private readonly argAlts = [
    { ALT: () => { this.argToks.push(this.CONSUME(T.ScalarCat)); this.afterNl = false; } },
    { ALT: () => { this.argToks.push(this.CONSUME(T.Equals)); this.afterNl = false; } },
    { ALT: () => { this.argToks.push(this.CONSUME(T.Comma)); this.afterNl = false; this.MANY1(this.nlLoop); } },
  ];
  /** Newlines were just consumed after a comma: only then can a declaration start here. */
  private afterNl = false;
  // A top-level keyword at column 0 (reachable only after a comma and a line
  // break) starts a declaration, not another list item.
  private readonly argLoop = { GATE: () => !this.afterNl || this.notTopKwAtCol0(), DEF: () => { this.OR(this.argAlts); } };
  private readonly endAlts = [
    { GATE: this.shallow, ALT: () => {
      const owner = this.ACTION(() => ownerName(this.stKw!, this.argToks));
      this.lastBlock = this.SUBRULE(this.block, { ARGS: [owner] });
    } },
    { GATE: this.deep, ALT: () => { const t = this.CONSUME1(T.LBrace); this.lastBlock = undefined; this.ACTION(() => this.error(tokRange(t), `blocks nested deeper than ${MAX_DEPTH} levels`)); } },
    { ALT: () => { this.CONSUME1(T.Newline); this.lastBlock = undefined; } },
    { ALT: () => { this.CONSUME1(T.Semi); this.lastBlock = undefined; } },
    { ALT: () => { /* before '}' or end of file */ this.lastBlock = undefined; } },
  ];
  private readonly blockAlts = [
    { ALT: () => { this.CONSUME(T.Newline); } },
    { ALT: () => { this.blockStmts.push(this.SUBRULE(this.statement)); } },
    { ALT: () => this.SUBRULE(this.stray) },
  ];
  private readonly blockLoop = { GATE: this.notTopKwAtCol0, DEF: () => { this.OR(this.blockAlts); } };
  private readonly closeOpt = () => this.CONSUME(T.RBrace);

  public block = this.RULE('block', (owner: string): Block => {
    const open = this.CONSUME(T.LBrace);
    const statements: Statement[] = [];
    const savedStmts = this.blockStmts;
    this.blockStmts = statements;
    this.ACTION(() => { this.depth++; });
    this.MANY(this.blockLoop);
    const close = this.OPTION(this.closeOpt);
    this.blockStmts = savedStmts;
    const kept = statements.slice(); // exact size (see shapeArgs)
    return this.ACTION(() => {
      this.depth--;
      if (!close) {
        const at = this.LA(1);
        const key = at.tokenType === EOF ? -2 : BASE + at.startOffset;
        if (key !== this.lastMissingAt) this.error(tokRange(open), `missing '}': expected '}' to close ${owner}`);
        this.lastMissingAt = key;
      }
      // blocks are few: plain data, so copies made with a spread keep open/close
      return { open: tokRange(open), close: close ? tokRange(close) : undefined, statements: kept };
    }) as Block;
  });

  public statement = this.RULE('statement', (): Statement => {
    const kw = this.CONSUME(T.Word);
    const savedToks = this.argToks;
    const toks: IToken[] = [];
    this.argToks = toks;
    this.afterNl = false;
    this.MANY(this.argLoop);
    this.stKw = kw;
    this.OR1(this.endAlts);
    const block = this.lastBlock;
    this.lastBlock = undefined;
    this.argToks = savedToks;
    return this.ACTION(() => new StatementNode(scalarOf(kw), toks.length ? this.shapeArgs(kw.image, toks) : NO_ARGS, block)) as Statement;
  });

  /** arg = scalar [ "=" value ] ; value = scalar { "," scalar }. */
  private shapeArgs(kw: string, toks: IToken[]): Arg[] {
    const args: Arg[] = [];
    let reported = false;
    const n = toks.length;
    let i = 0;
    const isScalar = (t: IToken | undefined) => !!t && (t.tokenType === T.Word || t.tokenType === T.Str || t.tokenType === T.Unterminated);
    while (i < n) {
      const t = toks[i];
      if (!isScalar(t)) {
        if (!reported) {
          this.error(tokRange(t), t.tokenType === T.Equals
            ? `unexpected '=' in '${kw}': an option is written key=value`
            : `unexpected ',' in '${kw}': a list needs a value before the comma`);
          reported = true;
        }
        i++;
        continue;
      }
      let key: Scalar | undefined;
      let first = t;
      if (toks[i + 1]?.tokenType === T.Equals) {
        key = scalarOf(t);
        const eq = toks[i + 1];
        i += 2;
        if (!isScalar(toks[i])) {
          const r = tokRange(eq);
          this.error(r, `expected a value after '${key.text}='`);
          reported = true;
          const empty: Value = new ValueNode([], { start: r.end, end: r.end });
          args.push(new ArgNode(key, empty, { start: key.range.start, end: r.end }));
          continue;
        }
        first = toks[i];
      }
      const items: Scalar[] = [scalarOf(first)];
      i++;
      while (i < n && toks[i].tokenType === T.Comma) {
        if (isScalar(toks[i + 1])) { items.push(scalarOf(toks[i + 1])); i += 2; continue; }
        if (!reported) this.error(tokRange(toks[i]), "a trailing ',': expected a value after it");
        reported = true;
        i++;
        break;
      }
      args.push(new ArgNode(key, new ValueNode(items)));
    }
    // an exact-size copy: a pushed-to array keeps room for 16 more
    return args.slice();
  }
}

function ownerName(kw: IToken, toks: IToken[]): string {
  const name = toks.find((t) => t.tokenType === T.Word || t.tokenType === T.Str);
  return `'${kw.image}${name ? ' ' + name.image : ''}'`;
}

let shared: MailtopoParser | undefined;

/** Parse one file's text. Never throws for any input. */
export function parse(text: string, file: string): ParsedFile {
  P = new Positions(text);
  // The file is lexed and parsed one top-level chunk at a time: a top-level
  // keyword at column 0 ends every open block (LANGUAGE.md §2), so each chunk
  // parses exactly as it would in the whole file, and its token vector dies
  // young instead of surviving (and being copied by the GC) for the whole file.
  const diags: MtDiagnostic[] = [];
  const p = (shared ??= new MailtopoParser());
  p.file = file;
  p.diags = [];
  const statements: Statement[] = [];
  const comments: Comment[] = [];
  const cuts = chunkStarts(text);
  for (let ci = 0; ci < cuts.length; ci++) {
    const start = cuts[ci];
    const end = ci + 1 < cuts.length ? cuts[ci + 1] : text.length;
    BASE = start;
    const lex = T.lexer.tokenize(start === 0 && end === text.length ? text : text.slice(start, end));
    for (const e of lex.errors) {
      if (diags.length >= MAX_SYNTAX_ERRORS) break;
      const off = start + e.offset;
      const ch = text.slice(off, off + e.length);
      const shown = ch.length > 12 ? ch.slice(0, 12) + '…' : ch;
      diags.push({ code: 'MT003', severity: 'error', message: stray(ch, shown), file, range: { start: P.at(off), end: P.at(off + e.length) } });
    }
    const toks = lex.tokens;
    for (const t of toks) {
      if (t.tokenType === T.Unterminated && diags.length < MAX_SYNTAX_ERRORS) {
        diags.push({ code: 'MT002', severity: 'error', message: 'unterminated string: add the closing \'"\' on this line', file, range: tokRange(t) });
      }
    }
    p.depth = 0;
    p.lastMissingAt = -1;
    p.input = toks;
    try {
      for (const st of p.fileRule() ?? []) statements.push(st);
    } catch {
      // The grammar is total; this is a last guard, never a crash.
      p.diags.push({ code: 'MT001', severity: 'error', message: 'the file could not be parsed past this point', file, range: endRange(text) });
    }
    for (const e of p.errors) {
      const t = e.token;
      const r = t.tokenType === EOF || t.startOffset === undefined || isNaN(t.startOffset) ? endRange(text) : tokRange(t);
      if (p.diags.length < MAX_SYNTAX_ERRORS) p.diags.push({ code: 'MT001', severity: 'error', message: `unexpected ${T.describeToken(t.tokenType.name, t.image)}`, file, range: r });
    }
    for (const c of (lex.groups.comments ?? []) as IToken[]) comments.push({ text: c.image, range: tokRange(c), offset: start + c.startOffset });
  }
  p.input = []; // do not keep the token vector alive
  BASE = 0;
  const all = diags.concat(p.diags);
  if (all.length >= MAX_SYNTAX_ERRORS) {
    all.length = MAX_SYNTAX_ERRORS;
    all.push({ code: 'MT001', severity: 'error', message: `more than ${MAX_SYNTAX_ERRORS} syntax errors; later ones are not shown`, file, range: endRange(text) });
  }
  attachComments(statements, comments);
  return { file, text, statements, comments, diagnostics: all };
}

const CHUNK_START = new RegExp(`\\n(?=(?:${TOP_LEVEL_KEYWORDS.join('|')})(?![A-Za-z0-9_.:/*@+\\-]))`, 'g');

/** Offsets where top-level chunks start: 0 and every line that starts with a top-level keyword. */
export function chunkStarts(text: string): number[] {
  const cuts = [0];
  CHUNK_START.lastIndex = 0;
  for (let m = CHUNK_START.exec(text); m; m = CHUNK_START.exec(text)) cuts.push(m.index + 1);
  return cuts;
}

/** MT003 in words a mail admin knows. */
function stray(ch: string, shown: string): string {
  const c = ch[0];
  if ('.-/@+'.includes(c)) return `unexpected ${JSON.stringify(shown)}: a word cannot start with '${c}'${c === '.' ? " (write 'exe', not '.exe')" : ''}`;
  return `unexpected character${ch.length > 1 ? 's' : ''} ${JSON.stringify(shown)}: not part of the language (words, "strings", # comments and { } , ; = are)`;
}

function endRange(text: string): Range {
  const p = P.at(text.length);
  return { start: p, end: p };
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i >= 0) { starts.push(i + 1); i = text.indexOf('\n', i + 1); }
  return starts;
}

/** The line holding an offset: the last line start at or before it (bisection). */
export function lineOf(lineStarts: number[], off: number): number {
  let lo = 0, hi = lineStarts.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= off) lo = mid; else hi = mid - 1; }
  return lo;
}

export function offsetToPos(lineStarts: number[], off: number): { line: number; character: number } {
  const line = lineOf(lineStarts, off);
  return { line, character: off - lineStarts[line] };
}

function aloneOnLine(c: Comment): boolean {
  const text = P.text;
  for (let o = c.offset - c.range.start.character; o < c.offset; o++) {
    const ch = text.charCodeAt(o);
    if (ch !== 32 && ch !== 9 && ch !== 13 && ch !== 12 && ch !== 11 && ch !== 0xfeff) return false;
  }
  return true;
}

/** Comment lines directly above a statement become its leading comments (hover docs). */
function firstOnLine(off: number): boolean {
  const t = P.text;
  for (let i = off - 1; i >= 0; i--) {
    const c = t.charCodeAt(i);
    if (c === 10) return true;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

function attachComments(statements: Statement[], comments: Comment[]): void {
  if (!comments.length) return;
  // comment index + 1 by line (0 = none): array reads, no hashing
  const last = comments[comments.length - 1].range.start.line;
  const byLine = new Int32Array(last + 2);
  // only a comment alone on its line documents what follows (a trailing comment belongs to its own line)
  for (let i = 0; i < comments.length; i++) if (aloneOnLine(comments[i])) byLine[comments[i].range.start.line] = i + 1;
  const visit = (list: Statement[]) => {
    for (const s of list) {
      let l = P.line(s.keyword.offset) - 1;
      // only a statement that starts its line is documented by the comments above it
      if (l >= 0 && l <= last && byLine[l] && firstOnLine(s.keyword.offset)) {
        const lines: string[] = [];
        for (; l >= 0 && byLine[l]; l--) lines.unshift(comments[byLine[l] - 1].text.replace(/^#\s?/, ''));
        s.leadingComments = lines;
      }
      if (s.block) visit(s.block.statements);
    }
  };
  visit(statements);
}
