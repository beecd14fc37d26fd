// Completion contexts, in process: the cursor is marked with <|> in the text.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { contextFor } from '../../../server/src/core/features/context';
import { completion, MAX_REFERENCE_ITEMS } from '../../../server/src/core/features/completion';
import { hover } from '../../../server/src/core/features/hover';
import { toLiveAnswers } from '../../../server/src/core/features/liveAnswers';

const BASE = `network corp {
  cidr 10.0.0.0/8
}
policy av {
  antivirus clamav
}
domain example.test {
  mx 10 edge1
}
gateway edge1 {
  role edge
  hostname edge1.example.test
  address 198.51.100.1
}
server mbx {
  role mailbox
  mailboxes example.test
}
`;

function at(text: string): { text: string; pos: { line: number; character: number } } {
  const i = text.indexOf('<|>');
  assert.ok(i >= 0, 'a cursor mark');
  const before = text.slice(0, i);
  return {
    text: text.replace('<|>', ''),
    pos: { line: before.split('\n').length - 1, character: i - (before.lastIndexOf('\n') + 1) },
  };
}

function labels(marked: string): string[] {
  const { text, pos } = at(marked);
  const ctx = contextFor(text, path.resolve('/tmp/unit/c.mailtopo'), { host: { readFile: () => undefined } });
  return completion(ctx, pos).items.map((i) => i.label);
}

describe('features/completion', () => {
  it('nothing inside a comment or a string', () => {
    assert.deepEqual(labels(BASE + '# a comment ro<|>\n'), []);
    assert.deepEqual(labels(BASE.replace('  role edge', '  role edge # ro<|>')), []);
    assert.deepEqual(labels(BASE.replace('  mx 10 edge1', '  spf "v=spf1 <|>')), []);
  });

  it('continues a comma list over lines', () => {
    const l = labels(
      BASE.replace('  cidr 10.0.0.0/8', '  cidr 10.0.0.0/8').replace(
        '  address 198.51.100.1',
        '  address 198.51.100.1\n  relay allow from=corp,\n    <|>',
      ),
    );
    assert.ok(l.includes('any'), l.join(','));
    assert.ok(!l.includes('corp'), 'not one already in the list');
  });

  it('mx: a preference, then a target of the right kinds, and `none` first', () => {
    const first = labels(BASE.replace('  mx 10 edge1', '  mx <|>'));
    assert.ok(first.includes('none') && first.includes('10'), first.join(','));
    const target = labels(BASE.replace('  mx 10 edge1', '  mx 10 <|>'));
    assert.deepEqual(target, ['edge1']);
  });

  it('option values: enum values after key=', () => {
    assert.deepEqual(
      labels(BASE.replace('  address 198.51.100.1', '  address 198.51.100.1\n  relay allow from=corp auth=<|>')),
      ['required', 'none'],
    );
    assert.deepEqual(labels(BASE.replace('  antivirus clamav', '  antivirus clamav mode=<|>')), [
      'realtime',
      'scheduled',
    ]);
  });

  it('statement keywords follow the role (mailboxes only for a mailbox server)', () => {
    const mailbox = labels(BASE.replace('  mailboxes example.test', '  mailboxes example.test\n  <|>'));
    assert.ok(!mailbox.includes('mailboxes') && mailbox.includes('route'));
    const hub = labels(BASE.replace('  role mailbox\n  mailboxes example.test', '  role hub\n  <|>'));
    assert.ok(!hub.includes('mailboxes'), hub.join(','));
  });

  it('a statement of a block left open still completes in that block', () => {
    const l = labels('gateway g {\n  role edge\n  <|>\n');
    assert.ok(l.includes('hostname') && !l.includes('role'), l.join(','));
  });

  it('`domain` suggests domains named in mailboxes but not declared', () => {
    assert.deepEqual(
      labels(BASE.replace('mailboxes example.test', 'mailboxes example.test, other.test') + 'domain <|>'),
      ['other.test'],
    );
  });

  it('hover shows the SPF include tree from live answers', () => {
    const { text, pos } = at(
      BASE.replace('  mx 10 edge1', '  mx 10 edge1\n  sp<|>f "v=spf1 include:_spf.example.test -all"'),
    );
    const ctx = contextFor(text, path.resolve('/tmp/unit/h.mailtopo'), { host: { readFile: () => undefined } });
    const live = toLiveAnswers({
      hosts: {},
      mx: {},
      ptr: {},
      dmarc: {},
      mtaSts: {},
      tlsRpt: {},
      dnsbl: {},
      spf: {
        'example.test': {
          domain: 'example.test',
          status: 'ok',
          record: 'v=spf1 include:_spf.example.test -all',
          evaluations: [],
          tree: ['example.test: v=spf1 … [1/10 lookups, 0/2 void]', '  include:_spf.example.test  (1 lookup)'],
          analysis: { totalLookups: 1, totalVoidLookups: 0 } as never,
        },
      },
    } as never);
    const h = hover(ctx, pos, live)!;
    const v = (h.contents as { value: string }).value;
    assert.match(v, /SPF include tree \(1\/10 DNS lookups, 0\/2 void lookups\)/);
    assert.match(v, /include:_spf\.example\.test {2}\(1 lookup\)/);
  });

  it('via= with thousands of candidates: at most 100, names starting with what is typed first, then the closest, incomplete', () => {
    const gws = Array.from(
      { length: 300 },
      (_, i) => `gateway gw${i} {\n  role edge\n  hostname gw${i}.example.test\n  route * via=direct\n}\n`,
    ).join('');
    const text = BASE + gws + 'gateway last {\n  role edge\n  route * via=<|>\n}\n';
    const { text: t, pos } = at(text);
    const ctx = contextFor(t, path.resolve('/tmp/unit/c.mailtopo'), { host: { readFile: () => undefined } });
    const all = completion(ctx, pos);
    assert.equal(all.isIncomplete, true);
    const refs = all.items.filter((i) => i.label !== 'direct').map((i) => i.label);
    assert.equal(refs.length, MAX_REFERENCE_ITEMS);
    assert.deepEqual(refs.slice(0, 3), ['gw299', 'gw298', 'gw297'], 'the closest declarations first');
    assert.ok(!refs.includes('last'), 'not the node itself');
    const typed = at(text.replace('via=<|>', 'via=gw1<|>'));
    const some = completion(
      contextFor(typed.text, path.resolve('/tmp/unit/c.mailtopo'), { host: { readFile: () => undefined } }),
      typed.pos,
    );
    const names = some.items.map((i) => i.label);
    assert.ok(
      names.slice(0, 100).every((n) => n.startsWith('gw1')),
      'prefix matches first',
    );
    assert.ok(names.includes('gw1') && names.includes('gw199'));
    const few = completion(
      contextFor(BASE + 'gateway g2 {\n  route * via=\n}\n', path.resolve('/tmp/unit/c.mailtopo'), {
        host: { readFile: () => undefined },
      }),
      { line: BASE.split('\n').length, character: 15 },
    );
    assert.equal(few.isIncomplete, false, 'a short list is complete');
  });
});
