// Tokens of the uniform grammar (LANGUAGE.md §1). A word is classified later
// by where it stands; the lexer only knows its shape.
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { LINE_END_SOURCE } from './lineEnds';

// U+FEFF: the byte-order mark Windows editors put at the start of a UTF-8 file.
// A '\r' is never white space: alone it ends a line, before '\n' it is half of one (lineEnds.ts).
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n\r]*/, group: 'comments' });
export const Newline = createToken({ name: 'Newline', pattern: new RegExp(LINE_END_SOURCE), line_breaks: true });
export const Semi = createToken({ name: 'Semi', pattern: /;/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
/** Any token of a statement's arguments (words, strings, '=' and ','): one CONSUME each. */
export const ArgCat = createToken({ name: 'Argument', pattern: Lexer.NA });
export const Comma = createToken({ name: 'Comma', pattern: /,/, categories: [ArgCat] });
export const Equals = createToken({ name: 'Equals', pattern: /=/, categories: [ArgCat] });
/** Any value token: a word or a (possibly unterminated) string. */
export const ScalarCat = createToken({ name: 'Scalar', pattern: Lexer.NA, categories: [ArgCat] });
export const Str = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  categories: [ScalarCat, ArgCat],
});
/** A string that reaches the end of its line: MT002, still usable as a value. */
export const Unterminated = createToken({
  name: 'Unterminated',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  categories: [ScalarCat, ArgCat],
});
export const Word = createToken({
  name: 'Word',
  pattern: /[A-Za-z0-9_*:][A-Za-z0-9_.:/*@+-]*/,
  categories: [ScalarCat, ArgCat],
});

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  Semi,
  LBrace,
  RBrace,
  Comma,
  Equals,
  Str,
  Unterminated,
  Word,
  ScalarCat,
  ArgCat,
];

// Offsets only: full line/column tracking costs 5x the lexing time; the parser
// converts offsets to positions with one forward-moving cursor instead.
// Made on first use: building its tables is ~10 ms of every server start.
let shared: Lexer | undefined;
export function lexer(): Lexer {
  return (shared ??= new Lexer(ALL_TOKENS, {
    positionTracking: 'onlyOffset',
    ensureOptimizations: true,
    skipValidations: true,
  }));
}

/** Words a user knows, for "expected ..." messages. */
export function describeToken(name: string, image: string): string {
  switch (name) {
    case 'Newline':
      return 'end of line';
    case 'EOF':
      return 'end of file';
    case 'String':
    case 'Unterminated':
      return `string ${image}`;
    default:
      return `'${image}'`;
  }
}
