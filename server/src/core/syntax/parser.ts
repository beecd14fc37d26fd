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
import { computeLineStarts, isLineEndCode, LINE_END_SOURCE } from './lineEnds';

const TOP = new Set(TOP_LEVEL_KEYWORDS);
/** Deeper blocks are flattened (a diagnostic, never a stack overflow). */
export const MAX_DEPTH = 64;
/** Syntax diagnostics per file; past this, one summary diagnostic. */
export const MAX_SYNTAX_ERRORS = 100;

/** Offset -> position, with a cursor: the parser asks mostly in increasing order. */
class Positions {
  /** Line start offsets, in a typed array (4 bytes a line, kept as long as the tree). */
  readonly starts: Int32Array;
  private cur = 0;
  constructor(readonly text: string) {
    this.starts = computeLineStarts(text);
  }
  at(off: number): Position {
    const s = this.starts;
    let i = this.cur;
    // the common case: the same line or the next few (the parser walks forward)
    if (s[i] <= off && (i + 1 >= s.length || s[i + 1] > off)) {
      /* same line */
    } else if (i + 2 < s.length && s[i + 1] <= off && s[i + 2] > off) i = i + 1;
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
      if (i + 1 >= s.length || s[i + 1] > off) {
        this.cur = i;
        return i;
      }
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
    return off === 0 || isLineEndCode(this.text.charCodeAt(off - 1));
  }
}

let P: Positions;
/** Offset of the chunk being parsed: token offsets are relative to it. */
let BASE = 0;

// AST nodes keep offsets and compute their ranges when asked (a Range costs
// three objects and most are never asked for); a positional argument is its
// own value, and a word's text is shared by every use of the same word in the
// file. The tree of a 10,000-line file is then about a third of what one
// object per range, argument, value and string costs (npm run bench).
const QUOTED = 1;
const UNTERMINATED = 2;
/**
 * A word or string. A positional argument of one item is its item's node
 * itself (an Arg whose value is itself, with itself as the only item): most
 * arguments are one word, and a wrapper per argument doubled the tree.
 * Nodes have `declare`d fields set by plain assignment: a class field
 * definition per object is slower, and there is a node per word of the file.
 */
class ScalarNode implements Scalar, Arg, Value {
  declare text: string;
  declare offset: number;
  #bits: number;
  #pos: Positions;
  constructor(text: string, offset: number, length: number, flags: number, pos: Positions) {
    this.text = text;
    this.offset = offset;
    this.#bits = (length << 2) | flags;
    this.#pos = pos;
  }
  get quoted(): boolean {
    return (this.#bits & QUOTED) !== 0;
  }
  get unterminated(): true | undefined {
    return this.#bits & UNTERMINATED ? true : undefined;
  }
  get length(): number {
    return this.#bits >>> 2;
  }
  get range(): Range {
    return this.#pos.range(this.offset, this.offset + (this.#bits >>> 2));
  }
  // as a positional argument
  get key(): undefined {
    return undefined;
  }
  get value(): Value {
    return this;
  }
  get items(): Scalar[] {
    return [this];
  }
  toJSON() {
    return {
      text: this.text,
      range: this.range,
      quoted: this.quoted,
      offset: this.offset,
      ...(this.unterminated ? { unterminated: true } : {}),
    };
  }
}

function itemsRange(items: Scalar[]): Range {
  return { start: items[0].range.start, end: items[items.length - 1].range.end };
}

/** A block: the ranges of its braces are made when asked for. */
class BlockNode implements Block {
  declare statements: Statement[];
  #open: number;
  /** -1: left open. */
  #close: number;
  #pos: Positions;
  constructor(open: number, close: number, pos: Positions, statements: Statement[]) {
    this.#open = open;
    this.#close = close;
    this.#pos = pos;
    this.statements = statements;
  }
  get open(): Range {
    return this.#pos.range(this.#open, this.#open + 1);
  }
  get close(): Range | undefined {
    return this.#close < 0 ? undefined : this.#pos.range(this.#close, this.#close + 1);
  }
  toJSON() {
    return { open: this.open, close: this.close, statements: this.statements };
  }
}

class CommentNode implements Comment {
  declare text: string;
  declare offset: number;
  #pos: Positions;
  constructor(text: string, offset: number, pos: Positions) {
    this.text = text;
    this.offset = offset;
    this.#pos = pos;
  }
  get range(): Range {
    return this.#pos.range(this.offset, this.offset + this.text.length);
  }
  toJSON() {
    return { text: this.text, range: this.range, offset: this.offset };
  }
}

/** One item is kept as itself, a list as an array: most arguments are one word. */
type Items = Scalar | Scalar[];
const itemsOf = (v: Items): Scalar[] => (Array.isArray(v) ? v : [v]);
const countOf = (v: Items): number => (Array.isArray(v) ? v.length : 1);
const nthOf = (v: Items, i: number): Scalar | undefined => (Array.isArray(v) ? v[i] : i === 0 ? v : undefined);

/** A positional argument: it is its own value (the same items, the same range). */
class PositionalNode implements Arg, Value {
  #v: Items;
  constructor(v: Items) {
    this.#v = v;
  }
  get items(): Scalar[] {
    return itemsOf(this.#v);
  }
  itemCount(): number {
    return countOf(this.#v);
  }
  itemAt(i: number): Scalar | undefined {
    return nthOf(this.#v, i);
  }
  get key(): undefined {
    return undefined;
  }
  get value(): Value {
    return this;
  }
  get range(): Range {
    return itemsRange(this.items);
  }
  toJSON() {
    return { key: undefined, value: { items: this.items, range: this.range }, range: this.range };
  }
}

class ValueNode implements Value {
  declare items: Scalar[];
  constructor(items: Scalar[]) {
    this.items = items;
  }
  get range(): Range {
    return itemsRange(this.items);
  }
  toJSON() {
    return { items: this.items, range: this.range };
  }
}

/** A key=value option (its value object is made when asked for). */
class OptionNode implements Arg {
  declare key: Scalar;
  #v: Items;
  constructor(key: Scalar, v: Items) {
    this.key = key;
    this.#v = v;
  }
  get value(): Value {
    return new ValueNode(itemsOf(this.#v));
  }
  itemCount(): number {
    return countOf(this.#v);
  }
  itemAt(i: number): Scalar | undefined {
    return nthOf(this.#v, i);
  }
  get range(): Range {
    const items = itemsOf(this.#v);
    return { start: this.key.range.start, end: items[items.length - 1].range.end };
  }
  toJSON() {
    return { key: this.key, value: this.value, range: this.range };
  }
}

/** Shared by every statement without doc comments (attachComments assigns a new array, never mutates this). */
const NO_COMMENTS: string[] = [];

class StatementNode implements Statement {
  declare block: Block | undefined;
  declare leadingComments: string[];
  /** The keyword (always a plain word): its node is made when asked for. */
  #kw: string;
  #ko: number;
  #pos: Positions;
  #r?: Range;
  /** One or two arguments are kept as themselves (#a, #b), more as an array in #a (the `args` array is made when asked for). */
  #a: Arg | Arg[] | undefined;
  #b: Arg | undefined;
  constructor(
    kw: string,
    kwOffset: number,
    pos: Positions,
    a: Arg | Arg[] | undefined,
    b: Arg | undefined,
    block: Block | undefined,
  ) {
    this.#kw = kw;
    this.#ko = kwOffset;
    this.#pos = pos;
    this.#a = a;
    this.#b = b;
    this.block = block;
    this.leadingComments = NO_COMMENTS;
  }
  get keyword(): Scalar {
    return new ScalarNode(this.#kw, this.#ko, this.#kw.length, 0, this.#pos);
  }
  kwText(): string {
    return this.#kw;
  }
  kwOffset(): number {
    return this.#ko;
  }
  get args(): Arg[] {
    const a = this.#a;
    return a === undefined ? [] : Array.isArray(a) ? a : this.#b ? [a, this.#b] : [a];
  }
  argCount(): number {
    const a = this.#a;
    return a === undefined ? 0 : Array.isArray(a) ? a.length : this.#b ? 2 : 1;
  }
  argAt(i: number): Arg {
    const a = this.#a;
    return (Array.isArray(a) ? a[i] : i === 1 ? this.#b : a)!;
  }
  get range(): Range {
    if (this.#r) return this.#r;
    const b = this.block;
    let end = this.keyword.range.end;
    if (b)
      end = b.close ? b.close.end : b.statements.length ? b.statements[b.statements.length - 1].range.end : b.open.end;
    else if (this.args.length) end = this.args[this.args.length - 1].range.end;
    return (this.#r = { start: this.keyword.range.start, end });
  }
  toJSON() {
    return {
      keyword: this.keyword,
      args: this.args,
      block: this.block,
      range: this.range,
      leadingComments: this.leadingComments,
    };
  }
}

// Reading the tree without allocating: the model builder runs these for every
// statement (the args and items arrays of parser nodes are made when asked for).
export function keywordOf(st: Statement): string {
  return st instanceof StatementNode ? st.kwText() : st.keyword.text;
}
export function keywordOffset(st: Statement): number {
  return st instanceof StatementNode ? st.kwOffset() : st.keyword.offset;
}
export function argCount(st: Statement): number {
  return st instanceof StatementNode ? st.argCount() : st.args.length;
}
export function argAt(st: Statement, i: number): Arg {
  return st instanceof StatementNode ? st.argAt(i) : st.args[i];
}
export function itemCount(a: Arg): number {
  return a instanceof ScalarNode
    ? 1
    : a instanceof PositionalNode || a instanceof OptionNode
      ? a.itemCount()
      : a.value.items.length;
}
export function itemAt(a: Arg, i: number): Scalar | undefined {
  return a instanceof ScalarNode
    ? i === 0
      ? a
      : undefined
    : a instanceof PositionalNode || a instanceof OptionNode
      ? a.itemAt(i)
      : a.value.items[i];
}

/** Words of the file being parsed, so each distinct word is one string however often it appears. */
let WORDS = new Map<string, string>();
function word(s: string): string {
  const w = WORDS.get(s);
  if (w !== undefined) return w;
  WORDS.set(s, s);
  return s;
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
  if (t.tokenType === T.Str)
    return new ScalarNode(unescape(img.slice(1, -1)), BASE + t.startOffset, img.length, QUOTED, P);
  if (t.tokenType === T.Unterminated) {
    const body = img.endsWith('\\') && !img.endsWith('\\\\') ? img.slice(1, -1) : img.slice(1);
    return new ScalarNode(unescape(body), BASE + t.startOffset, img.length, QUOTED | UNTERMINATED, P);
  }
  return new ScalarNode(word(img), BASE + t.startOffset, img.length, 0, P);
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
    if (this.diags.length < MAX_SYNTAX_ERRORS)
      this.diags.push({ code, severity: 'error', message, file: this.file, range });
  }

  private notTopKwAtCol0 = (): boolean => !this.topKwAtCol0(this.LA(1));

  // Chevrotain calls OR/MANY with their alternatives each time, and wraps a
  // GATE in a new closure (an OR with GATEs maps them to a new array) per
  // call: allocating those per token or per statement dominated parse time,
  // so the alternatives are built once here, the per-statement ones carry no
  // GATE, and the rules work through the fields below.
  private fileOut: Statement[] = [];
  private readonly fileAlts = [
    {
      ALT: () => {
        this.CONSUME(T.Newline);
      },
    },
    {
      ALT: () => {
        this.fileOut.push(this.SUBRULE(this.statement));
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T.RBrace);
        if (!this.RECORDING_PHASE) this.error(tokRange(t), "unexpected '}': no block is open here");
      },
    },
    { ALT: () => this.SUBRULE(this.stray) },
  ];
  private readonly fileLoop = () => {
    this.OR(this.fileAlts);
  };

  public fileRule = this.RULE('fileRule', (): Statement[] => {
    const out: Statement[] = (this.fileOut = []);
    this.MANY(this.fileLoop);
    return out;
  });

  private readonly strayAlts = [
    {
      ALT: () => {
        const t = this.CONSUME(T.Semi);
        if (!this.RECORDING_PHASE) this.error(tokRange(t), "a ';' with no statement before it");
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T.Comma);
        if (!this.RECORDING_PHASE) this.error(tokRange(t), "unexpected ',': expected a statement");
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T.Equals);
        if (!this.RECORDING_PHASE) this.error(tokRange(t), "unexpected '=': expected a statement");
      },
    },
    {
      ALT: () => {
        const t = this.CONSUME(T.Str);
        if (!this.RECORDING_PHASE)
          this.error(tokRange(t), `unexpected string ${t.image}: a statement starts with a keyword`);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Unterminated); /* MT002 says it */
      },
    },
    {
      ALT: () => {
        const t = this.LA(1);
        if (!this.RECORDING_PHASE && this.depth < MAX_DEPTH)
          this.error(
            tokRange(t),
            "a '{' with no statement before it: a block's '{' goes on the line of the statement it opens",
          );
        this.SUBRULE(this.block, { ARGS: ['a block'] });
      },
    },
  ];

  /** Tokens that cannot start a statement: consumed with one MT001 each. */
  private stray = this.RULE('stray', (): void => {
    this.OR(this.strayAlts);
  });

  /** The current statement's argument tokens: one buffer (argN used), shaped into args before any nested block reuses it. */
  private readonly argToks: IToken[] = [];
  private argN = 0;
  /** Setting an array's length to 0 frees its storage: these buffers are reused through a count instead. */
  private readonly argScratch: Arg[] = [];
  private blockStmts: Statement[] = [];
  private stKw: IToken | undefined;
  private lastBlock: Block | undefined;
  /** After a comma, line breaks continue the list, unless the next line starts a declaration (a top-level keyword at column 0). */
  private readonly nlLoop = {
    GATE: () => !this.topKwAtCol0(this.LA(2)),
    DEF: () => {
      this.CONSUME(T.Newline);
    },
  };
  // One CONSUME per argument token (a token category, not an OR per token);
  // only a comma goes on to the line-break loop (recorded once for the grammar).
  private readonly argLoop = () => {
    const t = this.CONSUME(T.ArgCat);
    this.argToks[this.argN++] = t;
    if (this.RECORDING_PHASE || t.tokenType === T.Comma) this.MANY1(this.nlLoop);
  };
  private readonly endAlts = [
    {
      ALT: () => {
        const owner = this.RECORDING_PHASE ? '' : ownerName(this.stKw!, this.argToks, this.argN);
        this.lastBlock = this.SUBRULE(this.block, { ARGS: [owner] });
      },
    },
    {
      ALT: () => {
        this.CONSUME1(T.Newline);
        this.lastBlock = undefined;
      },
    },
    {
      ALT: () => {
        this.CONSUME1(T.Semi);
        this.lastBlock = undefined;
      },
    },
    {
      ALT: () => {
        /* before '}' or end of file */ this.lastBlock = undefined;
      },
    },
  ];
  private readonly blockAlts = [
    {
      ALT: () => {
        this.CONSUME(T.Newline);
      },
    },
    {
      ALT: () => {
        this.blockStmts.push(this.SUBRULE(this.statement));
      },
    },
    { ALT: () => this.SUBRULE(this.stray) },
  ];
  private readonly blockLoop = {
    GATE: this.notTopKwAtCol0,
    DEF: () => {
      this.OR(this.blockAlts);
    },
  };
  private readonly closeOpt = () => this.CONSUME(T.RBrace);

  public block = this.RULE('block', (owner: string): Block | undefined => {
    const open = this.CONSUME(T.LBrace);
    // Deeper blocks are flattened: the '{' is reported and what follows
    // belongs to the enclosing block (a diagnostic, never a stack overflow).
    if (!this.RECORDING_PHASE && this.depth >= MAX_DEPTH) {
      this.error(tokRange(open), `blocks nested deeper than ${MAX_DEPTH} levels`);
      return undefined;
    }
    const statements: Statement[] = [];
    const savedStmts = this.blockStmts;
    this.blockStmts = statements;
    this.depth++;
    this.MANY(this.blockLoop);
    const close = this.OPTION(this.closeOpt);
    this.blockStmts = savedStmts;
    this.depth--;
    if (this.RECORDING_PHASE) return undefined;
    if (!close) {
      const at = this.LA(1);
      const key = at.tokenType === EOF ? -2 : BASE + at.startOffset;
      if (key !== this.lastMissingAt) this.error(tokRange(open), `missing '}': expected '}' to close ${owner}`);
      this.lastMissingAt = key;
    }
    return new BlockNode(
      BASE + open.startOffset,
      close ? BASE + close.startOffset : -1,
      P,
      statements.slice() /* exact size */,
    );
  });

  public statement = this.RULE('statement', (): Statement => {
    const kw = this.CONSUME(T.Word);
    this.argN = 0;
    this.MANY(this.argLoop);
    // shaped into argScratch now: a nested block reuses the token buffer
    const n = this.RECORDING_PHASE || !this.argN ? 0 : this.shapeArgs(kw.image, this.argToks, this.argN);
    const sc = this.argScratch;
    const a = n === 0 ? undefined : n <= 2 ? sc[0] : sc.slice(0, n);
    const b = n === 2 ? sc[1] : undefined;
    this.stKw = kw;
    this.OR1(this.endAlts);
    const block = this.lastBlock;
    this.lastBlock = undefined;
    return (
      this.RECORDING_PHASE ? undefined : new StatementNode(word(kw.image), BASE + kw.startOffset, P, a, b, block)
    ) as Statement;
  });

  /** arg = scalar [ "=" value ] ; value = scalar { "," scalar }. The args go to argScratch; returns how many. */
  private shapeArgs(kw: string, toks: IToken[], n: number): number {
    const out = this.argScratch;
    let nout = 0;
    let reported = false;
    let i = 0;
    while (i < n) {
      const t = toks[i];
      if (!isScalarTok(t)) {
        if (!reported) {
          this.error(
            tokRange(t),
            t.tokenType === T.Equals
              ? `unexpected '=' in '${kw}': an option is written key=value`
              : `unexpected ',' in '${kw}': a list needs a value before the comma`,
          );
          reported = true;
        }
        i++;
        continue;
      }
      let key: Scalar | undefined;
      let first = t;
      if (i + 1 < n && toks[i + 1].tokenType === T.Equals) {
        key = scalarOf(t);
        const eq = toks[i + 1];
        i += 2;
        if (i >= n || !isScalarTok(toks[i])) {
          const r = tokRange(eq);
          this.error(r, `expected a value after '${key.text}='`);
          reported = true;
          const empty: Value = { items: [], range: { start: r.end, end: r.end } };
          out[nout++] = { key, value: empty, range: { start: key.range.start, end: r.end } };
          continue;
        }
        first = toks[i];
      }
      const head = scalarOf(first);
      let items: Scalar[] | undefined;
      i++;
      while (i < n && toks[i].tokenType === T.Comma) {
        if (i + 1 < n && isScalarTok(toks[i + 1])) {
          (items ??= [head]).push(scalarOf(toks[i + 1]));
          i += 2;
          continue;
        }
        if (!reported) this.error(tokRange(toks[i]), "a trailing ',': expected a value after it");
        reported = true;
        i++;
        break;
      }
      const v: Items = items ? items.slice() /* exact size */ : head;
      out[nout++] = key ? new OptionNode(key, v) : Array.isArray(v) ? new PositionalNode(v) : (v as ScalarNode);
    }
    return nout;
  }

  private topKwAtCol0(t: IToken): boolean {
    // the cheap test first: statements inside blocks are indented
    return t.tokenType === T.Word && P.isLineStart(BASE + t.startOffset) && TOP.has(t.image);
  }
}

function isScalarTok(t: IToken): boolean {
  return t.tokenType === T.Word || t.tokenType === T.Str || t.tokenType === T.Unterminated;
}

function ownerName(kw: IToken, toks: IToken[], n: number): string {
  let name: IToken | undefined;
  for (let i = 0; i < n && !name; i++) if (toks[i].tokenType === T.Word || toks[i].tokenType === T.Str) name = toks[i];
  return `'${kw.image}${name ? ' ' + name.image : ''}'`;
}

let shared: MailtopoParser | undefined;

/** Parse one file's text. Never throws for any input. */
export function parse(text: string, file: string): ParsedFile {
  P = new Positions(text);
  WORDS = new Map();
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
  // Chunks of at least CHUNK_CHARS: each lex and parse call has a fixed cost.
  const cuts: number[] = [];
  for (const c of chunkStarts(text)) if (!cuts.length || c - cuts[cuts.length - 1] >= CHUNK_CHARS) cuts.push(c);
  for (let ci = 0; ci < cuts.length; ci++) {
    const start = cuts[ci];
    const end = ci + 1 < cuts.length ? cuts[ci + 1] : text.length;
    BASE = start;
    const lex = T.lexer().tokenize(start === 0 && end === text.length ? text : text.slice(start, end));
    for (const e of lex.errors) {
      if (diags.length >= MAX_SYNTAX_ERRORS) break;
      const off = start + e.offset;
      const ch = text.slice(off, off + e.length);
      const shown = ch.length > 12 ? ch.slice(0, 12) + '…' : ch;
      diags.push({
        code: 'MT003',
        severity: 'error',
        message: stray(ch, shown),
        file,
        range: { start: P.at(off), end: P.at(off + e.length) },
      });
    }
    const toks = lex.tokens;
    for (const t of toks) {
      if (t.tokenType === T.Unterminated && diags.length < MAX_SYNTAX_ERRORS) {
        diags.push({
          code: 'MT002',
          severity: 'error',
          message: "unterminated string: add the closing '\"' on this line",
          file,
          range: tokRange(t),
        });
      }
    }
    p.depth = 0;
    p.lastMissingAt = -1;
    p.input = toks;
    try {
      for (const st of p.fileRule() ?? []) statements.push(st);
    } catch {
      // The grammar is total; this is a last guard, never a crash.
      p.diags.push({
        code: 'MT001',
        severity: 'error',
        message: 'the file could not be parsed past this point',
        file,
        range: endRange(text),
      });
    }
    for (const e of p.errors) {
      const t = e.token;
      const r =
        t.tokenType === EOF || t.startOffset === undefined || isNaN(t.startOffset) ? endRange(text) : tokRange(t);
      if (p.diags.length < MAX_SYNTAX_ERRORS)
        p.diags.push({
          code: 'MT001',
          severity: 'error',
          message: `unexpected ${T.describeToken(t.tokenType.name, t.image)}`,
          file,
          range: r,
        });
    }
    for (const c of lex.groups.comments ?? []) comments.push(new CommentNode(c.image, start + c.startOffset, P));
  }
  p.input = []; // do not keep the token vector alive
  WORDS = new Map();
  BASE = 0;
  const all = diags.concat(p.diags);
  if (all.length >= MAX_SYNTAX_ERRORS) {
    all.length = MAX_SYNTAX_ERRORS;
    all.push({
      code: 'MT001',
      severity: 'error',
      message: `more than ${MAX_SYNTAX_ERRORS} syntax errors; later ones are not shown`,
      file,
      range: endRange(text),
    });
  }
  attachComments(statements, comments);
  // exact-size copies: a pushed-to array keeps up to half again as much room
  return { file, text, statements: statements.slice(), comments: comments.slice(), diagnostics: all };
}

/** Top-level chunks are parsed together up to about this many characters. */
const CHUNK_CHARS = 16384;

const CHUNK_START = new RegExp(
  `(?:${LINE_END_SOURCE})(?=(?:${TOP_LEVEL_KEYWORDS.join('|')})(?![A-Za-z0-9_.:/*@+\\-]))`,
  'g',
);

/** Offsets where top-level chunks start: 0 and every line that starts with a top-level keyword. */
export function chunkStarts(text: string): number[] {
  const cuts = [0];
  CHUNK_START.lastIndex = 0;
  for (let m = CHUNK_START.exec(text); m; m = CHUNK_START.exec(text)) cuts.push(m.index + m[0].length);
  return cuts;
}

/** MT003 in words a mail admin knows. */
function stray(ch: string, shown: string): string {
  const c = ch[0];
  if ('.-/@+'.includes(c))
    return `unexpected ${JSON.stringify(shown)}: a word cannot start with '${c}'${c === '.' ? " (write 'exe', not '.exe')" : ''}`;
  return (
    `unexpected character${ch.length > 1 ? 's' : ''} ${JSON.stringify(shown)}: ` +
    'not part of the language (words, "strings", # comments and { } , ; = are)'
  );
}

function endRange(text: string): Range {
  const p = P.at(text.length);
  return { start: p, end: p };
}

export { computeLineStarts }; // the one line-end definition lives in lineEnds.ts

/** The line holding an offset: the last line start at or before it (bisection). */
export function lineOf(lineStarts: ArrayLike<number>, off: number): number {
  let lo = 0,
    hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function offsetToPos(lineStarts: ArrayLike<number>, off: number): { line: number; character: number } {
  const line = lineOf(lineStarts, off);
  return { line, character: off - lineStarts[line] };
}

function aloneOnLine(c: Comment): boolean {
  const text = P.text;
  for (let o = P.starts[P.line(c.offset)]; o < c.offset; o++) {
    const ch = text.charCodeAt(o);
    if (ch !== 32 && ch !== 9 && ch !== 13 && ch !== 12 && ch !== 11 && ch !== 0xfeff) return false;
  }
  return true;
}

/**
 * Leading comments, found from the comments (a file has far fewer comment
 * runs than statements): a run of comment lines, each alone on its line,
 * documents the statement that starts the next line.
 */
function attachComments(statements: Statement[], comments: Comment[]): void {
  const starts = P.starts;
  const text = P.text;
  for (let i = 0; i < comments.length; i++) {
    if (!aloneOnLine(comments[i])) continue;
    // a run: consecutive lines, each a comment alone on its line
    let j = i;
    while (
      j + 1 < comments.length &&
      P.line(comments[j + 1].offset) === P.line(comments[j].offset) + 1 &&
      aloneOnLine(comments[j + 1])
    )
      j++;
    const next = P.line(comments[j].offset) + 1;
    if (next < starts.length) {
      // the first non-blank character of the next line
      let o = starts[next];
      for (let c = text.charCodeAt(o); c === 32 || c === 9 || c === 13 || c === 0xfeff; c = text.charCodeAt(++o));
      const st = statementAt(statements, o);
      if (st) {
        const lines: string[] = new Array<string>(j - i + 1);
        for (let k = i; k <= j; k++) lines[k - i] = comments[k].text.replace(/^#\s?/, '');
        st.leadingComments = lines;
      }
    }
    i = j;
  }
}

/** The statement whose keyword starts at `off`, at any depth (statements are in offset order). */
function statementAt(list: Statement[], off: number): Statement | undefined {
  for (;;) {
    let lo = 0,
      hi = list.length - 1,
      found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (keywordOffset(list[mid]) <= off) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const s = list[found];
    if (keywordOffset(s) === off) return s;
    if (!s.block) return undefined;
    list = s.block.statements;
  }
}
