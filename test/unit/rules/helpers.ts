// Helpers for the analysis-rule tests: run the checker on a text, find the
// exact range of a piece of that text, assert a diagnostic by code, severity
// and range, or its absence.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../server/src/core/check';
import type { MtDiagnostic, Range, Severity } from '../../../server/src/core/diagnostic';

export function check(text: string): MtDiagnostic[] {
  return checkText(text, 'test.mailtopo').diagnostics;
}

/** Range of the n-th occurrence of `needle` (which must not span lines). */
export function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let idx = -1;
  for (let i = 0; i <= occurrence; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`'${needle}' (occurrence ${occurrence}) not in the test text`);
  }
  const before = text.slice(0, idx);
  const line = before.split('\n').length - 1;
  const character = idx - (before.lastIndexOf('\n') + 1);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

/** Range of a declaration's name ("on the declaration"). */
export function declRange(text: string, name: string): Range {
  const re = new RegExp(
    `^(?:network|domain|gateway|pool|server|policy|external) (${name.replace(/[.*]/g, (c) => `\\${c}`)})(?=[ {])`,
    'm',
  );
  const m = re.exec(text);
  if (!m) throw new Error(`no declaration of '${name}' in the test text`);
  const idx = m.index + m[0].length - name.length;
  const before = text.slice(0, idx);
  const line = before.split('\n').length - 1;
  const character = idx - (before.lastIndexOf('\n') + 1);
  return { start: { line, character }, end: { line, character: character + name.length } };
}

/** Replace exactly one occurrence (fails loudly when the test text does not hold it). */
export function edit(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  if (i < 0) throw new Error(`edit: '${from}' not found`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

function show(ds: MtDiagnostic[]): string {
  return ds
    .map(
      (d) =>
        `  ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ` +
        `${d.severity} ${d.code} ${d.message}`,
    )
    .join('\n');
}

/**
 * Assert a diagnostic with this code, severity and exact range (the range of
 * `needle` in the text). Returns it for further checks of message and related info.
 */
export function expectDiag(
  text: string,
  code: string,
  severity: Severity,
  needle: string | Range,
  occurrence = 0,
): MtDiagnostic {
  const ds = check(text);
  const want = typeof needle === 'string' ? rangeOf(text, needle, occurrence) : needle;
  const found = ds.find(
    (d) =>
      d.code === code && d.range.start.line === want.start.line && d.range.start.character === want.start.character,
  );
  assert.ok(
    found,
    `expected ${code} at ${want.start.line}:${want.start.character} ('${typeof needle === 'string' ? needle : JSON.stringify(needle)}'), ` +
      `got:\n${show(ds)}`,
  );
  assert.deepEqual(found.range, want, `${code} range`);
  assert.equal(found.severity, severity, `${code} severity`);
  return found;
}

export function expectNone(text: string, code: string): void {
  const ds = check(text).filter((d) => d.code === code);
  assert.equal(ds.length, 0, `expected no ${code}, got:\n${show(ds)}`);
}

export function codes(text: string): string[] {
  return check(text).map((d) => d.code);
}

export function expectClean(text: string): void {
  const ds = check(text);
  assert.equal(ds.length, 0, `expected no diagnostics, got:\n${show(ds)}`);
}

/** A correct topology: nothing in it may be reported. Tests edit it to inject one fault. */
export const BASE = `options {
  dnsbl zen.spamhaus.org
}

network corp {
  cidr 10.0.0.0/8
}

domain example.com {
  mx 10 edge-nlb
  spf "v=spf1 ip4:198.51.100.0/28 -all"
}

policy av {
  antivirus clamav
  on-virus quarantine
}

pool edge-nlb {
  mode balanced
  vip 198.51.100.10
  hostname mail.example.com
  members edge1, edge2
}

gateway edge1 {
  role edge
  hostname edge1.example.com
  address 198.51.100.11
  accept example.com
  relay allow from=corp
  scan av
  route example.com via=mb1, mb2
  route * via=direct
}

gateway edge2 {
  role edge
  hostname edge2.example.com
  address 198.51.100.12
  accept example.com
  relay allow from=corp
  scan av
  route example.com via=mb1, mb2
  route * via=direct
}

server mb1 {
  role mailbox
  address 10.0.0.21
  mailboxes example.com
  route * via=edge-nlb
}

server mb2 {
  role mailbox
  address 10.0.0.22
  mailboxes example.com
  route * via=edge-nlb
}
`;
