// Exchange Management Shell scripts: exchange/<node>.ps1 for every server and
// every domain-joined gateway (the nodes that run Exchange). Each script is
// idempotent where the shell allows it (Get-... before New-...), uses only
// single-quoted literals, and only real cmdlets and parameters:
//   mailboxes / accept   -> New-AcceptedDomain (Authoritative / InternalRelay)
//   route                -> New-SendConnector with -SmartHosts, or DNS routing for `direct`
//   relay (no auth)      -> New-ReceiveConnector -RemoteIPRanges + Add-ADPermission
//                           Ms-Exch-SMTP-Accept-Any-Recipient (anonymous relay)
//   relay auth=required  -> the Client Frontend connector (port 587) limited to the sources
//   accept ... from=     -> the Default Frontend connector limited to the sources
//   dnsbl                -> Add-IPBlockListProvider per zone
//   tls required         -> -RequireTLS; max-size -> -MaxMessageSize
import type { Model, NodeDecl } from '../model/types';
import {
  acceptedPatterns,
  commentHeader,
  printable,
  dnsblZones,
  guard,
  isAny,
  isEmpty,
  nodeHost,
  relaySets,
  scanPolicy,
  setToCidrs,
  sizeText,
  smtpPort,
  sourcesSet,
  type GenerateOptions,
  type GeneratedFile,
} from './common';
import { union, emptySet } from '../model/addr';

/** A PowerShell single-quoted literal: quotes (and the typographic ones PowerShell also honours) doubled. */
export function psq(s: string): string {
  return `'${String(s)
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}
const psList = (xs: string[]) => xs.map(psq).join(',');

export function generateExchange(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const n of model.nodes) {
    if (n.kind === 'server' || (n.kind === 'gateway' && n.domainJoined)) files.push(script(n, model, opts));
  }
  return files;
}

function script(node: NodeDecl, model: Model, opts: GenerateOptions): GeneratedFile {
  const name = guard(node.name, 'name', 'an Exchange script name');
  const server = (
    node.hostname ? guard(node.hostname.value, 'host', 'an Exchange server name').split('.')[0] : name
  ).toUpperCase();
  const notes: string[] = [];
  const o: string[] = [];
  const add = (...s: string[]) => o.push(...s);
  add(commentHeader('#', opts.source, `Exchange Management Shell script of ${node.kind} ${name}`).trimEnd());
  add(
    `# Run it in the Exchange Management Shell on ${server}${node.hostname ? ` (${node.hostname.value})` : ''}. ${node.kind} ${name}, role ${node.role ?? '?'}, zone ${node.zone}.`,
  );
  add("$ErrorActionPreference = 'Stop'", `$Server = ${psq(server)}`, '');

  const pol = scanPolicy(node);
  const maxSize = pol?.maxSize && pol.maxSize.bytes > 0 ? sizeText(pol.maxSize.bytes) : undefined;
  const sizeArg = maxSize ? ` -MaxMessageSize ${psq(maxSize)}` : '';

  // ---- accepted domains ---------------------------------------------------------
  // Accepted domains are organization-wide: a domain some mailbox server holds
  // is Authoritative in every script, one that is only accepted is InternalRelay.
  const authoritative = node.mailboxes?.patterns ?? [];
  const orgMailboxes = new Set(model.nodes.flatMap((n) => n.mailboxes?.patterns ?? []));
  const ownDomains = [...authoritative, ...acceptedPatterns(node).filter((p) => !authoritative.includes(p))];
  const domains: Array<[string, string]> = ownDomains.map((p) => [
    p,
    orgMailboxes.has(p) ? 'Authoritative' : 'InternalRelay',
  ]);
  add(
    '# Accepted domains (organization-wide): held by a mailbox server -> Authoritative, only accepted -> InternalRelay.',
  );
  if (!domains.length) add('# (none)');
  for (const [p, type] of domains) {
    if (p === '*') {
      add("# '*' cannot be an accepted domain: left out.");
      continue;
    }
    const d = guard(p, 'pattern', 'an accepted domain');
    add(
      `if (-not (Get-AcceptedDomain -Identity ${psq(d)} -ErrorAction SilentlyContinue)) {`,
      `    New-AcceptedDomain -Name ${psq(d)} -DomainName ${psq(d)} -DomainType ${type}`,
      '}',
    );
  }
  add('');

  // ---- send connectors ----------------------------------------------------------
  add('# Send connectors (route): one per route statement.');
  if (!node.routes.length) add('# (no routes)');
  node.routes.forEach((r, i) => {
    const patterns = r.patterns.filter((p) => !authoritative.includes(p));
    if (!patterns.length) {
      add(`# route ${r.patterns.join(', ')}: delivered to this server's mailboxes, no connector.`);
      return;
    }
    const cname = `mailtopo ${name} route ${i + 1}`;
    const spaces = patterns.map((p) => `SMTP:${guard(p, 'pattern', 'an address space')};1`);
    const hops = r.via.filter((h) => !h.direct && h.node);
    const hosts: string[] = [];
    const ports = new Set<number>();
    for (const h of hops) {
      const nh = nodeHost(h.node!);
      if (!nh) {
        notes.push(`exchange ${name}: next hop ${h.text} has no hostname or address; left out`);
        continue;
      }
      hosts.push(guard(nh.host, nh.isIp ? 'addr' : 'host', 'a smart host'));
      ports.add(smtpPort(h.node!));
    }
    const direct = r.via.some((h) => h.direct);
    add(`# route ${patterns.join(', ')} via=${r.via.map((h) => h.text).join(',')}`);
    if (direct && hosts.length) add('# (direct mixed with smart hosts: Exchange uses the smart hosts only)');
    if (ports.size > 1)
      add(`# (the smart hosts listen on different ports: ${[...ports].join(', ')}; the first is used)`);
    const port = [...ports][0] ?? 25;
    const routing = hosts.length
      ? `-DNSRoutingEnabled $false -SmartHosts ${psList(hosts)}${port !== 25 ? ` -Port ${port}` : ''}`
      : '-DNSRoutingEnabled $true';
    add(
      `if (-not (Get-SendConnector -Identity ${psq(cname)} -ErrorAction SilentlyContinue)) {`,
      `    New-SendConnector -Name ${psq(cname)} -Usage Custom -AddressSpaces ${psList(spaces)} ${routing} -SourceTransportServers $Server${sizeArg} -Comment ${psq(`route ${patterns.join(', ')} of ${name}`)}`,
      '}',
    );
  });
  add('');

  // ---- receive connectors: relay ------------------------------------------------
  const rs = relaySets(node);
  add('# Relay rules, first match wins, then an implicit deny:');
  for (const r of node.relays)
    add(
      `#   relay ${r.action} from=${printable(r.from.map((f) => f.text).join(','))}${r.auth === 'required' ? ' auth=required' : ''}`,
    );
  if (!node.relays.length) add('#   (none: nobody relays through this server)');
  const listen = node.listen.length ? node.listen : [25];
  const tlsArg = node.tls === 'required' ? ' -RequireTLS $true' : '';
  if (!isEmpty(rs.unauth)) {
    const cidrs = setToCidrs(rs.unauth);
    const v6 = cidrs.some((c) => c.includes(':'));
    const bindings = listen.flatMap((p) => [`0.0.0.0:${p}`, ...(v6 ? [`[::]:${p}`] : [])]);
    const rname = `mailtopo ${name} relay`;
    if (isAny(rs.unauth)) add('# WARNING: every address may relay without authenticating: an open relay.');
    add(
      '# Anonymous relay for the clients the rules allow (a dedicated Front End connector).',
      `if (-not (Get-ReceiveConnector -Identity ${psq(`${server}\\${rname}`)} -ErrorAction SilentlyContinue)) {`,
      `    New-ReceiveConnector -Name ${psq(rname)} -Server $Server -TransportRole FrontendTransport -Custom -Bindings ${psList(bindings)} -RemoteIPRanges ${psList(cidrs)} -PermissionGroups AnonymousUsers${tlsArg}${sizeArg} -Comment ${psq(`relay rules of ${name}`)}`,
      `    Get-ReceiveConnector -Identity ${psq(`${server}\\${rname}`)} | Add-ADPermission -User ${psq('NT AUTHORITY\\ANONYMOUS LOGON')} -ExtendedRights ${psq('Ms-Exch-SMTP-Accept-Any-Recipient')}`,
      '}',
    );
  }
  if (rs.usesAuth) {
    add('# relay ... auth=required: authenticated clients relay through the Client Frontend connector (port 587).');
    if (!isAny(rs.auth) && !isEmpty(rs.auth))
      add(
        `Set-ReceiveConnector -Identity ${psq(`${server}\\Client Frontend ${server}`)} -RemoteIPRanges ${psList(setToCidrs(rs.auth))}`,
      );
    else if (isEmpty(rs.auth))
      add('# (no client may relay once authenticated: leave the Client Frontend connector as it is or disable it)');
  }
  add('');

  // ---- inbound: accept from=, tls -------------------------------------------------
  const accepts = node.accepts;
  if (accepts.length && accepts.every((a) => !isAny(sourcesSet(a.from)))) {
    let s = emptySet();
    for (const a of accepts) s = union(s, sourcesSet(a.from));
    add('# accept ... from=: inbound mail only from these clients.');
    add(
      `Set-ReceiveConnector -Identity ${psq(`${server}\\Default Frontend ${server}`)} -RemoteIPRanges ${psList(setToCidrs(s))}`,
      '',
    );
  } else if (accepts.some((a) => !isAny(sourcesSet(a.from)))) {
    add('# accept ... from= limits only some domains: Exchange limits connectors, not domains; left to you.', '');
  }
  if (node.tls === 'required')
    add(
      '# tls required: STARTTLS required for inbound SMTP.',
      `Set-ReceiveConnector -Identity ${psq(`${server}\\Default Frontend ${server}`)} -RequireTLS $true`,
      '',
    );

  // ---- DNSBLs -------------------------------------------------------------------
  const zones = dnsblZones(node, model);
  if (zones.length) {
    add(
      `# Spam lists (${node.dnsbl ? 'dnsbl' : "options' dnsbl"}): the Connection Filtering agent (Edge Transport, or antispam agents installed).`,
    );
    add('Set-IPBlockListConfig -Enabled $true -ExternalMailEnabled $true');
    zones.forEach((z, i) => {
      const zz = guard(z, 'host', 'a block list zone');
      add(
        `if (-not (Get-IPBlockListProvider -Identity ${psq(zz)} -ErrorAction SilentlyContinue)) {`,
        `    Add-IPBlockListProvider -Name ${psq(zz)} -LookupDomain ${psq(zz)} -AnyMatch $true -Enabled $true -Priority ${i + 1}`,
        '}',
      );
    });
    add('');
  }

  // ---- scan policy --------------------------------------------------------------
  if (pol) {
    add(
      `# Scan policy ${guard(pol.name, 'name', 'a comment')}: ${[pol.antivirus ? `antivirus ${pol.antivirus.engine}` : '', pol.antispam ? `antispam ${pol.antispam.engine}` : ''].filter(Boolean).join(', ') || 'no engines'}; configure the scanning product itself.`,
    );
    if (maxSize) add(`# max-size ${pol.maxSize!.text}: applied to the connectors above.`);
    add('');
  }
  return {
    path: `exchange/${name}.ps1`,
    content: o.join('\n').replace(/\n+$/, '') + '\n',
    notes: notes.length ? notes : undefined,
  };
}
