// Chevrotain parser for the uniform statement grammar (LANGUAGE.md §2).
// The AST is built directly in the rules' actions (no CST pass), and every
// token kind is accepted somewhere so a broken statement costs one MT001 and
// the rest of the file still parses. A top-level keyword at column 0 closes
// blocks left open above it.
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens';
import type { Arg, Block, Comment, ParsedFile, Scalar, Statement, Value } from './ast';
import type { MtDiagnostic, Range } from '../diagnostic';
import { TOP_LEVEL_KEYWORDS } from '../schema/schema';

const TOP = new Set(TOP_LEVEL_KEYWORDS);
/** Deeper blocks are flattened (a diagnostic, never a stack overflow). */
export const MAX_DEPTH = 64;
/** Syntax diagnostics per file; past this, one summary diagnostic. */
export const MAX_SYNTAX_ERRORS = 100;

function tokRange(t: IToken): Range {
  return {
    start: { line: (t.startLine ?? 1) - 1, character: (t.startColumn ?? 1) - 1 },
    end: { line: (t.endLine ?? 1) - 1, character: t.endColumn ?? 0 },
  };
}

function unescape(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\(.)/g, '$1');
}

function scalarOf(t: IToken): Scalar {
  const img = t.image;
  if (t.tokenType === T.Str) return { text: unescape(img.slice(1, -1)), range: tokRange(t), quoted: true, offset: t.startOffset };
  if (t.tokenType === T.Unterminated) {
    const body = img.endsWith('\\') && !img.endsWith('\\\\') ? img.slice(1, -1) : img.slice(1);
    return { text: unescape(body), range: tokRange(t), quoted: true, offset: t.startOffset };
  }
  return { text: img, range: tokRange(t), quoted: false, offset: t.startOffset };
}

class MailtopoParser extends EmbeddedActionsParser {
  file = '';
  diags: MtDiagnostic[] = [];
  depth = 0;
  /** Offset of the token at which a missing '}' was last reported (one per place). */
  lastMissingAt = -1;

  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 2, skipValidations: true });
    this.performSelfAnalysis();
  }

  error(range: Range, message: string, code = 'MT001'): void {
    if (this.diags.length < MAX_SYNTAX_ERRORS) this.diags.push({ code, severity: 'error', message, file: this.file, range });
  }

  private isTopKwAtCol0(): boolean {
    const t = this.LA(1);
    return t.tokenType === T.Word && t.startColumn === 1 && TOP.has(t.image);
  }

  /** Tokens that cannot start a statement: consumed with one MT001 each. */
  private stray(where: 'top' | 'block'): void {
    const closeAlt = where === 'top'
      ? [{ ALT: () => { const t = this.CONSUME(T.RBrace); this.ACTION(() => this.error(tokRange(t), "unexpected '}': no block is open here")); } }]
      : [];
    this.OR([
      ...closeAlt,
      { ALT: () => { const t = this.CONSUME(T.Semi); this.ACTION(() => this.error(tokRange(t), "a ';' with no statement before it")); } },
      { ALT: () => { const t = this.CONSUME(T.Comma); this.ACTION(() => this.error(tokRange(t), "unexpected ',': expected a statement")); } },
      { ALT: () => { const t = this.CONSUME(T.Equals); this.ACTION(() => this.error(tokRange(t), "unexpected '=': expected a statement")); } },
      { ALT: () => { const t = this.CONSUME(T.Str); this.ACTION(() => this.error(tokRange(t), `unexpected string ${t.image}: a statement starts with a keyword`)); } },
      { ALT: () => { this.CONSUME(T.Unterminated); /* MT002 says it */ } },
      { GATE: () => this.depth < MAX_DEPTH, ALT: () => {
        const t = this.LA(1);
        this.ACTION(() => this.error(tokRange(t), "a '{' with no statement before it"));
        this.SUBRULE(this.block, { ARGS: ['a block'] });
      } },
      { GATE: () => this.depth >= MAX_DEPTH, ALT: () => { const t = this.CONSUME1(T.LBrace); this.ACTION(() => this.error(tokRange(t), `blocks nested deeper than ${MAX_DEPTH} levels`)); } },
    ]);
  }

  public fileRule = this.RULE('fileRule', (): Statement[] => {
    const out: Statement[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Newline); } },
        { ALT: () => { const s = this.SUBRULE(this.statement); this.ACTION(() => out.push(s)); } },
        { ALT: () => this.SUBRULE(this.strayTop) },
      ]);
    });
    return out;
  });

  private strayTop = this.RULE('strayTop', () => this.stray('top'));
  private strayBlock = this.RULE('strayBlock', () => this.stray('block'));

  public block = this.RULE('block', (owner: string): Block => {
    const open = this.CONSUME(T.LBrace);
    const statements: Statement[] = [];
    this.ACTION(() => { this.depth++; });
    this.MANY({
      GATE: () => !this.isTopKwAtCol0(),
      DEF: () => {
        this.OR([
          { ALT: () => { this.CONSUME(T.Newline); } },
          { ALT: () => { const s = this.SUBRULE(this.statement); this.ACTION(() => statements.push(s)); } },
          { ALT: () => this.SUBRULE(this.strayBlock) },
        ]);
      },
    });
    let close: IToken | undefined;
    this.OR1([
      { ALT: () => { close = this.CONSUME(T.RBrace); } },
      { ALT: () => { /* EOF or a top-level keyword at column 0 */ } },
    ]);
    return this.ACTION(() => {
      this.depth--;
      if (!close) {
        const at = this.LA(1);
        if (at.startOffset !== this.lastMissingAt || at.tokenType === EOF) {
          if (at.tokenType !== EOF || this.lastMissingAt !== -2) this.error(tokRange(open), `missing '}': expected '}' to close ${owner}`);
          this.lastMissingAt = at.tokenType === EOF ? -2 : at.startOffset;
        }
      }
      return { open: tokRange(open), close: close ? tokRange(close) : undefined, statements };
    }) as Block;
  });

  private scalar = this.RULE('scalar', (): IToken => {
    return this.OR([
      { ALT: () => this.CONSUME(T.Word) },
      { ALT: () => this.CONSUME(T.Str) },
      { ALT: () => this.CONSUME(T.Unterminated) },
    ]);
  });

  /** scalar { "," {NEWLINE} scalar } */
  private value = this.RULE('value', (first: IToken): Value => {
    const toks: IToken[] = [first];
    this.MANY(() => {
      const comma = this.CONSUME(T.Comma);
      this.MANY1(() => { this.CONSUME(T.Newline); });
      this.OR([
        { ALT: () => { const s = this.SUBRULE(this.scalar); this.ACTION(() => toks.push(s)); } },
        { ALT: () => { this.ACTION(() => this.error(tokRange(comma), "a trailing ',': expected a value after it")); } },
      ]);
    });
    return this.ACTION(() => {
      const items = toks.map(scalarOf);
      return { items, range: { start: items[0].range.start, end: items[items.length - 1].range.end } };
    }) as Value;
  });

  private arg = this.RULE('arg', (): Arg => {
    const first = this.SUBRULE(this.scalar);
    let eq: IToken | undefined;
    let val: Value | undefined;
    this.OPTION(() => {
      eq = this.CONSUME(T.Equals);
      this.OR([
        { ALT: () => { const s = this.SUBRULE1(this.scalar); val = this.SUBRULE(this.value, { ARGS: [s] }); } },
        { ALT: () => { /* missing value */ } },
      ]);
    });
    if (!eq) {
      const v = this.SUBRULE1(this.value, { ARGS: [first] });
      return v && { value: v, range: v.range };
    }
    return this.ACTION(() => {
      const key = scalarOf(first);
      if (!val) {
        this.error(tokRange(eq!), `expected a value after '${key.text}='`);
        val = { items: [], range: { start: tokRange(eq!).end, end: tokRange(eq!).end } };
      }
      return { key, value: val, range: { start: key.range.start, end: val.items.length ? val.range.end : tokRange(eq!).end } };
    }) as Arg;
  });

  public statement = this.RULE('statement', (): Statement => {
    const kw = this.CONSUME(T.Word);
    const args: Arg[] = [];
    let block: Block | undefined;
    let reported = false;
    this.MANY(() => {
      this.OR([
        { ALT: () => { const a = this.SUBRULE(this.arg); this.ACTION(() => args.push(a)); } },
        { ALT: () => { const t = this.CONSUME(T.Comma); this.ACTION(() => { if (!reported) this.error(tokRange(t), `unexpected ',' in '${kw.image}': a list needs a value before the comma`); reported = true; }); } },
        { ALT: () => { const t = this.CONSUME(T.Equals); this.ACTION(() => { if (!reported) this.error(tokRange(t), `unexpected '=' in '${kw.image}': an option is written key=value with no spaces`); reported = true; }); } },
      ]);
    });
    this.OR1([
      { GATE: () => this.depth < MAX_DEPTH, ALT: () => {
        block = this.SUBRULE(this.block, { ARGS: [this.ACTION(() => `'${[kw.image, ...args.filter((a) => !a.key).slice(0, 1).map((a) => a.value.items[0]?.text)].join(' ')}'`)] });
      } },
      { GATE: () => this.depth >= MAX_DEPTH, ALT: () => { const t = this.CONSUME1(T.LBrace); this.ACTION(() => this.error(tokRange(t), `blocks nested deeper than ${MAX_DEPTH} levels`)); } },
      { ALT: () => { this.CONSUME1(T.Newline); } },
      { ALT: () => { this.CONSUME1(T.Semi); } },
      { ALT: () => { /* before '}' or end of file */ } },
    ]);
    return this.ACTION(() => {
      const keyword = scalarOf(kw);
      let end = keyword.range.end;
      if (block) end = block.close ? block.close.end : (block.statements.length ? block.statements[block.statements.length - 1].range.end : block.open.end);
      else if (args.length) end = args[args.length - 1].range.end;
      return { keyword, args, block, range: { start: keyword.range.start, end }, leadingComments: [] };
    }) as Statement;
  });
}

let shared: MailtopoParser | undefined;

/** Parse one file's text. Never throws for any input. */
export function parse(text: string, file: string): ParsedFile {
  const lex = T.lexer.tokenize(text);
  const diags: MtDiagnostic[] = [];
  const lineStarts = computeLineStarts(text);
  const at = (off: number) => offsetToPos(lineStarts, off);
  for (const e of lex.errors) {
    if (diags.length >= MAX_SYNTAX_ERRORS) break;
    const ch = text.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 12 ? ch.slice(0, 12) + '…' : ch;
    diags.push({ code: 'MT003', severity: 'error', message: `unexpected character${e.length > 1 ? 's' : ''} ${JSON.stringify(shown)}: no token starts with it`, file, range: { start: at(e.offset), end: at(e.offset + e.length) } });
  }
  const toks = lex.tokens;
  for (const t of toks) {
    if (t.tokenType === T.Unterminated && diags.length < MAX_SYNTAX_ERRORS) {
      diags.push({ code: 'MT002', severity: 'error', message: 'unterminated string: add the closing \'"\' on this line', file, range: tokRange(t) });
    }
  }
  const p = (shared ??= new MailtopoParser());
  p.file = file;
  p.diags = [];
  p.depth = 0;
  p.lastMissingAt = -1;
  p.input = toks;
  let statements: Statement[] = [];
  try {
    statements = p.fileRule() ?? [];
  } catch (e) {
    // Chevrotain recovers by itself; this is a last guard, never a crash.
    p.diags.push({ code: 'MT001', severity: 'error', message: 'the file could not be parsed past this point', file, range: { start: at(0), end: at(0) } });
  }
  for (const e of p.errors) {
    const t = e.token;
    const r = t.tokenType === EOF || t.startOffset === undefined || isNaN(t.startOffset) ? endRange(text, lineStarts) : tokRange(t);
    if (p.diags.length < MAX_SYNTAX_ERRORS) p.diags.push({ code: 'MT001', severity: 'error', message: `unexpected ${T.describeToken(t.tokenType.name, t.image)}`, file, range: r });
  }
  const all = diags.concat(p.diags);
  if (all.length >= MAX_SYNTAX_ERRORS) {
    all.length = MAX_SYNTAX_ERRORS;
    all.push({ code: 'MT001', severity: 'error', message: `more than ${MAX_SYNTAX_ERRORS} syntax errors; later ones are not shown`, file, range: endRange(text, lineStarts) });
  }
  const comments: Comment[] = ((lex.groups.comments ?? []) as IToken[]).map((c) => ({ text: c.image, range: tokRange(c), offset: c.startOffset }));
  attachComments(statements, comments, text);
  return { file, text, statements, comments, diagnostics: all };
}

function endRange(text: string, lineStarts: number[]): Range {
  const p = offsetToPos(lineStarts, text.length);
  return { start: p, end: p };
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i >= 0) { starts.push(i + 1); i = text.indexOf('\n', i + 1); }
  return starts;
}

export function offsetToPos(lineStarts: number[], off: number): { line: number; character: number } {
  let lo = 0, hi = lineStarts.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= off) lo = mid; else hi = mid - 1; }
  return { line: lo, character: off - lineStarts[lo] };
}

/** Comment lines directly above a statement become its leading comments (hover docs). */
function attachComments(statements: Statement[], comments: Comment[], _text: string): void {
  if (!comments.length) return;
  const byLine = new Map<number, Comment>();
  for (const c of comments) byLine.set(c.range.start.line, c);
  const visit = (list: Statement[]) => {
    for (const s of list) {
      const lines: string[] = [];
      let l = s.keyword.range.start.line - 1;
      for (let c = byLine.get(l); c && c.range.start.character <= s.keyword.range.start.character + 64; c = byLine.get(--l)) {
        lines.unshift(c.text.replace(/^#\s?/, ''));
      }
      s.leadingComments = lines;
      if (s.block) visit(s.block.statements);
    }
  };
  visit(statements);
}

export type { TokenType };
