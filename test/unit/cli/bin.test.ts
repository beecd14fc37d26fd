// End to end: the real bin (`node bin/mailtopo.cjs`, which loads the esbuild
// bundle dist/cli.cjs). The bundle is rebuilt first, the same way esbuild.mjs
// builds it; the tests skip only when it cannot be built yet.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assertSarif } from './sarif';
import { parseJson, parseSarif } from './output';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'mailtopo.cjs');

interface Out {
  code: number | null;
  out: string;
  err: string;
}
function bin(args: string[], env: Record<string, string> = {}): Out {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MAILTOPO_DEBUG: '', ...env },
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (r: Out) => assert.doesNotMatch(r.err + r.out, /\n\s+at .+:\d+:\d+\)?/, 'a stack trace was printed');

describe('cli end to end: node bin/mailtopo.cjs', function () {
  this.timeout(120000);
  let dir: string;

  before(async function () {
    try {
      const esbuild = await import('esbuild');
      await esbuild.build({
        entryPoints: [path.join(ROOT, 'server/src/cli.ts')],
        outfile: path.join(ROOT, 'dist/cli.cjs'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: false,
        logLevel: 'silent',
      });
    } catch (e) {
      console.warn(`    (skipped: dist/cli.cjs cannot be built yet: ${String((e as Error).message).split('\n')[0]})`);
      this.skip();
    }
    assert.ok(existsSync(path.join(ROOT, 'dist/cli.cjs')));
    dir = mkdtempSync(path.join(tmpdir(), 'mt-bin-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('check a sample: exit 0 and a summary line', () => {
    const r = bin(['check', 'samples/companyabc.mailtopo']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^\d+ errors?, \d+ warnings?, \d+ information, \d+ hints? in 1 file\n$/m);
    assert.match(r.out, /^0 errors/m);
  });

  it('check a split topology by its parts: no errors (each part is checked where it is imported)', () => {
    const r = bin([
      'check',
      'samples/multi/domains.mailtopo',
      'samples/multi/infrastructure.mailtopo',
      'samples/multi/main.mailtopo',
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.out + r.err);
    const j = parseJson(r.out);
    assert.equal(j.summary.errors, 0);
    assert.deepEqual(j.files.map((f: { file: string }) => f.file).sort(), [
      'samples/multi/domains.mailtopo',
      'samples/multi/infrastructure.mailtopo',
      'samples/multi/main.mailtopo',
    ]);
  });

  it('text output of errors, 1-based, exit 1', () => {
    const f = path.join(dir, 'bad.mailtopo');
    writeFileSync(f, 'gateway g {\n  role sideways\n  tls off,\n}\n');
    const r = bin(['check', f]);
    assert.equal(r.code, 1);
    assert.ok(r.out.includes(`${f}:2:8: error MT109 `), r.out);
    assert.ok(r.out.includes(`${f}:3:10: error MT001 `), r.out);
    assert.match(r.out.trimEnd().split('\n').pop()!, /^\d+ errors?, .* in 1 file$/);
  });

  it('json and sarif', () => {
    const f = path.join(dir, 'bad.json.mailtopo');
    writeFileSync(f, 'network n {\n  cidr 10.0.0.0/33\n}\n');
    const j = parseJson(bin(['check', f, '--format', 'json']).out);
    assert.deepEqual(Object.keys(j), ['files', 'summary']);
    const d = j.files[0].diagnostics.find((x: { code: string }) => x.code === 'MT102');
    assert.deepEqual(d?.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 18 } });
    const s = bin(['check', f, '--format', 'sarif']);
    assert.equal(s.code, 1);
    assertSarif(parseSarif(s.out));
  });

  it('--fail-on warning', () => {
    const f = path.join(dir, 'warn.mailtopo');
    writeFileSync(
      f,
      'gateway a {\n  role relay\n  address 10.0.0.1\n}\ngateway b {\n  role relay\n  address 10.0.0.1\n}\n',
    );
    assert.equal(bin(['check', f]).code, 0);
    assert.equal(bin(['check', f, '--fail-on', 'warning']).code, 1);
  });

  it('unreadable input and bad usage: exit 2, a message on stderr, no stack trace', () => {
    mkdirSync(path.join(dir, 'adir'), { recursive: true });
    for (const args of [
      ['check', path.join(dir, 'missing.mailtopo')],
      ['check', path.join(dir, 'adir')],
      ['check', 'samples/companyabc.mailtopo', '--nope'],
      ['bogus'],
      [],
    ]) {
      const r = bin(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /^mailtopo: /, args.join(' '));
      assert.equal(r.out, '');
      noStack(r);
    }
  });

  it('fmt --check and fmt', () => {
    const f = path.join(dir, 'messy.mailtopo');
    writeFileSync(f, 'network   n {cidr 10.0.0.0/8}\n');
    const c = bin(['fmt', '--check', f]);
    assert.equal(c.code, 1);
    assert.equal(c.out, `${f}\n`);
    const w = bin(['fmt', f]);
    assert.equal(w.code, 0, w.err);
    assert.equal(readFileSync(f, 'utf8'), 'network n {\n  cidr 10.0.0.0/8\n}\n');
    assert.equal(bin(['fmt', '--check', f]).code, 0);
    writeFileSync(f, 'network n {\n');
    const bad = bin(['fmt', f]);
    assert.equal(bad.code, 1);
    assert.equal(readFileSync(f, 'utf8'), 'network n {\n');
    noStack(bad);
  });
});
