import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { MtDiagnostic, Range } from '../../../server/src/core/diagnostic';
import { runLiveChecks, type LiveResult } from '../../../server/src/core/dns/live';
import type { LiveAddress, LiveDomain, LiveHost, LiveInput, LiveMx } from '../../../server/src/core/dns/liveInput';
import { isPrivateAddress } from '../../../server/src/core/dns/liveInput';
import { Resolver } from '../../../server/src/core/dns/resolver';
import { reverseName } from '../../../server/src/core/dns/ip';
import { startDnsServer, zoneFilesIn, type DnsServer } from '../../support/dnsServer';

const ZONES = path.join(__dirname, '../../fixtures/zones');
const FILE = 'topo.mailtopo';

// Every statement gets a line of its own, so a range names the statement.
let nextLine = 0;
const line = (): Range => {
  const l = nextLine++;
  return { start: { line: l, character: 2 }, end: { line: l, character: 40 } };
};

interface DomainSpec {
  mx?: Array<[number, string]>;
  mxNone?: boolean;
  spf?: string;
  dmarc?: string;
  mtaSts?: string;
  tlsRpt?: string;
  outbound?: string[];
}

function domain(name: string, spec: DomainSpec = {}): LiveDomain {
  const nameRange = line();
  const mx: LiveMx[] = (spec.mx ?? []).map(([preference, target]) => ({
    preference,
    targetHostname: target,
    targetIsIp: false,
    targetName: target.split('.')[0],
    file: FILE,
    range: line(),
    targetDeclFile: FILE,
    targetDeclRange: line(),
  }));
  return {
    name,
    file: FILE,
    nameRange,
    mxNone: !!spec.mxNone,
    mxNoneRange: spec.mxNone ? line() : undefined,
    mx,
    spf: spec.spf !== undefined ? { text: spec.spf, range: line() } : undefined,
    dmarc: spec.dmarc !== undefined ? { text: spec.dmarc, range: line() } : undefined,
    mtaSts: spec.mtaSts !== undefined ? { mode: spec.mtaSts, range: line() } : undefined,
    tlsRpt: spec.tlsRpt !== undefined ? { uri: spec.tlsRpt, range: line() } : undefined,
    outboundAddresses: (spec.outbound ?? []).map((address) => ({ address, nodeName: `node-${address}` })),
  };
}

function host(hostname: string, addresses: string[]): LiveHost {
  return {
    hostname,
    file: FILE,
    range: line(),
    declaredAddresses: addresses,
    addressRange: line(),
    nodeName: hostname.split('.')[0],
  };
}

function address(addr: string, nodeName = 'gw'): LiveAddress {
  return { address: addr, file: FILE, range: line(), nodeName };
}

function input(p: Partial<LiveInput>): LiveInput {
  return { file: FILE, domains: [], hosts: [], addresses: [], dnsblZones: [], ...p };
}

/** The correct twin: good.test as published in good.test.zone. */
function goodDomain(): LiveDomain {
  return domain('good.test', {
    mx: [
      [10, 'mx1.good.test'],
      [20, 'mx2.good.test'],
    ],
    spf: 'v=spf1 ip4:203.0.113.0/28 include:_spf.good.test -all',
    dmarc: 'v=DMARC1; p=reject; rua=mailto:dmarc@good.test',
    mtaSts: 'enforce',
    tlsRpt: 'mailto:tls-reports@good.test',
    outbound: ['203.0.113.11', '203.0.113.25', '2001:db8:10::5', '10.0.0.5'],
  });
}

const codes = (r: LiveResult) => r.diagnostics.map((d) => d.code);
const only = (r: LiveResult, code: string) => r.diagnostics.filter((d) => d.code === code);

function one(r: LiveResult, code: string): MtDiagnostic {
  const list = only(r, code);
  assert.equal(
    list.length,
    1,
    `expected one ${code}, got: ${JSON.stringify(
      r.diagnostics.map((d) => `${d.code} ${d.message}`),
      null,
      1,
    )}`,
  );
  return list[0];
}

describe('dns/live checks (MT5xx)', function () {
  this.timeout(10000);
  let s: DnsServer;
  let resolver: Resolver;
  const run = (inp: LiveInput, extra: Partial<Parameters<typeof runLiveChecks>[1]> = {}) =>
    runLiveChecks(inp, { resolvers: [s.address], timeoutMs: 600, ...extra });

  before(async () => {
    s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES) });
  });
  after(async () => {
    await s.stop();
  });
  beforeEach(() => {
    s.clearFaults();
    s.resetLog();
    s.setDelay(0);
    resolver = new Resolver({ servers: [s.address], timeoutMs: 300 });
  });
  afterEach(() => resolver.close());

  it('the correct twin: a full topology with nothing wrong has no MT5xx at all', async () => {
    const r = await run(
      input({
        domains: [
          goodDomain(),
          domain('realnull.test', { mxNone: true, spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' }),
        ],
        hosts: [
          host('mx1.good.test', ['203.0.113.11']),
          host('mx2.good.test', ['203.0.113.12', '2001:DB8:0::12']),
          host('out.good.test', ['203.0.113.25']),
          host('ex1.corp.good.test', ['10.0.1.11']),
          host('v6.hosts.test', ['2001:db8::41']),
        ],
        addresses: [
          address('203.0.113.11'),
          address('203.0.113.12'),
          address('2001:db8::12'),
          address('203.0.113.25'),
          address('10.0.1.11'),
        ],
        dnsblZones: [{ zone: 'bl.test', file: FILE, range: line() }],
      }),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.queries > 20);
    // raw answers for hover
    assert.deepEqual(
      r.answers.mx['good.test'].records.map((m) => m.exchange),
      ['mx1.good.test', 'mx2.good.test'],
    );
    assert.deepEqual(r.answers.hosts['mx2.good.test'].aaaa, ['2001:db8::12']);
    assert.deepEqual(r.answers.ptr['203.0.113.11'].names, ['mx1.good.test']);
    assert.equal(r.answers.ptr['203.0.113.11'].confirmed, true);
    assert.equal(r.answers.spf['good.test'].analysis?.totalLookups, 2);
    assert.ok(r.answers.spf['good.test'].tree.some((l) => l.includes('include:_spf.good.test')));
    assert.deepEqual(
      r.answers.spf['good.test'].evaluations.map((e) => `${e.ip} ${e.result}`),
      ['203.0.113.11 pass', '203.0.113.25 pass', '2001:db8:10::5 pass'],
    );
    assert.equal(r.answers.dmarc['good.test'].parsed?.policy, 'reject');
    assert.equal(r.answers.dnsbl['bl.test'].usable, true);
    assert.equal(r.answers.dnsbl['bl.test'].listings['203.0.113.11'].status, 'clear');
  });

  it('MT501: the domain does not exist, and replaces every other MT5xx of it', async () => {
    const d = domain('gone.test', {
      mx: [[10, 'mx.gone.test']],
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
      mtaSts: 'enforce',
      outbound: ['203.0.113.99'],
    });
    const r = await run(input({ domains: [d], hosts: [host('mx.gone.test', ['203.0.113.98'])] }));
    const e = one(r, 'MT501');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, d.nameRange);
    assert.match(e.message, /gone\.test does not exist/);
    assert.deepEqual(codes(r), ['MT501']);
    const twin = await run(input({ domains: [goodDomain()] }));
    assert.deepEqual(only(twin, 'MT501'), []);
  });

  it('MT502: missing, other preference, extra; the message lists the live set', async () => {
    const d = domain('mxdiff.test', {
      mx: [
        [10, 'mx1.mxdiff.test'],
        [20, 'mx2.mxdiff.test'],
        [30, 'mx4.mxdiff.test'],
      ],
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
    });
    const r = await run(input({ domains: [d] }));
    const list = only(r, 'MT502');
    assert.equal(list.length, 3, JSON.stringify(list));
    const live = '10 mx1.mxdiff.test, 25 mx2.mxdiff.test, 40 mx3.mxdiff.test';
    for (const x of list) {
      assert.equal(x.severity, 'warning');
      assert.ok(x.message.includes(live), x.message);
    }
    const at = (rg: Range) => list.find((x) => x.range.start.line === rg.start.line)!;
    assert.match(at(d.mx[1].range).message, /mx2\.mxdiff\.test is published with preference 25, declared 20/);
    assert.match(at(d.mx[2].range).message, /MX 30 mx4\.mxdiff\.test is declared but not published/);
    assert.match(at(d.nameRange).message, /published but not declared: 40 mx3\.mxdiff\.test/);
    assert.deepEqual(codes(r), ['MT502', 'MT502', 'MT502']);
    assert.equal(s.count('mx3.mxdiff.test'), 0, 'an undeclared live MX target is never looked up');
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT502'), []);
  });

  it('MT503: an MX target that is a CNAME (on the mx line, target declaration related)', async () => {
    const d = domain('cname.test', { mx: [[10, 'mail.cname.test']], spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' });
    const r = await run(input({ domains: [d] }));
    const e = one(r, 'MT503');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, d.mx[0].range);
    assert.deepEqual(e.related?.[0].range, d.mx[0].targetDeclRange);
    assert.match(e.message, /mail\.cname\.test is a CNAME \(to host\.cname\.test\)/);
    assert.deepEqual(codes(r), ['MT503']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT503'), []);
  });

  it('MT504: an MX target without A or AAAA', async () => {
    const d = domain('noaddr.test', {
      mx: [[10, 'mail.noaddr.test']],
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
    });
    const r = await run(input({ domains: [d] }));
    const e = one(r, 'MT504');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, d.mx[0].range);
    assert.ok(e.related?.length);
    assert.deepEqual(codes(r), ['MT504']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT504'), []);
  });

  it('MT505: live A/AAAA differ from the declared address (on the address line)', async () => {
    const web = host('web.hosts.test', ['203.0.113.40']);
    const gone = host('nothere.hosts.test', ['203.0.113.42']);
    const r = await run(
      input({
        hosts: [
          web,
          gone,
          host('v6.hosts.test', ['2001:db8:0::41']),
          host('internal.hosts.test', ['10.9.9.9']),
          host('mx2.good.test', ['203.0.113.12', '2001:db8::12', '10.0.0.12']),
        ],
      }),
    );
    const list = only(r, 'MT505');
    assert.equal(list.length, 2, JSON.stringify(list));
    const w = list.find((x) => x.range.start.line === web.addressRange!.start.line)!;
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /web\.hosts\.test resolves to 203\.0\.113\.41; declared 203\.0\.113\.40/);
    const g = list.find((x) => x.range.start.line === gone.addressRange!.start.line)!;
    assert.match(g.message, /nothing \(NXDOMAIN\)/);
    assert.deepEqual(codes(r), ['MT505', 'MT505']);
  });

  it('MT506: no PTR, or a PTR that does not resolve back (public addresses only)', async () => {
    const noPtr = address('203.0.113.50', 'edge1');
    const liar = address('203.0.113.51', 'edge2');
    const good = address('203.0.113.11', 'edge3');
    const r = await run(
      input({ addresses: [noPtr, liar, good, address('10.0.0.50'), address('192.168.1.1'), address('fe80::1')] }),
    );
    const list = only(r, 'MT506');
    assert.equal(list.length, 2);
    const a = list.find((x) => x.range.start.line === noPtr.range.start.line)!;
    assert.equal(a.severity, 'warning');
    assert.match(a.message, /203\.0\.113\.50 \(edge1\) has no PTR record/);
    const b = list.find((x) => x.range.start.line === liar.range.start.line)!;
    assert.match(b.message, /liar\.hosts\.test -> 203\.0\.113\.99/);
    assert.deepEqual(codes(r), ['MT506', 'MT506']);
    for (const priv of ['10.0.0.50', '192.168.1.1', 'fe80::1'])
      assert.equal(s.count(reverseName(priv)!), 0, `no query for ${priv}`);
  });

  it('MT507: a listed address, with zone, return code and reason; only after the test points pass', async () => {
    const listed = address('203.0.113.66', 'edge9');
    const zoneRange = line();
    const r = await run(
      input({
        addresses: [listed, address('203.0.113.11')],
        dnsblZones: [{ zone: 'BL.test.', file: FILE, range: zoneRange }],
      }),
    );
    const e = one(r, 'MT507');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, listed.range);
    assert.match(
      e.message,
      /203\.0\.113\.66 \(edge9\) is listed on DNSBL bl\.test: return code 127\.0\.0\.4: 203\.0\.113\.66 listed: spam trap hits/,
    );
    assert.ok(!codes(r).includes('MT508'));
    // the test points were asked before the addresses
    const order = s.log.filter((q) => q.name.endsWith('.bl.test') && q.type === 'A').map((q) => q.name);
    assert.ok(order.indexOf('2.0.0.127.bl.test') < order.indexOf('66.113.0.203.bl.test'));
    assert.ok(order.indexOf('1.0.0.127.bl.test') < order.indexOf('66.113.0.203.bl.test'));
    // IPv6 via nibbles
    const v6 = address('2001:db8::66', 'edge6');
    const r6 = await run(input({ addresses: [v6], dnsblZones: [{ zone: 'bl.test' }] }));
    assert.deepEqual(one(r6, 'MT507').range, v6.range);
  });

  it('MT508: refusal codes, answers outside 127/8 and failed test points are never listings', async () => {
    const listed = address('203.0.113.66', 'edge9');
    const z = (zone: string) => ({ zone, file: FILE, range: line() });
    const zones = [z('refuse.test'), z('hijack.test'), z('brokenbl.test'), z('ratelimit.test')];
    const r = await run(input({ addresses: [listed], dnsblZones: zones }));
    assert.deepEqual(only(r, 'MT507'), [], 'never a listing');
    const list = only(r, 'MT508');
    assert.equal(list.length, 4, JSON.stringify(list.map((d) => d.message)));
    for (const d of list) assert.equal(d.severity, 'information');
    const at = (i: number) => list.find((d) => d.range.start.line === zones[i].range.start.line)!.message;
    assert.match(at(0), /refused to answer: 127\.255\.255\.254 \(query through a public\/open resolver\)/);
    assert.match(at(1), /answered outside 127\.0\.0\.0\/8 \(198\.51\.100\.200\)/);
    assert.match(at(2), /fails its RFC 5782 test points: 127\.0\.0\.2 is not listed/);
    assert.match(at(3), /refused to answer for 203\.0\.113\.66: 127\.255\.255\.252/);
    // zones that fail their test points are not used
    for (const zone of ['refuse.test', 'hijack.test', 'brokenbl.test'])
      assert.equal(s.count(`66.113.0.203.${zone}`), 0, zone);
    assert.equal(r.answers.dnsbl['ratelimit.test'].listings['203.0.113.66'].status, 'refused');
    // the well-behaved twin
    const twin = await run(input({ addresses: [listed], dnsblZones: [z('bl.test')] }));
    assert.deepEqual(only(twin, 'MT508'), []);
  });

  describe('MT509: SPF broken', () => {
    const cases: Array<[string, RegExp]> = [
      ['nospf.test', /publishes no SPF record/],
      ['twospf.test', /2 SPF records/],
      ['toomany.test', /more than 10 DNS-querying terms: 'a:h7\.toomany\.test' in i2\.toomany\.test is the 11th/],
      ['void.test', /more than 2 void lookups: 'a:nx3\.void\.test' is the 3rd/],
      ['syntax.test', /syntax error.*203\.0\.113\.300/],
      ['loop.test', /include loop at 'include:loop\.test'/],
      ['plusall.test', /'\+all' authorizes every host/],
      ['qall.test', /'\?all' makes every other host neutral/],
      ['ptr.test', /the ptr mechanism/],
    ];
    for (const [name, re] of cases) {
      it(`${name}: ${re.source.slice(0, 50)}`, async () => {
        const d = domain(name, { spf: 'declared', dmarc: 'v=DMARC1; p=reject' });
        const r = await run(input({ domains: [d] }));
        const list = only(r, 'MT509');
        assert.ok(list.length >= 1, JSON.stringify(r.diagnostics));
        const e = list.find((x) => re.test(x.message));
        assert.ok(e, `no MT509 matching ${re}: ${list.map((x) => x.message).join(' | ')}`);
        assert.equal(e.severity, 'warning');
        assert.deepEqual(e.range, d.spf!.range);
      });
    }
    it('without a declared spf the domain name carries it', async () => {
      const d = domain('nospf.test', { dmarc: 'v=DMARC1; p=reject' });
      const r = await run(input({ domains: [d] }));
      assert.deepEqual(one(r, 'MT509').range, d.nameRange);
    });
    it('the correct twin has none', async () => {
      assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT509'), []);
    });
  });

  it('MT510: SPF does not authorize an outbound public address', async () => {
    const d = domain('spf510.test', {
      spf: 'v=spf1 ip4:203.0.113.0/28 -all',
      dmarc: 'v=DMARC1; p=reject',
      outbound: ['203.0.113.99', '203.0.113.5', '10.1.1.1'],
    });
    const r = await run(input({ domains: [d] }));
    const e = one(r, 'MT510');
    assert.equal(e.severity, 'warning');
    assert.deepEqual(e.range, d.spf!.range);
    assert.match(e.message, /does not authorize 203\.0\.113\.99 \(node-203\.0\.113\.99\).*fail, by '-all'/);
    assert.deepEqual(codes(r), ['MT510']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT510'), []);
  });

  it('MT511: DMARC missing or unparsable (W), p=none (I)', async () => {
    const a = domain('nodmarc.test', { spf: 'v=spf1 -all' });
    const b = domain('baddmarc.test', { spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=maybe' });
    const c = domain('dmarcnone.test', { spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=none; rua=mailto:d@dmarcnone.test' });
    const r = await run(input({ domains: [a, b, c] }));
    const list = only(r, 'MT511');
    assert.equal(list.length, 3);
    const at = (rg: Range) => list.find((x) => x.range.start.line === rg.start.line)!;
    assert.equal(at(a.nameRange).severity, 'warning');
    assert.match(at(a.nameRange).message, /no DMARC record at _dmarc\.nodmarc\.test/);
    assert.equal(at(b.dmarc!.range).severity, 'warning');
    assert.match(at(b.dmarc!.range).message, /unparsable: p=maybe/);
    assert.equal(at(c.dmarc!.range).severity, 'information');
    assert.match(at(c.dmarc!.range).message, /p=none/);
    assert.deepEqual(codes(r), ['MT511', 'MT511', 'MT511']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT511'), []);
  });

  it('MT512: declared spf/dmarc text differs from what is published', async () => {
    const d = domain('spfdiff.test', { spf: 'v=spf1 ip4:203.0.113.0/24 -all', dmarc: 'v=DMARC1; p=quarantine' });
    const r = await run(input({ domains: [d] }));
    const list = only(r, 'MT512');
    assert.equal(list.length, 2);
    for (const x of list) assert.equal(x.severity, 'information');
    assert.ok(
      list.some(
        (x) =>
          x.range.start.line === d.spf!.range.start.line &&
          /published "v=spf1 ip4:203\.0\.113\.0\/28 -all"/.test(x.message),
      ),
    );
    assert.ok(
      list.some(
        (x) => x.range.start.line === d.dmarc!.range.start.line && /published "v=DMARC1; p=reject"/.test(x.message),
      ),
    );
    assert.deepEqual(codes(r), ['MT512', 'MT512']);
    // whitespace and case do not count as a difference
    const same = domain('spfdiff.test', { spf: 'V=SPF1   ip4:203.0.113.0/28 -all', dmarc: 'v=DMARC1;p=reject;' });
    assert.deepEqual(only(await run(input({ domains: [same] })), 'MT512'), []);
  });

  it('MT513: a live MX target that resolves to a private address', async () => {
    const d = domain('privmx.test', {
      mx: [[10, 'mail.privmx.test']],
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
    });
    const r = await run(input({ domains: [d] }));
    const e = one(r, 'MT513');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, d.mx[0].range);
    assert.match(e.message, /10\.1\.2\.3/);
    assert.deepEqual(codes(r), ['MT513']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT513'), []);
  });

  it('MT514: null MX vs declared targets, both ways; replaces MT502', async () => {
    const a = domain('nullmx.test', {
      mx: [[10, 'mail.nullmx.test']],
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
    });
    const b = domain('declnull.test', { mxNone: true, spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' });
    const r = await run(input({ domains: [a, b] }));
    const list = only(r, 'MT514');
    assert.equal(list.length, 2);
    for (const x of list) assert.equal(x.severity, 'warning');
    assert.ok(
      list.some((x) => x.range.start.line === a.mx[0].range.start.line && /publishes a null MX/.test(x.message)),
    );
    assert.ok(
      list.some(
        (x) =>
          x.range.start.line === b.mxNoneRange!.start.line &&
          /mx none is declared, but declnull\.test publishes MX targets: 10 mail\.declnull\.test/.test(x.message),
      ),
    );
    assert.ok(!codes(r).includes('MT502'));
    const twin = await run(
      input({ domains: [domain('realnull.test', { mxNone: true, spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' })] }),
    );
    assert.deepEqual(twin.diagnostics, []);
  });

  it('MT515: mta-sts / tls-rpt declared without their records', async () => {
    const d = domain('sts.test', {
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
      mtaSts: 'enforce',
      tlsRpt: 'mailto:tls@sts.test',
    });
    const r = await run(input({ domains: [d] }));
    const list = only(r, 'MT515');
    assert.equal(list.length, 2);
    const sts = list.find((x) => x.range.start.line === d.mtaSts!.range.start.line)!;
    assert.equal(sts.severity, 'warning');
    assert.match(sts.message, /_mta-sts\.sts\.test has no v=STSv1 TXT record.*found "v=STSv2; id=1"/);
    const rpt = list.find((x) => x.range.start.line === d.tlsRpt!.range.start.line)!;
    assert.match(rpt.message, /_smtp\._tls\.sts\.test has no v=TLSRPTv1/);
    assert.deepEqual(codes(r), ['MT515', 'MT515']);
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT515'), []);
    // not declared: not even asked
    s.resetLog();
    await run(input({ domains: [domain('sts.test', { spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' })] }));
    assert.equal(s.count('_mta-sts.sts.test'), 0);
  });

  it('MT590: SERVFAIL and timeouts are information naming the query and the resolver, never an error', async () => {
    s.setFault({ kind: 'rcode', rcode: 'SERVFAIL' }, { name: 'flaky.test', type: 'MX' });
    s.setFault({ kind: 'drop' }, { name: '_dmarc.flaky.test' });
    const d = domain('flaky.test', { mx: [[10, 'mx1.good.test']], spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' });
    const r = await run(input({ domains: [d] }), { timeoutMs: 300 });
    const list = only(r, 'MT590');
    assert.equal(list.length, 2, JSON.stringify(r.diagnostics));
    for (const x of list) assert.equal(x.severity, 'information');
    const sf = list.find((x) => /SERVFAIL/.test(x.message))!;
    assert.ok(sf.message.includes(`MX flaky.test via ${s.address}`), sf.message);
    assert.deepEqual(sf.range, d.mx[0].range);
    assert.deepEqual(sf.data?.query, { name: 'flaky.test', type: 'MX' });
    const to = list.find((x) => /timeout/.test(x.message))!;
    assert.ok(to.message.includes(`TXT _dmarc.flaky.test via ${s.address}`), to.message);
    assert.deepEqual(to.range, d.dmarc!.range);
    assert.deepEqual(codes(r), ['MT590', 'MT590']);
    assert.ok(r.diagnostics.every((x) => x.severity !== 'error'));
    assert.deepEqual(only(await run(input({ domains: [goodDomain()] })), 'MT590'), []);
  });

  it('MT590 when the resolver is unreachable: information only, on the statements', async () => {
    const u = await import('node:dgram').then((d) => d.createSocket('udp4'));
    await new Promise<void>((res) => u.bind(0, '127.0.0.1', () => res()));
    const port = u.address().port;
    await new Promise<void>((res) => u.close(() => res()));
    const d = goodDomain();
    const r = await runLiveChecks(input({ domains: [d], hosts: [host('mx1.good.test', ['203.0.113.11'])] }), {
      resolvers: [`127.0.0.1:${port}`],
      timeoutMs: 500,
    });
    assert.ok(r.diagnostics.length > 0);
    for (const x of r.diagnostics) {
      assert.equal(x.code, 'MT590');
      assert.equal(x.severity, 'information');
      // the kernel rate-limits ICMP port-unreachable: some queries just time out
      assert.match(x.message, new RegExp(`via 127\\.0\\.0\\.1:${port}: (.*ECONNREFUSED|timeout)`));
    }
    assert.ok(r.diagnostics.some((x) => /ECONNREFUSED/.test(x.message)));
    assert.ok(r.diagnostics.some((x) => x.range.start.line === d.spf!.range.start.line));
    assert.ok(r.ms < 1500, `${r.ms} ms`);
  });

  it('asks only for names the topology contains (and names derived from them)', async () => {
    const inp = input({
      domains: [goodDomain(), domain('mxdiff.test', { mx: [[10, 'mx1.mxdiff.test']] })],
      hosts: [host('mx1.good.test', ['203.0.113.11']), host('ex1.corp.good.test', ['10.0.1.11'])],
      addresses: [address('203.0.113.11'), address('10.0.1.11'), address('172.16.5.5'), address('100.64.1.1')],
      dnsblZones: [{ zone: 'bl.test' }],
    });
    await run(inp);
    const allowed = (n: string) =>
      [
        'good.test',
        'mxdiff.test',
        'mx1.good.test',
        'mx2.good.test',
        'ex1.corp.good.test',
        'mx1.mxdiff.test',
        'out.good.test',
      ].includes(n) ||
      /^_(dmarc|mta-sts|spf)\.good\.test$/.test(n) ||
      n === '_smtp._tls.good.test' ||
      n === '_dmarc.mxdiff.test' ||
      n === '11.113.0.203.in-addr.arpa' ||
      n.endsWith('.bl.test');
    const bad = s.log.map((q) => q.name).filter((n) => !allowed(n));
    assert.deepEqual(bad, []);
    for (const priv of ['10.0.1.11', '172.16.5.5', '100.64.1.1']) {
      assert.ok(isPrivateAddress(priv));
      assert.equal(s.log.filter((q) => q.name.includes(priv.split('.').reverse().join('.'))).length, 0);
    }
  });

  it('never asks one (name, type) twice in a run; a shared resolver carries its cache over', async () => {
    const inp = input({
      domains: [goodDomain()],
      hosts: [host('mx1.good.test', ['203.0.113.11'])],
      addresses: [address('203.0.113.11')],
      dnsblZones: [{ zone: 'bl.test' }],
    });
    const first = await runLiveChecks(inp, { resolvers: [], timeoutMs: 600, resolver });
    const keys = s.log.map((q) => `${q.name} ${q.type}`);
    assert.equal(new Set(keys).size, keys.length, 'a repeated query');
    assert.equal(first.queries, keys.length);
    s.resetLog();
    const second = await runLiveChecks(inp, { resolvers: [], timeoutMs: 600, resolver });
    assert.equal(second.queries, 0);
    assert.equal(s.queries, 0);
    assert.deepEqual(second.diagnostics, first.diagnostics);
  });

  it('runs lookups in parallel: a medium topology with 50 ms answers finishes in well under 400 ms', async () => {
    s.setDelay(50);
    const inp = input({
      domains: [
        goodDomain(),
        domain('mxdiff.test', {
          mx: [
            [10, 'mx1.mxdiff.test'],
            [20, 'mx2.mxdiff.test'],
          ],
          spf: 'v=spf1 -all',
          dmarc: 'v=DMARC1; p=reject',
          outbound: ['203.0.113.21'],
        }),
        domain('toomany.test', { spf: 'x', dmarc: 'v=DMARC1; p=reject', outbound: ['203.0.113.77'] }),
      ],
      hosts: [
        host('mx1.good.test', ['203.0.113.11']),
        host('mx2.good.test', ['203.0.113.12', '2001:db8::12']),
        host('out.good.test', ['203.0.113.25']),
        host('mx1.mxdiff.test', ['203.0.113.21']),
        host('mx2.mxdiff.test', ['203.0.113.22']),
        host('ex1.corp.good.test', ['10.0.1.11']),
      ],
      addresses: [
        '203.0.113.11',
        '203.0.113.12',
        '2001:db8::12',
        '203.0.113.25',
        '203.0.113.21',
        '203.0.113.22',
        '203.0.113.66',
        '10.0.1.11',
      ].map((a) => address(a)),
      dnsblZones: [{ zone: 'bl.test' }, { zone: 'ratelimit.test' }],
    });
    const t0 = Date.now();
    const r = await run(inp, { timeoutMs: 2000 });
    const ms = Date.now() - t0;
    assert.ok(ms < 400, `took ${ms} ms for ${r.queries} queries`);
    assert.ok(r.queries > 50, `${r.queries} queries`);
  });

  it('stops on abort', async () => {
    s.setDelay(200);
    const ac = new AbortController();
    const p = run(input({ domains: [goodDomain()] }), { signal: ac.signal, timeoutMs: 2000 });
    setTimeout(() => ac.abort(), 30);
    const t0 = Date.now();
    await assert.rejects(p, { name: 'AbortError' });
    assert.ok(Date.now() - t0 < 150);
  });
});
