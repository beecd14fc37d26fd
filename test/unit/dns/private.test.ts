// Issue 14 finding 4: a private address written as IPv4-mapped IPv6
// (::ffff:10.1.2.3), NAT64 (64:ff9b::a01:203) or 6to4 (2002:a01:203::1) is
// private everywhere: no PTR or DNSBL query is sent for it, MT506/MT510 do not
// report it, the rules (MT309, MT202) and the BIND split horizon treat it as
// private. Before, each of them queried or reported these forms as public.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkText } from '../../../server/src/core/check';
import { isPrivateAddress, isPublicAddress } from '../../../server/src/core/dns/ip';
import { runLive } from '../../../server/src/core/dns/runLive';
import { hasPublic, parseCidr, AddrSetBuilder } from '../../../server/src/core/model/addr';
import { startDnsServer, zoneFilesIn, type DnsServer } from '../../support/dnsServer';

const ZONES = path.resolve('test/fixtures/zones');
const HIDDEN = [
  '::ffff:10.1.2.3',
  '::FFFF:a01:203',
  '64:ff9b::a01:203',
  '64:ff9b::10.1.2.3',
  '2002:a01:203::1',
  '::10.1.2.3',
];

describe('one "is private" predicate (issue 14, finding 4)', function () {
  this.timeout(20000);

  it('unwraps mapped, NAT64 and 6to4 forms; public IPv4 inside them stays public', () => {
    for (const a of [...HIDDEN, '::ffff:192.168.0.1', '64:ff9b::172.16.0.9', '2002:c0a8:101::', '[::ffff:127.0.0.1]'])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of ['::ffff:203.0.113.7', '64:ff9b::cb00:7107', '2002:cb00:7107::1', '203.0.113.7', '2001:db8::1'])
      assert.equal(isPrivateAddress(a), false, a);
    // reserved addresses are not private but never public either (never queried)
    for (const a of ['0.0.0.1', '224.0.0.5', '255.255.255.255', '::', 'ff02::1', '::ffff:224.0.0.1'])
      assert.equal(isPublicAddress(a), false, a);
    assert.equal(isPublicAddress('::ffff:10.1.2.3'), false);
    assert.equal(isPublicAddress('198.51.100.7'), true);
  });

  it('address sets agree: a mapped private range holds no public address', () => {
    const set = (c: string) => new AddrSetBuilder().addCidr(parseCidr(c)!).build();
    assert.equal(hasPublic(set('::ffff:10.0.0.0/104')), false);
    assert.equal(hasPublic(set('2002:a00::/24')), false);
    assert.equal(hasPublic(set('64:ff9b::a00:0/104')), false);
    assert.equal(hasPublic(set('::ffff:0:0/96')), true);
  });

  it('MT309: an MX target whose only address is a mapped private one is unreachable', () => {
    const text =
      'domain example.com {\n  mx 10 edge\n}\ngateway edge {\n  role edge\n  zone perimeter\n  hostname mx.example.com\n' +
      '  address ::ffff:10.1.2.3\n  accept example.com\n  dnsbl zen.spamhaus.org\n  route example.com -> direct\n}\n';
    const r = checkText(text);
    assert.ok(
      r.diagnostics.some((d) => d.code === 'MT309'),
      r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'),
    );
  });

  describe('live checks never query them', () => {
    let s: DnsServer;
    before(async () => {
      s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES) });
    });
    after(async () => {
      await s.stop();
    });

    it('no PTR or DNSBL query, no MT506 or MT510, for any hidden private form', async () => {
      const nodes = HIDDEN.map(
        (a, i) =>
          `gateway g${i} {\n  role relay\n  zone perimeter\n  address ${a}\n  dnsbl bl.test\n  relay allow from=10.0.0.0/8\n}\n`,
      ).join('');
      const text =
        `domain good.test {\n  spf "v=spf1 -all"\n}\n${nodes}gateway pub {\n  role ` +
        `relay\n  zone perimeter\n  address 203.0.113.11\n  dnsbl bl.test\n}\n`;
      const r = checkText(text, 'hidden.mailtopo');
      s.resetLog();
      const live = await runLive(r, { resolvers: [s.address], timeoutMs: 800 });
      const names = s.log.map((q) => q.name.toLowerCase());
      // the public address is looked up (the check works), the hidden ones never
      assert.ok(names.includes('11.113.0.203.in-addr.arpa'), names.join('\n'));
      assert.ok(names.includes('11.113.0.203.bl.test'), names.join('\n'));
      const leaked = names.filter(
        (n) => n.endsWith('.ip6.arpa') || (n.endsWith('.bl.test') && !/^(11\.113\.0\.203|[12]\.0\.0\.127)\./.test(n)),
      );
      assert.deepEqual(leaked, []);
      const about = live.diagnostics.filter((d) => HIDDEN.some((h) => d.message.includes(h)));
      assert.deepEqual(
        about.map((d) => `${d.code} ${d.message}`),
        [],
      );
    });
  });
});
