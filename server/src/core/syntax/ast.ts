// The syntax tree: exact ranges for every statement, argument and option,
// comments kept. Built directly by the parser's actions (no CST pass).
import type { Range } from '../diagnostic';
import type { MtDiagnostic } from '../diagnostic';

export interface Scalar {
  /** The text as the user meant it: unquoted and unescaped for strings. */
  text: string;
  range: Range;
  quoted: boolean;
  /** A string missing its closing quote (MT002 says so; nothing else complains about it). */
  unterminated?: true;
  /** Offset of the first character in the file. */
  offset: number;
}

export interface Value {
  items: Scalar[];
  range: Range;
}

/** A positional argument (`key` undefined) or a `key=value` option. */
export interface Arg {
  key?: Scalar;
  value: Value;
  range: Range;
}

export interface Block {
  open: Range;
  /** Undefined when the block was left open (MT001 reported). */
  close?: Range;
  statements: Statement[];
}

export interface Statement {
  keyword: Scalar;
  args: Arg[];
  block?: Block;
  /** From the keyword to the end of the last argument, or to the block's `}`. */
  range: Range;
  /** The comment lines directly above the statement (hover docs). */
  leadingComments: string[];
}

export interface Comment {
  text: string;
  range: Range;
  offset: number;
}

export interface ParsedFile {
  file: string;
  text: string;
  statements: Statement[];
  comments: Comment[];
  /** MT001-MT003. */
  diagnostics: MtDiagnostic[];
}

/** Positional arguments of a statement. */
export function positional(st: Statement): Arg[] {
  return st.args.filter((a) => !a.key);
}
export function options(st: Statement): Arg[] {
  return st.args.filter((a) => a.key);
}
export function option(st: Statement, key: string): Arg | undefined {
  return st.args.find((a) => a.key?.text === key);
}
/** The name of a declaration (its first positional scalar). */
export function declName(st: Statement): Scalar | undefined {
  const a = st.args.find((x) => !x.key);
  return a?.value.items[0];
}
