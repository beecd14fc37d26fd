// The RFC 7208 test suite (openspf 2014.04, as shipped by pyspf: 16 scenarios,
// 203 tests) run through check_host() with the project's own resolver against a
// loopback DNS server serving each scenario's zone data. Results are compared
// (a list means any of them) and so are explanations ("DEFAULT": no exp= text).
import * as assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../support/dnsServer';
import { loadSuite, type SuiteScenario, type SuiteTest } from '../../support/spfSuite';
import { Resolver } from '../../../server/src/core/dns/resolver';
import { spfCheckHost, type SpfCheckResult } from '../../../server/src/core/dns/spf';

/** The identity the suite checks: MAIL FROM, or postmaster@HELO when it is empty (§2.3, §2.4). */
function identity(t: SuiteTest): { domain: string; sender: string } {
  const sender = t.mailfrom === '' ? `postmaster@${t.helo}` : t.mailfrom;
  return { domain: sender.slice(sender.lastIndexOf('@') + 1), sender };
}

function verdict(t: SuiteTest, r: SpfCheckResult): string | undefined {
  if (!t.result.includes(r.result))
    return `${t.name} (${t.spec}): got ${r.result}${r.reason ? ` (${r.reason})` : ''}, want ${t.result.join(' or ')}`;
  if (t.explanation === undefined || r.result !== 'fail') return undefined;
  const want = t.explanation === 'DEFAULT' ? undefined : t.explanation;
  if (r.explanation !== want)
    return `${t.name} (${t.spec}): explanation ${JSON.stringify(r.explanation)}, want ${JSON.stringify(want)}`;
  return undefined;
}

async function runScenario(s: SuiteScenario): Promise<{ passed: number; failures: string[] }> {
  const server: DnsServer = await startDnsServer({ zones: [{ origin: '', records: s.records }], log: false });
  for (const t of s.timeouts) server.setFault({ kind: 'drop' }, t);
  // the TIMEOUT names never answer: 1 s each, overlapping within a scenario
  const resolver = new Resolver({ servers: [server.address], timeoutMs: 1000, attempts: 1 });
  const failures: string[] = [];
  try {
    const results = await Promise.all(
      s.tests.map((t) => spfCheckHost({ ip: t.host, helo: t.helo, ...identity(t) }, resolver)),
    );
    s.tests.forEach((t, i) => {
      const bad = verdict(t, results[i]);
      if (bad) failures.push(bad);
    });
  } finally {
    resolver.close();
    await server.stop();
  }
  return { passed: s.tests.length - failures.length, failures };
}

describe('dns/spf: the RFC 7208 test suite over a loopback DNS server', function () {
  this.timeout(60000);
  it('passes every test, explanations included', async () => {
    const scenarios = loadSuite();
    const total = scenarios.reduce((n, s) => n + s.tests.length, 0);
    assert.equal(total, 203, 'the suite has 203 tests');
    // one scenario at a time (each its own zone); the tests of a scenario run at once
    const runs: Array<{ passed: number; failures: string[] }> = [];
    for (const s of scenarios) runs.push(await runScenario(s));
    const passed = runs.reduce((n, r) => n + r.passed, 0);
    const failures = runs.flatMap((r) => r.failures);
    console.log(`      ${passed} passed${failures.length ? `, ${failures.length} failed` : ''}`);
    assert.deepEqual(failures, []);
  });
});
