// Entry of the language server bundle (dist/server.cjs): `--stdio` for every
// editor, `--node-ipc` for the VS Code client. `mailtopo lsp --stdio` imports
// this module and calls startServer(); the bundle starts it by itself only
// when it is the program.
import * as path from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { MailtopoServer } from './server';

let server: MailtopoServer | undefined;

/** Start the server on the transport named on the command line. Idempotent. */
export function startServer(): MailtopoServer {
  if (server) return server;
  const connection = createConnection(ProposedFeatures.all);
  server = new MailtopoServer({ testMode: process.env.MAILTOPO_LSP_TEST === '1' });
  const log = (what: string, e: unknown) => {
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    try {
      connection.console.error(`${what}: ${detail}`);
    } catch {
      process.stderr.write(`mailtopo: ${what}: ${detail}\n`);
    }
  };
  // Never down: a stray rejection or exception is logged, the server stays up.
  process.on('unhandledRejection', (e) => log('unhandled rejection', e));
  process.on('uncaughtException', (e) => log('uncaught exception', e));
  server.register(connection);
  connection.onShutdown(() => server?.dispose());
  connection.listen();
  return server;
}

const entry = path.basename(process.argv[1] ?? '');
if (/^(server\.cjs|main\.[cm]?[jt]s)$/.test(entry)) startServer();
