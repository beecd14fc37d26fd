// `mailtopo spf` end to end through the CLI's main(), against the loopback test
// DNS server (INTERFACES.md: result, deciding term, explanation, the evaluated
// tree with lookups and void lookups; exit 0 whatever the result, 2 on bad usage).
import * as assert from 'node:assert/strict';
import { main } from '../../../server/src/cli';
import { startDnsServer, type DnsServer } from '../../support/dnsServer';

const ZONE = `$ORIGIN example.test.
$TTL 300
@     TXT "v=spf1 ip4:192.0.2.1 include:_spf.example.test -all exp=why.example.test"
_spf  TXT "v=spf1 a:out.example.test a:nx.example.test ~all"
out   A 198.51.100.7
why   TXT "%{i} may not send for %{d}"
`;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

describe('mailtopo spf (CLI) over a loopback DNS server', () => {
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({ zoneTexts: [ZONE] });
  });
  after(async () => {
    await server.stop();
  });
  const spf = (...more: string[]) =>
    run(['spf', 'example.test', '--resolver', server.address, '--timeout', '2000', ...more]);

  it('text: a fail with its deciding term, the exp= explanation and the tree with lookups and void lookups', async () => {
    const r = await spf('--ip', '203.0.113.9', '--sender', 'alice@example.test');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = r.out.split('\n');
    assert.ok(lines.includes('result: fail'));
    assert.ok(lines.includes('mechanism: -all'));
    assert.ok(lines.includes('explanation: 203.0.113.9 may not send for example.test'));
    assert.ok(lines.includes('lookups: 3/10, void lookups: 1/2, DNS queries: 5'), r.out);
    assert.ok(
      lines.some((l) =>
        /^\s+include:_spf\.example\.test {2}\(3 lookups; 1 void; _spf\.example\.test: softfail\)$/.test(l),
      ),
      r.out,
    );
    assert.ok(
      lines.some((l) => /^\s+a:nx\.example\.test {2}\(1 lookup; 1 void; A nx\.example\.test: nxdomain\)$/.test(l)),
    );
  });

  it('json: exactly {result, mechanism, explanation, lookups, voidLookups, tree}; a pass through an include', async () => {
    const r = await spf('--ip', '198.51.100.7', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), ['result', 'mechanism', 'explanation', 'lookups', 'voidLookups', 'tree']);
    assert.equal(j.result, 'pass');
    assert.equal(j.mechanism, 'include:_spf.example.test');
    assert.equal(j.explanation, null);
    assert.equal(j.lookups, 2);
    assert.equal(j.voidLookups, 0);
    const tree = j.tree as {
      domain: string;
      terms: Array<{ term: string; outcome: string; child?: { lookups: number } }>;
    };
    assert.equal(tree.domain, 'example.test');
    assert.deepEqual(
      tree.terms.map((t) => `${t.term} ${t.outcome}`),
      ['ip4:192.0.2.1 no match', 'include:_spf.example.test match', '-all not evaluated'],
    );
    assert.equal(tree.terms[1].child?.lookups, 1, 'a:nx is never reached: lazy evaluation');
  });

  it('an empty --sender checks the HELO identity; an IPv4-mapped --ip is IPv4', async () => {
    const r = await spf('--ip', '::ffff:192.0.2.1', '--sender', '', '--helo', 'mx.example.test', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { result: string; mechanism: string };
    assert.equal(j.result, 'pass');
    assert.equal(j.mechanism, 'ip4:192.0.2.1');
  });

  it('exit 0 for a none/temperror result, exit 2 with a message (no stack trace) on bad usage', async () => {
    const none = await run(['spf', 'nothing.test', '--ip', '192.0.2.1', '--resolver', server.address]);
    assert.equal(none.code, 0, none.err);
    assert.match(none.out, /^result: (none|temperror)$/m);
    for (const argv of [
      ['spf', 'example.test'],
      ['spf', 'example.test', '--ip', 'not-an-ip'],
      ['spf', '--ip', '192.0.2.1'],
      ['spf', 'example.test', '--ip', '192.0.2.1', '--format', 'xml'],
      ['spf', 'example.test', '--ip', '192.0.2.1', '--resolver', 'dns.example'],
      ['spf', 'example.test', '--ip', '192.0.2.1', '--timeout', '0'],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /^mailtopo: .+\nusage: mailtopo spf DOMAIN/);
      assert.doesNotMatch(r.err, /\n\s+at .+:\d+:\d+/);
      assert.equal(r.out, '');
    }
  });
});
