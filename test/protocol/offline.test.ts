// Live checks against a resolver that does not answer (issue 16): one MT590
// per resolver on the first declaration line, the status bar offline, and
// the checks paused instead of re-sending every query on every edit: CPU per
// edit within 1.5x of live checks off, nothing on stderr (no
// MaxListenersExceededWarning), and after the pause one probe finds the
// resolver back and the full checks run again.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startDnsServer, zoneFilesIn, type DnsServer } from '../support/dnsServer';
import { startSession, fileUri, ROOT, type Session } from './harness';

const GATEWAYS = 150;

/** Many public addresses and hostnames, two DNSBLs: hundreds of lookups per run. */
function topology(): string {
  const out = [
    '# a comment before the first declaration',
    '',
    'options {',
    '  dnsbl zen.spamhaus.org, bl.spamcop.net',
    '}',
    '',
    'domain good.test {',
    '  mx 10 gw0',
    '}',
    '',
  ];
  for (let i = 0; i < GATEWAYS; i++)
    out.push(
      `gateway gw${i} {`,
      '  role edge',
      `  hostname gw${i}.good.test`,
      `  address 203.0.113.${i % 250}, 198.51.100.${i % 250}`,
      '  accept good.test',
      '  route * via=direct',
      '}',
      '',
    );
  return out.join('\n');
}

/** A loopback UDP port where nothing listens (bound, then closed). */
async function deadPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function cpuMs(pid: number | undefined): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

const mt590 = (p: PublishDiagnosticsParams) => p.diagnostics.filter((d) => d.code === 'MT590');

describe('protocol: live checks with a resolver that does not answer', function () {
  this.timeout(120000);
  const uri = fileUri(path.resolve('/tmp/mailtopo-offline/topology.mailtopo'));
  const text = topology();
  const hostLine = text.split('\n').findIndex((l) => l === '  hostname gw75.good.test');
  const at = '  hostname gw75'.length;
  let sessions: Session[] = [];
  afterEach(async () => {
    await Promise.all(sessions.map((s) => s.stop()));
    sessions = [];
  });

  const start = async (live: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const settings = { liveChecks: live };
    const s = await startSession({
      settings,
      initializationOptions: { settings, livePauseMs: 200, ...extra },
    });
    sessions.push(s);
    return s;
  };

  /** Type a suffix into one hostname and delete it again, `n` times; each edit waits for its publish. */
  const typeAndDelete = async (s: Session, n: number, from: number): Promise<PublishDiagnosticsParams[]> => {
    const got: PublishDiagnosticsParams[] = [];
    for (let i = 0; i < n; i++) {
      const v = from + i;
      const since = s.published.length;
      const range =
        i % 2 === 0
          ? { start: { line: hostLine, character: at }, end: { line: hostLine, character: at } }
          : { start: { line: hostLine, character: at }, end: { line: hostLine, character: at + 2 } };
      s.change(uri, v, [{ range, text: i % 2 === 0 ? '-x' : '' }]);
      got.push(await s.diagnostics(uri, (p) => p.version === v, 20000, since));
    }
    return got;
  };

  it('unreachable resolver: one MT590 on the first declaration line, offline status, no re-run per edit, CPU like live off', async () => {
    const resolver = `127.0.0.1:${await deadPort()}`;
    const s = await start({ enabled: true, resolvers: [resolver], timeoutMs: 1000 });
    s.open(uri, text, 1);
    const first = await s.diagnostics(uri, (p) => mt590(p).length > 0, 30000);
    const notices = mt590(first);
    assert.equal(notices.length, 1, notices.map((d) => d.message).join('\n'));
    assert.equal(notices[0].message, `resolver ${resolver} did not answer; live checks paused, retrying in 60 s`);
    assert.equal(notices[0].severity, 3, 'information');
    assert.equal(notices[0].range.start.line, 2, 'the first declaration line (options)');
    assert.deepEqual(
      first.diagnostics.filter((d) => /^MT5/.test(String(d.code))).map((d) => d.code),
      ['MT590'],
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.statuses[s.statuses.length - 1].state, 'offline');

    const runs0 = (await s.conn.sendRequest<{ liveRuns: number }>('mailtopo/test/stats')).liveRuns;
    const cpu0 = cpuMs(s.proc.pid);
    const after = await typeAndDelete(s, 40, 2);
    const offlineCpu = (cpuMs(s.proc.pid) - cpu0) / 40;
    await new Promise((r) => setTimeout(r, 600)); // past the live pause: no run may start
    for (const p of after) assert.equal(mt590(p).length, 1, `version ${p.version}: the notice stays, once`);
    const runs1 = (await s.conn.sendRequest<{ liveRuns: number }>('mailtopo/test/stats')).liveRuns;
    assert.equal(runs1, runs0, 'paused: no live run per edit');
    assert.equal(s.statuses[s.statuses.length - 1].state, 'offline');
    assert.equal(s.stderr(), '', 'nothing on stderr');
    assert.deepEqual(
      s.logs.filter((l) => /Warning/.test(l)),
      [],
      'no MaxListenersExceededWarning (the server console goes to window/logMessage)',
    );

    // the same edits with live checks off
    const off = await start({ enabled: false });
    off.open(uri, text, 1);
    await off.diagnostics(uri, (p) => p.version === 1, 30000);
    const c0 = cpuMs(off.proc.pid);
    await typeAndDelete(off, 40, 2);
    const offCpu = (cpuMs(off.proc.pid) - c0) / 40;
    assert.ok(
      offlineCpu <= 1.5 * offCpu,
      `CPU per edit ${offlineCpu.toFixed(1)} ms offline vs ${offCpu.toFixed(1)} ms with live checks off`,
    );
  });

  it('after the pause one probe query finds the resolver back and the checks run again', async () => {
    const dns: DnsServer = await startDnsServer({
      zoneFiles: zoneFilesIn(path.join(ROOT, 'test', 'fixtures', 'zones')),
    });
    try {
      dns.setFault({ kind: 'drop' });
      const s = await start({ enabled: true, resolvers: [dns.address], timeoutMs: 300 }, { liveRetryMs: 1500 });
      s.open(uri, text, 1);
      const first = await s.diagnostics(uri, (p) => mt590(p).length > 0, 30000);
      assert.deepEqual(
        mt590(first).map((d) => d.message),
        [`resolver ${dns.address} did not answer; live checks paused, retrying in 2 s`],
      );
      const q0 = dns.queries;
      await new Promise((r) => setTimeout(r, 1700));
      const probes = dns.queries - q0;
      assert.ok(
        probes >= 1 && probes <= 2,
        `one probe lookup (two attempts) after the pause, not a full run: ${probes}`,
      );
      dns.clearFaults();
      const since = s.published.length;
      const back = await s.diagnostics(
        uri,
        (p) =>
          !p.diagnostics.some((d) => d.message.includes('live checks paused')) &&
          p.diagnostics.some((d) => /^MT5/.test(String(d.code)) && d.code !== 'MT590'),
        10000,
        since,
      );
      assert.ok(back.diagnostics.length > 0);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(s.statuses[s.statuses.length - 1].state, 'done');
      assert.equal(s.stderr(), '');
    } finally {
      await dns.stop();
    }
  });
});
