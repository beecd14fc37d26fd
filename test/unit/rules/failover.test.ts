// MT304, MT306: single points of failure (dominators; pools of two or more are redundant units).
import * as assert from 'node:assert/strict';
import { BASE, check, declRange, edit, expectClean, expectDiag, expectNone } from './helpers';

/** internet -> edge1 (alone) -> mb1, mb2: edge1 carries everything. */
const SINGLE_EDGE = `options {
  dnsbl zen.spamhaus.org
}
domain example.com {
  mx 10 edge1
}
policy av {
  antivirus clamav
}
gateway edge1 {
  role edge
  hostname edge1.example.com
  address 198.51.100.11
  accept example.com
  relay allow from=10.0.0.0/8
  scan av
  route example.com via=mb1, mb2
  route * via=direct
}
server mb1 {
  role mailbox
  address 10.0.0.21
  mailboxes example.com
  route * via=edge1
}
server mb2 {
  role mailbox
  address 10.0.0.22
  mailboxes example.com
  route * via=edge1
}
`;

const TWO_EDGES = edit(
  edit(SINGLE_EDGE, 'mx 10 edge1', 'mx 10 edge1\n  mx 20 edge2'),
  'server mb1 {',
  `gateway edge2 {
  role edge
  hostname edge2.example.com
  address 198.51.100.12
  accept example.com
  relay allow from=10.0.0.0/8
  scan av
  route example.com via=mb1, mb2
  route * via=direct
}
server mb1 {`,
).replace(/route \* via=edge1/g, 'route * via=edge1, edge2');

describe('rules: single points of failure (MT304, MT306)', () => {
  describe('MT304 inbound', () => {
    it('a lone edge gateway: on its declaration and on the domain', () => {
      const d1 = expectDiag(SINGLE_EDGE, 'MT304', 'warning', declRange(SINGLE_EDGE, 'edge1'));
      assert.match(d1.message, /edge1 is on every inbound path of example\.com/);
      const d2 = expectDiag(SINGLE_EDGE, 'MT304', 'warning', declRange(SINGLE_EDGE, 'example.com'));
      assert.match(d2.message, /edge1/);
      // the mailbox servers at the end are never counted
      assert.ok(!check(SINGLE_EDGE).some((d) => d.code === 'MT304' && /mb1|mb2/.test(d.message)));
    });
    it('twin: a second MX gateway', () => {
      expectNone(TWO_EDGES, 'MT304');
      expectClean(TWO_EDGES);
    });
    it('twin: a pool of two edges is one redundant unit', () => {
      expectNone(BASE, 'MT304');
    });
    it('a one-member pool and its member are both reported', () => {
      const t = edit(BASE, 'members edge1, edge2', 'members edge1');
      expectDiag(t, 'MT304', 'warning', declRange(t, 'edge-nlb'));
      expectDiag(t, 'MT304', 'warning', declRange(t, 'edge1'));
      expectDiag(t, 'MT401', 'warning', declRange(t, 'edge-nlb'));
    });
    it('a hub behind redundant edges', () => {
      let t = edit(TWO_EDGES, 'route example.com via=mb1, mb2', 'route example.com via=hub1');
      t = edit(t, 'route example.com via=mb1, mb2', 'route example.com via=hub1');
      t +=
        '\nserver hub1 {\n  role hub\n  address 10.0.1.1\n  accept example.com\n ' +
        ' relay allow from=10.0.0.0/8\n  route example.com via=mb1, mb2\n  route ' +
        '* via=edge1, edge2\n}\n';
      const d = expectDiag(t, 'MT304', 'warning', declRange(t, 'hub1'));
      assert.match(d.message, /hub1/);
      assert.ok(!check(t).some((x) => x.code === 'MT304' && x.range.start.line === declRange(t, 'edge1').start.line));
    });
    it('a shared scanner host is a single point of failure', () => {
      let t = edit(TWO_EDGES, 'antivirus clamav', 'antivirus clamav\n  scanner scan1');
      t += '\ngateway scan1 {\n  role relay\n  hostname scan1.example.com\n}\n';
      const d = expectDiag(t, 'MT304', 'warning', declRange(t, 'scan1'));
      assert.match(d.message, /scanner host of av/);
      expectNone(t, 'MT302');
    });
    it('twin: each edge with its own scanner', () => {
      let t = edit(
        TWO_EDGES,
        'policy av {\n  antivirus clamav\n}',
        'policy av {\n  antivirus clamav\n  scanner scan1\n}\npolicy av2 {\n  antivirus clamav\n  scanner scan2\n}',
      );
      t = edit(
        t,
        'scan av\n  route example.com via=mb1, mb2\n  route * via=direct\n}\nserver',
        'scan av2\n  route example.com via=mb1, mb2\n  route * via=direct\n}\nserver',
      );
      t += '\ngateway scan1 {\n  role relay\n}\ngateway scan2 {\n  role relay\n}\n';
      expectNone(t, 'MT304');
    });
  });

  describe('MT306 outbound', () => {
    it('every mailbox server leaves through one hub', () => {
      let t = edit(BASE, 'route * via=edge-nlb', 'route * via=hub1');
      t = edit(t, 'route * via=edge-nlb', 'route * via=hub1');
      t +=
        '\nserver hub1 {\n  role hub\n  address 10.0.1.1\n  accept example.com\n  relay allow from=10.0.0.0/8\n  route * via=edge-nlb\n}\n';
      const d = expectDiag(t, 'MT306', 'warning', declRange(t, 'hub1'));
      assert.match(d.message, /mb1, mb2/);
      const d2 = expectDiag(t, 'MT306', 'warning', declRange(t, 'mb1'));
      assert.match(d2.message, /hub1/);
    });
    it('twin: two hubs', () => {
      let t = edit(BASE, 'route * via=edge-nlb', 'route * via=hub1, hub2');
      t = edit(t, 'route * via=edge-nlb', 'route * via=hub1, hub2');
      t +=
        '\nserver hub1 {\n  role hub\n  address 10.0.1.1\n  accept example.com\n ' +
        ' relay allow from=10.0.0.0/8\n  route * via=edge-nlb\n}\nserver hub2 {\n ' +
        ' role hub\n  address 10.0.1.2\n  accept example.com\n  relay allow from=10.0.0.0/8\n ' +
        ' route * via=edge-nlb\n}\n';
      expectNone(t, 'MT306');
      expectClean(t);
    });
    it('the mailbox server an outbound path starts from, externals and direct are never counted', () => {
      const t = `server mb1 {
  role mailbox
  route * via=isp
}
external isp {
  hostname smtp.isp.example
}
`;
      expectNone(t, 'MT306');
    });
  });
});
