// BIND split horizon (issue 13): the public zone of a domain holds no private
// address (LANGUAGE.md §4), the internal zone is the public one plus the
// private addresses, and named.conf.views serves the internal zones to your
// own networks and nodes, the public ones to everyone else.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../server/src/core/check';
import { BIND_DIR, generateBind } from '../../../server/src/core/generate/bind';
import { isPrivateAddress as isPrivateIp } from '../../../server/src/core/dns/ip';
import { checkFile, zoneRecords } from './formats';
import type { Model } from '../../../server/src/core/model/types';

const OPTS = { source: 't.mailtopo', now: new Date('2025-06-01T12:00:00Z') };

function model(text: string, allowErrors = false): Model {
  const r = checkText(text, 't.mailtopo');
  if (!allowErrors)
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`),
      [],
    );
  return r.model;
}

const TOPO = `options {
  nameservers ns1.example.com
}
network lan {
  cidr 10.1.0.0/16, 10.1.5.7
}
network partners {
  cidr 203.0.113.128/25
}
domain example.com {
  mx 10 gw
}
domain example.net {
  mx 10 gw
}
gateway gw {
  role edge
  hostname mx.example.com
  address 198.51.100.25, 172.16.0.25
  accept example.com, example.net
  relay allow from=lan
  route example.com, example.net via=mbx
  route * via=direct
}
server mbx {
  role mailbox
  hostname mbx.example.com
  address 10.1.2.3, fd00::3
  mailboxes example.com, example.net
  route * via=gw
}
server hub {
  role hub
  hostname hub.example.net
  address 192.168.7.7
  route * via=gw
}
external ns {
  hostname ns1.example.com
  address 10.1.0.53
}
`;

describe('generate: BIND split horizon', () => {
  const files = generateBind(model(TOPO), OPTS);
  const get = (p: string) => files.find((f) => f.path === p)?.content ?? assert.fail(`no ${p}`);

  it('writes a public and an internal zone per domain and one views file', () => {
    assert.deepEqual(files.map((f) => f.path).sort(), [
      'bind/db.example.com',
      'bind/db.example.net',
      'bind/internal/db.example.com',
      'bind/internal/db.example.net',
      'bind/named.conf.views',
    ]);
    for (const f of files) assert.equal(checkFile(f.path, f.content), undefined, f.path);
  });

  it('the public zone holds no private address; the internal zone is the public one plus the private ones', () => {
    for (const dom of ['example.com', 'example.net']) {
      const pub = zoneRecords(get(`bind/db.${dom}`)).records;
      const int = zoneRecords(get(`bind/internal/db.${dom}`)).records;
      const addrs = (rs: typeof pub) => rs.filter(([, t]) => t === 'A' || t === 'AAAA').map(([, , d]) => d);
      assert.deepEqual(addrs(pub).filter(isPrivateIp), [], `${dom}: public zone`);
      const key = (r: [string, string, string]) => r.join(' ');
      const intKeys = new Set(int.map(key));
      for (const r of pub) if (r[1] !== 'A' || r[0] !== 'ns1') assert.ok(intKeys.has(key(r)), `${dom}: ${key(r)}`);
      const extra = int.filter((r) => !pub.some((p) => key(p) === key(r)));
      assert.ok(
        extra.every(([, t, d]) => (t === 'A' || t === 'AAAA') && isPrivateIp(d)),
        `${dom}: only private extra`,
      );
    }
    const pub = get('bind/db.example.com');
    const int = get('bind/internal/db.example.com');
    assert.match(pub, /^mx\tIN\tA\t198\.51\.100\.25\t/m);
    assert.doesNotMatch(pub, /172\.16\.0\.25|10\.1\.2\.3|fd00::3/);
    assert.match(int, /^mx\tIN\tA\t172\.16\.0\.25\t; gateway gw, private$/m);
    assert.match(int, /^mbx\tIN\tA\t10\.1\.2\.3\t/m);
    assert.match(int, /^mbx\tIN\tAAAA\tfd00::3\t/m);
    assert.match(get('bind/internal/db.example.net'), /^hub\tIN\tA\t192\.168\.7\.7\t/m);
    assert.doesNotMatch(get('bind/db.example.net'), /^hub\t/m);
  });

  it('an in-domain name server with only a private address: placeholder glue in public, its address inside', () => {
    assert.match(get('bind/db.example.com'), /^ns1\tIN\tA\t192\.0\.2\.53$/m);
    assert.match(get('bind/db.example.com'), /PLACEHOLDER: ns1\.example\.com has only private addresses/);
    assert.match(get('bind/internal/db.example.com'), /^ns1\tIN\tA\t10\.1\.0\.53\t/m);
    assert.doesNotMatch(get('bind/internal/db.example.com'), /192\.0\.2\.53/);
    const notes = files.flatMap((f) => f.notes ?? []);
    assert.equal(notes.filter((n) => /ns1\.example\.com/.test(n)).length, 1, 'said once, not once per view');
  });

  it('views: internal zones to localhost, every network and every own node address no network covers', () => {
    const v = get('bind/named.conf.views');
    const acl = /acl "mailtopo-internal" \{\n([^}]*)\};/.exec(v)?.[1] ?? assert.fail('no acl');
    const entries = acl
      .split('\n')
      .map((l) => l.trim().split(';')[0])
      .filter(Boolean);
    assert.deepEqual(entries, [
      'localhost',
      '10.1.0.0/16',
      '203.0.113.128/25',
      '198.51.100.25',
      '172.16.0.25',
      'fd00::3',
      '192.168.7.7',
    ]);
    assert.match(v, /view "internal" \{\n\tmatch-clients \{ "mailtopo-internal"; \};\n/);
    assert.match(v, /view "public" \{\n\tmatch-clients \{ any; \};\n\trecursion no;\n/);
    for (const d of ['example.com', 'example.net']) {
      assert.ok(v.includes(`zone "${d}" { type primary; file "${BIND_DIR}/internal/db.${d}"; };`));
      assert.ok(v.includes(`zone "${d}" { type primary; file "${BIND_DIR}/db.${d}"; };`));
    }
    assert.ok(v.indexOf('view "internal"') < v.indexOf('view "public"'), 'first match wins: internal first');
    assert.match(v, /^\/\/ Generated by mailtopo from t\.mailtopo/);
  });

  it('an MX host with only private addresses: the MX stays, with a comment and a note, no address in public', () => {
    const m = model(
      `domain example.org {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname mx.example.org\n  address 192.168.1.25\n  accept example.org\n  route * via=direct\n}\n`,
      true,
    ); // MT309: generated with --force
    const out = generateBind(m, OPTS);
    const pub = out.find((f) => f.path === 'bind/db.example.org')!;
    assert.match(pub.content, /^@\tIN\tMX\t10 mx\.example\.org\.\t; gateway gw$/m);
    assert.match(
      pub.content,
      /^; mx\.example\.org has only private addresses: senders on the internet cannot reach this MX$/m,
    );
    assert.doesNotMatch(pub.content, /192\.168\.1\.25/);
    assert.ok(pub.notes?.some((n) => /MX mx\.example\.org has only private addresses/.test(n)));
    const int = out.find((f) => f.path === 'bind/internal/db.example.org')!;
    assert.match(int.content, /^mx\tIN\tA\t192\.168\.1\.25\t/m);
    assert.doesNotMatch(int.content, /cannot reach this MX/);
  });

  it('no domain, no zone and no views file', () => {
    assert.deepEqual(generateBind(model('network lan {\n  cidr 10.0.0.0/8\n}\n'), OPTS), []);
  });
});
