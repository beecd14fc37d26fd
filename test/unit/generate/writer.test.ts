// The writer: only inside --out (no '..', absolute or symlinked escape),
// atomically, and never over a file mailtopo did not generate without force.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { badRelPath, writeGenerated, WriteRefused } from '../../../server/src/core/generate/writer';
import { commentHeader, isGeneratedByMailtopo } from '../../../server/src/core/generate/common';

const mine = (what: string, body = 'x = 1\n') => commentHeader('#', 'test.mailtopo', what) + body;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mailtopo-writer-'));
}

function listAll(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !e.isSymbolicLink()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

function refused(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof WriteRefused && re.test(e.message));
}

describe('generate: writer', () => {
  let base: string;
  beforeEach(() => {
    base = tmp();
  });
  afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('creates --out and nested folders and writes every file', () => {
    const out = path.join(base, 'a', 'b');
    const r = writeGenerated(out, [
      { path: 'postfix/gw/main.cf', content: mine('main') },
      { path: 'model.json', content: '{"generatedBy": "mailtopo"}\n' },
    ]);
    assert.deepEqual(r.written, ['postfix/gw/main.cf', 'model.json']);
    assert.equal(fs.readFileSync(path.join(out, 'postfix/gw/main.cf'), 'utf8'), mine('main'));
    assert.deepEqual(listAll(out), ['model.json', 'postfix/gw/main.cf'], 'no temporary files left behind');
  });

  for (const bad of [
    '../escape.cf',
    'postfix/../../escape.cf',
    '/etc/passwd',
    'C:/x',
    'a\\b',
    'a//b',
    './a',
    'a/./b',
    '',
    'a\0b',
    'dir/',
  ]) {
    it(`refuses the path ${JSON.stringify(bad)} and writes nothing`, () => {
      const out = path.join(base, 'out');
      assert.ok(badRelPath(bad));
      refused(
        () =>
          writeGenerated(out, [
            { path: 'ok.txt', content: mine('ok') },
            { path: bad, content: mine('bad') },
          ]),
        /refusing/,
      );
      assert.equal(fs.existsSync(path.join(out, 'ok.txt')), false, 'a refused run writes nothing');
      assert.equal(fs.existsSync(path.join(base, 'escape.cf')), false);
    });
  }

  it('accepts ordinary relative paths', () => {
    for (const ok of ['model.json', 'postfix/edge-1/main.cf', 'bind/db.example.com', 'diagram/topology.svg'])
      assert.equal(badRelPath(ok), undefined, ok);
  });

  it('refuses a symbolic link to a folder outside --out, even several levels down', () => {
    const out = path.join(base, 'out');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(out, 'postfix'), { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(out, 'postfix', 'gw'));
    refused(
      () =>
        writeGenerated(out, [
          { path: 'model.json', content: '{"generatedBy": "mailtopo"}' },
          { path: 'postfix/gw/main.cf', content: mine('main') },
        ]),
      /symbolic link out of the output folder/,
    );
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.equal(fs.existsSync(path.join(out, 'model.json')), false, 'nothing written at all');
  });

  it('refuses a symbolic link to a file outside --out at a parent position', () => {
    const out = path.join(base, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(base, 'f'), 'outside');
    fs.symlinkSync(path.join(base, 'f'), path.join(out, 'bind'));
    refused(
      () => writeGenerated(out, [{ path: 'bind/db.example.com', content: mine('zone') }]),
      /out of the output folder|not a folder/,
    );
  });

  it('follows a symbolic link that stays inside --out', () => {
    const out = path.join(base, 'out');
    fs.mkdirSync(path.join(out, 'real'), { recursive: true });
    fs.symlinkSync(path.join(out, 'real'), path.join(out, 'postfix'));
    writeGenerated(out, [{ path: 'postfix/main.cf', content: mine('main') }]);
    assert.equal(fs.readFileSync(path.join(out, 'real', 'main.cf'), 'utf8'), mine('main'));
  });

  it('replaces, never follows, a symbolic link at the file name (only with force)', () => {
    const out = path.join(base, 'out');
    fs.mkdirSync(out);
    const victim = path.join(base, 'victim.txt');
    fs.writeFileSync(victim, mine('victim'));
    fs.symlinkSync(victim, path.join(out, 'model.json'));
    refused(
      () => writeGenerated(out, [{ path: 'model.json', content: '{"generatedBy": "mailtopo"}' }]),
      /symbolic link/,
    );
    writeGenerated(out, [{ path: 'model.json', content: '{"generatedBy": "mailtopo"}' }], { force: true });
    assert.equal(fs.lstatSync(path.join(out, 'model.json')).isSymbolicLink(), false);
    assert.equal(fs.readFileSync(victim, 'utf8'), mine('victim'), 'the link target is untouched');
  });

  it('never overwrites a file without the marker, unless forced', () => {
    const out = path.join(base, 'out');
    fs.mkdirSync(path.join(out, 'haproxy'), { recursive: true });
    fs.writeFileSync(path.join(out, 'haproxy', 'haproxy.cfg'), 'global\n  # hand-written\n');
    refused(
      () => writeGenerated(out, [{ path: 'haproxy/haproxy.cfg', content: mine('cfg') }]),
      /not generated by mailtopo/,
    );
    assert.equal(fs.readFileSync(path.join(out, 'haproxy', 'haproxy.cfg'), 'utf8'), 'global\n  # hand-written\n');
    writeGenerated(out, [{ path: 'haproxy/haproxy.cfg', content: mine('cfg') }], { force: true });
    assert.equal(fs.readFileSync(path.join(out, 'haproxy', 'haproxy.cfg'), 'utf8'), mine('cfg'));
  });

  it('overwrites its own files, and leaves identical ones alone', () => {
    const out = path.join(base, 'out');
    writeGenerated(out, [
      { path: 'a.cf', content: mine('a', 'v = 1\n') },
      { path: 'b.cf', content: mine('b') },
    ]);
    const r = writeGenerated(out, [
      { path: 'a.cf', content: mine('a', 'v = 2\n') },
      { path: 'b.cf', content: mine('b') },
    ]);
    assert.deepEqual(r.written, ['a.cf']);
    assert.deepEqual(r.unchanged, ['b.cf']);
    assert.equal(fs.readFileSync(path.join(out, 'a.cf'), 'utf8'), mine('a', 'v = 2\n'));
  });

  it('replaces a hard-linked file by rename: the other name keeps its content', () => {
    const out = path.join(base, 'out');
    writeGenerated(out, [{ path: 'a.cf', content: mine('a', 'v = 1\n') }]);
    const other = path.join(base, 'other-name.cf');
    fs.linkSync(path.join(out, 'a.cf'), other);
    writeGenerated(out, [{ path: 'a.cf', content: mine('a', 'v = 2\n') }]);
    assert.equal(fs.readFileSync(other, 'utf8'), mine('a', 'v = 1\n'));
  });

  it('refuses when a folder or other non-file is in the way', () => {
    const out = path.join(base, 'out');
    fs.mkdirSync(path.join(out, 'model.json'), { recursive: true });
    refused(() => writeGenerated(out, [{ path: 'model.json', content: '{}' }]), /other than a file/);
    fs.writeFileSync(path.join(out, 'postfix'), 'a file');
    refused(() => writeGenerated(out, [{ path: 'postfix/gw/main.cf', content: mine('main') }]), /not a folder/);
  });

  it('refuses the same path twice', () => {
    refused(
      () =>
        writeGenerated(path.join(base, 'out'), [
          { path: 'a', content: '' },
          { path: 'a', content: '' },
        ]),
      /twice/,
    );
  });

  it('recognises its marker in every comment syntax and in model.json', () => {
    for (const p of ['#', ';', '//', '%%']) assert.ok(isGeneratedByMailtopo(commentHeader(p, 's.mailtopo', 'x')));
    assert.ok(isGeneratedByMailtopo('<!-- Generated by mailtopo from s.mailtopo -->\n<svg/>'));
    assert.ok(isGeneratedByMailtopo('{\n  "generatedBy": "mailtopo",\n'));
    assert.ok(!isGeneratedByMailtopo('# main.cf by hand\nmyhostname = x\n'));
    assert.ok(!isGeneratedByMailtopo('x'.repeat(2000) + ' Generated by mailtopo'), 'only near the top');
  });
});
