// Shared helpers for the language-core tests: check a text, pick diagnostics,
// assert code + severity + exact range (0-based, LSP style).
import { TextDocument } from 'vscode-languageserver-textdocument';
import { strict as assert } from 'node:assert';
import { checkText } from '../../../server/src/core/check';
import type { MtDiagnostic, Severity } from '../../../server/src/core/diagnostic';
import type { Statement } from '../../../server/src/core/syntax/ast';

export type R = [number, number, number, number];

export function diagsOf(text: string, file = 'test.mailtopo'): MtDiagnostic[] {
  return checkText(text, file).diagnostics;
}

/** Only the diagnostics of the language core (MT0xx, MT1xx). */
export function coreDiags(text: string, file = 'test.mailtopo'): MtDiagnostic[] {
  return diagsOf(text, file).filter((d) => /^MT[01]\d\d$/.test(d.code));
}

export function rangeOf(d: { range: MtDiagnostic['range'] }): R {
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

export function show(list: MtDiagnostic[]): string {
  return list.map((d) => `${d.code} ${d.severity} ${rangeOf(d).join(',')} ${d.message}`).join('\n') || '(none)';
}

/**
 * Assert that `text` yields exactly one diagnostic with `code`, with that
 * severity and range (and message matching `msg` when given). Returns it.
 */
export function expectOne(text: string, code: string, severity: Severity, range: R, msg?: RegExp): MtDiagnostic {
  const all = diagsOf(text);
  const hits = all.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `expected exactly one ${code}, got:\n${show(all)}`);
  const d = hits[0];
  assert.equal(d.severity, severity, `severity of ${code}`);
  assert.deepEqual(rangeOf(d), range, `range of ${code}: ${d.message}\n${show(all)}`);
  if (msg) assert.match(d.message, msg);
  return d;
}

/** Assert the core diagnostics are exactly these [code, range] pairs (in order). */
export function expectExactly(text: string, expected: Array<[string, R]>): MtDiagnostic[] {
  const all = coreDiags(text);
  assert.deepEqual(
    all.map((d) => [d.code, rangeOf(d)]),
    expected,
    show(all),
  );
  return all;
}

export function expectClean(text: string): void {
  const all = coreDiags(text);
  assert.deepEqual(all, [], show(all));
}

/** A statement tree without ranges: keyword, args (key, items), block. */
export interface Shape {
  kw: string;
  args: Array<{ key?: string; items: Array<string> }>;
  block?: Shape[];
}
export function shapeOf(list: Statement[]): Shape[] {
  return list.map((s) => {
    const out: Shape = {
      kw: s.keyword.text,
      args: s.args.map((a) => ({
        ...(a.key ? { key: a.key.text } : {}),
        items: a.value.items.map((i) => (i.quoted ? JSON.stringify(i.text) : i.text)),
      })),
    };
    if (s.block) out.block = shapeOf(s.block.statements);
    return out;
  });
}

/** A predicate: does a position lie inside `text` (lines split at '\n'; a line's end is inside)? */
export function positionChecker(text: string): (p: { line: number; character: number }) => boolean {
  // the LSP's own line counting is the oracle (\n, \r\n and a lone \r end a line: LANGUAGE.md §1)
  const doc = TextDocument.create('file:///oracle.mailtopo', 'mailtopo', 0, text);
  return (p) => {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return false;
    if (p.line >= doc.lineCount) return false;
    const start = doc.offsetAt({ line: p.line, character: 0 });
    let end = p.line + 1 < doc.lineCount ? doc.offsetAt({ line: p.line + 1, character: 0 }) : text.length;
    if (p.line + 1 < doc.lineCount) end -= text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10 ? 2 : 1;
    return start + p.character <= end;
  };
}

/** Every diagnostic (and related) range lies inside its document and starts before it ends. */
export function rangesInside(text: string, list: MtDiagnostic[], file: string): string | undefined {
  const inside = positionChecker(text);
  for (const d of list) {
    const rs = [
      ...(d.file === file ? [d.range] : []),
      ...(d.related ?? []).filter((r) => r.file === file).map((r) => r.range),
    ];
    for (const r of rs) {
      if (!inside(r.start) || !inside(r.end))
        return `${d.code} range ${JSON.stringify(r)} outside the document: ${d.message}`;
      if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character))
        return `${d.code} range ${JSON.stringify(r)} ends before it starts`;
    }
  }
  return undefined;
}
