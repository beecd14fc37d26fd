// The language server through the protocol, on a 10,000-line document: the
// bundled server (dist/server.cjs) as a child process over stdio, driven by a
// real LSP client connection. Measures server start to `initialized`, didChange
// to its publishDiagnostics, and completion and hover latency (p50, p95 over
// 200 requests each). Live DNS checks are off.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  ConfigurationRequest,
  RegistrationRequest,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { generateTopology } from './topology';

const TARGETS = { startMs: 300, diagnosticsP95: 100, completionP95: 20, hoverP95: 20 };
const SETTINGS = { liveChecks: { enabled: false } };

function serverPath(): string {
  if (process.env.MAILTOPO_BENCH_SERVER) return process.env.MAILTOPO_BENCH_SERVER;
  const here = typeof __dirname !== 'undefined' ? __dirname : process.cwd();
  for (const p of [
    path.join(here, 'server.cjs'),
    path.join(here, '..', 'dist', 'server.cjs'),
    path.join(process.cwd(), 'dist', 'server.cjs'),
  ]) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('dist/server.cjs not found: run `node esbuild.mjs` first');
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** CPU time (user + system) the server process has used, from /proc (Linux), ms. */
function serverCpuMs(pid: number | undefined): number | undefined {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

interface Server {
  conn: ProtocolConnection;
  pid?: number;
  stop(): Promise<void>;
  startMs: number;
  onDiagnostics(f: (p: PublishDiagnosticsParams) => void): void;
}

async function startServer(): Promise<Server> {
  const t0 = performance.now();
  const extra = process.env.MAILTOPO_BENCH_NODE_ARGS ? process.env.MAILTOPO_BENCH_NODE_ARGS.split(' ') : [];
  const proc = spawn(process.execPath, [...extra, serverPath(), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const listeners: Array<(p: PublishDiagnosticsParams) => void> = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    for (const l of listeners) l(p);
  });
  conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => SETTINGS));
  conn.onRequest(RegistrationRequest.type, () => undefined);
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    initializationOptions: { settings: SETTINGS },
    capabilities: {
      workspace: { configuration: true },
      textDocument: {
        publishDiagnostics: { versionSupport: true },
        completion: { completionItem: { snippetSupport: true } },
      },
    },
  });
  await conn.sendNotification(InitializedNotification.type, {});
  const startMs = performance.now() - t0;
  return {
    conn,
    startMs,
    pid: proc.pid,
    onDiagnostics: (f) => listeners.push(f),
    stop: async () => {
      try {
        await conn.sendRequest(ShutdownRequest.type);
        await conn.sendNotification(ExitNotification.type);
      } catch {
        /* gone */
      }
      await new Promise<void>((r) => {
        if (proc.exitCode !== null) r();
        else {
          const t = setTimeout(() => proc.kill('SIGKILL'), 2000);
          proc.once('exit', () => {
            clearTimeout(t);
            r();
          });
        }
      });
      conn.dispose();
    },
  };
}

export async function benchLsp(): Promise<string[]> {
  const lines: string[] = ['## language server through the protocol (bundled server over stdio, live checks off)'];
  // start to initialized: a fresh process each time
  const starts: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = await startServer();
    starts.push(s.startMs);
    await s.stop();
  }

  const g = generateTopology(10000);
  const text = g.text;
  const docLines = text.split('\n');
  const s = await startServer();
  const uri = 'file:///bench/topology.mailtopo';
  let waiting: { version: number; resolve: (p: PublishDiagnosticsParams) => void } | undefined;
  s.onDiagnostics((p) => {
    if (waiting && p.uri === uri && p.version === waiting.version) {
      const w = waiting;
      waiting = undefined;
      w.resolve(p);
    }
  });
  const next = (version: number) =>
    new Promise<PublishDiagnosticsParams>((resolve, reject) => {
      waiting = { version, resolve };
      setTimeout(() => reject(new Error(`no diagnostics for version ${version}`)), 20000);
    });
  const t0 = performance.now();
  const first = next(1);
  await s.conn.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'mailtopo', version: 1, text },
  });
  const firstDiag = await first;
  const openMs = performance.now() - t0;
  if (firstDiag.diagnostics.some((d) => d.severity === 1))
    throw new Error(
      `bench document has errors: ${firstDiag.diagnostics
        .slice(0, 3)
        .map((d) => d.message)
        .join('; ')}`,
    );

  // didChange -> publishDiagnostics: typing into a hostname in the middle of the file, one
  // character per edit (added, then removed): every edit changes the model and is fully re-checked
  const hostLine = docLines.findIndex((l, i) => i > docLines.length / 2 && l.startsWith('  hostname gw'));
  const dot = docLines[hostLine].indexOf('.');
  const diag: number[] = [];
  let version = 1;
  const cpu0 = serverCpuMs(s.pid);
  for (let i = 0; i < 220; i++) {
    version++;
    const change =
      i % 2
        ? {
            range: { start: { line: hostLine, character: dot }, end: { line: hostLine, character: dot + 1 } },
            text: '',
          }
        : { range: { start: { line: hostLine, character: dot }, end: { line: hostLine, character: dot } }, text: 'x' };
    const p = next(version);
    const t = performance.now();
    await s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [change],
    });
    await p;
    if (i >= 20) diag.push(performance.now() - t); // the first 20 warm up
  }
  const cpuPerEdit = cpu0 === undefined ? undefined : (serverCpuMs(s.pid)! - cpu0) / 220;

  // completion and hover on the stable document
  const gw = docLines.findIndex((l, i) => i > docLines.length / 2 && l.startsWith('gateway '));
  const at = (prefix: string, delta: number) => {
    const l = docLines.findIndex((x, i) => i > gw && x.startsWith(prefix));
    if (l < 0) throw new Error(`bench document: no '${prefix}'`);
    return { line: l, character: delta };
  };
  const completionAt = [
    at('  role edge', 4), // a statement keyword inside a gateway
    at('  listen 25, 587', 13), // a port in a list
    at('  route * via=direct', 14), // next hops: every gateway is a candidate
    at('  scan av', 7), // policies
  ];
  const hoverAt = [
    { line: gw, character: 10 }, // the gateway's name
    at('  role edge', 3), // a statement keyword
    at('  scan av', 7), // a reference
    at('  route * via=direct', 16), // `direct`
  ];
  const measure = async (
    method: string,
    positions: Array<{ line: number; character: number }>,
  ): Promise<{ times: number[]; items: number }> => {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const r = (await s.conn.sendRequest(method, {
        textDocument: { uri },
        position: positions[i % positions.length],
      })) as { items?: unknown[] } | null;
      if (i >= 20) times.push(performance.now() - t);
      if (r && Array.isArray(r.items)) items = Math.max(items, r.items.length);
    }
    return { times, items };
  };
  const comp = await measure('textDocument/completion', completionAt);
  const hov = await measure('textDocument/hover', hoverAt);
  await s.stop();

  const row = (label: string, xs: number[], target: number, which: 'p95' | 'max' = 'p95') => {
    const v = which === 'p95' ? pct(xs, 95) : Math.max(...xs);
    return `${label.padEnd(34)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p95 ${pct(xs, 95).toFixed(1).padStart(6)} ms   target ${which} < ${target} ms: ${v < target ? 'met' : 'NOT met'}`;
  };
  lines.push(
    `machine load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores; static debounce 15 ms is part of the didChange figure`,
  );
  lines.push(
    `document: ${g.lines} lines, ${(text.length / 1024).toFixed(0)} KB, ${g.gateways} gateways; first diagnostics after open: ${openMs.toFixed(0)} ms`,
  );
  lines.push(row('server start -> initialized (7x)', starts, TARGETS.startMs));
  lines.push(
    row('didChange -> publishDiagnostics (200)', diag, TARGETS.diagnosticsP95) +
      (cpuPerEdit !== undefined ? `   (server CPU ${cpuPerEdit.toFixed(0)} ms per edit, incl. GC)` : ''),
  );
  lines.push(row(`completion (200, up to ${comp.items} items)`, comp.times, TARGETS.completionP95));
  lines.push(row('hover (200)', hov.times, TARGETS.hoverP95));
  return lines;
}

// `node --import tsx bench/lsp.ts` runs it alone.
if (process.argv[1] && /bench[\\/]lsp\.ts$/.test(process.argv[1])) {
  benchLsp().then(
    (l) => console.log(l.join('\n')),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
