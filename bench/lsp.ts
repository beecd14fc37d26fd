// The language server through the protocol, on a 10,000-line document: the
// bundled server (dist/server.cjs) as a child process over stdio, driven by a
// real LSP client connection. Measures server start to `initialized`, didChange
// to its publishDiagnostics, and completion and hover latency (p50, p95 over
// 200 requests each). Live DNS checks are off.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, PublishDiagnosticsNotification, ShutdownRequest, ExitNotification,
  ConfigurationRequest, RegistrationRequest, type ProtocolConnection, type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { generateTopology } from './topology';

const TARGETS = { startMs: 300, diagnosticsP95: 100, completionP95: 20, hoverP95: 20 };
const SETTINGS = { liveChecks: { enabled: false } };

function serverPath(): string {
  const here = typeof __dirname !== 'undefined' ? __dirname : process.cwd();
  for (const p of [path.join(here, 'server.cjs'), path.join(here, '..', 'dist', 'server.cjs'), path.join(process.cwd(), 'dist', 'server.cjs')]) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('dist/server.cjs not found: run `node esbuild.mjs` first');
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Server { conn: ProtocolConnection; stop(): Promise<void>; startMs: number; onDiagnostics(f: (p: PublishDiagnosticsParams) => void): void }

async function startServer(): Promise<Server> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [serverPath(), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const listeners: Array<(p: PublishDiagnosticsParams) => void> = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => { for (const l of listeners) l(p); });
  conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => SETTINGS));
  conn.onRequest(RegistrationRequest.type, () => undefined);
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: null, workspaceFolders: null, initializationOptions: { settings: SETTINGS },
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true }, completion: { completionItem: { snippetSupport: true } } } },
  });
  await conn.sendNotification(InitializedNotification.type, {});
  const startMs = performance.now() - t0;
  return {
    conn, startMs,
    onDiagnostics: (f) => listeners.push(f),
    stop: async () => {
      try { await conn.sendRequest(ShutdownRequest.type); await conn.sendNotification(ExitNotification.type); } catch { /* gone */ }
      await new Promise<void>((r) => { if (proc.exitCode !== null) r(); else { const t = setTimeout(() => proc.kill('SIGKILL'), 2000); proc.once('exit', () => { clearTimeout(t); r(); }); } });
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
  s.onDiagnostics((p) => { if (waiting && p.uri === uri && p.version === waiting.version) { const w = waiting; waiting = undefined; w.resolve(p); } });
  const next = (version: number) => new Promise<PublishDiagnosticsParams>((resolve, reject) => {
    waiting = { version, resolve };
    setTimeout(() => reject(new Error(`no diagnostics for version ${version}`)), 20000);
  });
  const t0 = performance.now();
  const first = next(1);
  await s.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'mailtopo', version: 1, text } });
  const firstDiag = await first;
  const openMs = performance.now() - t0;
  if (firstDiag.diagnostics.some((d) => d.severity === 1)) throw new Error(`bench document has errors: ${firstDiag.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);

  // didChange -> publishDiagnostics: typing into a comment in the middle, one character per edit
  const commentLine = docLines.findIndex((l, i) => i > docLines.length / 2 && l.startsWith('# gateway number'));
  const diag: number[] = [];
  let version = 1;
  for (let i = 0; i < 220; i++) {
    version++;
    const ch = docLines[commentLine].length + (i % 2 ? 1 : 0);
    const change = i % 2
      ? { range: { start: { line: commentLine, character: ch - 1 }, end: { line: commentLine, character: ch } }, text: '' }
      : { range: { start: { line: commentLine, character: ch }, end: { line: commentLine, character: ch } }, text: 'x' };
    const p = next(version);
    const t = performance.now();
    await s.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
    await p;
    if (i >= 20) diag.push(performance.now() - t); // the first 20 warm up
  }

  // completion and hover on the stable document
  const gw = docLines.findIndex((l, i) => i > docLines.length / 2 && l.startsWith('gateway '));
  const completionAt = [
    { line: gw + 2, character: 2 }, // a statement keyword inside a gateway (`  role`)
    { line: gw + 6, character: 9 }, // `  listen 25, 587`: a value
    { line: gw + 12, character: 20 }, // `  route * via=direct`: next hops (every gateway is a candidate)
    { line: gw + 10, character: 7 }, // `  scan av`: policies
  ];
  const hoverAt = [
    { line: gw + 1, character: 10 }, // the gateway's name
    { line: gw + 2, character: 3 }, // `role`
    { line: gw + 10, character: 7 }, // `av`: a reference
    { line: gw + 12, character: 16 }, // `direct`
  ];
  const measure = async (method: string, positions: Array<{ line: number; character: number }>): Promise<{ times: number[]; items: number }> => {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const r = await s.conn.sendRequest(method, { textDocument: { uri }, position: positions[i % positions.length] }) as { items?: unknown[] } | null;
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
  lines.push(`document: ${g.lines} lines, ${(text.length / 1024).toFixed(0)} KB, ${g.gateways} gateways; first diagnostics after open: ${openMs.toFixed(0)} ms`);
  lines.push(row('server start -> initialized (7x)', starts, TARGETS.startMs));
  lines.push(row('didChange -> publishDiagnostics (200)', diag, TARGETS.diagnosticsP95));
  lines.push(row(`completion (200, up to ${comp.items} items)`, comp.times, TARGETS.completionP95));
  lines.push(row('hover (200)', hov.times, TARGETS.hoverP95));
  return lines;
}

// `node --import tsx bench/lsp.ts` runs it alone.
if (process.argv[1] && /bench[\\/]lsp\.ts$/.test(process.argv[1])) {
  benchLsp().then((l) => console.log(l.join('\n')), (e) => { console.error(e); process.exitCode = 1; });
}
