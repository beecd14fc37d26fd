// Issue 14, item 2: a server started over stdio by a client that sends no
// settings and no trust signal (Neovim, Helix) runs no live check: an
// untrusted file that imports a secret one and names an attacker's DNSBL sends
// zero packets. Counted at a test DNS server that is the only resolver the
// process can reach: inside a network namespace (`unshare -n`, root) with only
// loopback, /etc/resolv.conf bind-mounted to `nameserver 127.0.0.1` in a
// private mount namespace. A control client whose settings turn live checks on
// must reach the counter, so zero means nothing was sent, not nothing counted.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildServer, ROOT } from './harness';

function namespaceProblem(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (unshare -n needs CAP_SYS_ADMIN)';
  const r = spawnSync('unshare', ['-n', '-m', '--', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (r.error) return `unshare: ${r.error.message}`;
  if (r.status !== 0) return `unshare -n -m / ip link failed: ${(r.stderr || '').trim()}`;
  return undefined;
}

describe('protocol: stdio clients that send no settings run no live checks (network namespace)', function () {
  this.timeout(120000);

  it('Helix- and Neovim-like clients: zero DNS packets; a client whose settings turn them on: packets', async function () {
    const problem = namespaceProblem();
    if (problem) {
      process.stderr.write(`      skipped: cannot make a network namespace here (${problem})\n`);
      this.skip();
    }
    await buildServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailtopo-resolv-'));
    const resolv = path.join(dir, 'resolv.conf');
    fs.writeFileSync(resolv, 'nameserver 127.0.0.1\n');
    try {
      const r = spawnSync(
        'unshare',
        [
          '-n',
          '-m',
          '--',
          'sh',
          '-c',
          'ip link set lo up && mount --bind "$1" /etc/resolv.conf && exec "$2" --import tsx "$3"',
          'sh',
          resolv,
          process.execPath,
          path.join(ROOT, 'test', 'protocol', 'netnsClient.ts'),
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 100000 },
      );
      assert.equal(r.status, 0, `namespace client failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { cases: Record<string, number>; names: string[] };
      const c = out.cases;
      assert.equal(c['helix (no settings, no configuration request)'], 0, JSON.stringify(out));
      assert.equal(c['neovim (no settings, configuration answers null)'], 0, JSON.stringify(out));
      assert.ok(c['control: settings turn live checks on'] > 0, `the counter sees queries: ${JSON.stringify(out)}`);
      assert.ok(c['vscode-like (sends Workspace Trust: trusted, no settings)'] > 0, 'in VS Code they default on');
      assert.ok(
        out.names.includes('77.113.0.203.bl.attacker.example'),
        `the control asked the DNSBL about the secret address: ${out.names.join(', ')}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
