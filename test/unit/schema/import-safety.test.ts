// Issue 14 finding 1: imports and FILE arguments read only a regular file of at
// most 10 MB inside the workspace root. A FIFO never blocks, /dev/zero and /proc
// files are never read without end, `../`, absolute paths and symbolic links
// that leave the root are MT110 with the reason. Each case failed (hung, grew,
// or read the file) before the one file-reading host.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFiles } from '../../../server/src/core/check';
import {
  cliRoot,
  editorRoot,
  folderPaths,
  readRegularFile,
  rootedFileHost,
} from '../../../server/src/core/model/fileHost';
import { writeUnder } from '../files';
import { pathToFileURL } from 'node:url';
import { main } from '../../../server/src/cli';
import { Analyzer } from '../../../server/src/analysis';

let dir: string;
const write = (rel: string, text: string): string => writeUnder(dir, rel, text);
const mt110 = (file: string, opts = {}) =>
  checkFiles([{ path: file }], opts).diagnostics.filter((d) => d.code === 'MT110');

const NET = 'network corp {\n  cidr 10.0.0.0/8\n}\n';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

describe('import safety (issue 14, finding 1)', function () {
  this.timeout(10000);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-isafe-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('import of a FIFO is MT110 at once, not a hang', () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const main = write('main.mailtopo', 'import "fifo"\n');
    const t0 = Date.now();
    const d = mt110(main);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(d.length, 1);
    assert.match(d[0].message, /cannot import 'fifo': it is a FIFO/);
  });

  it('import of /dev/zero and /proc/self/pagemap is MT110 and reads nothing (root = /)', () => {
    const main = write(
      'main.mailtopo',
      'import "/dev/zero"\nimport "/proc/self/pagemap"\nimport "/proc/self/status"\n',
    );
    const heap0 = process.memoryUsage().rss;
    const d = checkFiles([{ path: main }], { host: rootedFileHost('/') }).diagnostics.filter((x) => x.code === 'MT110');
    assert.equal(d.length, 3, d.map((x) => x.message).join('\n'));
    assert.match(d[0].message, /device/);
    assert.match(d[1].message, /\/proc/);
    assert.match(d[2].message, /\/proc/);
    assert.ok(process.memoryUsage().rss - heap0 < 200e6);
  });

  it('paths leaving the root (../, absolute, a symbolic link out) are MT110 and nothing is read', () => {
    const ws = path.join(dir, 'ws');
    writeUnder(dir, 'secret/topology.mailtopo', NET);
    symlinkSync(path.join(dir, 'secret', 'topology.mailtopo'), path.join(dir, 'link.mailtopo'));
    mkdirSync(ws);
    symlinkSync(path.join(dir, 'secret', 'topology.mailtopo'), path.join(ws, 'inlink.mailtopo'));
    const main = write(
      'ws/main.mailtopo',
      `import "../secret/topology.mailtopo"\nimport "${path.join(dir, 'secret', 'topology.mailtopo')}"\nimport "inlink.mailtopo"\n`,
    );
    const r = checkFiles([{ path: main }], { host: rootedFileHost(ws) });
    const d = r.diagnostics.filter((x) => x.code === 'MT110');
    assert.equal(d.length, 3, d.map((x) => x.message).join('\n'));
    assert.match(d[0].message, /outside the workspace root/);
    assert.match(d[1].message, /outside the workspace root/);
    assert.match(d[2].message, /symbolic link .* outside the workspace root/);
    assert.equal(r.model.byName.get('corp'), undefined, 'nothing was read from the secret file');
    assert.equal(r.workspace.files.length, 1);
  });

  it('a symbolic link inside the root to a file inside the root is read', () => {
    write('real.mailtopo', NET);
    symlinkSync(path.join(dir, 'real.mailtopo'), path.join(dir, 'alias.mailtopo'));
    const main = write('main.mailtopo', 'import "alias.mailtopo"\n');
    const r = checkFiles([{ path: main }], { host: rootedFileHost(dir) });
    assert.deepEqual(
      r.diagnostics.filter((x) => x.code === 'MT110'),
      [],
    );
    assert.ok(r.model.byName.get('corp'));
  });

  it('a file over 10 MB is MT110; a directory too', () => {
    writeFileSync(path.join(dir, 'big.mailtopo'), Buffer.alloc(10 * 1024 * 1024 + 1, 0x23));
    mkdirSync(path.join(dir, 'sub'));
    const main = write('main.mailtopo', 'import "big.mailtopo"\nimport "sub"\n');
    const d = mt110(main);
    assert.match(d[0].message, /larger than 10 MB/);
    assert.match(d[1].message, /directory/);
  });

  it('readRegularFile strips a BOM and caps at 10 MB exactly', () => {
    writeFileSync(path.join(dir, 'ok'), '\ufeffnetwork n {}\n');
    writeFileSync(path.join(dir, 'max'), Buffer.alloc(10 * 1024 * 1024, 0x23));
    assert.deepEqual(readRegularFile(path.join(dir, 'ok')), { text: 'network n {}\n' });
    const r = readRegularFile(path.join(dir, 'max'));
    assert.ok('text' in r && r.text.length === 10 * 1024 * 1024);
  });

  it('roots: the CLI rule and the editor rule', () => {
    assert.equal(cliRoot('a/b.mailtopo', undefined, '/w'), '/w');
    assert.equal(cliRoot('/elsewhere/x/b.mailtopo', undefined, '/w'), '/elsewhere/x');
    assert.equal(cliRoot('/elsewhere/x/b.mailtopo', '/elsewhere', '/w'), '/elsewhere');
    assert.equal(cliRoot('b.mailtopo', 'sub', '/w'), '/w/sub');
    assert.equal(editorRoot('/w/p/q/f.mailtopo', ['/w', '/w/p', '/x']), '/w/p');
    assert.equal(editorRoot('/z/f.mailtopo', ['/w']), '/z');
    assert.equal(editorRoot('/wx/f.mailtopo', ['/w']), '/wx', 'a folder name prefix is not a parent');
  });

  it('language server: the root is the workspace folder holding the file, else its directory', () => {
    writeUnder(dir, 'secret/topology.mailtopo', NET);
    writeUnder(dir, 'ws/nets.mailtopo', NET.replace('corp', 'near'));
    const text = 'import "../../secret/topology.mailtopo"\nimport "../nets.mailtopo"\n';
    const main = write('ws/sub/main.mailtopo', text);
    const uri = pathToFileURL(main).href;
    const doc = { uri, version: 1, getText: () => text };
    const an = new Analyzer({ get: (u) => (u === uri ? doc : undefined), all: () => [doc] });
    const msgs = () =>
      an
        .ensure(uri)!
        .result.diagnostics.filter((d) => d.code === 'MT110')
        .map((d) => d.message);
    // no folder: the file's own directory; both imports leave it
    assert.equal(msgs().length, 2);
    assert.ok(msgs().every((m) => /outside the workspace root/.test(m)));
    an.folders = folderPaths({ workspaceFolders: [{ uri: pathToFileURL(path.join(dir, 'ws')).href }] });
    an.generation++;
    const m = msgs();
    assert.equal(m.length, 1, m.join('\n'));
    assert.match(m[0], /secret/);
    assert.ok(an.ensure(uri)!.result.model.byName.get('near'));
    assert.equal(an.ensure(uri)!.result.model.byName.get('corp'), undefined);
  });

  it('CLI: a FIFO or a device as FILE is exit 2 at once (check and fmt)', async () => {
    const fifo = path.join(dir, 'f.mailtopo');
    execFileSync('mkfifo', [fifo]);
    for (const argv of [
      ['check', fifo],
      ['fmt', fifo],
      ['check', '/dev/zero'],
      ['fmt', '/dev/null'],
    ]) {
      const t0 = Date.now();
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /cannot read '.*': it is a (FIFO|device)/);
      assert.ok(Date.now() - t0 < 2000);
    }
  });

  it('CLI: a FILE over 10 MB is exit 2 with a message', async () => {
    const big = path.join(dir, 'big.mailtopo');
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 10, 0x23));
    const r = await run('check', big);
    assert.equal(r.code, 2);
    assert.match(r.err, /larger than 10 MB/);
  });

  it('CLI --root: imports may not leave it; the default root is the file directory outside cwd', async () => {
    writeUnder(dir, 'shared/nets.mailtopo', NET);
    const main = write('proj/main.mailtopo', 'import "../shared/nets.mailtopo"\nnetwork x {\n  cidr 10.1.0.0/16\n}\n');
    const dflt = await run('check', main, '--format', 'json');
    assert.match(dflt.out, /MT110/);
    assert.match(dflt.out, /outside the workspace root/);
    const wide = await run('check', main, '--root', dir, '--format', 'json');
    assert.doesNotMatch(wide.out, /MT110/);
    const bad = await run('check', main, '--root', path.join(dir, 'nope'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--root must be a directory/);
    assert.equal(readFileSync(main, 'utf8').length > 0, true);
  });
});
