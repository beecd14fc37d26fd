// Imports with real files on disk: missing files and cycles (MT110), names
// declared twice across files (MT104, decided by the import line), the
// display path of an imported file, and references that cross files.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFiles } from '../../../server/src/core/check';
import { rootedFileHost } from '../../../server/src/core/model/fileHost';
import type { MtDiagnostic } from '../../../server/src/core/diagnostic';
import { rangeOf, show } from '../syntax/helpers';
import { writeUnder } from '../files';

let dir: string;

const write = (rel: string, text: string): string => writeUnder(dir, rel, text);

const core = (list: MtDiagnostic[]) => list.filter((d) => /^MT[01]/.test(d.code));
const brief = (list: MtDiagnostic[]) =>
  core(list).map((d) => `${d.code} ${path.basename(d.file)} ${rangeOf(d).join(',')}`);

describe('imports (files on disk)', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-imports-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('references resolve across files and nothing is reported for a clean split', () => {
    const main = write(
      'main.mailtopo',
      'import "nets.mailtopo"\ngateway g {\n  role relay\n  relay allow from=corp\n}\n',
    );
    write('nets.mailtopo', 'network corp {\n  cidr 10.0.0.0/8\n}\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(core(r.diagnostics), [], show(r.diagnostics));
    assert.equal(r.workspace.files.length, 2);
    assert.ok(r.model.byName.get('corp'));
  });

  it('an import of a missing file is MT110 on the path string; the rest loads', () => {
    const main = write(
      'main.mailtopo',
      'import "nets.mailtopo"\nimport "missing.mailtopo"\ngateway g {\n  role relay\n  relay allow from=corp\n  tls sometimes\n}\n',
    );
    write('nets.mailtopo', 'network corp {\n  cidr 10.0.0.0/8\n}\n');
    const r = checkFiles([{ path: main }]);
    const mt110 = r.diagnostics.filter((d) => d.code === 'MT110');
    assert.equal(mt110.length, 1, show(r.diagnostics));
    assert.equal(mt110[0].severity, 'error');
    assert.equal(mt110[0].file, main);
    assert.deepEqual(rangeOf(mt110[0]), [1, 7, 1, 25]);
    assert.match(mt110[0].message, /missing\.mailtopo/);
    // the rest still validates: corp resolves, the bad tls value is found
    assert.deepEqual(
      brief(r.diagnostics),
      ['MT110 main.mailtopo 1,7,1,25', 'MT109 main.mailtopo 5,6,5,15'],
      show(r.diagnostics),
    );
  });

  it('an import of a directory is MT110', () => {
    mkdirSync(path.join(dir, 'sub'));
    const main = write('main.mailtopo', 'import "sub"\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(brief(r.diagnostics), ['MT110 main.mailtopo 0,7,0,12'], show(r.diagnostics));
  });

  it('a cycle is MT110 on the import that closes it, and everything else loads', () => {
    const a = write(
      'a.mailtopo',
      'import "b.mailtopo"\nnetwork na {\n  cidr 10.1.0.0/16\n}\n' +
        'gateway g {\n  role relay\n  relay allow from=na, nb, nc\n}\n',
    );
    const b = write('b.mailtopo', 'import "c.mailtopo"\nnetwork nb {\n  cidr 10.2.0.0/16\n}\n');
    const c = write('c.mailtopo', 'network nc {\n  cidr 10.3.0.0/16\n}\n\nimport "a.mailtopo"\n');
    const r = checkFiles([{ path: a }]);
    const mt110 = r.diagnostics.filter((d) => d.code === 'MT110');
    assert.equal(mt110.length, 1, show(r.diagnostics));
    assert.equal(mt110[0].file, path.join(dir, 'c.mailtopo'));
    assert.equal(mt110[0].severity, 'error');
    assert.deepEqual(rangeOf(mt110[0]), [4, 7, 4, 19]);
    assert.match(mt110[0].message, /cycle/);
    assert.match(mt110[0].message, /a\.mailtopo.*b\.mailtopo.*c\.mailtopo.*a\.mailtopo/);
    // every declaration loaded, no other complaint
    assert.deepEqual(brief(r.diagnostics), ['MT110 c.mailtopo 4,7,4,19'], show(r.diagnostics));
    assert.deepEqual(
      r.workspace.files.map((f) => path.basename(f.abs)),
      ['a.mailtopo', 'b.mailtopo', 'c.mailtopo'],
    );
    void b;
    void c;
  });

  it('a file importing itself is a cycle', () => {
    const a = write('self.mailtopo', 'import "self.mailtopo"\n');
    const r = checkFiles([{ path: a }]);
    assert.deepEqual(brief(r.diagnostics), ['MT110 self.mailtopo 0,7,0,22'], show(r.diagnostics));
  });

  it('a file imported twice (a diamond) loads once: no MT104', () => {
    const main = write('main.mailtopo', 'import "b.mailtopo"\nimport "c.mailtopo"\n');
    write('b.mailtopo', 'import "d.mailtopo"\n');
    write('c.mailtopo', 'import "d.mailtopo"\n');
    write(
      'd.mailtopo',
      'network shared {\n  cidr 10.0.0.0/8\n}\ngateway g {\n  role relay\n  relay allow from=shared\n}\n',
    );
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(core(r.diagnostics), [], show(r.diagnostics));
    assert.equal(r.workspace.files.length, 4);
  });

  it("an imported file's declarations count at the import line: a later local one is the duplicate", () => {
    const main = write('main.mailtopo', 'import "gw.mailtopo"\n\ngateway g {\n  role relay\n}\n');
    write('gw.mailtopo', '# the shared relay\ngateway g {\n  role relay\n}\n');
    const r = checkFiles([{ path: main }]);
    const d = r.diagnostics.filter((x) => x.code === 'MT104');
    assert.equal(d.length, 1, show(r.diagnostics));
    assert.equal(d[0].file, main);
    assert.deepEqual(rangeOf(d[0]), [2, 8, 2, 9]);
    assert.deepEqual(
      d[0].related?.map((x) => [x.file, rangeOf(x)]),
      [[path.join(dir, 'gw.mailtopo'), [1, 8, 1, 9]]],
    );
  });

  it('a local declaration above the import line wins: the imported one is the duplicate', () => {
    const main = write('main.mailtopo', 'gateway g {\n  role relay\n}\nimport "gw.mailtopo"\n');
    write('gw.mailtopo', '\ngateway g {\n  role relay\n}\n');
    const r = checkFiles([{ path: main }]);
    const d = r.diagnostics.filter((x) => x.code === 'MT104');
    assert.equal(d.length, 1, show(r.diagnostics));
    assert.equal(d[0].file, path.join(dir, 'gw.mailtopo'));
    assert.deepEqual(rangeOf(d[0]), [1, 8, 1, 9]);
    assert.deepEqual(
      d[0].related?.map((x) => [x.file, rangeOf(x)]),
      [[main, [0, 8, 0, 9]]],
    );
  });

  it('a domain declared in two files', () => {
    const main = write('main.mailtopo', 'import "d.mailtopo"\ndomain A.example.com {\n}\n');
    write('d.mailtopo', 'domain a.example.com {\n}\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(brief(r.diagnostics), ['MT104 main.mailtopo 1,7,1,20'], show(r.diagnostics));
  });

  it('a second options block in another file is MT107, related to the first', () => {
    const main = write('main.mailtopo', 'import "o.mailtopo"\noptions {\n  ttl 5m\n}\n');
    write('o.mailtopo', 'options {\n  ttl 1h\n}\n');
    const r = checkFiles([{ path: main }]);
    const d = r.diagnostics.filter((x) => x.code === 'MT107');
    assert.equal(d.length, 1, show(r.diagnostics));
    assert.equal(d[0].file, main);
    assert.deepEqual(rangeOf(d[0]), [1, 0, 1, 7]);
    assert.equal(d[0].related?.[0].file, path.join(dir, 'o.mailtopo'));
  });

  it('options in an imported file apply to the whole workspace', () => {
    const main = write('main.mailtopo', 'import "o.mailtopo"\n');
    write('o.mailtopo', 'options {\n  dnsbl zen.spamhaus.org\n  ttl 5m\n}\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(r.model.options.dnsbl, ['zen.spamhaus.org']);
    assert.equal(r.model.options.ttlSeconds, 300);
  });

  it("an imported file's diagnostics carry the importing path as given joined with the import string", () => {
    write('sub/main.mailtopo', 'import "parts/gw.mailtopo"\n');
    write('sub/parts/gw.mailtopo', 'gateway g {\n  role sideways\n}\n');
    write('shared/nets.mailtopo', 'network n {\n  cidr 10.0.0.0/33\n}\n');
    // given as an absolute path
    let r = checkFiles([{ path: path.join(dir, 'sub/main.mailtopo') }]);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'MT109').map((d) => d.file),
      [path.join(dir, 'sub', 'parts', 'gw.mailtopo')],
    );
    // given relative to the working directory
    const rel = path.relative(process.cwd(), path.join(dir, 'sub/main.mailtopo'));
    r = checkFiles([{ path: rel }]);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'MT109').map((d) => d.file),
      [path.join(path.dirname(rel), 'parts/gw.mailtopo')],
    );
    // an import that climbs out of the importer's folder
    write('sub/up.mailtopo', 'import "../shared/nets.mailtopo"\n');
    // (the workspace root is `dir`: an import may not leave the root, LANGUAGE.md §3 Imports)
    r = checkFiles([{ path: path.join(dir, 'sub/up.mailtopo') }], { host: rootedFileHost(dir) });
    const d = r.diagnostics.find((x) => x.code === 'MT102');
    assert.ok(d, show(r.diagnostics));
    assert.equal(d.file, path.join(dir, 'shared', 'nets.mailtopo'));
    assert.deepEqual(rangeOf(d), [1, 7, 1, 18]);
  });

  it('an absolute import path is shown as written', () => {
    const target = write('abs/gw.mailtopo', 'gateway g {\n  role sideways\n}\n');
    const main = write('sub/main.mailtopo', `import ${JSON.stringify(target)}\n`);
    const rel = path.relative(process.cwd(), main);
    // inside the workspace root `dir` (an absolute path outside the root is MT110, see import-safety.test.ts)
    const r = checkFiles([{ path: rel }], { host: rootedFileHost(dir) });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.code === 'MT109').map((d) => d.file),
      [target],
    );
  });

  it('syntax errors in an imported file are reported in that file, and its declarations still load', () => {
    const main = write('main.mailtopo', 'import "b.mailtopo"\ngateway g {\n  role relay\n  relay allow from=corp\n}\n');
    write('b.mailtopo', 'network corp {\n  cidr 10.0.0.0/8;;\n}\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(brief(r.diagnostics), ['MT001 b.mailtopo 1,18,1,19'], show(r.diagnostics));
  });

  it('an unterminated import path is MT002 only: no file is looked up', () => {
    const main = write('main.mailtopo', 'import "b.mailtopo\n');
    write('b.mailtopo', 'this is not mailtopo $$$\n');
    const r = checkFiles([{ path: main }]);
    assert.deepEqual(brief(r.diagnostics), ['MT002 main.mailtopo 0,7,0,18'], show(r.diagnostics));
  });

  it('the text of an open editor buffer wins over the file on disk for the root', () => {
    const main = write('main.mailtopo', 'gateway g {\n  role sideways\n}\n');
    const r = checkFiles([{ path: main, text: 'gateway g {\n  role relay\n}\n' }]);
    assert.deepEqual(core(r.diagnostics), [], show(r.diagnostics));
  });
});
