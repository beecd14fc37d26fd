// Helper of test/integration/run-bind-live.sh: the assertions of `mailtopo
// check --live` against a real BIND 9 on loopback. It runs the bundled CLI
// (node bin/mailtopo.cjs) as a user would and prints `PASS name` or
// `FAIL name -- why` per check; the shell script counts them.
//
//   node --import tsx test/integration/bind-live.ts free-port
//   node --import tsx test/integration/bind-live.ts wait PORT NAME TYPE
//   node --import tsx test/integration/bind-live.ts fixtures PORT NAMED_LOG
//   node --import tsx test/integration/bind-live.ts roundtrip PORT GEN_DIR NAMED_LOG SAMPLE...
//
// Every query goes to 127.0.0.1:PORT (the BIND the script started); nothing else.
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Resolver, type RRType } from '../../server/src/core/dns/resolver';
import {
  ELSEWHERE,
  FAULTY,
  FIXTURES,
  compareLive,
  jsonDiagnostics,
  textDiagnostics,
  type SeenDiagnostic,
} from '../fixtures/live/expectations';

const ROOT = path.resolve(import.meta.dirname, '../..');
let failures = 0;

function pass(name: string): void {
  console.log(`PASS ${name}`);
}
function fail(name: string, why: string): void {
  failures++;
  console.log(`FAIL ${name} -- ${why.replace(/\n/g, ' | ').slice(0, 1500)}`);
}
function check(name: string, ok: boolean, why = ''): void {
  if (ok) pass(name);
  else fail(name, why);
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** The bundled CLI, as a process, from the repository root. */
function cli(...argv: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/mailtopo.cjs'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60000,
  });
  return {
    code: r.status,
    out: r.stdout ?? '',
    err: (r.stderr ?? '') + (r.error ? String(r.error) : ''),
    ms: performance.now() - t0,
  };
}

const rel = (f: string) => path.relative(ROOT, f);
const show = (list: SeenDiagnostic[]) =>
  list.map((d) => `${d.line + 1}:${d.character + 1} ${d.severity} ${d.code} ${d.message}`).join('\n');
const live5 = (list: SeenDiagnostic[]) => list.filter((d) => /^MT5\d\d$/.test(d.code));

function parseJson(r: Run, file: string): SeenDiagnostic[] | string {
  try {
    return jsonDiagnostics(r.out, file);
  } catch (e) {
    return `exit ${r.code}: ${(e as Error).message}; stderr: ${r.err.slice(0, 300)}; stdout: ${r.out.slice(0, 300)}`;
  }
}

// ---------------------------------------------------------------------------

async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const u = dgram.createSocket('udp4');
    await new Promise<void>((res) => u.bind(0, '127.0.0.1', () => res()));
    const port = u.address().port;
    const t = net.createServer();
    const ok = await new Promise<boolean>((res) => {
      t.once('error', () => res(false));
      t.listen(port, '127.0.0.1', () => res(true));
    });
    await new Promise<void>((res) => u.close(() => res()));
    if (ok) {
      await new Promise<void>((res) => t.close(() => res()));
      if (port > 1024) return port;
    }
  }
  throw new Error('no free port');
}

async function waitFor(port: number, name: string, type: RRType, ms = 15000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const r = new Resolver({ servers: [`127.0.0.1:${port}`], timeoutMs: 300, attempts: 1, cache: false });
    const a = await r.resolve(name, type);
    r.close();
    if (a.status === 'ok') return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

// ---------------------------------------------------------------------------
// The live fixtures against BIND serving the fixture zones

function fixtures(port: number, namedLog: string): void {
  const R = `127.0.0.1:${port}`;
  const good = rel(FIXTURES.good);
  const faulty = rel(FIXTURES.faulty);
  const logBefore = existsSync(namedLog) ? readFileSync(namedLog, 'utf8').length : 0;

  // 1. the correct twin: nothing at all
  const g = cli('check', '--live', '--resolver', R, good);
  check(
    'bind fixtures: the correct twin (good.test, realnull.test, big.test) gives no MT5xx, exit 0',
    g.code === 0 && g.out === '0 errors, 0 warnings, 0 information, 0 hints in 1 file\n' && g.err === '',
    `exit ${g.code}: ${g.out}${g.err}`,
  );
  const gj = cli('check', '--live', '--resolver', R, '--format', 'json', good);
  const gs = parseJson(gj, good);
  check(
    'bind fixtures: the correct twin in --format json: no diagnostics',
    Array.isArray(gs) && gs.length === 0 && gj.code === 0,
    typeof gs === 'string' ? gs : show(gs),
  );

  // 2. answers over 1232 bytes: truncated over UDP, asked again over TCP (BIND's query log: T flag)
  const log = existsSync(namedLog) ? readFileSync(namedLog, 'utf8').slice(logBefore) : '';
  for (const [name, type, what] of [
    ['big.test', 'TXT', 'the 1574-byte SPF record'],
    ['mail.big.test', 'A', 'the 100 addresses of the MX target'],
  ]) {
    const lines = log.split('\n').filter((l) => l.includes(`query: ${name} IN ${type} `));
    const tcp = lines.filter((l) => / IN \S+ [+-]\S*T\S* \(/.test(l));
    const udp = lines.filter((l) => !/ IN \S+ [+-]\S*T\S* \(/.test(l));
    check(
      `bind fixtures: ${what} (${type} ${name}) is truncated over UDP and fetched ` +
        `over TCP (${udp.length} UDP, ${tcp.length} TCP queries in BIND's log), and ` +
        'used: no MT504/MT509/MT512',
      udp.length >= 1 && tcp.length >= 1 && g.code === 0,
      `query log: ${lines.join(' / ') || 'no such query'}`,
    );
  }

  // 3. the faulty topology: every expected diagnostic, text and json
  const ft = cli('check', '--live', '--resolver', R, faulty);
  const fseen = textDiagnostics(ft.out);
  const fp = compareLive(FIXTURES.faulty, FAULTY, fseen);
  check(
    `bind fixtures: the faulty topology gives exactly the expected ${FAULTY.length} ` +
      'MT5xx (codes, severities, line:column) in text output, exit 1',
    ft.code === 1 && fp.length === 0,
    `exit ${ft.code}; ${fp.join('; ')}\n${show(live5(fseen))}${ft.err}`,
  );
  const fj = cli('check', '--live', '--resolver', R, '--format', 'json', faulty);
  const fjs = parseJson(fj, faulty);
  const fjp = typeof fjs === 'string' ? [fjs] : compareLive(FIXTURES.faulty, FAULTY, fjs);
  check(
    'bind fixtures: ... and the same in --format json',
    fj.code === 1 && fjp.length === 0,
    `exit ${fj.code}; ${fjp.join('; ')}`,
  );
  for (const code of [...new Set(FAULTY.map((e) => e.code))]) {
    const n = FAULTY.filter((e) => e.code === code).length;
    const got = typeof fjs === 'string' ? [] : fjs.filter((d) => d.code === code);
    check(
      `bind fixtures: ${code} x${n} (${FAULTY.find((e) => e.code === code)!.severity})`,
      fjp.length === 0 && got.length === n,
      show(got),
    );
  }

  // 4. REFUSED (BIND is authoritative only): MT590 information, never an error
  const els = rel(FIXTURES.elsewhere);
  const ej = cli('check', '--live', '--resolver', R, '--format', 'json', '--fail-on', 'warning', els);
  const es = parseJson(ej, els);
  const ep = typeof es === 'string' ? [es] : compareLive(FIXTURES.elsewhere, ELSEWHERE, es);
  check(
    'bind fixtures: a domain BIND does not serve: REFUSED is MT590 information ' +
      'on each statement, naming the resolver; exit 0 even with --fail-on warning',
    ej.code === 0 && ep.length === 0 && typeof es !== 'string' && es.every((d) => d.message.includes(`via ${R}:`)),
    `exit ${ej.code}; ${ep.join('; ')}`,
  );

  // 5. the sample against its fixture zones
  const c = cli('check', '--live', '--resolver', R, '--format', 'json', 'samples/companyabc.mailtopo');
  const cs = parseJson(c, 'samples/companyabc.mailtopo');
  check(
    'bind fixtures: samples/companyabc.mailtopo gives no MT5xx at all',
    c.code === 0 && Array.isArray(cs) && live5(cs).length === 0,
    typeof cs === 'string' ? cs : show(cs),
  );

  // 6. a bad resolver is bad usage
  const b = cli('check', '--live', '--resolver', 'ns.example:53', good);
  check(
    'bind fixtures: --resolver with a name instead of an address: exit 2 and a message',
    b.code === 2 && /--resolver must be HOST\[:PORT\]/.test(b.err) && b.out === '',
    `exit ${b.code}: ${b.err}`,
  );
}

// ---------------------------------------------------------------------------
// Round trip (issue 7): generated zones served by BIND, checked live

function roundtrip(port: number, genDir: string, namedLog: string, samples: string[]): void {
  const R = `127.0.0.1:${port}`;
  const logBefore = existsSync(namedLog) ? readFileSync(namedLog, 'utf8').length : 0;
  for (const sample of samples) {
    const name = sample
      .replace(/^samples\//, '')
      .replace(/\.mailtopo$/, '')
      .replace(/\/main$/, '');
    const bindDir = path.join(genDir, name, 'bind');
    const domains = existsSync(bindDir)
      ? readdirSync(bindDir)
          .filter((f) => f.startsWith('db.'))
          .map((f) => f.slice(3))
          .sort()
      : [];
    if (!domains.length) {
      fail(`round trip ${sample}: generated zones`, `none in ${bindDir}`);
      continue;
    }
    const t0 = performance.now();
    const r = cli('check', '--live', '--resolver', R, '--timeout', '2000', '--format', 'json', sample);
    const ms = performance.now() - t0;
    const seen = parseJson(r, sample);
    if (typeof seen === 'string') {
      fail(`round trip ${sample}: check --live`, seen);
      continue;
    }
    // diagnostics of every file of the workspace (a split sample lists its parts)
    let all: SeenDiagnostic[] = seen;
    try {
      const obj = JSON.parse(r.out) as { files: Array<{ file: string }> };
      all = obj.files.flatMap((f) =>
        jsonDiagnostics(r.out, f.file).map((d) => ({ ...d, message: `${f.file}: ${d.message}` })),
      );
    } catch {
      /* seen already */
    }
    const lv = live5(all);
    const tally = [...new Set(lv.map((d) => d.code))]
      .map((c) => `${c} x${lv.filter((d) => d.code === c).length}`)
      .join(', ');
    console.log(
      `  (${sample}: other live diagnostics, expected without reverse zones or zones of others: ${tally || 'none'})`,
    );
    const bad = lv.filter((d) => /^MT50[1-5]$/.test(d.code));
    check(
      `round trip ${sample} (${domains.join(', ')}): check --live against the generated ` +
        `zones gives no MT501-MT505 [${lv.length} MT5xx in all, ${ms.toFixed(0)} ms]`,
      bad.length === 0 && r.code !== 2,
      show(bad) || r.err,
    );
    const auth = lv.filter((d) => /^MT5(09|11|12|14|15)$/.test(d.code));
    check(
      `round trip ${sample}: SPF, DMARC, null MX, MTA-STS and TLS-RPT published as declared (no MT509, MT511, MT512, MT514, MT515)`,
      auth.length === 0,
      show(auth),
    );
    // every lookup of a name in a generated zone was answered (MT590 only for names BIND does not serve)
    const inZone = (n: string) => domains.some((d) => n === d || n.endsWith(`.${d}`));
    const unanswered = lv.filter(
      (d) =>
        d.code === 'MT590' &&
        /\b(A|AAAA|MX|TXT|PTR) (\S+) via/.test(d.message) &&
        inZone(/\b(?:A|AAAA|MX|TXT|PTR) (\S+) via/.exec(d.message)![1]),
    );
    check(
      `round trip ${sample}: every lookup of a name in the generated zones was answered (no MT590 for them)`,
      unanswered.length === 0,
      show(unanswered),
    );
    if (domains.includes('rt.example')) {
      // the generated SPF record of rt.example (1592 bytes in 255-byte strings) only fits a TCP answer
      const log = existsSync(namedLog) ? readFileSync(namedLog, 'utf8').slice(logBefore) : '';
      const lines = log.split('\n').filter((l) => l.includes('query: rt.example IN TXT '));
      const tcp = lines.filter((l) => / IN TXT [+-]\S*T\S* \(/.test(l));
      check(
        `round trip ${sample}: the generated 1592-byte SPF record of rt.example came ` +
          `over TCP (${lines.length - tcp.length} UDP, ${tcp.length} TCP queries in ` +
          "BIND's log) and equals the declared one",
        tcp.length >= 1 && lines.length > tcp.length && !auth.length,
        lines.join(' / ') || 'no such query in the log',
      );
    }
  }
}

// ---------------------------------------------------------------------------

async function mainHelper(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'free-port':
      console.log(await freePort());
      return 0;
    case 'wait':
      return (await waitFor(Number(rest[0]), rest[1], rest[2] as RRType)) ? 0 : 1;
    case 'fixtures':
      fixtures(Number(rest[0]), rest[1]);
      return failures ? 1 : 0;
    case 'roundtrip':
      roundtrip(Number(rest[0]), rest[1], rest[2], rest.slice(3));
      return failures ? 1 : 0;
    default:
      console.error(
        `usage: bind-live.ts free-port | wait PORT NAME TYPE | fixtures PORT NAMED_LOG | roundtrip PORT GEN_DIR NAMED_LOG SAMPLE...`,
      );
      return 2;
  }
}

mainHelper(process.argv.slice(2)).then(
  (c) => {
    process.exitCode = c;
  },
  (e) => {
    console.log(`FAIL bind-live helper -- ${(e as Error)?.message ?? e}`);
    process.exitCode = 1;
  },
);
