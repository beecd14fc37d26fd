import * as assert from 'node:assert/strict';
import { Resolver, type MxData } from '../../../server/src/core/dns/resolver';
import {
  analyzeSpf,
  checkHost,
  evaluateSpf,
  expandMacros,
  parseDmarc,
  parseSpf,
  renderSpfTree,
  isDmarcRecord,
  type SpfDns,
} from '../../../server/src/core/dns/spf';
import { parseIp } from '../../../server/src/core/dns/ip';
import { startDnsServer, type DnsServer, type DnsServerOptions, type ZoneRecord } from '../../support/dnsServer';

/** Test data: keys 'name TYPE', values the records' data (TXT: a string, or string[] for several strings), or an rcode. */
type DnsData = Record<string, Array<string | string[] | MxData> | 'servfail' | 'refused'>;

/** The resolver, the loopback server behind it, and what the server was asked ('name TYPE', in order). */
interface LoopbackDns extends SpfDns {
  server: DnsServer;
  asked(): string[];
}

/** TXT data as character-strings: one of more than 255 bytes is split, as a zone file must (SPF joins them again). */
function txtStrings(d: string | string[]): Buffer[] {
  return (Array.isArray(d) ? d : [d]).flatMap((t) => {
    const b = Buffer.from(t);
    return Array.from({ length: Math.max(1, Math.ceil(b.length / 255)) }, (_, k) => b.subarray(k * 255, k * 255 + 255));
  });
}

function zoneRecord(key: string, d: string | string[] | MxData): ZoneRecord {
  const [name, type] = key.split(' ');
  return { name, type, ttl: 60, data: type === 'TXT' ? txtStrings(d as string | string[]) : d };
}

/** Every server and resolver a test started, closed after it. */
const started: Array<{ server: DnsServer; resolver: Resolver }> = [];

/**
 * The project's resolver against the in-test authoritative server on 127.0.0.1,
 * serving `data` from the root zone (so every name is ours: no record and no name
 * below it is NXDOMAIN, an empty non-terminal is NODATA). No cache: the server's log
 * shows every lookup the SPF code made, as a mock's call list would.
 */
async function loopbackDns(data: DnsData, answer?: DnsServerOptions['answer']): Promise<LoopbackDns> {
  const records: ZoneRecord[] = [];
  const rcodes: Array<[string, 'servfail' | 'refused']> = [];
  for (const [key, v] of Object.entries(data)) {
    if (typeof v === 'string') rcodes.push([key, v]);
    else records.push(...v.map((d) => zoneRecord(key, d)));
  }
  const server = await startDnsServer({ zones: [{ origin: '', records }], answer });
  for (const [key, status] of rcodes) {
    const [name, type] = key.split(' ');
    server.setFault({ kind: 'rcode', rcode: status === 'servfail' ? 'SERVFAIL' : 'REFUSED' }, { name, type });
  }
  const resolver = new Resolver({ servers: [server.address], timeoutMs: 2000, attempts: 1, cache: false });
  started.push({ server, resolver });
  return {
    server,
    resolve: (name, type) => resolver.resolve(name, type),
    asked: () => server.log.map((q) => `${q.name} ${q.type}`),
  };
}

describe('dns/spf', () => {
  afterEach(async () => {
    for (const { server, resolver } of started.splice(0)) {
      resolver.close();
      await server.stop();
    }
  });

  describe('parser', () => {
    it('parses mechanisms, qualifiers, CIDR lengths and modifiers', () => {
      const p = parseSpf(
        'v=spf1 +a -mx:mx.example.com/28 ~a:x.example.com/24//64 ?a//64 ip4:192.0.2.0/24 ' +
          'ip6:2001:DB8::/32 include:_spf.example.com exists:%{i}.bl.example.com ptr ' +
          'redirect=_r.example.com exp=exp.example.com foo=bar -all',
      );
      assert.deepEqual(p.errors, []);
      const k = p.terms.map((t) => `${t.qualifier}${t.kind}`);
      assert.deepEqual(k, [
        '+a',
        '-mx',
        '~a',
        '?a',
        '+ip4',
        '+ip6',
        '+include',
        '+exists',
        '+ptr',
        '+redirect',
        '+exp',
        '+modifier',
        '-all',
      ]);
      assert.equal(p.terms[1].domainSpec, 'mx.example.com');
      assert.equal(p.terms[1].cidr4, 28);
      assert.equal(p.terms[2].cidr4, 24);
      assert.equal(p.terms[2].cidr6, 64);
      assert.equal(p.terms[3].cidr6, 64);
      assert.equal(p.terms[3].domainSpec, undefined);
      assert.equal(p.terms[5].network, '2001:db8::');
      assert.equal(p.terms[5].prefix, 32);
    });

    it('reports syntax errors', () => {
      const bad = (rec: string) => parseSpf(rec).errors;
      assert.match(bad('v=spf1 ip4:192.0.2.300 -all')[0], /not an IPv4 address/);
      assert.match(bad('v=spf1 ip4:192.0.2.0/33')[0], /prefix length/);
      assert.match(bad('v=spf1 ip6:192.0.2.1')[0], /not an IPv6/);
      assert.match(bad('v=spf1 foo:bar -all')[0], /unknown mechanism/);
      assert.match(bad('v=spf1 include:localhost -all')[0], /fully qualified/);
      assert.match(bad('v=spf1 include -all')[0], /needs ':domain'/);
      assert.match(bad('v=spf1 all:x.example')[0], /takes no argument/);
      assert.match(bad('v=spf1 redirect=a.example redirect=b.example')[0], /more than once/);
      assert.match(bad('v=spf1 -redirect=a.example')[0], /no qualifier/);
      assert.match(bad('v=spf1 exists:%{z}.example.com')[0], /bad macro/);
      assert.match(bad('v=spf1 a/64')[0], /CIDR/);
      assert.deepEqual(bad('v=spf1'), []);
      assert.deepEqual(bad('V=SPF1 -ALL'), []);
      assert.match(bad('v=spf10 -all')[0], /starts with 'v=spf1'/);
    });
  });

  describe('macros (RFC 7208 §7.4 examples)', () => {
    const ctx = { sender: 'strong-bad@email.example.com', domain: 'email.example.com', ip: parseIp('192.0.2.3') };
    const cases: Array<[string, string]> = [
      ['%{s}', 'strong-bad@email.example.com'],
      ['%{o}', 'email.example.com'],
      ['%{d}', 'email.example.com'],
      ['%{d4}', 'email.example.com'],
      ['%{d3}', 'email.example.com'],
      ['%{d2}', 'example.com'],
      ['%{d1}', 'com'],
      ['%{dr}', 'com.example.email'],
      ['%{d2r}', 'example.email'],
      ['%{l}', 'strong-bad'],
      ['%{l-}', 'strong.bad'],
      ['%{lr}', 'strong-bad'],
      ['%{lr-}', 'bad.strong'],
      ['%{l1r-}', 'strong'],
      ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
      ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
      ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
      ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ];
    for (const [spec, want] of cases) {
      it(`${spec} -> ${want}`, () => assert.equal(expandMacros(spec, ctx, spec.includes('@') ? false : true), want));
    }
    it('IPv6 %{i} in nibbles', () => {
      assert.equal(
        expandMacros('%{ir}.%{v}._spf.%{d2}', { ...ctx, ip: parseIp('2001:db8::cb01') }),
        '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
      );
    });
    it('needs the IP for %{i}: undefined without one', () => {
      assert.equal(expandMacros('%{i}.bl.example.com', { sender: 'a@b.example', domain: 'b.example' }), undefined);
    });
  });

  describe('check_host()', () => {
    const base = {
      'example.com TXT': ['v=spf1 ip4:192.0.2.0/28 a mx include:_spf.example.com -all'],
      'example.com A': ['198.51.100.1'],
      'example.com MX': [{ preference: 10, exchange: 'mail.example.com' }],
      'mail.example.com A': ['198.51.100.25'],
      'mail.example.com AAAA': ['2001:db8::25'],
      '_spf.example.com TXT': [['v=spf1 ip6:2001:db8:1::/48 ', 'a:out.example.com/30 ~all']],
      'out.example.com A': ['203.0.113.8'],
    };
    const cases: Array<[string, string, string?]> = [
      ['192.0.2.5', 'pass', 'ip4:192.0.2.0/28'],
      ['198.51.100.1', 'pass', 'a'],
      ['198.51.100.25', 'pass', 'mx'],
      ['2001:db8::25', 'pass', 'mx'],
      ['2001:db8:1::9', 'pass', 'include:_spf.example.com'],
      ['203.0.113.10', 'pass', 'include:_spf.example.com'], // a:out/30 in the include
      ['203.0.113.12', 'fail', '-all'], // include's ~all is no match; -all decides
      ['192.0.2.99', 'fail', '-all'],
    ];
    for (const [ip, want, term] of cases) {
      it(`${ip} -> ${want}${term ? ` by ${term}` : ''}`, async () => {
        const ev = await checkHost(ip, 'example.com', await loopbackDns(base));
        assert.equal(ev.result, want);
        if (term) assert.equal(ev.matched?.term, term);
      });
    }

    it('qualifiers: ~all softfail, ?all neutral, no match neutral, +all pass', async () => {
      const dns = await loopbackDns({
        's.example TXT': ['v=spf1 ip4:192.0.2.1 ~all'],
        'n.example TXT': ['v=spf1 ip4:192.0.2.1 ?all'],
        'x.example TXT': ['v=spf1 ip4:192.0.2.1'],
        'p.example TXT': ['v=spf1 +all'],
      });
      assert.equal((await checkHost('192.0.2.9', 's.example', dns)).result, 'softfail');
      assert.equal((await checkHost('192.0.2.9', 'n.example', dns)).result, 'neutral');
      assert.equal((await checkHost('192.0.2.9', 'x.example', dns)).result, 'neutral');
      assert.equal((await checkHost('192.0.2.9', 'p.example', dns)).result, 'pass');
      assert.equal((await checkHost('192.0.2.9', 'none.example', dns)).result, 'none');
    });

    it('redirect: followed when nothing matched, ignored when all is present; to nothing is permerror', async () => {
      const dns = await loopbackDns({
        'r.example TXT': ['v=spf1 ip4:192.0.2.1 redirect=_spf.r.example'],
        '_spf.r.example TXT': ['v=spf1 ip4:198.51.100.0/24 -all'],
        'ra.example TXT': ['v=spf1 ?all redirect=_spf.r.example'],
        'rn.example TXT': ['v=spf1 redirect=missing.r.example'],
      });
      assert.equal((await checkHost('198.51.100.7', 'r.example', dns)).result, 'pass');
      assert.equal((await checkHost('203.0.113.7', 'r.example', dns)).result, 'fail');
      dns.server.resetLog();
      assert.equal((await checkHost('198.51.100.7', 'ra.example', dns)).result, 'neutral');
      assert.ok(!dns.asked().includes('_spf.r.example TXT'), 'the ignored redirect is not looked up');
      const rn = await checkHost('198.51.100.7', 'rn.example', dns);
      assert.equal(rn.result, 'permerror');
    });

    it('include of a domain without SPF is permerror; include fail is no match', async () => {
      const dns = await loopbackDns({
        'i.example TXT': ['v=spf1 include:nothing.example -all'],
        'nothing.example A': ['192.0.2.1'],
        'j.example TXT': ['v=spf1 include:f.example ip4:192.0.2.1 -all'],
        'f.example TXT': ['v=spf1 -all'],
      });
      const a = await analyzeSpf('i.example', dns);
      assert.ok(a.problems.some((p) => p.kind === 'include-none' && p.term === 'include:nothing.example'));
      assert.equal((await evaluateSpf('192.0.2.1', a, dns)).result, 'permerror');
      assert.equal((await checkHost('192.0.2.1', 'j.example', dns)).result, 'pass');
    });

    it('exists, and %{i} terms looked up only when evaluating', async () => {
      const dns = await loopbackDns({
        'e.example TXT': ['v=spf1 exists:%{ir}.allow.e.example -all'],
        '1.2.0.192.allow.e.example A': ['127.0.0.2'],
      });
      const a = await analyzeSpf('e.example', dns);
      assert.equal(a.root.terms[0].dynamic, true);
      assert.deepEqual(dns.asked(), ['e.example TXT']);
      assert.equal((await evaluateSpf('192.0.2.1', a, dns)).result, 'pass');
      assert.equal((await evaluateSpf('192.0.2.2', a, dns)).result, 'fail');
      assert.ok(dns.asked().includes('1.2.0.192.allow.e.example A'));
    });

    it('ptr: matches a validated name under the domain', async () => {
      const dns = await loopbackDns({
        'p.example TXT': ['v=spf1 ptr -all'],
        '10.2.0.192.in-addr.arpa PTR': ['mail.p.example'],
        'mail.p.example A': ['192.0.2.10'],
        '11.2.0.192.in-addr.arpa PTR': ['liar.p.example'],
        'liar.p.example A': ['192.0.2.99'],
      });
      const a = await analyzeSpf('p.example', dns);
      assert.ok(a.problems.some((p) => p.kind === 'ptr' && p.term === 'ptr'));
      assert.equal((await evaluateSpf('192.0.2.10', a, dns)).result, 'pass');
      assert.equal((await evaluateSpf('192.0.2.11', a, dns)).result, 'fail');
    });
  });

  describe('limits and problems', () => {
    function chain(n: number): Record<string, string[]> {
      // root includes i1..in, each with one ip4
      const d: Record<string, string[]> = {
        'big.example TXT': [
          `v=spf1 ip4:203.0.113.1 ${Array.from({ length: n }, (_, i) => `include:i${i + 1}.big.example`).join(' ')} -all`,
        ],
      };
      for (let i = 1; i <= n; i++) d[`i${i}.big.example TXT`] = [`v=spf1 ip4:192.0.2.${i} -all`];
      return d;
    }

    it('10 DNS-querying terms are fine; the 11th is named', async () => {
      const ok = await analyzeSpf('big.example', await loopbackDns(chain(10)));
      assert.equal(ok.totalLookups, 10);
      assert.equal(ok.state, 'ok');
      assert.deepEqual(ok.problems, []);
      const over = await analyzeSpf('big.example', await loopbackDns(chain(11)));
      assert.equal(over.totalLookups, 11);
      assert.equal(over.state, 'permerror');
      const p = over.problems.find((x) => x.kind === 'lookup-limit')!;
      assert.equal(p.term, 'include:i11.big.example');
      assert.match(p.message, /'include:i11\.big\.example' is the 11th/);
      // check_host counts as it goes: a match before the limit still passes
      assert.equal((await evaluateSpf('203.0.113.1', over, await loopbackDns(chain(11)))).result, 'pass');
      assert.equal((await evaluateSpf('192.0.2.10', over, await loopbackDns(chain(11)))).result, 'pass');
      const late = await evaluateSpf('192.0.2.11', over, await loopbackDns(chain(11)));
      assert.equal(late.result, 'permerror');
      assert.equal(late.matched?.term, 'include:i11.big.example');
    });

    it('counts nested terms, a, mx and exists, and names the crossing term inside an include', async () => {
      const dns = await loopbackDns({
        'n.example TXT': ['v=spf1 a mx include:x.n.example -all'],
        'n.example A': ['192.0.2.1'],
        'n.example MX': [{ preference: 1, exchange: 'm.n.example' }],
        'm.n.example A': ['192.0.2.2'],
        'x.n.example TXT': [
          'v=spf1 a:h1.n.example a:h2.n.example a:h3.n.example exists:h4.n.example include:y.n.example -all',
        ],
        'y.n.example TXT': ['v=spf1 a:h5.n.example a:h6.n.example a:h7.n.example -all'],
        ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((i) => [`h${i}.n.example A`, [`192.0.2.${10 + i}`]])),
      });
      const a = await analyzeSpf('n.example', dns);
      assert.equal(a.totalLookups, 11);
      const p = a.problems.find((x) => x.kind === 'lookup-limit')!;
      assert.equal(p.term, 'a:h7.n.example');
      assert.equal(p.domain, 'y.n.example');
      assert.deepEqual(p.path, ['n.example', 'x.n.example', 'y.n.example']);
      const inc = a.root.terms[2];
      assert.equal(inc.lookups, 1);
      assert.equal(inc.subtreeLookups, 9);
      assert.equal(inc.cumulativeLookups, 3);
      assert.equal(a.root.terms[1].queries, 3, 'mx: the MX query and A/AAAA of its exchange');
      assert.ok(renderSpfTree(a).some((l) => l.includes('include:y.n.example') && l.includes('4 lookups')));
    });

    it('more than 2 void lookups: the 3rd is named', async () => {
      const dns = await loopbackDns({
        'v.example TXT': ['v=spf1 a:nx1.v.example mx:nx2.v.example exists:nx3.v.example ip4:192.0.2.0/24 -all'],
      });
      const a = await analyzeSpf('v.example', dns);
      assert.equal(a.totalVoidLookups, 3);
      const p = a.problems.find((x) => x.kind === 'void-limit')!;
      assert.equal(p.term, 'exists:nx3.v.example');
      assert.equal(a.state, 'permerror');
      assert.equal((await evaluateSpf('192.0.2.1', a, dns)).result, 'permerror');
      const two = await analyzeSpf(
        'w.example',
        await loopbackDns({ 'w.example TXT': ['v=spf1 a:nx1.w.example a:nx2.w.example -all'] }),
      );
      assert.equal(two.totalVoidLookups, 2);
      assert.deepEqual(two.problems, []);
    });

    it('include loops are found and are permerror', async () => {
      const dns = await loopbackDns({
        'l1.example TXT': ['v=spf1 include:l2.example -all'],
        'l2.example TXT': ['v=spf1 include:l3.example'],
        'l3.example TXT': ['v=spf1 redirect=l1.example'],
      });
      const a = await analyzeSpf('l1.example', dns);
      const p = a.problems.find((x) => x.kind === 'loop')!;
      assert.equal(p.term, 'redirect=l1.example');
      assert.equal(p.domain, 'l3.example');
      assert.match(p.message, /l1\.example -> l2\.example -> l3\.example -> l1\.example/);
      assert.equal((await evaluateSpf('192.0.2.1', a, dns)).result, 'permerror');
      assert.ok(dns.asked().length < 10);
    });

    it('a self-include loop and a hostile include fan-out stay bounded', async () => {
      const self = await loopbackDns({ 's.example TXT': ['v=spf1 include:s.example -all'] });
      const a = await analyzeSpf('s.example', self);
      assert.ok(a.problems.some((p) => p.kind === 'loop'));
      // every record includes two new ones: without a bound this explodes
      const fan = await loopbackDns({}, (name, type) =>
        type === 'TXT'
          ? [{ name, type, ttl: 60, data: [Buffer.from(`v=spf1 include:a.${name} include:b.${name} -all`)] }]
          : [],
      );
      const f = await analyzeSpf('f.example', fan);
      assert.ok(f.queries <= 40, `${f.queries} queries`);
      assert.ok(f.problems.some((p) => p.kind === 'lookup-limit'));
    });

    it('multiple v=spf1 records are a permerror; other TXT records do not count', async () => {
      const dns = await loopbackDns({
        'm.example TXT': ['v=spf1 -all', 'v=spf1 +all', 'google-site-verification=x'],
        'o.example TXT': ['v=spf1 -all', 'hello', 'v=spf10 x'],
      });
      const a = await analyzeSpf('m.example', dns);
      assert.ok(a.problems.some((p) => p.kind === 'multiple'));
      assert.equal(a.state, 'permerror');
      assert.equal((await evaluateSpf('192.0.2.1', a, dns)).result, 'permerror');
      assert.deepEqual((await analyzeSpf('o.example', dns)).problems, []);
    });

    it('+all anywhere, ?all at the top, ptr anywhere; none; syntax; MX limit; temperror', async () => {
      const dns = await loopbackDns({
        'pa.example TXT': ['v=spf1 include:inc.pa.example -all'],
        'inc.pa.example TXT': ['v=spf1 +all'],
        'qa.example TXT': ['v=spf1 include:inc.qa.example ?all'],
        'inc.qa.example TXT': ['v=spf1 ip4:192.0.2.1 ?all'],
        'pt.example TXT': ['v=spf1 include:inc.pt.example -all'],
        'inc.pt.example TXT': ['v=spf1 ptr:pt.example ?all'],
        'sx.example TXT': ['v=spf1 ip4:1.2.3 -all'],
        'mx.example TXT': ['v=spf1 mx -all'],
        'mx.example MX': Array.from({ length: 11 }, (_, i) => ({ preference: i, exchange: `m${i}.mx.example` })),
        'tf.example TXT': ['v=spf1 include:down.tf.example -all'],
        'down.tf.example TXT': 'servfail',
      });
      const kinds = async (d: string) => (await analyzeSpf(d, dns)).problems.map((p) => `${p.kind}:${p.term ?? ''}`);
      assert.deepEqual(await kinds('pa.example'), ['plus-all:+all']);
      assert.deepEqual(await kinds('qa.example'), ['question-all:?all']);
      assert.deepEqual(await kinds('pt.example'), ['ptr:ptr:pt.example']);
      assert.deepEqual(await kinds('none.example'), ['none:']);
      assert.deepEqual(await kinds('sx.example'), ['syntax:']);
      assert.deepEqual(await kinds('mx.example'), ['mx-limit:mx']);
      assert.deepEqual(await kinds('tf.example'), ['temperror:include:down.tf.example']);
      assert.equal((await checkHost('192.0.2.1', 'tf.example', dns)).result, 'temperror');
    });
  });

  describe('DMARC', () => {
    it('parses a valid record', () => {
      const d = parseDmarc(
        'v=DMARC1; p=quarantine; sp=reject; pct=50; rua=mailto:a@example.com,mailto:b@example.com; adkim=s; aspf=r; fo=1:d;',
      );
      assert.equal(d.valid, true);
      assert.equal(d.policy, 'quarantine');
      assert.equal(d.subdomainPolicy, 'reject');
      assert.equal(d.pct, 50);
      assert.deepEqual(d.rua, ['mailto:a@example.com', 'mailto:b@example.com']);
      assert.equal(d.adkim, 's');
      assert.ok(parseDmarc('v=DMARC1;p=none').valid);
      assert.equal(parseDmarc('v=DMARC1;p=none').policy, 'none');
    });

    it('rejects what is not valid', () => {
      const errs = (t: string) => parseDmarc(t).errors.join(' | ');
      assert.match(errs('v=DMARC1; p=maybe'), /p=maybe/);
      assert.match(errs('v=DMARC1; rua=mailto:a@x.example'), /'p=' tag is missing/);
      assert.match(errs('v=DMARC1; p=reject; pct=150'), /pct/);
      assert.match(errs('v=DMARC1; p=reject; rua=a@x.example'), /not a mailto/);
      assert.match(errs('v=DMARC1; p=reject; p=none'), /twice/);
      assert.match(errs('p=reject; v=DMARC1'), /starts with 'v=DMARC1'/);
      assert.match(errs('v=DMARC1; p=reject; adkim=x'), /adkim/);
      assert.equal(isDmarcRecord('v=DMARC1; p=none'), true);
      assert.equal(isDmarcRecord('v=spf1 -all'), false);
    });
  });
});
