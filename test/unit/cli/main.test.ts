// `mailtopo check` and `mailtopo fmt` driven in-process through main(argv, io):
// text/json/sarif output exactly as INTERFACES.md says, exit codes 0/1/2,
// unreadable files, directories, bad usage, no stack traces.
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../server/src/cli';
import { CODES } from '../../../server/src/core/codes';
import { assertSarif } from './sarif';
import { parseJson, parseSarif } from './output';
import { writeUnder } from '../files';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<Run> {
  let out = '',
    err = '';
  const code = await main(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

let dir: string;
const write = (rel: string, text: string): string => writeUnder(dir, rel, text);

// Fixtures whose diagnostics come from the language core only.
const CLEAN = '# nothing declared yet\n';
const ERRORS = 'gateway g {\n  role sideways\n}\n'; // MT109 at 2:8
const SYNTAX = 'network n {\n  cidr 10.0.0.0/8,\n}\n'; // MT001 at 2:18, MT111 hint
const WARN = 'gateway a {\n  role relay\n  address 10.0.0.1\n}\ngateway b {\n  role relay\n  address 10.0.0.1\n}\n'; // MT112
const HINT = 'network n {\n  cidr 10.0.0.0/8\n}\n'; // MT111

const TEXT_LINE = /^(.+):(\d+):(\d+): (error|warning|information|hint) (MT\d{3}) (.+)$/;
const SUMMARY = /^(\d+) errors?, (\d+) warnings?, (\d+) information, (\d+) hints? in (\d+) files?$/;
const noStack = (r: Run) =>
  assert.doesNotMatch(r.err + r.out, /\n\s+at .+:\d+:\d+\)?\n|Error: .*\n\s+at /, 'a stack trace was printed');

describe('cli: check', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-cli-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a clean file: exit 0, only the summary line', async () => {
    const f = write('clean.mailtopo', CLEAN);
    const r = await run('check', f);
    assert.equal(r.code, 0);
    assert.equal(r.out, '0 errors, 0 warnings, 0 information, 0 hints in 1 file\n');
    assert.equal(r.err, '');
  });

  it('text output: file:line:col: severity CODE message, 1-based, then a summary', async () => {
    const f = write('bad.mailtopo', ERRORS);
    const r = await run('check', f);
    assert.equal(r.code, 1);
    const lines = r.out.trimEnd().split('\n');
    const mt109 = lines.find((l) => l.includes(' MT109 '));
    assert.equal(mt109, `${f}:2:8: error MT109 'sideways' is not one of 'edge', 'proxy' or 'relay'`);
    for (const l of lines.slice(0, -1)) assert.match(l, TEXT_LINE);
    const m = SUMMARY.exec(lines[lines.length - 1]);
    assert.ok(m, lines[lines.length - 1]);
    const count = (sev: string) => lines.filter((l) => TEXT_LINE.exec(l)?.[4] === sev).length;
    assert.deepEqual(m.slice(1, 5).map(Number), [
      count('error'),
      count('warning'),
      count('information'),
      count('hint'),
    ]);
    assert.equal(m[5], '1');
  });

  it('the path is printed as given (relative stays relative)', async () => {
    write('rel.mailtopo', ERRORS);
    const rel = path.relative(process.cwd(), path.join(dir, 'rel.mailtopo'));
    const r = await run('check', rel);
    assert.ok(r.out.startsWith(`${rel}:2:8: error MT109 `), r.out);
  });

  it('--format json: exactly the documented shape, 0-based ranges', async () => {
    const f = write('syntax.mailtopo', SYNTAX);
    const r = await run('check', f, '--format', 'json');
    assert.equal(r.code, 1);
    assert.ok(r.out.endsWith('\n'));
    assert.equal(r.out.trimEnd().split('\n').length, 1, 'one JSON object on one line');
    const j = parseJson(r.out);
    assert.deepEqual(Object.keys(j), ['files', 'summary']);
    assert.deepEqual(Object.keys(j.summary), ['errors', 'warnings', 'information', 'hints']);
    assert.equal(j.files.length, 1);
    assert.deepEqual(Object.keys(j.files[0]), ['file', 'diagnostics']);
    assert.equal(j.files[0].file, f);
    for (const d of j.files[0].diagnostics) {
      assert.deepEqual(Object.keys(d), ['code', 'severity', 'message', 'range', 'related']);
      assert.deepEqual(Object.keys(d.range), ['start', 'end']);
      assert.deepEqual(Object.keys(d.range.start), ['line', 'character']);
      assert.ok(Array.isArray(d.related));
      assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity));
    }
    const mt001 = j.files[0].diagnostics.find((d: { code: string }) => d.code === 'MT001');
    assert.deepEqual(mt001, {
      code: 'MT001',
      severity: 'error',
      message: "a trailing ',': expected a value after it",
      range: { start: { line: 1, character: 17 }, end: { line: 1, character: 18 } },
      related: [],
    });
    const all = j.files[0].diagnostics as Array<{ severity: string }>;
    assert.deepEqual(j.summary, {
      errors: all.filter((d) => d.severity === 'error').length,
      warnings: all.filter((d) => d.severity === 'warning').length,
      information: all.filter((d) => d.severity === 'information').length,
      hints: all.filter((d) => d.severity === 'hint').length,
    });
  });

  it('--format json: related information has file, range and message', async () => {
    const f = write('warn.mailtopo', WARN);
    const j = parseJson((await run('check', f, '--format=json')).out);
    const d = j.files[0].diagnostics.find((x: { code: string }) => x.code === 'MT112');
    assert.deepEqual(d?.related, [
      {
        file: f,
        range: { start: { line: 2, character: 10 }, end: { line: 2, character: 18 } },
        message: 'a has 10.0.0.1',
      },
    ]);
  });

  it(
    "--format json: an imported file's diagnostics are listed under that file, " +
      "its path the importer's as given joined with the import string",
    async () => {
      write('multi/main.mailtopo', 'import "parts/gw.mailtopo"\n');
      write('multi/parts/gw.mailtopo', ERRORS);
      const rel = path.relative(process.cwd(), path.join(dir, 'multi/main.mailtopo'));
      const j = parseJson((await run('check', rel, '--format', 'json')).out);
      assert.deepEqual(
        j.files.map((x: { file: string }) => x.file),
        [rel, path.join(path.dirname(rel), 'parts/gw.mailtopo')],
      );
      assert.deepEqual(j.files[0].diagnostics, []);
      assert.ok(j.files[1].diagnostics.some((d: { code: string }) => d.code === 'MT109'));
    },
  );

  it('--format sarif: SARIF 2.1.0 with the required properties and one rule per code', async () => {
    const f = write('syntax.mailtopo', SYNTAX + WARN);
    const r = await run('check', f, '--format', 'sarif');
    assert.equal(r.code, 1);
    const log = parseSarif(r.out);
    assertSarif(log);
    const run0 = log.runs[0];
    assert.equal(run0.tool.driver.name, 'mailtopo');
    // every catalog code has its rule
    const ids = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const c of CODES) assert.ok(ids.includes(c.code), c.code);
    const mt001 = run0.results.find((x: { ruleId: string }) => x.ruleId === 'MT001');
    assert.deepEqual(mt001?.locations[0].physicalLocation.region, {
      startLine: 2,
      startColumn: 18,
      endLine: 2,
      endColumn: 19,
    });
    assert.equal(mt001?.level, 'error');
    assert.equal(mt001?.locations[0].physicalLocation.artifactLocation.uri, new URL(`file://${f}`).href);
    const mt112 = run0.results.find((x: { ruleId: string }) => x.ruleId === 'MT112');
    assert.equal(mt112?.level, 'warning');
    assert.equal(mt112?.relatedLocations?.length, 1);
    const mt111 = run0.results.find((x: { ruleId: string }) => x.ruleId === 'MT111');
    assert.equal(mt111?.level, 'note');
  });

  it('--format sarif with a relative path keeps a relative URI', async () => {
    write('r.mailtopo', ERRORS);
    const rel = path.relative(process.cwd(), path.join(dir, 'r.mailtopo'));
    const log = parseSarif((await run('check', rel, '--format', 'sarif')).out);
    assertSarif(log);
    assert.equal(
      log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri,
      rel.split(path.sep).map(encodeURIComponent).join('/'),
    );
  });

  it('exit codes: errors 1; warnings 0 unless --fail-on warning; hints never', async () => {
    const e = write('e.mailtopo', ERRORS),
      w = write('w.mailtopo', WARN),
      h = write('h.mailtopo', HINT),
      c = write('c.mailtopo', CLEAN);
    const errorsIn = async (f: string) => parseJson((await run('check', f, '--format', 'json')).out).summary;
    assert.equal((await errorsIn(w)).errors, 0, 'fixture: warnings only');
    assert.ok((await errorsIn(w)).warnings > 0);
    assert.deepEqual(await errorsIn(h), { errors: 0, warnings: 0, information: 0, hints: 1 });
    assert.equal((await run('check', e)).code, 1);
    assert.equal((await run('check', e, '--fail-on', 'warning')).code, 1);
    assert.equal((await run('check', w)).code, 0);
    assert.equal((await run('check', w, '--fail-on', 'error')).code, 0);
    assert.equal((await run('check', w, '--fail-on', 'warning')).code, 1);
    assert.equal((await run('check', w, '--fail-on=warning', '--format', 'json')).code, 1);
    assert.equal((await run('check', h, '--fail-on', 'warning')).code, 0);
    assert.equal((await run('check', c, '--fail-on', 'warning')).code, 0);
    assert.equal((await run('check', c, e)).code, 1);
  });

  it('several files: each is listed; a file another one imports is checked in that workspace, not alone', async () => {
    const main = write(
      'm/main.mailtopo',
      'import "nets.mailtopo"\ngateway g {\n  role relay\n  relay allow from=corp\n}\n',
    );
    const nets = write('m/nets.mailtopo', 'network corp {\n  cidr 10.0.0.0/8\n}\n');
    const other = write('other.mailtopo', ERRORS);
    for (const order of [
      [main, nets, other],
      [nets, main, other],
      [other, nets, main],
    ]) {
      const r = await run('check', ...order, '--format', 'json');
      const j = parseJson(r.out);
      assert.deepEqual(
        j.files.map((x: { file: string }) => x.file).sort(),
        [main, nets, other].sort(),
        order.join(' '),
      );
      // nets alone would not know corp's users (MT111) and main alone is fine: no MT105, no MT111
      const codes = j.files.flatMap((x: { diagnostics: Array<{ code: string }> }) => x.diagnostics.map((d) => d.code));
      assert.ok(!codes.includes('MT105') && !codes.includes('MT111'), `${order.join(' ')}: ${codes.join(',')}`);
      assert.equal(codes.filter((c: string) => c === 'MT109').length, 1);
    }
  });

  it('a file named twice is checked once', async () => {
    const e = write('e.mailtopo', ERRORS);
    const j = parseJson((await run('check', e, e, '--format', 'json')).out);
    assert.equal(j.files.length, 1);
    assert.equal(j.files[0].diagnostics.filter((d: { code: string }) => d.code === 'MT109').length, 1);
  });

  it('a missing file, a directory, an unreadable file: exit 2, a message, no stack trace', async () => {
    const missing = path.join(dir, 'nope.mailtopo');
    let r = await run('check', missing);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read '.*nope\.mailtopo': no such file/);
    assert.equal(r.out, '');
    noStack(r);
    mkdirSync(path.join(dir, 'adir'));
    r = await run('check', path.join(dir, 'adir'));
    assert.equal(r.code, 2);
    assert.match(r.err, /it is a directory/);
    noStack(r);
    // a good file next to a missing one: still exit 2 (usage), nothing half-printed
    r = await run('check', write('ok.mailtopo', CLEAN), missing, '--format', 'json');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    // not a usage mistake: no usage text
    assert.doesNotMatch(r.err, /usage:/);
    // a /proc file is refused unread (issue 14: it may be endless; before, /proc/self/mem gave EIO)
    if (existsSync('/proc/self/mem')) {
      r = await run('check', '/proc/self/mem');
      assert.equal(r.code, 2);
      assert.equal(r.err, "mailtopo: cannot read '/proc/self/mem': it is a /proc or /sys file, not a regular file\n");
      r = await run('fmt', '/proc/self/mem');
      assert.equal(r.code, 2);
    }
    if (process.getuid?.() !== 0) {
      const locked = write('locked.mailtopo', CLEAN);
      chmodSync(locked, 0o000);
      r = await run('check', locked);
      assert.equal(r.code, 2);
      assert.match(r.err, /cannot read/);
      noStack(r);
    }
  });

  it('bad usage: exit 2 with a message and the usage, never a stack trace', async () => {
    const f = write('c.mailtopo', CLEAN);
    const cases: Array<[string[], RegExp]> = [
      [[], /usage:/],
      [['check'], /needs at least one FILE/],
      [['check', f, '--frobnicate'], /unknown option '--frobnicate'/],
      [['check', f, '--format'], /'--format' needs a value/],
      [['check', f, '--format', 'xml'], /--format must be one of text, json, sarif/],
      [['check', f, '--fail-on', 'hint'], /--fail-on must be one of error, warning/],
      [['check', f, '--format', 'json', '--format', 'text'], /given twice/],
      [['check', f, '--timeout', 'soon'], /--timeout/],
      [['check', f, '--live=yes'], /takes no value/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['fmt'], /needs at least one FILE/],
      [['fmt', f, '--write'], /unknown option '--write'/],
    ];
    for (const [argv, msg] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, msg, argv.join(' '));
      assert.match(r.err, /usage:/);
      assert.equal(r.out, '', argv.join(' '));
      noStack(r);
    }
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /mailtopo check FILE/);
  });

  it('bad input is diagnostics, never a crash: binary garbage, a huge line, deep nesting', async () => {
    const bin = path.join(dir, 'garbage.mailtopo');
    writeFileSync(bin, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const deep = write('deep.mailtopo', 'gateway g {\n' + 'a {\n'.repeat(20000));
    for (const f of [bin, deep]) {
      const r = await run('check', f);
      assert.equal(r.code, 1, f);
      assert.equal(r.err, '');
      noStack(r);
      assert.match(r.out.trimEnd().split('\n').pop()!, SUMMARY);
    }
  });

  it('a UTF-8 byte-order mark (Windows editors) is not a character: no MT003, columns as the editor shows them', async () => {
    const f = path.join(dir, 'bom.mailtopo');
    writeFileSync(f, '\ufeff' + ERRORS);
    const r = await run('check', f);
    assert.ok(r.out.startsWith(`${f}:2:8: error MT109 `), r.out);
    assert.doesNotMatch(r.out, /MT003/);
    const g = path.join(dir, 'bom-first-line.mailtopo');
    writeFileSync(g, '\ufeffgatway g {\n}\n');
    assert.ok((await run('check', g)).out.startsWith(`${g}:1:1: error MT101 `));
  });

  it('-- ends the options: a file may start with dashes', async () => {
    const f = write('--odd.mailtopo', CLEAN);
    const r = await run('check', '--', f);
    assert.equal(r.code, 0, r.err);
  });
});

describe('cli: fmt', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-fmt-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const MESSY = 'gateway   g{\n  role relay;hostname g.example.com # note\n\n\n\n}\n';
  const CANON = 'gateway g {\n  role relay\n  hostname g.example.com # note\n}\n';

  it('rewrites a file in the canonical layout, keeping its mode', async () => {
    const f = write('a.mailtopo', MESSY);
    chmodSync(f, 0o640);
    const r = await run('fmt', f);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(f, 'utf8'), CANON);
    assert.equal(statSync(f).mode & 0o777, 0o640);
    assert.equal(r.out, `formatted ${f}\n`);
    // a second run changes nothing and says nothing
    const again = await run('fmt', f);
    assert.deepEqual(again, { code: 0, out: '', err: '' });
  });

  it('--check lists the files that would change, exits 1, and changes nothing', async () => {
    const a = write('a.mailtopo', MESSY),
      b = write('b.mailtopo', CANON);
    const r = await run('fmt', '--check', a, b);
    assert.equal(r.code, 1);
    assert.equal(r.out, `${a}\n`);
    assert.equal(readFileSync(a, 'utf8'), MESSY);
    const clean = await run('fmt', b, '--check');
    assert.deepEqual(clean, { code: 0, out: '', err: '' });
  });

  it('never touches a file with syntax errors: exit 1, where and why on stderr', async () => {
    const broken = 'gateway   g {\n  role relay\n  relay allow from=\n}\n';
    const f = write('broken.mailtopo', broken);
    const before = statSync(f).mtimeMs;
    const g = write('good.mailtopo', MESSY);
    const r = await run('fmt', f, g);
    assert.equal(r.code, 1);
    assert.equal(readFileSync(f, 'utf8'), broken);
    assert.equal(statSync(f).mtimeMs, before);
    assert.match(r.err, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:19: not formatted: `));
    noStack(r);
    // the good file next to it is still formatted
    assert.equal(readFileSync(g, 'utf8'), CANON);
    // and --check says the same
    const c = await run('fmt', '--check', f);
    assert.equal(c.code, 1);
    assert.match(c.err, /not formatted/);
  });

  it('keeps a byte-order mark', async () => {
    const f = write('bom.mailtopo', '\ufeff' + MESSY);
    assert.equal((await run('fmt', f)).code, 0);
    assert.equal(readFileSync(f, 'utf8'), '\ufeff' + CANON);
    assert.deepEqual(await run('fmt', '--check', f), { code: 0, out: '', err: '' });
  });

  it('schema errors do not stop fmt', async () => {
    const f = write('schema.mailtopo', 'gateway  g {\n  role   sideways\n}\n');
    const r = await run('fmt', f);
    assert.equal(r.code, 0);
    assert.equal(readFileSync(f, 'utf8'), 'gateway g {\n  role sideways\n}\n');
  });

  it('a missing file or a directory: exit 2 before anything is written', async () => {
    const a = write('a.mailtopo', MESSY);
    mkdirSync(path.join(dir, 'd'));
    for (const bad of [path.join(dir, 'missing.mailtopo'), path.join(dir, 'd')]) {
      const r = await run('fmt', a, bad);
      assert.equal(r.code, 2);
      assert.match(r.err, /cannot read/);
      noStack(r);
      assert.equal(readFileSync(a, 'utf8'), MESSY, 'nothing written when a later file is unreadable');
    }
  });

  it('leaves no temporary files behind', async () => {
    const a = write('a.mailtopo', MESSY);
    await run('fmt', a);
    const { readdirSync } = await import('node:fs');
    assert.deepEqual(readdirSync(dir), ['a.mailtopo']);
  });
});
