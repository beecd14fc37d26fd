// check_host() (spfCheck.ts) against the loopback test DNS server: each cause of
// issue 15 on its own, with the RFC 7208 section it follows in the test name.
import * as assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../support/dnsServer';
import { Resolver } from '../../../server/src/core/dns/resolver';
import {
  analysisTree,
  analyzeSpf,
  renderSpfTree,
  renderTree,
  spfCheckHost,
  type SpfCheckInput,
  type SpfTreeNode,
} from '../../../server/src/core/dns/spf';

const ZONE = `$ORIGIN example.test.
$TTL 300
@        IN SOA ns.example.test. host.example.test. 1 3600 600 86400 60
mapped   TXT "v=spf1 ip4:192.0.2.0/24 a:v4.example.test -all"
v4       A 198.51.100.4
v4       AAAA 2001:db8::4
fam      TXT "v=spf1 a:v6only.example.test a:v6only2.example.test a:v6only3.example.test ip4:192.0.2.1 -all"
v6only   AAAA 2001:db8::6
v6only2  AAAA 2001:db8::7
v6only3  AAAA 2001:db8::8
slowaaaa TXT "v=spf1 a:dual.example.test mx:mxd.example.test -all"
dual     A 192.0.2.10
dual     AAAA 2001:db8::10
mxd      MX 10 dual.example.test.
mxonly   TXT "v=spf1 mx:mxd.example.test -all"
lazy     TXT "v=spf1 ip4:192.0.2.1 a:after1.example.test include:after2.example.test -all"
after1   A 192.0.2.99
after2   TXT "v=spf1 -all"
long     TXT "v=spf1 a:%{l}.example.test include:ok.example.test -all"
ok       TXT "v=spf1 ip4:192.0.2.1 -all"
badinc   TXT "v=spf1 include:%{l}.example.test -all"
ptrd     TXT "v=spf1 exists:%{p}.allow.example.test ptr -all"
mail.ptrd A 192.0.2.20
other.example.test. A 192.0.2.20
liar     A 192.0.2.99
mail.ptrd.example.test.allow A 127.0.0.2
helo     TXT "v=spf1 exists:%{h}.hello.example.test -all"
mx1.example.test.hello A 127.0.0.2
expf     TXT "v=spf1 ip4:192.0.2.1 -all exp=why.example.test"
expsoft  TXT "v=spf1 ip4:192.0.2.1 ~all exp=why.example.test"
why      TXT "%{i} is not one of %{d}'s senders (%{s}, helo %{h})"
exptwo   TXT "v=spf1 -all exp=two.example.test"
two      TXT "one"
two      TXT "two"
expslow  TXT "v=spf1 -all exp=slow.example.test"
slow     TXT "never seen"
expinc   TXT "v=spf1 include:inner.example.test -all exp=why.example.test"
inner    TXT "v=spf1 -all exp=innerwhy.example.test"
innerwhy TXT "the include's explanation"
expred   TXT "v=spf1 exp=why.example.test redirect=target.example.test"
target   TXT "v=spf1 -all exp=targetwhy.example.test"
targetwhy TXT "from the redirect target %{d}"
mxmany   TXT "v=spf1 mx -all"
mxmany   MX 0 m0.example.test.
mxmany   MX 1 m1.example.test.
mxmany   MX 2 m2.example.test.
mxmany   MX 3 m3.example.test.
mxmany   MX 4 m4.example.test.
mxmany   MX 5 m5.example.test.
mxmany   MX 6 m6.example.test.
mxmany   MX 7 m7.example.test.
mxmany   MX 8 m8.example.test.
mxmany   MX 9 m9.example.test.
mxmany   MX 10 m10.example.test.
voids    TXT "v=spf1 a:nx1.example.test a:nx2.example.test a:nx3.example.test ip4:192.0.2.1 -all"
tree     TXT "v=spf1 ip4:192.0.2.1 include:treeinc.example.test -all"
treeinc  TXT "v=spf1 a:v4.example.test a:nx9.example.test ~all"
voids2   TXT "v=spf1 a:nx1.example.test a:nx2.example.test ip4:192.0.2.1 -all"
`;

// 11 DNS-querying terms: limit.example.test includes l1..l10 and then a:l11
const LIMIT = `$ORIGIN limit.test.
$TTL 300
@    TXT "v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:l${i + 1}.limit.test`).join(' ')} a:l11.limit.test -all"
${Array.from({ length: 11 }, (_, i) => `l${i + 1} TXT "v=spf1 ip4:192.0.2.${i + 1} -all"`).join('\n')}
l11  A 192.0.2.11
`;

// PTR: 192.0.2.20 -> mail.ptrd.example.test (validated) and other.example.test; 192.0.2.21 -> liar (not validated)
const REVERSE = `$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
20   PTR other.example.test.
20   PTR mail.ptrd.example.test.
21   PTR liar.example.test.
30   PTR ${Array.from({ length: 12 }, (_, i) => `p${i}.ptr.example.test.`).join('\n30   PTR ')}
`;

describe('dns/spf check_host() (RFC 7208) over a loopback DNS server', () => {
  let server: DnsServer;
  let resolver: Resolver;
  before(async () => {
    server = await startDnsServer({ zoneTexts: [ZONE, LIMIT, REVERSE] });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.resetLog();
    server.clearFaults();
    resolver = new Resolver({ servers: [server.address], timeoutMs: 300, attempts: 1 });
  });
  afterEach(() => resolver.close());

  const check = (ip: string, domain: string, more: Partial<SpfCheckInput> = {}) =>
    spfCheckHost({ ip, domain, sender: `alice@${domain}`, ...more }, resolver);
  const asked = () => server.log.map((q) => `${q.name} ${q.type}`);

  describe('§5: an IPv4-mapped IPv6 client is treated as IPv4', () => {
    it('§5 ip4 matches ::ffff:192.0.2.5, and the result names the IPv4 address', async () => {
      const r = await check('::ffff:192.0.2.5', 'mapped.example.test');
      assert.equal(r.result, 'pass');
      assert.equal(r.mechanism, 'ip4:192.0.2.0/24');
      assert.equal(r.ip, '192.0.2.5');
    });
    it('§5 / §5.3 a asks A (not AAAA) for ::ffff:198.51.100.4 and matches', async () => {
      const r = await check('::ffff:198.51.100.4', 'mapped.example.test');
      assert.equal(r.result, 'pass');
      assert.equal(r.mechanism, 'a:v4.example.test');
      assert.ok(asked().includes('v4.example.test A'));
      assert.ok(!asked().includes('v4.example.test AAAA'));
    });
  });

  describe('§4.3: names that cannot be DNS names', () => {
    const label64 = 'a'.repeat(64);
    for (const [what, domain] of [
      ['a label over 63 octets', `${label64}.example.test`],
      ['an empty label', 'a..example.test'],
      ['a single label', 'localhost'],
      ['a domain literal', '[192.0.2.1]'],
    ]) {
      it(`§4.3 initial domain with ${what} is none, and nothing is asked`, async () => {
        const r = await check('192.0.2.1', domain);
        assert.equal(r.result, 'none');
        assert.deepEqual(asked(), []);
      });
    }
    it('§4.3 / §4.8 a target that expands to a long label does not match (no query, no temperror)', async () => {
      const r = await check('192.0.2.1', 'long.example.test', { sender: `${label64}@long.example.test` });
      assert.equal(r.result, 'pass');
      assert.equal(r.mechanism, 'include:ok.example.test');
      assert.equal(r.tree.terms[0].outcome, 'no match');
      assert.ok(!asked().some((q) => q.startsWith(label64)));
    });
    it('§4.3 / §5.2 include of a name that cannot be a DNS name is a permerror', async () => {
      const r = await check('192.0.2.1', 'badinc.example.test', { sender: `${label64}@badinc.example.test` });
      assert.equal(r.result, 'permerror');
      assert.equal(r.mechanism, 'include:%{l}.example.test');
    });
  });

  describe('§5.3 / §5.4: a and mx ask the client family only', () => {
    it('§5.3 an IPv4 client never asks AAAA: a timed-out AAAA does not make a matching A a temperror', async () => {
      server.setFault({ kind: 'drop' }, { name: 'dual.example.test', type: 'AAAA' });
      const r = await check('192.0.2.10', 'slowaaaa.example.test');
      assert.equal(r.result, 'pass');
      assert.equal(r.mechanism, 'a:dual.example.test');
      assert.equal(server.count('dual.example.test', 'AAAA'), 0);
    });
    it('§5.4 mx: the exchange is asked AAAA for an IPv6 client, A for an IPv4 one', async () => {
      const r6 = await check('2001:db8::10', 'mxonly.example.test');
      assert.equal(r6.result, 'pass');
      assert.equal(r6.mechanism, 'mx:mxd.example.test');
      assert.equal(server.count('dual.example.test', 'A'), 0);
      resolver.clearCache();
      server.resetLog();
      const r4 = await check('192.0.2.10', 'mxonly.example.test');
      assert.equal(r4.result, 'pass');
      assert.equal(server.count('dual.example.test', 'AAAA'), 0);
    });
    it('§4.6.4 an AAAA-only name is a void lookup for an IPv4 client: the 3rd is a permerror', async () => {
      const r = await check('192.0.2.1', 'fam.example.test');
      assert.equal(r.result, 'permerror');
      assert.equal(r.mechanism, 'a:v6only3.example.test');
      assert.equal(r.voidLookups, 3);
      const r6 = await check('2001:db8::6', 'fam.example.test');
      assert.equal(r6.result, 'pass');
      assert.equal(r6.voidLookups, 0);
    });
  });

  describe('§4.6.2: evaluation stops at the deciding term', () => {
    it('§4.6.2 nothing after the matching term is looked up', async () => {
      const r = await check('192.0.2.1', 'lazy.example.test');
      assert.equal(r.result, 'pass');
      assert.deepEqual(asked(), ['lazy.example.test TXT']);
      assert.equal(r.queries, 1);
      assert.deepEqual(
        r.tree.terms.map((t) => `${t.term}=${t.outcome}`),
        [
          'ip4:192.0.2.1=match',
          'a:after1.example.test=not evaluated',
          'include:after2.example.test=not evaluated',
          '-all=not evaluated',
        ],
      );
    });
    it('§4.6.4 the MT509 lint still counts every term; check_host() passes before the 11th', async () => {
      const a = await analyzeSpf('limit.test', resolver);
      assert.equal(a.totalLookups, 11);
      assert.ok(a.problems.some((p) => p.kind === 'lookup-limit' && p.term === 'a:l11.limit.test'));
      const early = await check('192.0.2.1', 'limit.test');
      assert.equal(early.result, 'pass');
      assert.equal(early.lookups, 1);
      const late = await check('192.0.2.11', 'limit.test');
      assert.equal(late.result, 'permerror');
      assert.equal(late.mechanism, 'a:l11.limit.test');
      assert.match(late.reason ?? '', /more than 10 DNS-querying terms/);
    });
  });

  describe('§5.5 / §7.3: ptr and %{p}', () => {
    it('§7.3 %{p} is the validated name under the domain; ptr matches it (§5.5)', async () => {
      const r = await check('192.0.2.20', 'ptrd.example.test');
      assert.equal(r.result, 'pass');
      assert.equal(r.mechanism, 'exists:%{p}.allow.example.test');
      assert.ok(asked().includes('mail.ptrd.example.test.allow.example.test A'));
    });
    it('§7.3 %{p} of an address whose PTR name does not resolve back to it is "unknown"; ptr does not match', async () => {
      const r = await check('192.0.2.21', 'ptrd.example.test');
      assert.equal(r.result, 'fail');
      assert.ok(asked().includes('unknown.allow.example.test A'));
    });
    it('§4.6.4 only the first 10 PTR names are validated', async () => {
      const r = await check('192.0.2.30', 'ptrd.example.test');
      assert.equal(r.result, 'fail');
      const validated = asked().filter((q) => /^p\d+\.ptr\.example\.test A$/.test(q));
      assert.equal(validated.length, 10);
    });
  });

  describe('§2.3 / §7.3: HELO identity and %{h}', () => {
    it('§2.3 with an empty MAIL FROM the sender is postmaster@HELO; %{h} is the HELO name', async () => {
      const r = await spfCheckHost(
        { ip: '192.0.2.1', domain: 'helo.example.test', sender: '', helo: 'mx1.example.test' },
        resolver,
      );
      assert.equal(r.result, 'pass');
      assert.ok(asked().includes('mx1.example.test.hello.example.test A'));
      const other = await spfCheckHost(
        { ip: '192.0.2.1', domain: 'helo.example.test', sender: '', helo: 'mx2.example.test' },
        resolver,
      );
      assert.equal(other.result, 'fail');
    });
  });

  describe('§6.2: exp= explanations', () => {
    it('§6.2 a fail gets the exp= text with its macros expanded', async () => {
      const r = await check('192.0.2.9', 'expf.example.test', { helo: 'mx.example.test' });
      assert.equal(r.result, 'fail');
      assert.equal(
        r.explanation,
        "192.0.2.9 is not one of expf.example.test's senders (alice@expf.example.test, helo mx.example.test)",
      );
    });
    it('§6.2 only a fail has an explanation (softfail: none, and exp is not even looked up)', async () => {
      const r = await check('192.0.2.9', 'expsoft.example.test');
      assert.equal(r.result, 'softfail');
      assert.equal(r.explanation, undefined);
      assert.ok(!asked().includes('why.example.test TXT'));
    });
    it('§6.2 errors in exp are ignored: two TXT records, a timeout: still fail, no explanation', async () => {
      const two = await check('192.0.2.9', 'exptwo.example.test');
      assert.equal(two.result, 'fail');
      assert.equal(two.explanation, undefined);
      server.setFault({ kind: 'drop' }, { name: 'slow.example.test' });
      const slow = await check('192.0.2.9', 'expslow.example.test');
      assert.equal(slow.result, 'fail');
      assert.equal(slow.explanation, undefined);
    });
    it("§6.2 an include's exp is not used; a redirect target's is, and the original's is not", async () => {
      const inc = await check('192.0.2.9', 'expinc.example.test', { helo: 'h.example.test' });
      assert.equal(inc.result, 'fail');
      assert.match(inc.explanation ?? '', /^192\.0\.2\.9 is not one of expinc\.example\.test's senders/);
      const red = await check('192.0.2.9', 'expred.example.test');
      assert.equal(red.result, 'fail');
      assert.equal(red.explanation, 'from the redirect target target.example.test');
    });
  });

  describe('§4.6.4: processing limits', () => {
    it('§4.6.4 mx with more than 10 names is a permerror', async () => {
      const r = await check('192.0.2.1', 'mxmany.example.test');
      assert.equal(r.result, 'permerror');
      assert.equal(r.mechanism, 'mx');
      assert.equal(server.count('m0.example.test'), 0, 'no exchange is looked up');
    });
    it('§4.6.4 two void lookups are allowed, the third is a permerror', async () => {
      assert.equal((await check('192.0.2.1', 'voids2.example.test')).result, 'pass');
      const r = await check('192.0.2.1', 'voids.example.test');
      assert.equal(r.result, 'permerror');
      assert.equal(r.mechanism, 'a:nx3.example.test');
    });
    it('§4.6.4 the tree carries lookups and void lookups per include', async () => {
      const r = await check('192.0.2.11', 'limit.test');
      assert.equal(r.tree.lookups, 11);
      const inc = r.tree.terms[0];
      assert.equal(inc.term, 'include:l1.limit.test');
      assert.equal(inc.child?.record, 'v=spf1 ip4:192.0.2.1 -all');
      assert.equal(inc.subtreeLookups, 1);
    });
  });

  describe('one tree for mailtopo spf and the hover', () => {
    const shape = (n: SpfTreeNode): unknown[] =>
      n.terms.map((t) => [t.term, t.subtreeLookups, t.subtreeVoidLookups, t.child ? shape(t.child) : null]);
    it('§4.6.4 when every term is evaluated, check_host() and the MT509 analysis count the same per include', async () => {
      const r = await check('203.0.113.1', 'tree.example.test');
      assert.equal(r.result, 'fail');
      const a = await analyzeSpf('tree.example.test', resolver);
      const t = analysisTree(a);
      assert.deepEqual(shape(r.tree), shape(t));
      assert.deepEqual([r.tree.lookups, r.tree.voidLookups], [3, 1]);
      assert.deepEqual([t.lookups, t.voidLookups], [3, 1]);
      assert.deepEqual(renderSpfTree(a), renderTree(t), 'the hover renders the same tree type');
      assert.ok(renderTree(r.tree).some((l) => /^ {2}include:treeinc\.example\.test {2}\(3 lookups; 1 void/.test(l)));
    });
  });
});
