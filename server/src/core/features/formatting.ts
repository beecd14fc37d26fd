// Formatting for the editor: the canonical layout from format.ts, returned as
// the smallest single edit (common prefix and suffix kept, so the cursor and
// the undo history stay where they were).
import type { TextEdit } from 'vscode-languageserver-types';
import { formatText } from './format';
import { computeLineStarts, offsetToPos } from '../syntax/parser';

export type FormattingResult = { edits: TextEdit[] } | { error: string };

export function formatting(text: string, file: string): FormattingResult {
  const r = formatText(text, file);
  if ('error' in r) return { error: r.error };
  return { edits: minimalEdit(text, r.text) };
}

export function minimalEdit(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length,
    endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  // never split a \r\n pair
  if (start > 0 && before[start - 1] === '\r' && before[start] === '\n') start--;
  if (endB < before.length && before[endB] === '\n' && before[endB - 1] === '\r') {
    endB++;
    endA++;
  }
  const ls = computeLineStarts(before);
  return [{ range: { start: offsetToPos(ls, start), end: offsetToPos(ls, endB) }, newText: after.slice(start, endA) }];
}
