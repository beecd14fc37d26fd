// The editor's live run (dns/runLive.ts, dns/offline.ts): one abort listener
// per run whatever the number of lookups, and a run that got no answer (or
// failed every query the same way) reported as one MT590 per resolver.
import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { checkFiles } from '../../../server/src/core/check';
import { probeLive, runLive } from '../../../server/src/core/dns/runLive';
import { offlineMessage, offlineVerdict, probeQuery } from '../../../server/src/core/dns/offline';
import { liveInputFromModel } from '../../../server/src/core/dns/fromModel';
import { Resolver } from '../../../server/src/core/dns/resolver';
import type { LiveResult } from '../../../server/src/core/dns/live';
import type { MtDiagnostic } from '../../../server/src/core/diagnostic';
import { startDnsServer, type DnsServer } from '../../support/dnsServer';

const ZONE = `$ORIGIN off.test.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 60
@ IN NS ns
@ IN MX 10 gw0
${Array.from({ length: 40 }, (_, i) => `gw${i} IN A 203.0.113.${i + 1}`).join('\n')}
`;

const TOPO = `# the topology
options {
  dnsbl bl.off.test
}

domain off.test {
  mx 10 gw0
}
${Array.from(
  { length: 40 },
  (_, i) => `
gateway gw${i} {
  role edge
  hostname gw${i}.off.test
  address 203.0.113.${i + 1}
  accept off.test
  route * via=direct
}`,
).join('\n')}
`;

const check = () => checkFiles([{ path: 'topo.mailtopo', text: TOPO }], { host: { readFile: () => undefined } });

const mt590 = (status: string, tried: string[]): MtDiagnostic => ({
  code: 'MT590',
  severity: 'information',
  message: 'live check could not finish',
  file: 'f',
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  data: { status, tried },
});
const emptyAnswers = (): LiveResult['answers'] => ({
  hosts: {},
  mx: {},
  ptr: {},
  spf: {},
  dmarc: {},
  mtaSts: {},
  tlsRpt: {},
  dnsbl: {},
});

describe('dns/offline: verdict', () => {
  it('silence (timeouts, refused connections) from every lookup is offline, per resolver', () => {
    const v = offlineVerdict({
      diagnostics: [mt590('timeout', ['127.0.0.1:9', '127.0.0.2:9']), mt590('network', ['127.0.0.1:9'])],
      answers: emptyAnswers(),
      queries: 3,
      ms: 1,
    });
    assert.deepEqual(v?.resolvers, ['127.0.0.1:9', '127.0.0.2:9']);
    assert.equal(
      offlineMessage('127.0.0.1:9', v.status, 60000),
      'resolver 127.0.0.1:9 did not answer; live checks paused, retrying in 60 s',
    );
  });

  it('the same failure everywhere is offline too; mixed failures, other codes or any answer are not', () => {
    const r = (diagnostics: MtDiagnostic[], answers = emptyAnswers()) => ({ diagnostics, answers, queries: 1, ms: 1 });
    const v = offlineVerdict(r([mt590('servfail', ['127.0.0.1:53']), mt590('servfail', ['127.0.0.1:53'])]));
    assert.equal(
      offlineMessage('127.0.0.1:53', v!.status, 60000).split(';')[0],
      'resolver 127.0.0.1:53 answered SERVFAIL to every query',
    );
    assert.equal(offlineVerdict(r([mt590('servfail', ['a']), mt590('timeout', ['a'])])), undefined);
    assert.equal(
      offlineVerdict(r([mt590('timeout', ['a']), { ...mt590('timeout', ['a']), code: 'MT505' }])),
      undefined,
    );
    const some = emptyAnswers();
    some.mx['x.test'] = { domain: 'x.test', status: 'nxdomain', records: [], nullMx: false };
    assert.equal(offlineVerdict(r([mt590('timeout', ['a'])], some)), undefined);
    assert.equal(offlineVerdict(r([])), undefined);
  });

  it('the probe asks the first name of the topology the run would ask', () => {
    const c = check();
    assert.deepEqual(probeQuery(liveInputFromModel(c.model, 'topo.mailtopo')), { name: 'off.test', type: 'MX' });
  });
});

describe('dns/runLive: one run, one abort listener; offline runs told once', function () {
  this.timeout(20000);
  let dns: DnsServer;
  before(async () => {
    dns = await startDnsServer({ zoneTexts: [ZONE] });
  });
  after(async () => {
    await dns.stop();
  });
  afterEach(() => dns.clearFaults());

  it('never more than one listener on the run signal, none after the run, no process warning', async () => {
    dns.setDelay(30);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const resolver = new Resolver({ servers: [dns.address], timeoutMs: 1000, attempts: 2 });
    try {
      const ctrl = new AbortController();
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, getEventListeners(ctrl.signal, 'abort').length)), 1);
      const r = await runLive(check(), { resolvers: [], timeoutMs: 2000, signal: ctrl.signal, resolver });
      clearInterval(watch);
      assert.ok(r.queries > 40, `${r.queries} queries`);
      assert.ok(most <= 1, `${most} listeners at once`);
      assert.equal(getEventListeners(ctrl.signal, 'abort').length, 0);
      await new Promise((res) => setImmediate(res));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      dns.setDelay(0);
      resolver.close();
    }
  });

  it('an abort ends the run at once (AbortError), its lookups settled', async () => {
    dns.setFault({ kind: 'drop' });
    const resolver = new Resolver({ servers: [dns.address], timeoutMs: 5000, attempts: 2 });
    try {
      const ctrl = new AbortController();
      const t0 = Date.now();
      const p = runLive(check(), { resolvers: [], timeoutMs: 10000, signal: ctrl.signal, resolver });
      setTimeout(() => ctrl.abort(), 100);
      await assert.rejects(p, { name: 'AbortError' });
      assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
      assert.equal(getEventListeners(ctrl.signal, 'abort').length, 0);
    } finally {
      resolver.close();
    }
  });

  it('a resolver that drops everything: one MT590 per resolver on the first declaration line; the probe says offline', async () => {
    dns.setFault({ kind: 'drop' });
    const resolver = new Resolver({ servers: [dns.address], timeoutMs: 150, attempts: 2 });
    try {
      const c = check();
      const r = await runLive(c, {
        resolvers: [],
        timeoutMs: 300,
        signal: new AbortController().signal,
        resolver,
        offlineRetryMs: 60000,
      });
      assert.equal(r.offline?.status, 'timeout');
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.message, d.range.start.line, d.range.end.character]),
        [
          [
            'MT590',
            `resolver ${dns.address} did not answer; live checks paused, retrying in 60 s`,
            1,
            'options {'.length,
          ],
        ],
      );
      assert.equal(await probeLive(c, resolver), false);
      dns.clearFaults();
      assert.equal(await probeLive(c, resolver), true);
      // without offlineRetryMs (the CLI), every lookup keeps its own notice
      dns.setFault({ kind: 'drop' });
      resolver.clearCache();
      const cli = await runLive(c, { resolvers: [], timeoutMs: 300, resolver });
      assert.ok(cli.diagnostics.length > 10 && cli.offline === undefined);
    } finally {
      resolver.close();
    }
  });
});
