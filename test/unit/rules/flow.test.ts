// MT301-MT303, MT305: black holes, loops, unscanned paths, no outbound path.
import * as assert from 'node:assert/strict';
import { BASE, check, declRange, edit, expectClean, expectDiag, expectNone } from './helpers';

/** internet -> edge pool -> hub pool -> mailbox pair: everything redundant and scanned. */
const HUBS = `options {
  dnsbl zen.spamhaus.org
}
domain example.com {
  mx 10 edge-nlb
}
policy av {
  antivirus clamav
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
  relay allow from=10.0.0.0/8
  scan av
  route example.com via=hub1, hub2
  route * via=direct
}
gateway edge2 {
  role edge
  hostname edge2.example.com
  address 198.51.100.12
  accept example.com
  relay allow from=10.0.0.0/8
  scan av
  route example.com via=hub1, hub2
  route * via=direct
}
server hub1 {
  role hub
  address 10.0.1.1
  accept example.com
  relay allow from=10.0.0.0/8
  route example.com via=mb1, mb2
  route * via=edge-nlb
}
server hub2 {
  role hub
  address 10.0.1.2
  accept example.com
  relay allow from=10.0.0.0/8
  route example.com via=mb1, mb2
  route * via=edge-nlb
}
server mb1 {
  role mailbox
  address 10.0.0.21
  mailboxes example.com
  route * via=hub1, hub2
}
server mb2 {
  role mailbox
  address 10.0.0.22
  mailboxes example.com
  route * via=hub1, hub2
}
`;

describe('rules: mail flow (MT301-MT303, MT305)', () => {
  it('the hub topology is clean', () => {
    expectClean(HUBS);
  });

  describe('MT301 black hole', () => {
    it('a hub with no route for the domain', () => {
      const t = edit(
        HUBS,
        '  route example.com via=mb1, mb2\n  route * via=edge-nlb\n',
        '  route * via=edge-nlb\n  route other.example via=mb1\n',
      );
      // hub1's `*` route sends example.com back to the edges: a loop, not a black hole; remove the * route too
      const t2 = edit(
        HUBS,
        '  route example.com via=mb1, mb2\n  route * via=edge-nlb\n',
        '  route other.example via=mb1\n',
      );
      const d = expectDiag(t2, 'MT301', 'error', declRange(t2, 'hub1'));
      assert.match(d.message, /example\.com/);
      assert.match(d.message, /internet -> edge-nlb -> edge1 -> hub1/);
      assert.ok(check(t).some((x) => x.code === 'MT302'));
    });
    it('twin: the hub routes it', () => {
      expectNone(HUBS, 'MT301');
    });
    it('a mailbox server that holds other domains only', () => {
      let t = edit(BASE, 'mailboxes example.com', 'mailboxes example.org');
      t = edit(t, '  route * via=edge-nlb\n', '');
      const d = expectDiag(t, 'MT301', 'error', declRange(t, 'mb1'));
      assert.match(d.message, /internet -> edge-nlb -> edge1 -> mb1/);
    });
    it('*.suffix routes match subdomains only', () => {
      const t = edit(BASE, 'route example.com via=mb1, mb2', 'route *.example.com via=mb1, mb2');
      // example.com itself now falls to `*` (direct): a loop, not delivered
      expectDiag(t, 'MT302', 'error', 'route * via=direct');
    });
    it('outbound: mail from a mailbox server dies at a hub with no * route', () => {
      const t = edit(
        HUBS,
        '  route example.com via=mb1, mb2\n  route * via=edge-nlb\n',
        '  route example.com via=mb1, mb2\n',
      );
      const d = expectDiag(t, 'MT301', 'error', declRange(t, 'hub1'));
      assert.match(d.message, /outbound mail from mb1 is lost at hub1/);
      expectNone(t, 'MT305'); // hub2 still carries it
    });
  });

  describe('MT302 routing loop', () => {
    it('two hubs pointing at each other', () => {
      let t = edit(HUBS, 'route example.com via=mb1, mb2', 'route example.com via=hub2');
      t = edit(t, 'route example.com via=hub1, hub2', 'route example.com via=hub1');
      t = edit(t, 'route example.com via=hub1, hub2', 'route example.com via=hub1');
      t = edit(t, 'route example.com via=mb1, mb2', 'route example.com via=hub1');
      const d = expectDiag(t, 'MT302', 'error', 'route example.com via=hub1', 2);
      assert.match(d.message, /hub1 -> hub2 -> hub1/);
      assert.match(d.message, /example\.com/);
      assert.equal(check(t).filter((x) => x.code === 'MT302').length, 1);
    });
    it('an accepted domain routed direct, back to its own MX', () => {
      const t = edit(BASE, 'route example.com via=mb1, mb2', 'route example.com via=direct');
      const d = expectDiag(t, 'MT302', 'error', 'route example.com via=direct');
      assert.match(d.message, /edge1 routes example\.com direct/);
      assert.match(d.message, /internet -> edge-nlb -> edge1 -> direct/);
    });
    it('an outbound loop', () => {
      let t = edit(HUBS, 'route * via=edge-nlb', 'route * via=hub2');
      t = edit(t, 'route * via=edge-nlb', 'route * via=hub1');
      const d = expectDiag(t, 'MT302', 'error', 'route * via=hub1');
      assert.match(d.message, /outbound mail goes round hub1 -> hub2 -> hub1/);
      expectDiag(t, 'MT305', 'warning', declRange(t, 'mb1'));
    });
    it('twin: no loop', () => {
      expectNone(HUBS, 'MT302');
      expectNone(BASE, 'MT302');
    });
    it('a scanner host is a trip, never a loop', () => {
      let t = edit(BASE, 'antivirus clamav', 'antivirus clamav\n  scanner scan1');
      t += `\ngateway scan1 {\n  role relay\n  route * via=edge-nlb\n}\n`;
      expectNone(t, 'MT302');
    });
  });

  describe('MT303 unscanned inbound path', () => {
    it('no node scans', () => {
      let t = edit(BASE, '  scan av\n', '');
      t = edit(t, '  scan av\n', '');
      t = edit(t, 'policy av {\n  antivirus clamav\n  on-virus quarantine\n}\n', '');
      const d = expectDiag(t, 'MT303', 'warning', 'mx 10 edge-nlb');
      assert.match(d.message, /internet -> edge-nlb -> edge1 -> mb1/);
    });
    it('one of two edges does not scan', () => {
      const t = edit(BASE, '  scan av\n', '');
      const d = expectDiag(t, 'MT303', 'warning', 'mx 10 edge-nlb');
      assert.match(d.message, /edge1/);
    });
    it('twin: the pool scans for every member', () => {
      let t = edit(BASE, '  scan av\n', '');
      t = edit(t, '  scan av\n', '');
      t = edit(t, 'members edge1, edge2', 'members edge1, edge2\n  scan av');
      expectNone(t, 'MT303');
      expectClean(t);
    });
    it("twin: a pool's policy is applied by its members, also when mail reaches a member directly", () => {
      let t = edit(BASE, '  scan av\n', '');
      t = edit(t, '  scan av\n', '');
      t = edit(t, 'members edge1, edge2', 'members edge1, edge2\n  scan av');
      t = edit(t, 'mx 10 edge-nlb', 'mx 10 edge-nlb\n  mx 20 edge1');
      expectNone(t, 'MT303');
    });
    it('twin: the mailbox servers scan', () => {
      let t = edit(BASE, '  scan av\n', '');
      t = edit(t, '  scan av\n', '');
      t = edit(t, 'mailboxes example.com', 'mailboxes example.com\n  scan av');
      t = edit(t, 'mailboxes example.com\n  route', 'mailboxes example.com\n  scan av\n  route');
      expectNone(t, 'MT303');
    });
    it('a policy without antivirus does not scan', () => {
      const t = edit(BASE, 'antivirus clamav', 'antispam rspamd');
      expectDiag(t, 'MT303', 'warning', 'mx 10 edge-nlb');
    });
  });

  describe('MT305 no outbound path', () => {
    it('a mailbox server without a * route', () => {
      const t = edit(BASE, '  route * via=edge-nlb\n', '');
      const d = expectDiag(t, 'MT305', 'warning', declRange(t, 'mb1'));
      assert.match(d.message, /mb1/);
    });
    it('twin: its * route reaches direct through the edges', () => {
      expectNone(BASE, 'MT305');
    });
    it('twin: an external smart host is the end of the outbound path', () => {
      let t = edit(BASE, 'route * via=edge-nlb', 'route * via=isp');
      t = edit(t, 'route * via=edge-nlb', 'route * via=isp');
      t += '\nexternal isp {\n  hostname smtp.isp.example\n  role smarthost\n}\n';
      expectNone(t, 'MT305');
    });
  });

  it('an external cloud filter as MX: its routes are followed', () => {
    let t = edit(BASE, 'mx 10 edge-nlb', 'mx 10 cloud');
    t += '\nexternal cloud {\n  hostname mx.cloud.example\n  role filter\n  route example.com via=edge-nlb\n}\n';
    const ds = check(t).filter((d) => /^MT3/.test(d.code));
    assert.deepEqual(
      ds.map((d) => d.code),
      [],
    );
    // and when it hands the mail to a black hole, that is found
    const t2 = edit(
      t,
      'route example.com via=edge-nlb\n}',
      'route example.com via=hubx\n}\nserver hubx {\n  role hub\n}',
    );
    const d = expectDiag(t2, 'MT301', 'error', declRange(t2, 'hubx'));
    assert.match(d.message, /internet -> cloud -> hubx/);
  });
});
