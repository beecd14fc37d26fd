// MT210-MT212, MT315-MT317 and the wider internet-facing / handed-off paths of
// LANGUAGE.md §4: every code with a wrong and a fixed twin, exact ranges and
// related information, and the designs (test/fixtures/designs).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../../server/src/core/check';
import { BASE, check, declRange, edit, expectClean, expectDiag, expectNone, rangeOf } from './helpers';

const line = (t: string, needle: string, occurrence = 0) => rangeOf(t, needle, occurrence).start.line;

describe('rules: admission (MT315-MT317)', () => {
  it('the baseline is admitted everywhere', () => {
    expectClean(BASE);
  });

  describe('MT315 hop refused', () => {
    it('edges with no relay rule refuse the mailbox servers: on the sender route, the receiver as related', () => {
      const t = BASE.replace(/ {2}relay allow from=corp\n/g, '');
      const d = expectDiag(t, 'MT315', 'error', 'route * via=edge-nlb');
      assert.match(d.message, /outbound mail from mb1 through pool edge-nlb \(10\.0\.0\.21\) to edge1/);
      assert.match(d.message, /implicit 'relay deny from=any'/);
      assert.deepEqual(d.related?.[0].range, declRange(t, 'edge1'));
      expectDiag(t, 'MT315', 'error', 'route * via=edge-nlb', 1);
    });
    it('twin: a relay rule for their network admits them', () => {
      expectNone(BASE, 'MT315');
    });
    it('an accept from= that excludes the sender: the accept is the deciding statement', () => {
      const t = edit(
        BASE,
        'mailboxes example.com\n  route * via=edge-nlb',
        'accept example.com from=192.168.0.0/16\n  mailboxes example.com\n  route * via=edge-nlb',
      );
      const d = expectDiag(t, 'MT315', 'error', 'route example.com via=mb1, mb2');
      assert.match(d.message, /inbound mail for example\.com from edge1 \(198\.51\.100\.11\) to mb1/);
      assert.match(d.message, /'accept example\.com from=192\.168\.0\.0\/16' decides/);
      assert.equal(d.related?.[0].range.start.line, line(t, 'accept example.com from=192.168.0.0/16'));
    });
    it('twin: a mailbox server takes its own domains from any address', () => {
      expectNone(BASE, 'MT315');
    });
    it('auth=required rules match only when the route logs in', () => {
      const t = BASE.replace(/relay allow from=corp/g, 'relay allow from=any auth=required');
      const d = expectDiag(t, 'MT315', 'error', 'route * via=edge-nlb');
      assert.match(d.message, /auth=yes/);
      expectNone(t.replace(/route \* via=edge-nlb/g, 'route * via=edge-nlb auth=yes'), 'MT315');
    });
    it('the internet through a masked pool: on the mx line', () => {
      let t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source masked\n  snat 10.9.9.9');
      t = t.replace(/accept example\.com/g, 'accept example.com from=198.51.100.0/24');
      const d = expectDiag(t, 'MT315', 'error', 'mx 10 edge-nlb');
      assert.match(d.message, /the internet through pool edge-nlb \(seen as 10\.9\.9\.9/);
      assert.ok(d.related?.some((r) => r.range.start.line === line(t, 'source masked')));
    });
    it('twin: the pool passes the client address on (proxy-protocol)', () => {
      let t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source proxy-protocol');
      t = t.replace(/accept example\.com/g, 'accept example.com from=198.51.100.0/24');
      expectNone(t, 'MT315');
    });
    it('a sender without an address is refused when the receiver admits no address at all', () => {
      const t = BASE.replace(/ {2}relay allow from=corp\n/g, '').replace(/ {2}address 10\.0\.0\.2[12]\n/g, '');
      expectDiag(t, 'MT315', 'error', 'route * via=edge-nlb');
      expectNone(t, 'MT317');
    });
    it('hops into an external are not checked (its rules are not yours)', () => {
      const t =
        BASE.replace(/route \* via=edge-nlb/g, 'route * via=isp') +
        '\nexternal isp {\n  hostname smtp.isp.example\n  role smarthost\n}\n';
      expectNone(t, 'MT315');
      expectNone(t, 'MT316');
    });
  });

  describe('MT316 hop partly refused', () => {
    it('one of two sender addresses is outside the relay rule', () => {
      const t = edit(BASE, 'address 10.0.0.21', 'address 10.0.0.21, 172.16.0.5');
      const d = expectDiag(t, 'MT316', 'warning', 'route * via=edge-nlb');
      assert.match(d.message, /refuse 172\.16\.0\.5/);
      expectClean(edit(t, 'cidr 10.0.0.0/8', 'cidr 10.0.0.0/8, 172.16.0.0/12'));
    });
    it("the internet's hop: an MX target that accepts only a partner range", () => {
      const t = BASE.replace(/accept example\.com/g, 'accept example.com from=203.0.113.0/24');
      const d = expectDiag(t, 'MT316', 'warning', 'mx 10 edge-nlb');
      assert.match(d.message, /every public address outside 203\.0\.113\.0\/24/);
    });
  });

  describe('MT317 hop cannot be checked', () => {
    it('a sender with no address and a receiver that admits only some: once, on the sender', () => {
      const t = edit(BASE, '  address 10.0.0.21\n', '');
      const d = expectDiag(t, 'MT317', 'hint', declRange(t, 'mb1'));
      assert.match(d.message, /mb1 declares no 'address'/);
      assert.equal(check(t).filter((x) => x.code === 'MT317').length, 1);
    });
    it('twin: with its address it is checked (and admitted)', () => {
      expectNone(BASE, 'MT317');
    });
  });
});

describe('rules: balancers, backscatter, blind DNSBLs (MT210-MT212)', () => {
  const masked = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source masked\n  snat 10.0.0.5');

  it('MT210: a member relays for the snat of a masking pool: on the rule, the source line related', () => {
    const d = expectDiag(masked, 'MT210', 'error', 'relay allow from=corp');
    assert.match(d.message, /pool edge-nlb \(source masked\) shows every client to edge1 as 10\.0\.0\.5/);
    assert.equal(d.related?.[0].range.start.line, line(masked, 'source masked'));
    expectDiag(masked, 'MT210', 'error', 'relay allow from=corp', 1);
  });
  it('MT210 twin: proxy-protocol', () => {
    expectNone(edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source proxy-protocol'), 'MT210');
  });
  it('MT210 twin: the snat outside every relay rule', () => {
    expectNone(
      edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  source masked\n  snat 192.168.50.5'),
      'MT210',
    );
  });
  it('MT210 twin: auth=required on the rule', () => {
    expectNone(masked.replace(/relay allow from=corp/g, 'relay allow from=corp auth=required'), 'MT210');
  });

  it("MT212: the options' DNSBL on members that see only the snat: on the node's name", () => {
    const t = edit(masked, '  address 198.51.100.11\n', '  address 198.51.100.11\n').replace(
      /relay allow from=corp/g,
      'relay allow from=10.1.0.0/16',
    );
    const d = expectDiag(t, 'MT212', 'warning', declRange(t, 'edge1'));
    assert.match(d.message, /only ever check 10\.0\.0\.5/);
  });
  it('MT212: an own dnsbl line on a hub only your nodes reach', () => {
    let t = edit(BASE, 'route example.com via=mb1, mb2', 'route example.com via=hub1');
    t = edit(t, 'route example.com via=mb1, mb2', 'route example.com via=hub1');
    t +=
      '\ngateway hub1 {\n  role relay\n  address 10.0.1.1\n  dnsbl zen.spamhaus.org\n ' +
      ' accept example.com\n  route example.com via=mb1, mb2\n}\n';
    expectDiag(t, 'MT212', 'warning', 'dnsbl zen.spamhaus.org', 1);
    expectNone(edit(t, '  dnsbl zen.spamhaus.org\n  accept', '  accept'), 'MT212');
  });
  it('MT212 twin: members of a preserving pool see the internet', () => {
    expectNone(BASE, 'MT212');
  });

  it('MT211: an edge with recipients none: on that line, related says why it is internet-facing', () => {
    const t = edit(BASE, 'accept example.com', 'recipients none\n  accept example.com');
    const d = expectDiag(t, 'MT211', 'warning', 'recipients none');
    assert.ok(d.related?.some((r) => /perimeter|MX target/.test(r.message)));
    expectNone(edit(BASE, 'accept example.com', 'recipients verify\n  accept example.com'), 'MT211');
  });
  it('MT211: an external backup MX checks no recipient by default: on its name', () => {
    const t =
      edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 backup') +
      '\nexternal backup {\n  role backup\n  hostname mx2.isp.example\n  address 203.0.113.0/24\n  route example.com via=edge-nlb\n}\n';
    const d = expectDiag(t, 'MT211', 'warning', declRange(t, 'backup'));
    assert.equal(d.related?.[0].range.start.line, line(t, 'mx 20 backup'));
    expectNone(edit(t, 'role backup', 'role backup\n  recipients list'), 'MT211');
  });
  it('MT211 twin: an internal server with recipients none is not internet-facing', () => {
    expectNone(
      edit(
        BASE,
        'mailboxes example.com\n  route * via=edge-nlb',
        'recipients none\n  mailboxes example.com\n  route * via=edge-nlb',
      ),
      'MT211',
    );
  });
});

describe('rules: internet-facing as LANGUAGE.md §4 now reads', () => {
  const cloud = `options {
  dnsbl zen.spamhaus.org
}
domain example.com {
  mx 10 filter
}
external filter {
  role filter
  hostname mx.filter.example
  address 198.18.0.0/15
  route example.com via=hub1
}
server hub1 {
  role hub
  address 10.0.0.5
  relay allow from=any
  route example.com via=mb1
}
server mb1 {
  role mailbox
  address 10.0.0.6
  mailboxes example.com
  route * via=hub1
}
`;
  it("a next hop of an external's route: MT201 with the external's route as the reason", () => {
    const d = expectDiag(cloud, 'MT201', 'error', 'relay allow from=any');
    assert.ok(
      d.related?.some(
        (r) =>
          r.range.start.line === line(cloud, 'route example.com via=hub1') && /filter connects to hub1/.test(r.message),
      ),
    );
  });
  it('twin: the hub relays only for its network', () => {
    expectNone(edit(cloud, 'relay allow from=any', 'relay allow from=10.0.0.0/8'), 'MT201');
  });
  it('an explicit public from= makes a node internet-facing (MT206 reaches it)', () => {
    const t = `server hub1 {\n  role hub\n  address 10.0.0.5\n  tls off\n  relay allow from=203.0.113.0/24 auth=required\n}\n`;
    const d = expectDiag(t, 'MT206', 'warning', 'tls off');
    assert.ok(d.related?.some((r) => /admits public addresses/.test(r.message)));
    expectNone(edit(t, 'from=203.0.113.0/24', 'from=10.0.0.0/8'), 'MT206');
  });
});

describe('rules: handed-off paths and scanning externals (MT301, MT303, MT304, MT410)', () => {
  it('MT304: a literal backup MX is no redundancy for the only gateway', () => {
    const single = BASE.replace('mx 10 edge-nlb', 'mx 10 edge1\n  mx 20 backup.isp.example');
    const d = expectDiag(single, 'MT304', 'warning', declRange(single, 'edge1'));
    assert.match(d.message, /edge1 is on every inbound path of example\.com/);
  });
  it('MT304: an external without a route for the domain is no redundancy either; and no black hole', () => {
    const t =
      BASE.replace('mx 10 edge-nlb', 'mx 10 edge1\n  mx 20 isp') +
      '\nexternal isp {\n  role backup\n  hostname mx.isp.example\n  recipients verify\n}\n';
    expectDiag(t, 'MT304', 'warning', declRange(t, 'edge1'));
    expectNone(t, 'MT301');
  });
  it('twin MT304: an external backup that routes to the other edge is redundancy', () => {
    const t =
      BASE.replace('mx 10 edge-nlb', 'mx 10 edge1\n  mx 20 isp') +
      '\nexternal isp {\n  role backup\n  hostname mx.isp.example\n  address 203.0.113.0/24\n ' +
      ' recipients verify\n  route example.com via=edge2\n}\n';
    expectNone(t, 'MT304');
  });
  it('MT303: once per entering MX line, with the count and one path', () => {
    const t =
      edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 isp') +
      '\nexternal isp {\n  role backup\n  hostname mx.isp.example\n  recipients verify\n  route example.com via=mb1, mb2\n}\n';
    const d = expectDiag(t, 'MT303', 'warning', 'mx 20 isp');
    assert.match(
      d.message,
      /entering at isp reaches a mailbox without a virus scan on 2 paths, e\.g\. internet -> isp -> mb1/,
    );
    expectNone(edit(t, 'mx 10 edge-nlb', 'mx 10 edge-nlb'), 'MT301');
    assert.equal(check(t).filter((x) => x.code === 'MT303').length, 1);
  });
  it('twin MT303: an external that scans counts as scanned, and needs no licence (MT410)', () => {
    let t =
      edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 isp') +
      '\nexternal isp {\n  role backup\n  hostname mx.isp.example\n  recipients verify\n  scan av\n  route example.com via=mb1, mb2\n}\n';
    t = edit(t, 'on-virus quarantine', 'on-virus quarantine\n  licenses 2');
    expectNone(t, 'MT303');
    expectNone(t, 'MT410');
  });
  it('MT303: a literal MX says nothing about scanning', () => {
    expectNone(edit(BASE, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 backup.isp.example'), 'MT303');
  });
});

describe('rules: the designs of issue 12 (test/fixtures/designs)', () => {
  const dir = path.resolve('test/fixtures/designs');
  const expected: Record<string, string[]> = {
    'proxy-edges': ['MT315'],
    'edges-no-relay': ['MT315'],
    'masked-haproxy': ['MT210', 'MT212'],
    'cloud-filter-internal': ['MT201'],
    'literal-backup-mx': ['MT304', 'MT306'],
    'backscatter-backup': ['MT211', 'MT303'],
  };
  for (const [name, codes] of Object.entries(expected)) {
    it(`${name}: reports ${codes.join(', ')}; its fixed twin is clean`, () => {
      const wrong = checkText(
        fs.readFileSync(path.join(dir, `${name}.mailtopo`), 'utf8'),
        `${name}.mailtopo`,
      ).diagnostics;
      assert.deepEqual([...new Set(wrong.map((d) => d.code))].sort(), codes);
      const fixed = checkText(
        fs.readFileSync(path.join(dir, `${name}.fixed.mailtopo`), 'utf8'),
        'f.mailtopo',
      ).diagnostics;
      assert.deepEqual(
        fixed.map((d) => `${d.code} ${d.message}`),
        [],
      );
    });
  }
});
