// The launcher's V8 code cache for `mailtopo lsp --stdio` (bin/mailtopo.cjs):
// one cache per build of the server bundle and per flag set (V8 rejects a
// cache made under other flags, so `node --expose-gc …` used to compile the
// whole bundle on every start), and a new build removes the caches of the old.
// Runs the real launcher on a copy of it beside the bundles built by the
// project's own esbuild.mjs, and the CLI from its cache: `generate` draws an
// SVG, which loads the Graphviz bundle on first use (V8 cannot run a real
// dynamic import from cached code: the bundles must require it).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');

/** Start the server, initialize, shut down and exit cleanly (the cache is written at exit). */
async function startAndExit(dir: string, flags: string[]): Promise<void> {
  const p = spawn(process.execPath, [...flags, path.join(dir, 'bin', 'mailtopo.cjs'), 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const send = (o: unknown) => {
    const b = JSON.stringify(o);
    p.stdin.write(`Content-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`);
  };
  let out = '';
  const answered = (id: number) =>
    new Promise<void>((resolve) => {
      const on = (d: Buffer) => {
        out += d.toString();
        if (out.includes(`"id":${id}`)) {
          p.stdout.off('data', on);
          resolve();
        }
      };
      p.stdout.on('data', on);
    });
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  await answered(1);
  send({ jsonrpc: '2.0', id: 2, method: 'shutdown' });
  await answered(2);
  send({ jsonrpc: '2.0', method: 'exit' });
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  assert.equal(code, 0);
}

const caches = (dir: string, bundle = '.server.cjs.') =>
  readdirSync(path.join(dir, 'dist'))
    .filter((f) => f.startsWith(bundle) && f.endsWith('.v8cache'))
    .sort();

describe('cli: the language server code cache', function () {
  this.timeout(120000);
  let dir: string;

  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-cache-'));
    mkdirSync(path.join(dir, 'bin'));
    copyFileSync(path.join(ROOT, 'bin', 'mailtopo.cjs'), path.join(dir, 'bin', 'mailtopo.cjs'));
    const r = spawnSync(process.execPath, ['esbuild.mjs'], {
      cwd: ROOT,
      env: { ...process.env, MAILTOPO_DIST: path.join(dir, 'dist') },
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      console.warn(`    (skipped: the bundles cannot be built: ${r.stderr.split('\n')[0]})`);
      this.skip();
    }
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one cache per flag set; a new build replaces them all', async () => {
    await startAndExit(dir, []);
    const plain = caches(dir);
    assert.equal(plain.length, 1, plain.join(', '));
    await startAndExit(dir, ['--expose-gc']);
    const both = caches(dir);
    assert.equal(both.length, 2, both.join(', '));
    await startAndExit(dir, []); // accepted: nothing new written
    assert.deepEqual(caches(dir), both);
    // a rebuilt bundle (another mtime): the old build's caches go, one new one comes
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(dir, 'dist', 'server.cjs'), later, later);
    await startAndExit(dir, []);
    const after = caches(dir);
    assert.equal(after.length, 1, after.join(', '));
    assert.ok(!both.includes(after[0]));
  });

  it('the CLI from its cache: generate draws the SVG diagram (Graphviz loaded on first use)', () => {
    const gen = () => {
      const out = path.join(dir, 'out');
      rmSync(out, { recursive: true, force: true });
      const r = spawnSync(
        process.execPath,
        [
          path.join(dir, 'bin', 'mailtopo.cjs'),
          'generate',
          'samples/companyabc.mailtopo',
          '--target',
          'svg',
          '--out',
          out,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.ok(readdirSync(out, { recursive: true }).some((f) => String(f).endsWith('.svg')));
    };
    gen(); // compiles, writes the cache at exit
    assert.equal(caches(dir, '.cli.cjs.').length, 1);
    gen(); // runs from the cache
    assert.ok(existsSync(path.join(dir, 'dist', 'graphviz.cjs')));
  });
});
