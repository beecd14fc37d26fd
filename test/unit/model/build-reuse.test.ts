// The editor's build reads again only the declarations an edit touched
// (model/build/reuse.ts). Every case: the reused build's diagnostics equal a
// fresh check of the same text, and only the edited declaration was read.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../server/src/core/check';
import { IncrementalParseCache } from '../../../server/src/core/features/incremental';
import { BuildCache } from '../../../server/src/core/model/build';
import type { MtDiagnostic } from '../../../server/src/core/diagnostic';

const plain = (ds: MtDiagnostic[]) => JSON.parse(JSON.stringify(ds)) as unknown;

/** Check `texts` one after another as an editor would; returns the cache's counts of the last one. */
function editSequence(texts: string[]): { read: number; reused: number } {
  const cache = new IncrementalParseCache();
  const build = new BuildCache();
  let last = { read: 0, reused: 0 };
  for (const t of texts) {
    build.read = 0;
    build.reused = 0;
    const got = checkText(t, 'a.mailtopo', { cache, build, host: { readFile: () => undefined } });
    const want = checkText(t, 'a.mailtopo', { host: { readFile: () => undefined } });
    assert.deepEqual(plain(got.diagnostics), plain(want.diagnostics), t);
    last = { read: build.read, reused: build.reused };
  }
  return last;
}

const BASE = `network corp {
  cidr 10.0.0.0/8
}

domain example.com {
  mx 10 edge
}

pool edge {
  mode balanced
  vip 198.51.100.1
  hostname mail.example.com
  members e1, e2
}

gateway e1 {
  role edge
  hostname e1.example.com
  address 198.51.100.11
  accept example.com
  relay allow from=corp
  route example.com via=mb
  route * via=direct
}

gateway e2 {
  role edge
  hostname e2.example.com
  address 198.51.100.12
  accept example.com
  relay allow from=corp
  route example.com via=mb
  route * via=direct
}

server mb {
  role mailbox
  address 10.0.0.5
  mailboxes example.com
  route * via=edge
}
`;

describe('model/build: declarations reused across edits', () => {
  it('an edit inside one declaration reads only that one again', () => {
    const edited = BASE.replace('hostname e2.example.com', 'hostname e2x.example.com');
    const c = editSequence([BASE, edited]);
    assert.equal(c.read, 1);
    assert.equal(c.reused, 5);
  });

  it('lines inserted above shift the reused diagnostics with their statements', () => {
    const bad = BASE.replace('route * via=direct\n}\n\ngateway e2', 'route * via=nowhere\n}\n\ngateway e2');
    editSequence([bad, `# a comment\n\n${bad}`, `network x {\n  cidr 192.0.2.0/24\n}\n\n${bad}`]);
  });

  it('a network changed under a reused relay rule: the rule sees the new range', () => {
    // corp covering the internet makes e1 and e2 open relays (MT201); back again, they are not
    const open = BASE.replace('cidr 10.0.0.0/8', 'cidr 0.0.0.0/0');
    const c = editSequence([BASE, open, BASE]);
    assert.equal(c.read, 1);
    assert.ok(checkText(open).diagnostics.some((d) => d.code === 'MT201'));
  });

  it('a network turned into a public range under reused rules: exposure and relay verdicts follow', () => {
    const narrow = BASE.replace('cidr 10.0.0.0/8', 'cidr 203.0.113.0/24');
    const c = editSequence([BASE, narrow, BASE, narrow]);
    assert.equal(c.read, 1);
    const codes = (t: string) => new Set(checkText(t).diagnostics.map((d) => d.code));
    assert.notDeepEqual(codes(narrow), codes(BASE)); // the edit matters: the reused build must notice it
  });

  it('a pool loses a member: the reused member is no longer in it', () => {
    editSequence([BASE, BASE.replace('members e1, e2', 'members e1'), BASE]);
  });

  it('a referenced declaration renamed, removed and restored', () => {
    editSequence([BASE, BASE.replace('server mb {', 'server mbx {'), BASE.replace(/server mb \{[^}]*\}\n/, ''), BASE]);
  });

  it('a duplicate name appears and goes away (MT104 decided again every build)', () => {
    const dup = BASE.replace('gateway e2 {', 'gateway e1 {');
    editSequence([BASE, dup, BASE, dup]);
  });

  it('a block loses its closing brace and gets it back', () => {
    editSequence([
      BASE,
      BASE.replace('  route * via=direct\n}\n\ngateway e2', '  route * via=direct\n\ngateway e2'),
      BASE,
    ]);
  });

  it('a declaration moved below another keeps its diagnostics and order', () => {
    const mb = /server mb \{[^}]*\}\n/.exec(BASE)![0];
    editSequence([BASE, mb + '\n' + BASE.replace(mb, ''), BASE]);
  });
});
