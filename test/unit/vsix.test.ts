// Packages the extension with vsce (as `npm run package` does, from the current
// dist/ bundles), unpacks the .vsix (a zip, read here with zlib) and checks what
// a user would install: only the bundles, grammar, language configuration,
// snippets, icon and texts; under 5 MB; activation only on the language and its
// commands; bundles that need nothing from node_modules.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = join(import.meta.dirname, '..', '..');

interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  offset: number;
}

/** Reads a zip's central directory (no zip64: a .vsix is small). */
export function readZip(buf: Buffer): { entries: ZipEntry[]; read(name: string): Buffer } {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    entries.push({
      name: buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
      size,
      compressedSize,
      method,
      offset,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  const read = (name: string): Buffer => {
    const e = entries.find((x) => x.name === name);
    if (!e) throw new Error(`${name} is not in the zip`);
    const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
    const data = buf.subarray(start, start + e.compressedSize);
    return e.method === 0 ? Buffer.from(data) : inflateRawSync(data);
  };
  return { entries, read };
}

const EXPECTED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/dist/client.cjs',
  'extension/dist/server.cjs',
  'extension/syntaxes/mailtopo.tmLanguage.json',
  'extension/language-configuration.json',
  'extension/snippets/mailtopo.json',
  'extension/images/icon.png',
].sort();

describe('the .vsix package', function () {
  this.timeout(180000);
  let dir = '';
  let vsix = '';
  let zip: ReturnType<typeof readZip>;

  before(function () {
    if (!existsSync(join(ROOT, 'dist', 'client.cjs')) || !existsSync(join(ROOT, 'dist', 'server.cjs'))) {
      execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'pipe' });
    }
    dir = mkdtempSync(join(tmpdir(), 'mailtopo-vsix-'));
    vsix = join(dir, 'mailtopo.vsix');
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], {
      cwd: ROOT,
      stdio: 'pipe',
      input: '',
    });
    zip = readZip(readFileSync(vsix));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds exactly the bundles, grammar, language configuration, snippets, icon and texts', () => {
    const names = zip.entries
      .map((e) => e.name)
      .filter((n) => !n.endsWith('/'))
      .sort();
    assert.deepEqual(names, EXPECTED);
    for (const n of names) {
      assert.ok(!/\.(ts|map|tsx|mts)$/.test(n), `no source or map: ${n}`);
      assert.ok(!/node_modules|\/test\/|\/client\/src|\/server\/src|\/samples\//.test(n), `no dev file: ${n}`);
    }
  });

  it('is under 5 MB', () => {
    const size = readFileSync(vsix).length;
    assert.ok(size < 5 * 1024 * 1024, `${(size / 1048576).toFixed(2)} MB`);
  });

  it('activates only on the mailtopo language and its own commands', () => {
    const pkg = JSON.parse(zip.read('extension/package.json').toString('utf8')) as {
      main: string;
      activationEvents: string[];
      engines: { vscode: string };
      contributes: {
        commands: { command: string }[];
        languages: { id: string }[];
        configuration: { properties: Record<string, { default: unknown }> };
      };
      capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    };
    assert.equal(pkg.main, './dist/client.cjs');
    assert.ok(pkg.engines.vscode, 'engines.vscode');
    assert.ok(pkg.activationEvents.includes('onLanguage:mailtopo'));
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const ev of pkg.activationEvents) {
      const m = /^onCommand:(.+)$/.exec(ev);
      assert.ok(
        ev === 'onLanguage:mailtopo' || (m && commands.has(m[1]) && m[1].startsWith('mailtopo.')),
        `unexpected activation event ${ev}`,
      );
    }
    assert.ok(
      !pkg.activationEvents.some((e) => e === '*' || e === 'onStartupFinished' || e.startsWith('workspaceContains')),
      'no start-up activation',
    );
    for (const c of [
      'mailtopo.generateConfiguration',
      'mailtopo.showDiagram',
      'mailtopo.rerunLiveChecks',
      'mailtopo.toggleLiveChecks',
    ])
      assert.ok(commands.has(c), c);
    assert.deepEqual(
      pkg.contributes.languages.map((l) => l.id),
      ['mailtopo'],
    );
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('mailtopo.liveChecks.resolvers'));
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['mailtopo.liveChecks.enabled'].default, true);
    assert.deepEqual(props['mailtopo.liveChecks.resolvers'].default, []);
    assert.equal(props['mailtopo.liveChecks.timeoutMs'].default, 3000);
    assert.deepEqual(props['mailtopo.liveChecks.dnsbl'].default, []);
    assert.deepEqual(props['mailtopo.diagnostics.ignore'].default, []);
    assert.ok(props['mailtopo.trace.server']);
  });

  it('ships bundles that need nothing from node_modules', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const f of ['extension/dist/client.cjs', 'extension/dist/server.cjs']) {
      const text = zip.read(f).toString('utf8');
      const required = new Set([...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
      const outside = [...required].filter((r) => !builtins.has(r) && r !== 'vscode' && !r.startsWith('.'));
      assert.deepEqual(outside, [], `${f} requires packages that are not in the .vsix`);
      if (f.endsWith('server.cjs')) assert.ok(!required.has('vscode'), 'the server does not need vscode');
    }
  });

  it('keeps the icon a 128x128 PNG', () => {
    const png = zip.read('extension/images/icon.png');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });
});
