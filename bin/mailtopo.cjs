#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the esbuild bundle (built by `npm ci` via the prepare script).
// The bundle runs its main() only when told it is the program: required from here,
// `require.main` is this file, not the bundle.
process.env.MAILTOPO_CLI_ENTRY = '1';
require('../dist/cli.cjs');
delete process.env.MAILTOPO_CLI_ENTRY; // the check above is synchronous; keep it out of child processes
