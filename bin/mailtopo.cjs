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
  loadWithCodeCache(require('node:path').join(__dirname, '..', 'dist', 'server.cjs')).startServer();
} else {
  process.env.MAILTOPO_CLI_ENTRY = '1';
  require('../dist/cli.cjs');
  delete process.env.MAILTOPO_CLI_ENTRY; // the check above is synchronous; keep it out of child processes
}

/**
 * Load a CommonJS bundle with a V8 code cache kept beside it: compiling the
 * 1.3 MB server bundle is most of a start. The cache sits next to the bundle
 * (never in a shared temporary folder: V8 trusts its bytes), is named by the
 * Node version and the bundle's size and mtime (a rebuilt bundle gets a new
 * one), and is written once, shortly after start, so that it holds what start
 * compiled. Any failure falls back to a plain require.
 */
function loadWithCodeCache(file) {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const Module = require('node:module');
  let script, cacheFile, rejected;
  try {
    const st = fs.statSync(file);
    const src = fs.readFileSync(file, 'utf8');
    const tag = `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`;
    cacheFile = path.join(path.dirname(file), `.${path.basename(file)}.${tag}.v8cache`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    script = new vm.Script(Module.wrap(src), { filename: file, cachedData });
    rejected = !cachedData || script.cachedDataRejected === true;
  } catch {
    return require(file);
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod.loaded = true;
  require.cache[file] = mod;
  const req = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
  if (rejected) {
    // once: after start has compiled what it needs, or at exit if that comes first
    let done = false;
    const write = () => {
      if (!done) writeCache(fs, path, script, cacheFile);
      done = true;
    };
    setTimeout(write, 2000).unref();
    process.once('exit', write);
  }
  return mod.exports;
}

function writeCache(fs, path, script, cacheFile) {
  try {
    // stale caches of earlier builds go first (one per bundle)
    const dir = path.dirname(cacheFile);
    const prefix = path.basename(cacheFile).split('.v')[0] + '.v';
    for (const f of fs.readdirSync(dir))
      if (f.startsWith(prefix) && f.endsWith('.v8cache') && f !== path.basename(cacheFile))
        fs.rmSync(path.join(dir, f), { force: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
    fs.renameSync(tmp, cacheFile);
  } catch {
    // read-only install: start compiles as before
  }
}
