// `mailtopo generate`: usage errors exit 2 with a message (never a stack
// trace), a topology with errors is refused with exit 1 and its diagnostics,
// --force generates anyway, files land only inside --out.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runGenerate } from '../../../server/src/generateCommand';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runGenerate(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

const GOOD = `domain example.com {
  mx 10 gw
  spf "v=spf1 ip4:198.51.100.25 -all"
}
gateway gw {
  role edge
  hostname mx.example.com
  address 198.51.100.25
  tls required
  dnsbl zen.spamhaus.org
  accept example.com
  relay allow from=10.0.0.0/8
  route example.com via=mbx
  route * via=direct
}
server mbx {
  role mailbox
  hostname mbx.example.com
  address 10.0.0.5
  mailboxes example.com
  route * via=gw
}
`;

const BROKEN = `domain example.com {
  mx 10 nowhere
}
gateway gw {
  role edge
  rely allow from=any
}
`;

describe('generate: the mailtopo generate command', function () {
  this.timeout(30000);
  let dir: string;
  let good: string;
  let broken: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailtopo-gencmd-'));
    good = path.join(dir, 'good.mailtopo');
    broken = path.join(dir, 'broken.mailtopo');
    fs.writeFileSync(good, GOOD);
    fs.writeFileSync(broken, BROKEN);
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['no arguments', [], /needs a FILE/],
    ['no --target', ['x.mailtopo', '--out', 'o'], /needs --target/],
    ['no --out', ['x.mailtopo', '--target', 'all'], /needs --out/],
    ['an unknown target', ['x.mailtopo', '--target', 'sendmail', '--out', 'o'], /unknown target 'sendmail'/],
    ['an unknown option', ['x.mailtopo', '--target', 'all', '--out', 'o', '--dry-run'], /unknown option '--dry-run'/],
    ['two files', ['a.mailtopo', 'b.mailtopo', '--target', 'all', '--out', 'o'], /one FILE/],
    ['--out twice', ['x.mailtopo', '--target', 'all', '--out', 'o', '--out', 'p'], /given twice/],
    ['a value for --force', ['x.mailtopo', '--target', 'all', '--out', 'o', '--force=yes'], /takes no value/],
    ['--target without a value', ['x.mailtopo', '--out', 'o', '--target'], /needs a value/],
  ];
  for (const [what, argv, re] of usage) {
    it(`bad usage (${what}): exit 2 with a message and the usage, no stack trace`, async () => {
      const r = await run(argv);
      assert.equal(r.code, 2);
      assert.match(r.err, re);
      assert.match(r.err, /usage: mailtopo generate/);
      assert.doesNotMatch(r.err, /\n\s+at /);
    });
  }

  it('a missing or unreadable FILE: exit 2', async () => {
    const r = await run([path.join(dir, 'nope.mailtopo'), '--target', 'all', '--out', path.join(dir, 'o')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read .*no such file/);
    const d = await run([dir, '--target', 'all', '--out', path.join(dir, 'o')]);
    assert.equal(d.code, 2);
    assert.match(d.err, /not a file|is a directory/);
  });

  it('--help: exit 0 with the usage', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /usage: mailtopo generate/);
  });

  it('generates every target into --out (exit 0) and lists what it wrote', async () => {
    const out = path.join(dir, 'out');
    const r = await run([good, '--target', 'all', '--out', out]);
    assert.equal(r.code, 0, r.err);
    for (const f of [
      'postfix/gw/main.cf',
      'postfix/gw/master.cf',
      'postfix/gw/transport',
      'bind/db.example.com',
      'exchange/mbx.ps1',
      'diagram/topology.dot',
      'diagram/topology.mmd',
      'diagram/topology.svg',
      'model.json',
    ]) {
      assert.ok(fs.existsSync(path.join(out, f)), f);
      assert.match(r.out, new RegExp(`wrote .*${f.replace(/[.]/g, '\\.')}`));
    }
    assert.ok(!fs.existsSync(path.join(out, 'haproxy')), 'no pool, no haproxy.cfg');
    assert.match(r.err, /note: haproxy: no pool with a vip/);
    assert.match(r.out, /generated in/);
    const again = await run([good, '--target=all', `--out=${out}`]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /unchanged/);
  });

  it('takes a comma list of targets', async () => {
    const out = path.join(dir, 'out');
    const r = await run([good, '--target', 'bind,json', '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(fs.readdirSync(out).sort(), ['bind', 'model.json']);
  });

  it('refuses a topology with errors: exit 1, diagnostics as file:line:col: severity CODE message, nothing written', async () => {
    const out = path.join(dir, 'out');
    const r = await run([broken, '--target', 'all', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.err, /broken\.mailtopo:2:9: error MT105 /);
    assert.match(r.err, /broken\.mailtopo:6:3: error MT101 /);
    assert.match(r.err, /nothing written \(--force generates anyway\)/);
    assert.equal(fs.existsSync(out), false);
  });

  it('--force generates from a topology with errors', async () => {
    const out = path.join(dir, 'out');
    const r = await run([broken, '--target', 'all', '--out', out, '--force']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /generating anyway/);
    assert.ok(fs.existsSync(path.join(out, 'postfix/gw/main.cf')));
  });

  it('refuses to overwrite a file it did not generate (exit 1); --force overwrites it', async () => {
    const out = path.join(dir, 'out');
    fs.mkdirSync(path.join(out, 'bind'), { recursive: true });
    fs.writeFileSync(path.join(out, 'bind', 'db.example.com'), '; my own zone\n');
    const r = await run([good, '--target', 'bind', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.err, /not generated by mailtopo/);
    assert.equal(fs.readFileSync(path.join(out, 'bind', 'db.example.com'), 'utf8'), '; my own zone\n');
    const f = await run([good, '--target', 'bind', '--out', out, '--force']);
    assert.equal(f.code, 0, f.err);
    assert.match(fs.readFileSync(path.join(out, 'bind', 'db.example.com'), 'utf8'), /^; Generated by mailtopo/);
  });

  it('never follows a symbolic link out of --out (exit 1)', async () => {
    const out = path.join(dir, 'out');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(out);
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(out, 'postfix'));
    const r = await run([good, '--target', 'postfix', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.err, /symbolic link out of the output folder/);
    assert.deepEqual(fs.readdirSync(outside), []);
  });

  it('--out that is a file: exit 2 with a message', async () => {
    const out = path.join(dir, 'afile');
    fs.writeFileSync(out, 'x');
    const r = await run([good, '--target', 'json', '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot write into/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });
});
