#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the esbuild bundle (built by `npm ci` via the prepare script).
// The bundle runs its main() only when told it is the program: required from here,
// `require.main` is this file, not the bundle.
//
// `mailtopo lsp --stdio` (or --node-ipc) loads the language server's own bundle
// and nothing else: an editor starts it often, and the CLI bundle's commands
// are of no use to it (about half the code to read and compile at start).
const args = process.argv.slice(2);
if (args[0] === 'lsp' && args.length === 2 && (args[1] === '--stdio' || args[1] === '--node-ipc')) {
  require('../dist/server.cjs').startServer();
} else {
  process.env.MAILTOPO_CLI_ENTRY = '1';
  require('../dist/cli.cjs');
  delete process.env.MAILTOPO_CLI_ENTRY; // the check above is synchronous; keep it out of child processes
}
