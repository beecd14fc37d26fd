// Starts the bundled language server (dist/server.cjs) over IPC and measures
// activation: from client start to the server's `initialized`.
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { LiveStatusNotification, type InitializationOptions, type LiveStatusParams } from '../../server/src/protocol';

export const CLIENT_ID = 'mailtopo';

export function settingsSnapshot(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('mailtopo');
  return {
    liveChecks: {
      enabled: c.get<boolean>('liveChecks.enabled', true),
      resolvers: c.get<string[]>('liveChecks.resolvers', []),
      timeoutMs: c.get<number>('liveChecks.timeoutMs', 3000),
      dnsbl: c.get<string[]>('liveChecks.dnsbl', []),
    },
    diagnostics: { ignore: c.get<string[]>('diagnostics.ignore', []) },
  };
}

export interface StartedClient {
  client: LanguageClient;
  /** Client start to server initialized, in milliseconds. */
  activationMs: number;
}

export async function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  onLiveStatus: (s: LiveStatusParams) => void,
): Promise<StartedClient> {
  const module = context.asAbsolutePath('dist/server.cjs');
  // V8 compile cache for the server bundle (Node 22.1+ reads NODE_COMPILE_CACHE; older
  // Nodes ignore it): every start after the first skips compiling ~1 MB of JavaScript.
  const cacheDir = vscode.Uri.joinPath(context.globalStorageUri, 'compile-cache').fsPath;
  const env = { ...process.env, NODE_COMPILE_CACHE: cacheDir };
  // A larger young generation: a re-check builds a syntax tree and model that
  // mostly die before the next edit, and a 64 MB nursery lets them die there
  // instead of being copied into the old generation (about 2x faster
  // diagnostics on a 10,000-line topology; see README, Benchmarks).
  const execArgv = ['--max-semi-space-size=64'];
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env, execArgv } },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { env, execArgv: [...execArgv, '--nolazy', '--inspect=6011'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'mailtopo', scheme: 'file' },
      { language: 'mailtopo', scheme: 'untitled' },
    ],
    outputChannel: output,
    synchronize: {
      configurationSection: 'mailtopo',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mailtopo'),
    },
    // A function: a restart sends the trust and settings of that moment.
    initializationOptions: (): InitializationOptions => ({
      trusted: vscode.workspace.isTrusted,
      settings: settingsSnapshot(),
    }),
    diagnosticCollectionName: 'mailtopo',
  };
  const client = new LanguageClient(CLIENT_ID, 'mailtopo language server', serverOptions, clientOptions);
  context.subscriptions.push(client.onNotification(LiveStatusNotification, (p: LiveStatusParams) => onLiveStatus(p)));
  const t0 = performance.now();
  await client.start();
  const activationMs = Math.round(performance.now() - t0);
  output.appendLine(`[client] language server ready in ${activationMs} ms (client start to initialized)`);
  return { client, activationMs };
}
