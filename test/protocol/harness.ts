// Drives the BUNDLED language server (dist/server.cjs) as a child process with
// a real LSP client connection from vscode-languageserver-protocol, over stdio
// or over Node IPC. DNS never leaves 127.0.0.1: sessions start with live checks
// off or pointed at a local test server.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  ConfigurationRequest,
  RegistrationRequest,
  LogMessageNotification,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type InitializeResult,
  type ClientCapabilities,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import type { LiveStatusParams } from '../../server/src/protocol';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.cjs');

let built: Promise<void> | undefined;

/** Build the bundles once per test process (`node esbuild.mjs`); if another part of the tree is mid-edit, build the server alone. */
async function buildServerAlone(): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    entryPoints: [path.join(ROOT, 'server/src/main.ts')],
    outfile: SERVER,
  });
}

export function buildServer(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ['esbuild.mjs'], { cwd: ROOT }, (err, _out, stderr) => {
      if (!err && fs.existsSync(SERVER)) {
        resolve();
        return;
      }
      buildServerAlone().then(
        () => {
          process.stderr.write(`(note: esbuild.mjs failed, built the server alone: ${stderr.split('\n')[0]})\n`);
          resolve();
        },
        (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
      );
    });
  });
  return built;
}

export const CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: false },
    symbol: {},
    executeCommand: {},
    codeLens: { refreshSupport: true },
    inlayHint: { refreshSupport: true },
  },
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
      tagSupport: { valueSet: [1, 2] },
    },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    rename: { prepareSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
    semanticTokens: {
      requests: { full: true, range: true },
      tokenTypes: [],
      tokenModifiers: [],
      formats: ['relative'],
    },
  },
};

export interface SessionOptions {
  transport?: 'stdio' | 'ipc';
  /** null: send none (as Neovim and Helix do); absent: `{ settings }`. */
  initializationOptions?: Record<string, unknown> | null;
  /** What workspace/configuration answers for the `mailtopo` section (null: nothing configured, as Neovim answers). */
  settings?: Record<string, unknown> | null;
  capabilities?: ClientCapabilities;
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Start `mailtopo lsp` from the CLI bundle instead of dist/server.cjs. */
  viaCli?: boolean;
  /** Folders the editor has open (the workspace root imports may not leave); none by default. */
  workspaceFolders?: string[];
}

export interface Session {
  conn: ProtocolConnection;
  proc: ChildProcess;
  /** Every publishDiagnostics, in arrival order. */
  published: PublishDiagnosticsParams[];
  statuses: LiveStatusParams[];
  logs: string[];
  /** workspace/codeLens/refresh and workspace/inlayHint/refresh requests received. */
  refreshes: string[];
  stderr(): string;
  /** Change what workspace/configuration answers (then send didChangeConfiguration). */
  settings: Record<string, unknown> | null;
  initializeMs: number;
  initializeResult?: InitializeResult;
  open(uri: string, text: string, version?: number): void;
  change(
    uri: string,
    version: number,
    changes: Array<{
      range?: { start: { line: number; character: number }; end: { line: number; character: number } };
      text: string;
    }>,
  ): void;
  close(uri: string): void;
  /** The next publishDiagnostics for `uri` (after `since` messages) satisfying `pred`. */
  diagnostics(
    uri: string,
    pred?: (p: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
    since?: number,
  ): Promise<PublishDiagnosticsParams>;
  stop(): Promise<void>;
}

export async function startSession(o: SessionOptions = {}): Promise<Session> {
  await buildServer();
  const transport = o.transport ?? 'stdio';
  const entry = o.viaCli ? [path.join(ROOT, 'dist', 'cli.cjs'), 'lsp'] : [SERVER];
  const args = [...(o.nodeArgs ?? []), ...entry, transport === 'stdio' ? '--stdio' : '--node-ipc'];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: transport === 'stdio' ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, MAILTOPO_LSP_TEST: '1', ...o.env },
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const conn =
    transport === 'stdio'
      ? createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!))
      : createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc));
  const published: PublishDiagnosticsParams[] = [];
  const statuses: LiveStatusParams[] = [];
  const logs: string[] = [];
  const refreshes: string[] = [];
  const waiters: Array<() => void> = [];
  const s: Session = {
    conn,
    proc,
    published,
    statuses,
    logs,
    refreshes,
    stderr: () => err,
    settings: o.settings === undefined ? { liveChecks: { enabled: false } } : o.settings,
    initializeMs: 0,
    open(uri, text, version = 1) {
      void conn.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'mailtopo', version, text },
      });
    },
    change(uri, version, changes) {
      void conn.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: changes,
      });
    },
    close(uri) {
      void conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    diagnostics(uri, pred = () => true, timeoutMs = 10000, since = 0) {
      return new Promise((resolve, reject) => {
        let i = since;
        const check = (): boolean => {
          for (; i < published.length; i++) {
            if (published[i].uri === uri && pred(published[i])) {
              resolve(published[i]);
              return true;
            }
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          const idx = waiters.indexOf(w);
          if (idx >= 0) waiters.splice(idx, 1);
          reject(
            new Error(
              `no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(
                published
                  .filter((p) => p.uri === uri)
                  .slice(-3)
                  .map((p) => ({ v: p.version, d: p.diagnostics.map((d) => d.code) })),
              )}\nserver stderr: ${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        const w = () => {
          if (check()) {
            clearTimeout(timer);
            const idx = waiters.indexOf(w);
            if (idx >= 0) waiters.splice(idx, 1);
          }
        };
        waiters.push(w);
      });
    },
    async stop() {
      try {
        await Promise.race([conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        void conn.sendNotification(ExitNotification.type);
      } catch {
        /* already gone */
      }
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          resolve();
          return;
        }
        const t = setTimeout(() => {
          proc.kill('SIGKILL');
        }, 3000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      conn.dispose();
    },
  };
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of [...waiters]) w();
  });
  conn.onNotification('mailtopo/liveStatus', (p: LiveStatusParams) => {
    statuses.push(p);
  });
  conn.onNotification(LogMessageNotification.type, (p) => {
    logs.push(p.message);
  });
  conn.onRequest(ConfigurationRequest.type, (p) =>
    p.items.map((it) => (it.section === 'mailtopo' ? s.settings : null)),
  );
  conn.onRequest(RegistrationRequest.type, () => undefined);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => {
    refreshes.push('codeLens');
    return null;
  });
  conn.onRequest('workspace/inlayHint/refresh', () => {
    refreshes.push('inlayHint');
    return null;
  });
  conn.listen();
  const t0 = performance.now();
  s.initializeResult = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: o.workspaceFolders?.map((f) => ({ uri: fileUri(f), name: path.basename(f) })) ?? null,
    capabilities: o.capabilities ?? CLIENT_CAPABILITIES,
    initializationOptions:
      o.initializationOptions === null ? undefined : (o.initializationOptions ?? { settings: s.settings }),
  });
  await conn.sendNotification(InitializedNotification.type, {});
  s.initializeMs = performance.now() - t0;
  return s;
}

export function tmpDir(prefix = 'mailtopo-lsp-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

export const codes = (ds: Diagnostic[]) => ds.map((d) => String(d.code)).sort();

/** Apply LSP text edits to a text (edits must not overlap). */
export function applyEdits(
  text: string,
  edits: Array<{
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  }>,
): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (p: { line: number; character: number }) =>
    p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, text.length);
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

/** Position of the `n`th occurrence of `needle` in `text` (plus `delta` characters). */
export function posOf(text: string, needle: string, delta = 0, n = 0): { line: number; character: number } {
  let idx = -1;
  for (let k = 0; k <= n; k++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`'${needle}' not found`);
  }
  idx += delta;
  const before = text.slice(0, idx);
  const line = before.split('\n').length - 1;
  return { line, character: idx - (before.lastIndexOf('\n') + 1) };
}
