// The one diagnostic shape the whole core produces. Plain data: the CLI prints it,
// the server maps it to LSP, tests assert on it. Ranges are LSP ranges (0-based).
import type { Range } from 'vscode-languageserver-types';

export type { Range, Position } from 'vscode-languageserver-types';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedInfo {
  /** Path of the file the related place is in (as the workspace knows it). */
  file: string;
  range: Range;
  message: string;
}

export interface MtDiagnostic {
  /** Stable code from RULES.md, e.g. "MT201". */
  code: string;
  severity: Severity;
  message: string;
  /** Path of the file the diagnostic belongs to. */
  file: string;
  range: Range;
  related?: RelatedInfo[];
  tags?: Array<'unnecessary' | 'deprecated'>;
  /** Extra data for quick fixes (e.g. the suggested name). */
  data?: Record<string, unknown>;
}

export function mkRange(line: number, character: number, endLine: number, endCharacter: number): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

/** Sort diagnostics by position, then code, so every output is stable. */
export function sortDiagnostics(list: MtDiagnostic[]): MtDiagnostic[] {
  return list.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
