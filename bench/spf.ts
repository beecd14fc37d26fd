// SPF bench, loopback only: check_host() for a record with 10 nested includes
// (example: root -> n1 -> ... -> n10, each with one ip4 before its include),
// served by the in-test DNS server with 0 ms and 50 ms per answer, a fresh
// resolver (empty cache) per run. Before = the evaluation path before issue 15
// (bench/spfBefore.ts: fetch the whole tree, then evaluate); after = check_host()
// as it is now (lazy: stop at the deciding term). Wall time (median) and the
// queries the server received, for clients decided at the root, half-way down,
// at the bottom, and nowhere (fail).
// Run: `node --import tsx bench/spf.ts` (from the repository root), or `npm run bench`.
import { Resolver } from '../server/src/core/dns/resolver';
import { spfCheckHost } from '../server/src/core/dns/spf';
import { startDnsServer, type DnsServer } from '../test/support/dnsServer';
import { checkHostBefore } from './spfBefore';

const DEPTH = 10;
const DOMAIN = 'bench.test';

function zone(): string {
  const lines = [`$ORIGIN ${DOMAIN}.`, '$TTL 300', `@ TXT "v=spf1 ip4:192.0.2.0/24 include:n1.${DOMAIN} -all"`];
  for (let k = 1; k < DEPTH; k++) lines.push(`n${k} TXT "v=spf1 ip4:198.51.100.${k} include:n${k + 1}.${DOMAIN} -all"`);
  lines.push(`n${DEPTH} TXT "v=spf1 ip4:203.0.113.0/24 -all"`);
  return lines.join('\n') + '\n';
}

const CLIENTS: Array<[string, string]> = [
  ['192.0.2.1', 'root ip4'],
  ['198.51.100.5', 'n5 ip4'],
  ['203.0.113.9', 'n10 ip4'],
  ['233.252.0.1', 'fail: -all'],
];

type Run = (ip: string, dns: Resolver) => Promise<string>;

const before: Run = async (ip, dns) => (await checkHostBefore(ip, DOMAIN, dns)).result;
const after: Run = async (ip, dns) => (await spfCheckHost({ ip, domain: DOMAIN }, dns)).result;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median wall time and the queries of one run (the same every run), with the result. */
async function measure(server: DnsServer, run: Run, ip: string, rounds: number) {
  const times: number[] = [];
  let queries = 0;
  let result = '';
  for (let i = 0; i < rounds; i++) {
    const dns = new Resolver({ servers: [server.address], timeoutMs: 2000, attempts: 1 });
    const q0 = server.queries;
    const t0 = performance.now();
    result = await run(ip, dns);
    times.push(performance.now() - t0);
    queries = server.queries - q0;
    dns.close();
  }
  return { ms: median(times), queries, result };
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

export async function benchSpf(): Promise<string[]> {
  const server = await startDnsServer({ zoneTexts: [zone()], log: false });
  const out = [
    `spf: check_host() of a record with ${DEPTH} nested includes, loopback test DNS server, fresh resolver per run (median)`,
    `  ${pad('delay', 7)}${pad('client (decided by)', 30)}${pad('before', 22)}${pad('after', 22)}result`,
  ];
  try {
    for (const delay of [0, 50]) {
      server.setDelay(delay);
      const rounds = delay ? 3 : 25;
      for (const [ip, where] of CLIENTS) {
        const b = await measure(server, before, ip, rounds);
        const a = await measure(server, after, ip, rounds);
        if (a.result !== b.result) throw new Error(`${ip}: before ${b.result}, after ${a.result}`);
        out.push(
          `  ${pad(`${delay} ms`, 7)}${pad(`${ip} (${where})`, 30)}${pad(`${ms(b.ms)}, ${b.queries} q`, 22)}${pad(`${ms(a.ms)}, ${a.queries} q`, 22)}${a.result}`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  return out;
}

if (/bench[\\/]spf\.ts$/.test(process.argv[1] ?? '')) {
  void benchSpf().then((lines) => console.log(lines.join('\n')));
}
