#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in the esbuild bundle (built by `npm ci` via the prepare script).
require('../dist/cli.cjs');
