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
  loadWithCodeCache(require('node:path').join(__dirname, '..', 'dist', 'cli.cjs'));
  delete process.env.MAILTOPO_CLI_ENTRY; // the check above is synchronous; keep it out of child processes
}

/**
 * Load a CommonJS bundle with a V8 code cache kept beside it: compiling the
 * bundle (about 1 MB each, the server's and the CLI's) is most of a start.
 * The cache sits next to the bundle (never in a shared temporary folder: V8
 * trusts its bytes), is named by the build (Node version, the bundle's size
 * and mtime) and the flag set, and is written once, shortly after start, so
 * that it holds what start compiled. Any failure falls back to a plain require.
 */
function loadWithCodeCache(file) {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const Module = require('node:module');
  let script, cacheFile, rejected, bundle, thisBuild;
  try {
    const st = fs.statSync(file);
    const src = fs.readFileSync(file, 'utf8');
    const build = `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}`;
    // V8 rejects a cache made under other flags (--expose-gc, NODE_OPTIONS=--max-old-space-size=…):
    // one cache per flag set, so a process started with flags does not compile everything each time
    const flags = `${process.execArgv.join(' ')}|${process.env.NODE_OPTIONS ?? ''}`;
    let h = 0x811c9dc5; // FNV-1a: a name, not a secret (loading node:crypto would cost a few ms of every start)
    for (let i = 0; i < flags.length; i++) h = Math.imul(h ^ flags.charCodeAt(i), 0x01000193) >>> 0;
    bundle = `.${path.basename(file)}.`; // every cache of this bundle starts so
    thisBuild = `${bundle}${build}.`; // and every cache of this build
    cacheFile = path.join(path.dirname(file), `${thisBuild}${h.toString(16).padStart(8, '0')}.v8cache`);
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
      if (!done) writeCache(fs, path, script, cacheFile, bundle, thisBuild);
      done = true;
    };
    setTimeout(write, 2000).unref();
    process.once('exit', write);
  }
  return mod.exports;
}

function writeCache(fs, path, script, cacheFile, bundle, thisBuild) {
  try {
    const dir = path.dirname(cacheFile);
    fs.accessSync(dir, fs.constants.W_OK); // a read-only install: not even the cache data is made
    // caches of earlier builds go first (those of this build under other flags stay)
    for (const f of fs.readdirSync(dir))
      if (f.startsWith(bundle) && f.endsWith('.v8cache') && !f.startsWith(thisBuild))
        fs.rmSync(path.join(dir, f), { force: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o644 });
    fs.renameSync(tmp, cacheFile);
  } catch {
    // read-only install: start compiles as before
  }
}
