// What every editor feature works on: one document's parse inside its checked
// workspace. Plain data; the server builds it from a CheckResult, tests build
// it with `contextFor`.
import * as path from 'node:path';
import type { ParsedFile } from '../syntax/ast';
import type { Model, Decl } from '../model/types';
import type { Workspace } from '../model/workspace';
import type { MtDiagnostic, Position, Range } from '../diagnostic';
import { checkFiles, type CheckOptions, type CheckResult } from '../check';
import { computeLineStarts } from '../syntax/parser';

export interface FeatureContext {
  /** The document's path as the workspace reports it (MtDiagnostic.file, Decl.file). */
  file: string;
  /** The document's absolute path (imports resolve against it). */
  abs: string;
  parsed: ParsedFile;
  model: Model;
  workspace: Workspace;
  /** The static diagnostics of the workspace (every file). */
  diagnostics: MtDiagnostic[];
}

/** A place in some file of the workspace (by display path), for results that point elsewhere. */
export interface FileLocation {
  file: string;
  range: Range;
}

/** The context of `file` (a display path) inside a checked workspace, or undefined when it is not part of it. */
export function contextOf(result: CheckResult, file: string): FeatureContext | undefined {
  const lf = result.workspace.files.find((f) => f.display === file);
  if (!lf) return undefined;
  return {
    file,
    abs: lf.abs,
    parsed: lf.parsed,
    model: result.model,
    workspace: result.workspace,
    diagnostics: result.diagnostics,
  };
}

/** Check one text (with imports from the host) and return its context: for tests and the CLI. */
export function contextFor(
  text: string,
  file = path.resolve('untitled.mailtopo'),
  opts: CheckOptions = {},
): FeatureContext {
  const r = checkFiles([{ path: file, text }], opts);
  return contextOf(r, file)!;
}

const lineStartsCache = new WeakMap<ParsedFile, Int32Array>();
export function lineStarts(p: ParsedFile): Int32Array {
  let ls = lineStartsCache.get(p);
  if (!ls) {
    ls = computeLineStarts(p.text);
    lineStartsCache.set(p, ls);
  }
  return ls;
}

/** The text of line `line` (without its newline). */
export function lineText(p: ParsedFile, line: number): string {
  const ls = lineStarts(p);
  if (line < 0 || line >= ls.length) return '';
  const end = line + 1 < ls.length ? ls[line + 1] - 1 : p.text.length;
  return p.text.slice(ls[line], end).replace(/\r$/, '');
}

export function offsetAt(p: ParsedFile, pos: Position): number {
  const ls = lineStarts(p);
  if (pos.line >= ls.length) return p.text.length;
  return Math.min(ls[pos.line] + pos.character, pos.line + 1 < ls.length ? ls[pos.line + 1] : p.text.length);
}

/** All declarations in a file, first-declared first (duplicates included). */
export function declsIn(model: Model, file: string): Decl[] {
  return model.decls.filter((d) => d.file === file);
}
