// Completion and hover read the schema table: a statement added there (this
// round: software, submission, recipients, source, snat, method, an external's
// scan and recipients, route auth=) completes and hovers with no other change.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { contextFor } from '../../../server/src/core/features/context';
import { completion } from '../../../server/src/core/features/completion';
import { hover } from '../../../server/src/core/features/hover';

function at(marked: string): { text: string; pos: { line: number; character: number } } {
  const i = marked.indexOf('<|>');
  assert.ok(i >= 0, 'a cursor mark');
  const before = marked.slice(0, i);
  return {
    text: marked.replace('<|>', ''),
    pos: { line: before.split('\n').length - 1, character: i - (before.lastIndexOf('\n') + 1) },
  };
}
const ctxOf = (text: string) =>
  contextFor(text, path.resolve('/tmp/unit/f.mailtopo'), { host: { readFile: () => undefined } });
function labels(marked: string): string[] {
  const { text, pos } = at(marked);
  return completion(ctxOf(text), pos).items.map((i) => i.label);
}
function hoverText(marked: string): string {
  const { text, pos } = at(marked);
  const h = hover(ctxOf(text), pos);
  assert.ok(h, 'a hover');
  return (h.contents as { value: string }).value;
}

describe('features: new schema statements complete and hover', () => {
  it('statement keywords of each block include the new ones', () => {
    const gw = labels('gateway g {\n  role relay\n  <|>\n}\n');
    for (const k of ['software', 'submission', 'recipients']) assert.ok(gw.includes(k), `${k} in ${gw.join(',')}`);
    const pool = labels('pool p {\n  mode balanced\n  <|>\n}\n');
    for (const k of ['source', 'snat']) assert.ok(pool.includes(k), `${k} in ${pool.join(',')}`);
    assert.ok(!pool.includes('software'));
    assert.ok(labels('policy p {\n  <|>\n}\n').includes('method'));
    const ext = labels('external x {\n  hostname x.example.net\n  <|>\n}\n');
    for (const k of ['scan', 'recipients']) assert.ok(ext.includes(k), `${k} in ${ext.join(',')}`);
  });

  it('enum values of the new statements and options', () => {
    assert.deepEqual(labels('gateway g {\n  role relay\n  software <|>\n}\n'), ['postfix', 'exchange', 'other']);
    assert.deepEqual(labels('server s {\n  role hub\n  recipients <|>\n}\n'), ['verify', 'list', 'none']);
    assert.deepEqual(labels('pool p {\n  source <|>\n}\n'), ['preserved', 'proxy-protocol', 'masked']);
    assert.deepEqual(labels('policy p {\n  method <|>\n}\n'), ['milter', 'content-filter', 'proxy']);
    assert.deepEqual(labels('gateway g {\n  role relay\n  route * via=direct auth=<|>\n}\n'), ['yes', 'no']);
    const roles = labels('external x {\n  role <|>\n}\n');
    assert.ok(roles.includes('backup'), roles.join(','));
  });

  it('hover on a new keyword shows its schema doc and default', () => {
    const sub = hoverText('gateway g {\n  role relay\n  submis<|>sion 587\n}\n');
    assert.match(sub, /Message-submission ports/);
    const sw = hoverText('server s {\n  role hub\n  soft<|>ware postfix\n}\n');
    assert.match(sw, /What runs on it/);
    assert.match(sw, /Default: `exchange`/);
    assert.match(hoverText('pool p {\n  sn<|>at 10.0.0.1\n}\n'), /addresses the members see/);
    assert.match(hoverText('policy p {\n  met<|>hod proxy\n}\n'), /How mail reaches the engines/);
  });
});
