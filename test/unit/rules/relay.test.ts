// MT201-MT209: relay and perimeter security.
import * as assert from 'node:assert/strict';
import { BASE, declRange, edit, expectClean, expectDiag, expectNone, rangeOf, check } from './helpers';

describe('rules: relay and perimeter (MT2xx)', () => {
  it('the baseline topology is clean', () => {
    expectClean(BASE);
  });

  describe('MT201 open relay', () => {
    it('relay allow from=any on an edge gateway', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=any');
      const d = expectDiag(t, 'MT201', 'error', 'relay allow from=any');
      assert.match(d.message, /open relay: edge1/);
      // related: what makes it internet-facing (its role puts it in the perimeter, its pool is an MX target)
      const rel = d.related ?? [];
      assert.ok(
        rel.some((r) => r.range.start.line === rangeOf(t, 'role edge').start.line && /perimeter/.test(r.message)),
        'role edge related',
      );
      assert.ok(
        rel.some(
          (r) => r.range.start.line === rangeOf(t, 'members edge1, edge2').start.line && /edge-nlb/.test(r.message),
        ),
        'pool related',
      );
      assert.ok(
        rel.some((r) => r.range.start.line === rangeOf(t, 'mx 10 edge-nlb').start.line),
        'mx line related',
      );
    });
    it('twin: auth=required closes it', () => {
      expectNone(edit(BASE, 'relay allow from=corp', 'relay allow from=any auth=required'), 'MT201');
      // the mailbox servers then log in to the edges (admission, LANGUAGE.md §4)
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=any auth=required').replace(
        /route \* via=edge-nlb/g,
        'route * via=edge-nlb auth=yes',
      );
      expectClean(t);
    });

    it('ranges whose union is every IPv4 address (0.0.0.0/1, 128.0.0.0/1)', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=0.0.0.0/1, 128.0.0.0/1');
      expectDiag(t, 'MT201', 'error', 'relay allow from=0.0.0.0/1, 128.0.0.0/1');
    });
    it('a network whose ranges cover ::/0', () => {
      let t = edit(BASE, 'cidr 10.0.0.0/8', 'cidr 10.0.0.0/8, ::/1, 8000::/1');
      t = edit(t, 'relay allow from=corp', 'relay allow from=corp, 192.168.0.0/16');
      expectDiag(t, 'MT201', 'error', 'relay allow from=corp, 192.168.0.0/16');
    });
    it('twin: an earlier deny from=any shadows the open rule (MT203 instead)', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay deny from=any\n  relay allow from=0.0.0.0/0');
      expectNone(t, 'MT201');
      expectDiag(t, 'MT203', 'warning', 'relay allow from=0.0.0.0/0');
    });
    it('a partial earlier deny does not shadow it: the internet still relays', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay deny from=10.0.0.0/8\n  relay allow from=any');
      expectDiag(t, 'MT201', 'error', 'relay allow from=any');
    });
    it('an earlier auth=required rule does not protect unauthenticated clients', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=any auth=required\n  relay allow from=any');
      expectDiag(t, 'MT201', 'error', 'relay allow from=any', 1);
    });
    it('accept * from any', () => {
      const t = edit(BASE, 'accept example.com', 'accept *');
      const d = expectDiag(t, 'MT201', 'error', 'accept *');
      assert.match(d.message, /every domain/);
    });
    it('twin: accept * from corp only is not an open relay', () => {
      expectNone(edit(BASE, 'accept example.com', 'accept example.com\n  accept * from=corp'), 'MT201');
    });
    it('an internet-facing node by MX only (internal relay gateway)', () => {
      const t = `domain a.example {
  mx 10 relay1
}
gateway relay1 {
  role relay
  hostname relay1.a.example
  address 198.51.100.5
  relay allow from=any
}
`;
      const d = expectDiag(t, 'MT201', 'error', 'relay allow from=any');
      assert.ok(d.related?.some((r) => r.range.start.line === 1 && /MX target of a.example/.test(r.message)));
    });
    it('twin: the same gateway when nothing makes it internet-facing', () => {
      const t = `gateway relay1 {
  role relay
  relay allow from=any
}
`;
      expectNone(t, 'MT201');
      expectNone(t, 'MT202');
    });
  });

  describe('MT202 unauthenticated relay from public addresses', () => {
    it('allow from a public range', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=corp, 203.0.113.0/24');
      const d = expectDiag(t, 'MT202', 'warning', 'relay allow from=corp, 203.0.113.0/24');
      assert.match(d.message, /edge1/);
      assert.ok(d.related?.length);
    });
    it('twin: the public range needs authentication', () => {
      const t = edit(
        BASE,
        'relay allow from=corp',
        'relay allow from=corp\n  relay allow from=203.0.113.0/24 auth=required',
      );
      expectNone(t, 'MT202');
      expectClean(t);
    });
    it('twin: a deny before it removes the public part', () => {
      const t = edit(
        BASE,
        'relay allow from=corp',
        'relay deny from=203.0.113.0/24\n  relay allow from=corp, 203.0.113.0/24',
      );
      expectNone(t, 'MT202');
    });
    it('not reported where MT201 is', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=203.0.113.0/24\n  relay allow from=any');
      const ds = check(t);
      assert.ok(ds.some((d) => d.code === 'MT201'));
      assert.ok(!ds.some((d) => d.code === 'MT202'));
    });
  });

  describe('MT203 unreachable relay rule', () => {
    it('an earlier rule covers all of its sources', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay deny from=10.0.0.0/7\n  relay allow from=corp');
      const d = expectDiag(t, 'MT203', 'warning', 'relay allow from=corp');
      assert.deepEqual(d.tags, ['unnecessary']);
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'relay deny from=10.0.0.0/7'));
    });
    it('twin: the narrower rule first', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=corp\n  relay deny from=10.0.0.0/7');
      expectNone(t, 'MT203');
    });
    it('two earlier rules together cover it', () => {
      const t = edit(
        BASE,
        'relay allow from=corp',
        'relay allow from=10.0.0.0/9\n  relay allow from=10.128.0.0/9\n  relay deny from=corp',
      );
      const d = expectDiag(t, 'MT203', 'warning', 'relay deny from=corp');
      assert.equal(d.related?.length, 2);
    });
    it('twin: an earlier auth=required rule does not cover an unauthenticated rule', () => {
      const t = edit(BASE, 'relay allow from=corp', 'relay allow from=any auth=required\n  relay allow from=corp');
      expectNone(t, 'MT203');
      expectClean(t);
    });
    it('an earlier auth=required rule covers a later auth=required rule', () => {
      const t = edit(
        BASE,
        'relay allow from=corp',
        'relay allow from=any auth=required\n  relay deny from=corp auth=required',
      );
      expectDiag(t, 'MT203', 'warning', 'relay deny from=corp auth=required');
    });
  });

  describe('MT204 no DNSBL', () => {
    const noOptions = edit(BASE, 'options {\n  dnsbl zen.spamhaus.org\n}\n', '');
    it('an internet-facing node that accepts mail, no dnsbl anywhere', () => {
      const d = expectDiag(noOptions, 'MT204', 'warning', declRange(noOptions, 'edge1'));
      assert.match(d.message, /edge1/);
    });
    it('twin: its own dnsbl statement', () => {
      let t = edit(noOptions, 'accept example.com', 'dnsbl zen.spamhaus.org\n  accept example.com');
      t = edit(t, 'hostname edge2.example.com', 'hostname edge2.example.com\n  dnsbl bl.spamcop.net');
      expectNone(t, 'MT204');
      expectClean(t);
    });
    it('dnsbl none opts it out: reported on that line', () => {
      const t = edit(BASE, 'accept example.com', 'dnsbl none\n  accept example.com');
      expectDiag(t, 'MT204', 'warning', 'dnsbl none');
    });
    it('twin: a node that is not internet-facing needs no DNSBL', () => {
      const t = `server hub1 {
  role hub
  accept example.com
  route * via=hub1
}
`;
      expectNone(t, 'MT204');
    });
  });

  describe('MT205 domain-joined edge', () => {
    it('edge gateway in the AD forest', () => {
      const t = edit(BASE, 'accept example.com', 'domain-joined yes\n  accept example.com');
      expectDiag(t, 'MT205', 'warning', 'domain-joined yes');
    });
    it('twin: domain-joined no', () => {
      expectClean(edit(BASE, 'accept example.com', 'domain-joined no\n  accept example.com'));
    });
  });

  describe('MT206 tls off', () => {
    it('internet-facing node with tls off', () => {
      const t = edit(BASE, 'accept example.com', 'tls off\n  accept example.com');
      const d = expectDiag(t, 'MT206', 'warning', 'tls off');
      assert.ok(d.related?.length);
    });
    it('twin: tls required', () => {
      expectClean(edit(BASE, 'accept example.com', 'tls required\n  accept example.com'));
    });
    it('twin: an internal node with tls off', () => {
      expectClean(edit(BASE, 'mailboxes example.com', 'tls off\n  mailboxes example.com'));
    });
  });

  describe('MT207 MX target does not take the mail', () => {
    const single = `options {
  dnsbl zen.spamhaus.org
}
domain example.com {
  mx 10 edge1
}
gateway edge1 {
  role edge
  hostname edge1.example.com
  address 198.51.100.11
  accept example.com
  route * via=direct
}
`;
    it('the gateway does not accept the domain', () => {
      const t = edit(single, 'accept example.com', 'accept other.example');
      const d = expectDiag(t, 'MT207', 'error', 'mx 10 edge1');
      assert.deepEqual(d.related?.[0].range, rangeOf(t, 'edge1', 1));
    });
    it('twin: it accepts it (here through *.suffix)', () => {
      expectNone(edit(single, 'accept example.com', 'accept example.com, *.example.com'), 'MT207');
    });
    it('it does not listen on 25', () => {
      const t = edit(single, 'accept example.com', 'accept example.com\n  listen 587');
      const d = expectDiag(t, 'MT207', 'error', 'mx 10 edge1');
      assert.match(d.message, /port 25/);
    });
    it('twin: it listens on 25 and 587', () => {
      expectNone(edit(single, 'accept example.com', 'accept example.com\n  listen 25, 587'), 'MT207');
    });
    it('a pool whose member does not accept the domain', () => {
      const t = edit(BASE, 'accept example.com', 'accept example.org');
      const d = expectDiag(t, 'MT207', 'error', 'mx 10 edge-nlb');
      assert.match(d.message, /edge1/);
    });
    it('a pool whose ports leave out 25', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1, edge2\n  ports 587');
      expectDiag(t, 'MT207', 'error', 'mx 10 edge-nlb');
    });
  });

  describe('MT208 MX target in the internal zone', () => {
    const base = `options {
  dnsbl zen.spamhaus.org
}
domain example.com {
  mx 10 gw1
}
gateway gw1 {
  role relay
  zone perimeter
  hostname gw1.example.com
  address 198.51.100.11
  accept example.com
  route * via=direct
}
`;
    it('an internal MX target', () => {
      const t = edit(base, 'zone perimeter', 'zone internal');
      const d = expectDiag(t, 'MT208', 'warning', 'zone internal');
      assert.ok(d.related?.some((r) => r.range.start.line === rangeOf(t, 'mx 10 gw1').start.line));
    });
    it('twin: in the perimeter', () => {
      expectNone(base, 'MT208');
    });
    it('a member of an MX pool in the internal zone (default zone, on its name)', () => {
      const t = edit(BASE, 'role edge', 'role relay');
      expectDiag(t, 'MT208', 'warning', declRange(t, 'edge1'));
    });
  });

  describe('MT209 internal node routes direct', () => {
    it('a mailbox server routes * direct', () => {
      const t = edit(BASE, 'route * via=edge-nlb', 'route * via=direct');
      const d = expectDiag(t, 'MT209', 'warning', 'route * via=direct', 2);
      assert.match(d.message, /mb1/);
    });
    it('twin: it routes through the edge pool', () => {
      expectNone(BASE, 'MT209');
    });
  });

  it('externals are skipped by MT201-MT209', () => {
    const t = `domain example.com {
  mx 10 cloud
}
external cloud {
  hostname mx.cloud.example
  address 198.51.100.99
  route example.com via=direct
}
`;
    const ds = check(t).filter((d) => /^MT20\d$/.test(d.code));
    assert.deepEqual(ds, []);
  });
});
