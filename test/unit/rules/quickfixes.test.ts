// Quick fixes of the admission family: applying the preferred fix removes the
// diagnostic (MT315 -> a rule admitting the sender, MT210 -> source
// proxy-protocol, MT211 -> recipients verify).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TextEdit } from 'vscode-languageserver-types';
import { contextFor } from '../../../server/src/core/features/context';
import { quickFixes } from '../../../server/src/core/features/codeActions';
import { BASE, check, edit } from './helpers';

function apply(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (p: { line: number; character: number }) => starts[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** Apply the preferred fix of the first diagnostic with this code; return the new text. */
function fixFirst(text: string, code: string): { text: string; title: string } {
  const ctx = contextFor(text, path.resolve('fix.mailtopo'));
  const d = ctx.diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code}`);
  const fixes = quickFixes(ctx, [{ code: d.code, message: d.message, range: d.range, data: d.data }]);
  const f = fixes.find((x) => x.isPreferred) ?? fixes[0];
  assert.ok(f, `no fix for ${code}`);
  return { text: apply(text, f.edits), title: f.title };
}

describe('rules: quick fixes of admission, balancers and backscatter', () => {
  it('MT315: a relay rule for the sender, first in line on the receiver', () => {
    const t = BASE.replace(/ {2}relay allow from=corp\n/g, '  relay deny from=any\n');
    const r = fixFirst(t, 'MT315');
    assert.match(r.title, /relay allow from=10\.0\.0\.21/);
    assert.match(r.text, /relay allow from=10\.0\.0\.21\n {2}relay deny from=any/);
    const before = check(t).filter((d) => d.code === 'MT315').length;
    assert.equal(check(r.text).filter((d) => d.code === 'MT315').length, before - 1);
  });
  it('MT315: an accept for the domain when an accept decides', () => {
    const t = edit(
      BASE,
      'mailboxes example.com\n  route',
      'accept example.com from=192.168.0.0/16\n  mailboxes example.com\n  route',
    );
    const r = fixFirst(t, 'MT315');
    assert.match(r.text, /accept example\.com from=198\.51\.100\.11/);
  });
  it('MT210: source proxy-protocol (and the snat line goes)', () => {
    const t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source masked\n  snat 10.0.0.5');
    const r = fixFirst(t, 'MT210');
    assert.match(r.text, /source proxy-protocol/);
    assert.doesNotMatch(r.text, /snat/);
    assert.ok(!check(r.text).some((d) => d.code === 'MT210'));
  });
  it('MT211: recipients verify, on the line or added to an external', () => {
    const t = edit(BASE, 'accept example.com', 'recipients none\n  accept example.com');
    assert.ok(!check(fixFirst(t, 'MT211').text).some((d) => d.code === 'MT211'));
    const b =
      edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 backup') +
      '\nexternal backup {\n  role backup\n  hostname mx2.isp.example\n  address 203.0.113.0/24\n  route example.com via=edge-nlb\n}\n';
    const r = fixFirst(b, 'MT211');
    assert.match(r.text, /recipients verify/);
    assert.ok(!check(r.text).some((d) => d.code === 'MT211'));
  });
});
