#!/usr/bin/env node
// `npm test`: build the bundles, type-check, lint (ESLint with type
// information), check formatting (Prettier), run the unit and protocol suites
// (mocha) and the grammar tests, then print one plain `N passed, N failed`
// line (CI reads it) and exit non-zero on any failure: a lint error or an
// unformatted file fails the run like a failing test.
import { spawnSync } from 'node:child_process';

let passed = 0;
let failed = 0;
let skipped = 0;

function run(label, cmd, args) {
  process.stdout.write(`\n=== ${label}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    env: process.env,
  });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return { status: r.status ?? 1, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

function step(label, cmd, args) {
  const r = run(label, cmd, args);
  if (r.status === 0) passed++;
  else {
    failed++;
    console.log(`FAIL ${label}`);
  }
  return r;
}

const build = step('build', 'node', ['esbuild.mjs']);
step('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']);
step('lint', 'npm', ['run', '--silent', 'lint']);
step('format', 'npm', ['run', '--silent', 'format:check']);

const m = run('mocha', 'npx', ['mocha', ...process.argv.slice(2)]);
const num = (re) => {
  const x = re.exec(m.out);
  return x ? Number(x[1]) : 0;
};
const p = num(/^\s*(\d+) passing/m),
  f = num(/^\s*(\d+) failing/m),
  s = num(/^\s*(\d+) pending/m);
passed += p;
failed += f;
skipped += s;
if (m.status !== 0 && f === 0) {
  failed++;
  console.log('FAIL mocha exited non-zero without failing tests (crash?)');
}

const g = run('grammar', 'npx', [
  'vscode-tmgrammar-test',
  '-g',
  'syntaxes/mailtopo.tmLanguage.json',
  'test/grammar/*.test.mailtopo',
]);
const gp = (g.out.match(/run successfuly/g) ?? []).length;
passed += gp;
if (g.status !== 0) failed += Math.max(1, (g.out.match(/^✖|failed/gm) ?? []).length);

void build;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
// exitCode, not exit(): into a pipe (CI's tee), output written while spawnSync
// blocked may still be queued, and exit() would drop it, summary line included
process.exitCode = failed ? 1 : 0;
