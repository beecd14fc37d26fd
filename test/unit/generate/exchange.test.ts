// Exchange scripts (issue 13, item 4): which nodes get one (software exchange
// only; an Edge Transport script for an `edge` gateway), that every cmdlet and
// parameter is one that exists on that server role, that EdgeSync-owned
// configuration stays out of an Edge script, TLS-required connectors, the
// IP block lists' real listing codes, and balanced quoting.
import * as assert from 'node:assert/strict';
import { checkFiles, checkText } from '../../../server/src/core/check';
import { generateExchange } from '../../../server/src/core/generate/exchange';
import { checkPs1, psSkeleton } from './formats';
import type { Model } from '../../../server/src/core/model/types';

const OPTS = { source: 't.mailtopo', now: new Date('2025-06-01T12:00:00Z') };
const FIXTURE = 'test/fixtures/generate/exchange-edge.mailtopo';
const SAMPLES = ['samples/companyabc.mailtopo', 'samples/small-office.mailtopo', 'samples/cloud-filter.mailtopo'];

function model(text: string): Model {
  const r = checkText(text, 't.mailtopo');
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`),
    [],
  );
  return r.model;
}
function fileModel(path: string): Model {
  const r = checkFiles([{ path }]);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`),
    [],
  );
  return r.model;
}

// Parameters used with each cmdlet, as the Exchange cmdlet reference lists them; the
// Edge Transport role has no accepted domains or send connectors of its own (EdgeSync)
// and no -TransportRole (Mailbox servers only).
const COMMON: Record<string, string[]> = {
  'Get-ReceiveConnector': ['Identity', 'ErrorAction'],
  'New-ReceiveConnector': [
    'Name',
    'Server',
    'Custom',
    'Bindings',
    'RemoteIPRanges',
    'PermissionGroups',
    'RequireTLS',
    'MaxMessageSize',
    'Comment',
  ],
  'Set-ReceiveConnector': ['Identity', 'RemoteIPRanges', 'RequireTLS', 'MaxMessageSize'],
  'Add-ADPermission': ['User', 'ExtendedRights'],
  'Set-RecipientFilterConfig': ['Enabled', 'ExternalMailEnabled', 'RecipientValidationEnabled'],
  'ForEach-Object': [],
};
const EDGE: Record<string, string[]> = {
  ...COMMON,
  'Set-IPBlockListConfig': ['Enabled', 'ExternalMailEnabled', 'InternalMailEnabled'],
  'Get-IPBlockListProvider': ['Identity', 'ErrorAction'],
  'Add-IPBlockListProvider': ['Name', 'LookupDomain', 'IPAddressesMatch', 'Enabled', 'Priority'],
  'Set-IPBlockListProvider': ['Identity', 'AnyMatch', 'IPAddressesMatch'],
};
const MAILBOX: Record<string, string[]> = {
  ...COMMON,
  'New-ReceiveConnector': [...COMMON['New-ReceiveConnector'], 'TransportRole'],
  'Get-AcceptedDomain': ['Identity', 'ErrorAction'],
  'New-AcceptedDomain': ['Name', 'DomainName', 'DomainType'],
  'Get-SendConnector': ['Identity', 'ErrorAction'],
  'New-SendConnector': [
    'Name',
    'Usage',
    'AddressSpaces',
    'DNSRoutingEnabled',
    'SmartHosts',
    'Port',
    'RequireTLS',
    'SourceTransportServers',
    'MaxMessageSize',
    'Comment',
  ],
};

/** Every cmdlet of the script's code (not comments) with the parameters given to it. */
function calls(ps: string): Array<{ cmdlet: string; params: string[] }> {
  const { code, problem } = psSkeleton(ps);
  assert.equal(problem, undefined);
  const out: Array<{ cmdlet: string; params: string[] }> = [];
  for (const raw of code) {
    // A range of listing codes is one value of the parameter before it.
    const line = raw.replace(/\(\d+\.\.\d+ \| ForEach-Object \{ 'L' \+ \$_ \}\)/g, "'L'");
    const parts = line.split(/(?=\b(?:New|Set|Add|Get|ForEach)-[A-Za-z]+\b)/);
    for (const p of parts) {
      const m = /^((?:New|Set|Add|Get|ForEach)-[A-Za-z]+)\b(.*)$/.exec(p);
      if (!m) continue;
      out.push({ cmdlet: m[1], params: [...m[2].matchAll(/ -([A-Za-z]+)/g)].map((x) => x[1]) });
    }
  }
  return out;
}

function assertRoleValid(ps: string, table: Record<string, string[]>, what: string) {
  for (const c of calls(ps)) {
    assert.ok(table[c.cmdlet], `${what}: ${c.cmdlet} is not for this role`);
    for (const p of c.params) assert.ok(table[c.cmdlet].includes(p), `${what}: ${c.cmdlet} -${p}`);
  }
}

/** Every line of code, and every command given in a comment: single quotes pair up ('' is a quote inside a literal). */
function assertBalanced(ps: string, what: string) {
  assert.equal(checkPs1(ps), undefined, what);
  ps.split('\n').forEach((l, i) => {
    if (l.startsWith('#') && !/^#\s+(New|Set|Add|Get|Start|Test)-[A-Za-z]+ /.test(l)) return;
    const q = (l.replace(/''/g, '').match(/'/g) ?? []).length;
    assert.equal(q % 2, 0, `${what}:${i + 1}: unbalanced quotes in ${l}`);
    let depth = 0;
    for (const ch of l.replace(/'[^']*'/g, '')) {
      if (ch === '(' || ch === '{') depth++;
      if (ch === ')' || ch === '}') depth--;
    }
    if (!l.startsWith('#') && !/^\s*(if .*\{|\}|\} else \{)$/.test(l)) assert.equal(depth, 0, `${what}:${i + 1}: ${l}`);
  });
}

const code = (ps: string) => psSkeleton(ps).code.join('\n');

describe('generate: Exchange scripts', () => {
  const files = generateExchange(fileModel(FIXTURE), { ...OPTS, source: FIXTURE });
  const get = (n: string) => files.find((f) => f.path === `exchange/${n}.ps1`)?.content ?? assert.fail(`no ${n}.ps1`);

  it('one script per gateway or server with software exchange: none for Postfix, other, pools, externals', () => {
    assert.deepEqual(
      files.map((f) => f.path),
      ['exchange/edge1.ps1', 'exchange/edge2.ps1', 'exchange/mbx1.ps1', 'exchange/mbx2.ps1'],
    );
    const m = model(`domain example.com {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname gw.example.com\n  address 198.51.100.1\n  domain-joined yes\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=dove\n  route * via=direct\n}
gateway exrelay {\n  role relay\n  software exchange\n  hostname exrelay.example.com\n  address 10.0.0.9\n  relay allow from=10.0.0.0/8\n  route * via=gw\n}
server dove {\n  role mailbox\n  software other\n  hostname dove.example.com\n  address 10.0.0.5\n  mailboxes example.com\n  route * via=gw\n}
external isp {\n  role smarthost\n  hostname smtp.isp.example\n}\n`);
    const out = generateExchange(m, OPTS);
    assert.deepEqual(
      out.map((f) => f.path),
      ['exchange/exrelay.ps1'],
      'a domain-joined Postfix edge, a Dovecot server and an external get nothing',
    );
    assert.match(out[0].content, /^# Mailbox server EXRELAY /m, 'an Exchange relay is a Mailbox server');
    assert.match(out[0].content, /-TransportRole FrontendTransport/);
  });

  it('every cmdlet and parameter exists on the role the script is for', () => {
    for (const n of ['edge1', 'edge2']) assertRoleValid(get(n), EDGE, n);
    for (const n of ['mbx1', 'mbx2']) assertRoleValid(get(n), MAILBOX, n);
    for (const s of SAMPLES)
      for (const f of generateExchange(fileModel(s), { ...OPTS, source: s }))
        assertRoleValid(f.content, MAILBOX, f.path);
  });

  it('balanced quoting on every line of every script, comments included', () => {
    for (const f of files) assertBalanced(f.content, f.path);
    for (const s of [...SAMPLES, 'test/fixtures/generate/topology.mailtopo'])
      for (const f of generateExchange(fileModel(s), { ...OPTS, source: s }))
        assertBalanced(f.content, `${s} ${f.path}`);
  });

  it('Edge: subscription steps as instructions, nothing EdgeSync owns, Edge connector names', () => {
    const ps = get('edge1');
    assert.match(ps, /^# Edge Transport server EDGE1 \(edge1\.example\.com\)/m);
    assert.match(ps, /^# {6}New-EdgeSubscription -FileName 'C:\\EdgeSubscription-EDGE1\.xml'$/m);
    assert.match(
      ps,
      /^# {6}New-EdgeSubscription -FileData \(\[System\.IO\.File\]::ReadAllBytes\('C:\\EdgeSubscription-EDGE1\.xml'\)\) -Site '[^']+'$/m,
    );
    assert.match(ps, /^# {6}Start-EdgeSynchronization$/m);
    assert.match(ps, /Owned by EdgeSync on a subscribed Edge, so NOT in this script: accepted domains/);
    const c = code(ps);
    assert.doesNotMatch(c, /AcceptedDomain|SendConnector|EdgeSubscription|TransportRole|Frontend/);
    assert.match(c, /Set-ReceiveConnector -Identity 'L' -RequireTLS \$true/);
    assert.match(
      ps,
      /^Set-ReceiveConnector -Identity 'EDGE1\\Default internal receive connector EDGE1' -RequireTLS \$true$/m,
    );
    // The partner route: a send connector sourced on the Edge, created on a Mailbox server.
    assert.match(
      ps,
      /^# {3}New-SendConnector -Name 'mailtopo edge1 route partner\.example' .*-SmartHosts 'mail\.partner\.example' -SourceTransportServers 'EDGE1'$/m,
    );
    assert.match(ps, /route \* via=direct: the subscription's 'EdgeSync - <site> to Internet' connector/);
    // relay auth=required: no user authentication on an Edge.
    assert.match(ps, /an Edge Transport server has no user accounts/);
  });

  it('Edge: recipient filtering from `recipients`, accept from= keeps the Mailbox servers in', () => {
    assert.match(
      get('edge1'),
      /^Set-RecipientFilterConfig -Enabled \$true -ExternalMailEnabled \$true -RecipientValidationEnabled \$true$/m,
    );
    assert.match(get('edge2'), /^# recipients list: /m);
    assert.match(get('edge2'), /^Set-RecipientFilterConfig -Enabled \$true .*-RecipientValidationEnabled \$true$/m);
    assert.match(
      get('edge2'),
      /^Set-ReceiveConnector -Identity 'EDGE2\\Default internal receive connector EDGE2' -RemoteIPRanges '10\.20\.1\.1\/32','10\.20\.1\.2\/32','198\.51\.100\.0\/24'$/m,
    );
  });

  it('IP block lists: -IPAddressesMatch with the real listing codes, never AnyMatch', () => {
    const ps = get('edge1');
    const zen = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `'127.0.0.${i}'`).join(',');
    assert.ok(
      ps.includes(
        "Add-IPBlockListProvider -Name 'zen.spamhaus.org' -LookupDomain 'zen.spamhaus.org' " +
          `-IPAddressesMatch ${zen} -Enabled $true -Priority 1`,
      ),
    );
    assert.ok(
      ps.includes(`Set-IPBlockListProvider -Identity 'zen.spamhaus.org' -AnyMatch $false -IPAddressesMatch ${zen}`),
    );
    assert.match(ps, /-LookupDomain 'bl\.spamcop\.net' -IPAddressesMatch '127\.0\.0\.2' -Enabled \$true -Priority 2/);
    assert.match(
      ps,
      /-LookupDomain 'dnsbl\.example\.net' -IPAddressesMatch \(2\.\.255 \| ForEach-Object \{ '127\.0\.0\.' \+ \$_ \}\) -Enabled/,
    );
    assert.match(
      ps,
      /^Set-IPBlockListConfig -Enabled \$true -ExternalMailEnabled \$true -InternalMailEnabled \$false$/m,
    );
    for (const f of files) {
      assert.doesNotMatch(f.content, /AnyMatch \$true/, f.path);
      assert.doesNotMatch(code(f.content), /127\.255\.255/, f.path);
    }
    assert.equal((get('edge2').match(/^ {4}Add-IPBlockListProvider /gm) ?? []).length, 1, 'edge2: its own dnsbl only');
  });

  it('Mailbox: connectors to smart hosts, TLS when the next hop requires it, none to Exchange servers or Edges', () => {
    const ps = get('mbx1');
    assert.match(ps, /New-AcceptedDomain -Name 'example\.com' -DomainName 'example\.com' -DomainType Authoritative/);
    assert.match(
      ps,
      /New-SendConnector -Name 'mailtopo mbx1 route 1' -Usage Custom -AddressSpaces 'SMTP:reports\.example;1' -DNSRoutingEnabled \$false -SmartHosts 'relay\.corp\.example\.com' -RequireTLS \$true -SourceTransportServers \$Server/,
    );
    assert.match(
      ps,
      /# edges: subscribed Edge Transport; the Edge Subscription's send connector carries it, no connector\./,
    );
    assert.equal((ps.match(/New-SendConnector/g) ?? []).length, 1);
    assert.match(
      ps,
      /New-ReceiveConnector -Name 'mailtopo mbx1 relay' -Server \$Server -TransportRole FrontendTransport -Custom -Bindings '0\.0\.0\.0:25' -RemoteIPRanges '10\.20\.99\.0\/24' -PermissionGroups AnonymousUsers/,
    );
    assert.match(
      ps,
      /^Set-ReceiveConnector -Identity 'MBX1\\Client Frontend MBX1' -RemoteIPRanges '10\.20\.0\.0\/16'$/m,
    );
  });

  it('Mailbox: no TLS demanded of a hop that does not require it; DNS routing for direct', () => {
    const m = model(`domain example.com {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname gw.example.com\n  address 198.51.100.1\n  tls required\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=ex\n  route * via=direct\n}
gateway plain {\n  role relay\n  hostname plain.example.com\n  address 10.0.0.8\n  route * via=direct\n}
server ex {\n  role mailbox\n  hostname ex.example.com\n  address 10.0.0.5\n  mailboxes example.com\n  route partner.example via=plain\n  route other.example via=direct\n  route * via=gw\n}\n`);
    const ps = generateExchange(m, OPTS)[0].content;
    const line = (n: number) =>
      ps.split('\n').find((l) => l.includes(`New-SendConnector -Name 'mailtopo ex route ${n}'`)) ?? '';
    assert.doesNotMatch(line(1), /RequireTLS/);
    assert.match(line(1), /-SmartHosts 'plain\.example\.com'/);
    assert.match(line(2), /-DNSRoutingEnabled \$true/);
    assert.doesNotMatch(line(2), /RequireTLS/);
    assert.match(line(3), /-SmartHosts 'gw\.example\.com' -RequireTLS \$true/);
  });

  it('Mailbox: IP block lists only as instructions (Connection Filtering is an Edge agent)', () => {
    const m = model(`options {\n  dnsbl zen.spamhaus.org\n}
domain example.com {\n  mx 10 gw\n}
gateway gw {\n  role edge\n  hostname gw.example.com\n  address 198.51.100.1\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=ex\n  route * via=direct\n}
server ex {\n  role mailbox\n  hostname ex.example.com\n  address 198.51.100.5\n  mailboxes example.com\n  zone perimeter\n  route * via=direct\n}\n`);
    const ps = generateExchange(m, OPTS)[0].content;
    assert.match(ps, /Connection Filtering \(IP block lists\) runs only on Edge Transport servers/);
    assert.match(
      ps,
      /^# {3} {4}Add-IPBlockListProvider -Name 'zen\.spamhaus\.org' .*-IPAddressesMatch '127\.0\.0\.2',/m,
    );
    assert.doesNotMatch(code(ps), /IPBlockList/);
  });

  it('a member of a proxy-protocol pool: a warning, since Exchange cannot read it', () => {
    const m = model(`domain example.com {\n  mx 10 lb\n}
pool lb {\n  mode balanced\n  vip 198.51.100.10\n  hostname mx.example.com\n  source proxy-protocol\n  members e1, e2\n}
gateway e1 {\n  role edge\n  software exchange\n  hostname e1.example.com\n  address 198.51.100.11\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=mbx\n  route * via=direct\n}
gateway e2 {\n  role edge\n  software exchange\n  hostname e2.example.com\n  address 198.51.100.12\n  accept example.com\n  relay allow from=10.0.0.5\n  route example.com via=mbx\n  route * via=direct\n}
server mbx {\n  role mailbox\n  hostname mbx.example.com\n  address 10.0.0.5\n  mailboxes example.com\n  route * via=lb\n}\n`);
    const out = generateExchange(m, OPTS);
    for (const n of ['e1', 'e2']) {
      const f = out.find((x) => x.path === `exchange/${n}.ps1`)!;
      assert.match(f.content, /^# WARNING: pool lb sends the PROXY protocol, which Exchange cannot read/m);
      assert.ok(f.notes?.some((x) => /proxy-protocol/.test(x)));
    }
    assert.doesNotMatch(out.find((x) => x.path === 'exchange/mbx.ps1')!.content, /PROXY/);
    assert.match(out.find((x) => x.path === 'exchange/mbx.ps1')!.content, /# lb: subscribed Edge Transport/);
  });

  it('Mailbox: recipient filtering is one organization-wide setting', () => {
    assert.match(get('mbx2'), /^# recipients none here, but mbx1 check recipients: the shared setting does\.$/m);
    for (const n of ['mbx1', 'mbx2'])
      assert.match(
        get(n),
        /^Set-RecipientFilterConfig -Enabled \$true -ExternalMailEnabled \$true -RecipientValidationEnabled \$true$/m,
      );
  });
});
