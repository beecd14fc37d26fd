// DNS bench, loopback only.
// 1. 5,000 A queries at concurrency 50 against the test DNS server (in a child
//    process, so it does not share an event loop with the clients), through
//    mailtopo's resolver and through node:dns Resolver (c-ares) pointed at the
//    same server, in the same run: both rates and the ratio (target >= 0.8x).
// 2. The live checks of a medium topology (3 domains, 7 hosts, 2 DNSBLs) with
//    the server delaying every answer by 50 ms: queries sent and wall time
//    (target: within 400 ms).
// 3. The full CLI path, `mailtopo check --live samples/companyabc.mailtopo`
//    through main() (read, parse, analyse, live checks, output), with the
//    server delaying every answer by 50 ms: queries sent and wall time (target:
//    within 400 ms); and the same as a process (bin/mailtopo.cjs, node start-up
//    and bundle load included), for reference.
// Run: `node --import tsx bench/dns.ts` (from the repository root).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Resolver as NodeResolver } from 'node:dns/promises';
import { Resolver } from '../server/src/core/dns/resolver';
import { runLiveChecks } from '../server/src/core/dns/live';
import type { LiveInput, LiveDomain, LiveHost, LiveAddress } from '../server/src/core/dns/liveInput';
import type { Range } from '../server/src/core/diagnostic';
import { startDnsServer, zoneFilesIn } from '../test/support/dnsServer';

const ROOT = process.cwd();
const ZONES = path.join(ROOT, 'test/fixtures/zones');
const N = 5000;
const CONCURRENCY = 50;
const ROUNDS = 5;

async function startServerProcess(extra: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/support/dnsServer.ts'), '--no-log', ...extra, ZONES],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /\{"port":(\d+)\}/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`test DNS server exited (${code})`)));
    setTimeout(() => reject(new Error('test DNS server did not start')), 15000);
  });
  return { port, child };
}

/** Run `n` jobs, `concurrency` at a time: queries per second, CPU time per query (µs), failures. */
async function pool(
  n: number,
  concurrency: number,
  job: (i: number) => Promise<boolean>,
): Promise<{ qps: number; cpuUs: number; failed: number; ms: number }> {
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        if (!(await job(i))) failed++;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { qps: n / (ms / 1000), cpuUs: (cpu.user + cpu.system) / n, failed, ms };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

let lineNo = 0;
const R = (): Range => {
  const l = lineNo++;
  return { start: { line: l, character: 2 }, end: { line: l, character: 40 } };
};

/** A LiveInput shaped like samples/companyabc.mailtopo grown to three domains. */
export function mediumTopology(): LiveInput {
  const file = 'samples/companyabc.mailtopo';
  const outbound = ['198.51.100.11', '198.51.100.12', '198.51.100.13'].map((address, i) => ({
    address,
    nodeName: `edge${i + 1}`,
  }));
  const mx = (preference: number, host: string) => ({
    preference,
    targetHostname: host,
    targetIsIp: false,
    file,
    range: R(),
    targetDeclFile: file,
    targetDeclRange: R(),
  });
  const domains: LiveDomain[] = [
    {
      name: 'companyabc.com',
      file,
      nameRange: R(),
      mxNone: false,
      mx: [mx(10, 'mail.companyabc.com')],
      spf: { text: 'v=spf1 ip4:198.51.100.0/28 -all', range: R() },
      dmarc: { text: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@companyabc.com', range: R() },
      mtaSts: { mode: 'testing', range: R() },
      tlsRpt: { uri: 'mailto:tls-reports@companyabc.com', range: R() },
      outboundAddresses: outbound,
    },
    {
      name: 'companyabc.net',
      file,
      nameRange: R(),
      mxNone: false,
      mx: [mx(10, 'mail.companyabc.com')],
      spf: { text: 'v=spf1 include:companyabc.com -all', range: R() },
      dmarc: { text: 'v=DMARC1; p=reject; rua=mailto:dmarc@companyabc.com', range: R() },
      outboundAddresses: outbound,
    },
    {
      name: 'abc-labs.com',
      file,
      nameRange: R(),
      mxNone: false,
      mx: [mx(10, 'mail.companyabc.com'), mx(20, 'backup-mx.abc-labs.com')],
      spf: { text: 'v=spf1 include:companyabc.net include:_spf.abc-labs.com -all', range: R() },
      dmarc: { text: 'v=DMARC1; p=quarantine', range: R() },
      outboundAddresses: outbound,
    },
  ];
  const hostsSpec: Array<[string, string, string]> = [
    ['edge-nlb', 'mail.companyabc.com', '198.51.100.10'],
    ['edge1', 'edge1.companyabc.com', '198.51.100.11'],
    ['edge2', 'edge2.companyabc.com', '198.51.100.12'],
    ['edge3', 'edge3.companyabc.com', '198.51.100.13'],
    ['ex1', 'ex1.corp.companyabc.com', '10.0.1.11'],
    ['ex2', 'ex2.corp.companyabc.com', '10.0.1.12'],
    ['partner-mx', 'backup-mx.abc-labs.com', '203.0.113.80'],
  ];
  const hosts: LiveHost[] = [];
  const addresses: LiveAddress[] = [];
  for (const [nodeName, hostname, address] of hostsSpec) {
    const range = R();
    const addressRange = R();
    hosts.push({ hostname, file, range, declaredAddresses: [address], addressRange, nodeName });
    addresses.push({ address, file, range: addressRange, nodeName, hostname });
  }
  const zr = R();
  return {
    file,
    domains,
    hosts,
    addresses,
    dnsblZones: [
      { zone: 'zen.spamhaus.org', file, range: zr },
      { zone: 'bl.spamcop.net', file, range: zr },
    ],
  };
}

export async function benchDns(): Promise<string[]> {
  const lines: string[] = ['## DNS: mailtopo resolver vs node:dns (c-ares), loopback test server'];
  const { port, child } = await startServerProcess();
  const server = `127.0.0.1:${port}`;
  try {
    const ours = new Resolver({ servers: [server], cache: false, timeoutMs: 2000, maxInFlight: 64 });
    const theirs = new NodeResolver({ timeout: 2000, tries: 2 });
    theirs.setServers([server]);
    let round = 0;
    const runOurs = async () => {
      const tag = `m${round++}`;
      return pool(N, CONCURRENCY, async (i) => (await ours.resolve(`${tag}-${i}.wild.test`, 'A')).status === 'ok');
    };
    const runNode = async () => {
      const tag = `n${round++}`;
      return pool(N, CONCURRENCY, async (i) => {
        try {
          return (await theirs.resolve4(`${tag}-${i}.wild.test`)).length === 1;
        } catch {
          return false;
        }
      });
    };
    // Warm up both (JIT, sockets), then alternate rounds: the machine's load
    // moves between rounds, so each round's pair is compared, and the median
    // of the pairs is the ratio.
    await pool(N, CONCURRENCY, async (i) => (await ours.resolve(`w${i}.wild.test`, 'A')).status === 'ok');
    await pool(N, CONCURRENCY, async (i) => {
      try {
        await theirs.resolve4(`v${i}.wild.test`);
        return true;
      } catch {
        return false;
      }
    });
    const rounds: Array<{ a: Awaited<ReturnType<typeof pool>>; b: Awaited<ReturnType<typeof pool>> }> = [];
    let failed = 0;
    for (let k = 0; k < ROUNDS; k++) {
      const a = await runOurs();
      const b = await runNode();
      rounds.push({ a, b });
      failed += a.failed + b.failed;
    }
    const qa = median(rounds.map((r) => r.a.qps));
    const qb = median(rounds.map((r) => r.b.qps));
    const ratio = median(rounds.map((r) => r.a.qps / r.b.qps));
    const ca = median(rounds.map((r) => r.a.cpuUs));
    const cb = median(rounds.map((r) => r.b.cpuUs));
    const socketsPer = ours.stats.udp / Math.max(1, ours.stats.socketsOpened);
    lines.push(`${N} A queries, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds after a warm-up (medians)`);
    lines.push(
      `  mailtopo resolver: ${qa.toFixed(0).padStart(6)} queries/s, ${ca.toFixed(1)} ` +
        `µs CPU/query  (${ours.stats.socketsOpened} UDP sockets, ~${socketsPer.toFixed(0)} ` +
        'queries each, random ID per query)',
    );
    lines.push(`  node:dns Resolver: ${qb.toFixed(0).padStart(6)} queries/s, ${cb.toFixed(1)} µs CPU/query`);
    lines.push(
      `  ratio: ${ratio.toFixed(2)}x  (per round: ${rounds.map((r) => (r.a.qps / r.b.qps).toFixed(2)).join(', ')}; ` +
        `target >= 0.8x)${failed ? `  [${failed} failed queries]` : ''}`,
    );
    ours.close();
  } finally {
    child.kill('SIGTERM');
  }

  lines.push('', '## live checks, medium topology (3 domains, 7 hosts, 2 DNSBLs), every answer delayed 50 ms');
  const s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES), delayMs: 50 });
  try {
    const input = mediumTopology();
    const r = await runLiveChecks(input, { resolvers: [s.address], timeoutMs: 3000 });
    lines.push(
      `  ${r.queries} queries sent, ${r.ms} ms wall time (target: within 400 ms), ${r.diagnostics.length} diagnostics`,
    );
    for (const d of r.diagnostics) lines.push(`    ${d.code} ${d.message}`);
  } finally {
    await s.stop();
  }

  lines.push('', '## check --live samples/companyabc.mailtopo through the CLI, every answer delayed 50 ms');
  lines.push(...(await benchCliLive()));
  return lines;
}

/** Run main(argv) in-process; stdout/stderr captured. */
async function runMain(argv: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const { main } = await import('../server/src/cli');
  let out = '',
    err = '';
  const t0 = performance.now();
  const code = await main(argv, {
    stdout: (x) => {
      out += x;
    },
    stderr: (x) => {
      err += x;
    },
  });
  return { code, out, err, ms: performance.now() - t0 };
}

/** The bundled CLI as a child process (async: the in-process test server must keep answering). */
function runProcess(argv: string[]): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/mailtopo.cjs'), ...argv], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, ms: performance.now() - t0 }));
  });
}

export async function benchCliLive(runs = 5): Promise<string[]> {
  const lines: string[] = [];
  const s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES), delayMs: 50 });
  const argv = ['check', '--live', '--resolver', s.address, '--timeout', '3000', 'samples/companyabc.mailtopo'];
  try {
    await runMain(argv); // warm-up: module initialisation, JIT
    const results: Array<{ ms: number; queries: number; code: number; out: string }> = [];
    for (let i = 0; i < runs; i++) {
      s.resetLog();
      const r = await runMain(argv);
      results.push({ ms: r.ms, queries: s.queries, code: r.code, out: r.out });
    }
    const ms = results.map((r) => r.ms);
    const q = results.map((r) => r.queries);
    const last = results[results.length - 1];
    const summary = last.out.trimEnd().split('\n').pop();
    lines.push(
      `  in-process main(): ${median(q)} queries sent, wall time median ${median(ms).toFixed(0)} ` +
        `ms, best ${Math.min(...ms).toFixed(0)} ms over ${runs} runs (target: within ` +
        `400 ms)${median(ms) < 400 ? '' : '  [ABOVE TARGET]'}`,
    );
    lines.push(`    exit ${last.code}: ${summary}`);
    for (const l of last.out.split('\n').filter((x) => / MT5\d\d /.test(x))) lines.push(`    ${l}`);
    if (existsSync(path.join(ROOT, 'dist/cli.cjs'))) {
      const p: number[] = [];
      let pq = 0;
      for (let i = 0; i < 3; i++) {
        s.resetLog();
        const r = await runProcess(argv);
        p.push(r.ms);
        pq = s.queries;
        if (r.code !== 0) {
          lines.push(`    process run failed (exit ${r.code}): ${r.out.trim().split('\n').pop()}`);
          break;
        }
      }
      lines.push(
        `  as a process (node bin/mailtopo.cjs, start-up included): ${pq} queries, ` +
          `median ${median(p).toFixed(0)} ms over ${p.length} runs (for reference)`,
      );
    }
  } finally {
    await s.stop();
  }
  return lines;
}

if (/dns\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  benchDns().then(
    (l) => console.log(l.join('\n')),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
