// Exchange Management Shell scripts: exchange/<node>.ps1 for every gateway or
// server with `software exchange` (nothing for `software other`, a Postfix
// gateway, a pool or an external). Exchange 2013 and later have two server
// roles, so a node gets one of two scripts:
//   an `edge` gateway   -> Edge Transport (edgeScript): not a domain member; EdgeSync
//                          owns its accepted domains and send connectors once subscribed
//   any other node      -> Mailbox server (mailboxScript): hub, mailbox, or an Exchange relay
// Each script is idempotent where the shell allows it (Get-... before New-...),
// uses only single-quoted literals, and only cmdlets and parameters that exist
// on that role:
//   mailboxes / accept   -> New-AcceptedDomain (Authoritative / InternalRelay)        [Mailbox]
//   route                -> New-SendConnector with -SmartHosts, or DNS routing for `direct`;
//                           -RequireTLS when a next hop has `tls required`           [Mailbox]
//   relay (no auth)      -> New-ReceiveConnector -RemoteIPRanges + Add-ADPermission
//                           Ms-Exch-SMTP-Accept-Any-Recipient (anonymous relay)
//   relay auth=required  -> the Client Frontend connector (port 587)                  [Mailbox]
//   accept ... from=     -> the default receive connector limited to the sources
//   recipients           -> Set-RecipientFilterConfig (Recipient Filter agent)
//   dnsbl                -> Add-IPBlockListProvider -IPAddressesMatch (the real listing codes)
//                           and Set-IPBlockListConfig: Connection Filtering runs on Edge only
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
import { dnsblCodes, listingAddresses } from './dnsblCodes';
import { addCidr, parseCidr, union, emptySet } from '../model/addr';

/** A PowerShell single-quoted literal: quotes (and the typographic ones PowerShell also honours) doubled. */
export function psq(s: string): string {
  return `'${String(s)
    // eslint-disable-next-line no-control-regex -- control characters are removed: a line end would break out of the literal
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}
const psList = (xs: string[]) => xs.map(psq).join(',');

/** Does this node run Exchange's Edge Transport role? */
export function isExchangeEdge(n: NodeDecl): boolean {
  return n.kind === 'gateway' && n.role === 'edge' && n.software === 'exchange';
}

/** A Mailbox server of the organization (Exchange, not Edge): mail between them needs no connector. */
function inOrg(n: NodeDecl): boolean {
  return (n.kind === 'gateway' || n.kind === 'server') && n.software === 'exchange' && !isExchangeEdge(n);
}

/** A hop EdgeSync reaches: an Exchange Edge, or a pool of them. */
function edgeHop(n: NodeDecl): boolean {
  return isExchangeEdge(n) || (n.kind === 'pool' && n.members.length > 0 && n.members.every(isExchangeEdge));
}

/** A next hop that takes mail only over TLS: `tls required` on it, or on every member of a pool. */
function requiresTls(n: NodeDecl): boolean {
  if (n.kind === 'pool') return n.members.length > 0 && n.members.every((m) => m.tls === 'required');
  return n.tls === 'required';
}

export function generateExchange(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const n of model.nodes) {
    if ((n.kind !== 'gateway' && n.kind !== 'server') || n.software !== 'exchange') continue;
    files.push(isExchangeEdge(n) ? edgeScript(n, model, opts) : mailboxScript(n, model, opts));
  }
  return files;
}

/** One script being written. */
interface Script {
  node: NodeDecl;
  model: Model;
  name: string;
  /** The server's NetBIOS-style name, upper case (receive connector identities are SERVER\name). */
  server: string;
  edge: boolean;
  out: string[];
  notes: string[];
  /** ` -MaxMessageSize '25MB'` from the scan policy's max-size, or ''. */
  sizeArg: string;
}

function begin(node: NodeDecl, model: Model, opts: GenerateOptions, edge: boolean): Script {
  const name = guard(node.name, 'name', 'an Exchange script name');
  const server = (
    node.hostname ? guard(node.hostname.value, 'host', 'an Exchange server name').split('.')[0] : name
  ).toUpperCase();
  const pol = scanPolicy(node);
  const sizeArg = pol?.maxSize && pol.maxSize.bytes > 0 ? ` -MaxMessageSize ${psq(sizeText(pol.maxSize.bytes))}` : '';
  const s: Script = { node, model, name, server, edge, out: [], notes: [], sizeArg };
  const role = edge ? 'Edge Transport server' : 'Mailbox server';
  const where = `${server}${node.hostname ? ` (${node.hostname.value})` : ''}`;
  s.out.push(
    commentHeader('#', opts.source, `Exchange Management Shell script of ${node.kind} ${name}`).trimEnd(),
    `# ${role} ${where}: ${node.kind} ${name}, role ${node.role ?? '?'}, zone ${node.zone}.`,
    edge
      ? '# Run it in the Exchange Management Shell on the Edge Transport server, as a member of its local Administrators group.'
      : `# Run it in the Exchange Management Shell on ${server} (Exchange 2013 or later).`,
    "$ErrorActionPreference = 'Stop'",
    `$Server = ${psq(server)}`,
    '',
  );
  // Exchange reads no PROXY protocol header: behind such a pool every client would be the proxy.
  for (const p of node.pools.filter((x) => x.source === 'proxy-protocol')) {
    s.out.push(
      `# WARNING: pool ${p.name} sends the PROXY protocol, which Exchange cannot read; use source preserved for it.`,
      '',
    );
    s.notes.push(`exchange ${name}: pool ${p.name} uses proxy-protocol, which Exchange cannot read`);
  }
  return s;
}

function finish(s: Script): GeneratedFile {
  return {
    path: `exchange/${s.name}.ps1`,
    content: s.out.join('\n').replace(/\n+$/, '') + '\n',
    notes: s.notes.length ? s.notes : undefined,
  };
}

/** A Mailbox server: hub, mailbox, or an Exchange relay/proxy gateway. */
function mailboxScript(node: NodeDecl, model: Model, opts: GenerateOptions): GeneratedFile {
  const s = begin(node, model, opts, false);
  acceptedDomains(s);
  sendConnectors(s);
  relayConnectors(s);
  inboundConnector(s);
  recipientFilter(s);
  blockLists(s);
  scanNote(s);
  return finish(s);
}

/** An Edge Transport server, subscribed to the organization by EdgeSync. */
function edgeScript(node: NodeDecl, model: Model, opts: GenerateOptions): GeneratedFile {
  const s = begin(node, model, opts, true);
  edgeSubscription(s);
  edgeSyncOwned(s);
  relayConnectors(s);
  inboundConnector(s);
  recipientFilter(s);
  blockLists(s);
  scanNote(s);
  return finish(s);
}

// ---- accepted domains (Mailbox) ----------------------------------------------------

/** Domains a mailbox server of the organization holds: Authoritative everywhere. */
function orgMailboxDomains(model: Model): Set<string> {
  return new Set(model.nodes.filter(inOrg).flatMap((n) => n.mailboxes?.patterns ?? []));
}

function acceptedDomains(s: Script): void {
  const { node, out } = s;
  const own = node.mailboxes?.patterns ?? [];
  const org = orgMailboxDomains(s.model);
  const patterns = [...own, ...acceptedPatterns(node).filter((p) => !own.includes(p))];
  out.push(
    '# Accepted domains (organization-wide): held by a mailbox server -> Authoritative, only accepted -> InternalRelay.',
  );
  if (!patterns.length) out.push('# (none)');
  for (const p of patterns) {
    if (p === '*') {
      out.push("# '*' cannot be an accepted domain: left out.");
      continue;
    }
    const d = guard(p, 'pattern', 'an accepted domain');
    out.push(
      `if (-not (Get-AcceptedDomain -Identity ${psq(d)} -ErrorAction SilentlyContinue)) {`,
      `    New-AcceptedDomain -Name ${psq(d)} -DomainName ${psq(d)} -DomainType ${org.has(p) ? 'Authoritative' : 'InternalRelay'}`,
      '}',
    );
  }
  out.push('');
}

// ---- send connectors (Mailbox) ------------------------------------------------------

interface Smarthosts {
  hosts: string[];
  port: number;
  tls: boolean;
  comments: string[];
}

/** The smart hosts of a route's node hops (not `direct`, not in-org or Edge hops). */
function smartHosts(s: Script, hops: NodeDecl[], texts: string[]): Smarthosts {
  const hosts: string[] = [];
  const ports = new Set<number>();
  const comments: string[] = [];
  hops.forEach((h, i) => {
    const nh = nodeHost(h);
    if (!nh) {
      s.notes.push(`exchange ${s.name}: next hop ${texts[i]} has no hostname or address; left out`);
      return;
    }
    hosts.push(guard(nh.host, nh.isIp ? 'addr' : 'host', 'a smart host'));
    ports.add(smtpPort(h));
  });
  const tls = hops.some(requiresTls);
  const untls = hops.filter((h) => h.tls === 'off').map((h) => h.name);
  if (tls && untls.length) comments.push(`# (TLS required by one hop, but ${untls.join(', ')} has tls off)`);
  if (ports.size > 1)
    comments.push(`# (the smart hosts listen on different ports: ${[...ports].join(', ')}; the first is used)`);
  return { hosts, port: [...ports][0] ?? 25, tls, comments };
}

function sendConnectors(s: Script): void {
  const { node, out, name } = s;
  const own = node.mailboxes?.patterns ?? [];
  out.push('# Send connectors (route): one per route statement.');
  if (!node.routes.length) out.push('# (no routes)');
  node.routes.forEach((r, i) => {
    const patterns = r.patterns.filter((p) => !own.includes(p));
    const via = r.via.map((h) => h.text).join(',');
    if (!patterns.length) {
      out.push(`# route ${r.patterns.join(', ')}: delivered to this server's mailboxes, no connector.`);
      return;
    }
    out.push(`# route ${patterns.join(', ')} via=${via}`);
    const nodes = r.via.filter((h) => !h.direct && h.node).map((h) => h.node!);
    const direct = r.via.some((h) => h.direct);
    const org = nodes.filter(inOrg);
    const edges = nodes.filter(edgeHop);
    const rest = nodes.filter((n) => !inOrg(n) && !edgeHop(n));
    if (org.length)
      out.push(
        `# ${org.map((n) => n.name).join(', ')}: ${org.length > 1 ? 'Exchange servers' : 'an Exchange server'} ` +
          'of this organization; routed inside it, no connector.',
      );
    if (edges.length)
      out.push(
        `# ${edges.map((n) => n.name).join(', ')}: subscribed Edge Transport; the ` +
          "Edge Subscription's send connector carries it, no connector.",
      );
    if (!rest.length && !direct) return;
    const sh = smartHosts(
      s,
      rest,
      rest.map((n) => n.name),
    );
    if (direct && sh.hosts.length) out.push('# (direct mixed with smart hosts: Exchange uses the smart hosts only)');
    out.push(...sh.comments);
    const cname = `mailtopo ${name} route ${i + 1}`;
    const spaces = patterns.map((p) => `SMTP:${guard(p, 'pattern', 'an address space')};1`);
    const routing = sh.hosts.length
      ? `-DNSRoutingEnabled $false -SmartHosts ${psList(sh.hosts)}${sh.port !== 25 ? ` -Port ${sh.port}` : ''}`
      : '-DNSRoutingEnabled $true';
    const tls = sh.tls && sh.hosts.length ? ' -RequireTLS $true' : '';
    out.push(
      `if (-not (Get-SendConnector -Identity ${psq(cname)} -ErrorAction SilentlyContinue)) {`,
      `    New-SendConnector -Name ${psq(cname)} -Usage Custom -AddressSpaces ${psList(spaces)} ` +
        `${routing}${tls} -SourceTransportServers $Server${s.sizeArg} -Comment ${psq(`route ${patterns.join(', ')} of ${name}`)}`,
      '}',
    );
  });
  out.push('');
}

// ---- Edge Subscription and what EdgeSync owns (Edge) --------------------------------

function edgeSubscription(s: Script): void {
  const file = `C:\\EdgeSubscription-${s.server}.xml`;
  s.out.push(
    '# ---- Edge Subscription (once, before this script) -------------------------------------',
    '# An Edge Transport server is not a member of the Active Directory forest: EdgeSync, on the',
    '# Mailbox servers of the subscribed Active Directory site, copies configuration and recipients',
    '# into its AD LDS instance (port 50636/TCP from the Mailbox servers to this server).',
    '# 1. Here, on the Edge Transport server:',
    `#      New-EdgeSubscription -FileName ${psq(file)}`,
    '# 2. Copy the file to a Mailbox server of the site and, within 1440 minutes, run there:',
    `#      New-EdgeSubscription -FileData ([System.IO.File]::ReadAllBytes(${psq(file)})) -Site 'Default-First-Site-Name'`,
    '#      Start-EdgeSynchronization',
    '#      Test-EdgeSynchronization',
    '#    (-Site: your Active Directory site.)',
    '',
  );
  if (s.node.domainJoined)
    s.out.push('# domain-joined yes: an Edge Transport server must not be a domain member (MT205); left as it is.', '');
}

function edgeSyncOwned(s: Script): void {
  const { node, out, name } = s;
  out.push(
    '# Owned by EdgeSync on a subscribed Edge, so NOT in this script: accepted domains, remote domains,',
    "# send connectors ('EdgeSync - Inbound to <site>' and 'EdgeSync - <site> to Internet', created by the",
    '# subscription), and the recipients that recipient filtering looks up. Make changes on a Mailbox server.',
  );
  const accepted = acceptedPatterns(node).filter((p) => p !== '*');
  if (accepted.length)
    out.push(`# accept ${accepted.join(', ')}: New-AcceptedDomain on a Mailbox server (EdgeSync copies it here).`);
  for (const r of node.routes) {
    const nodes = r.via.filter((h) => !h.direct && h.node).map((h) => h.node!);
    const via = r.via.map((h) => h.text).join(',');
    const rest = nodes.filter((n) => !inOrg(n));
    if (!rest.length) {
      const to = nodes.length ? 'EdgeSync - Inbound to <site>' : 'EdgeSync - <site> to Internet';
      out.push(`# route ${r.patterns.join(', ')} via=${via}: the subscription's '${to}' connector.`);
      continue;
    }
    const sh = smartHosts(
      s,
      rest,
      rest.map((n) => n.name),
    );
    if (!sh.hosts.length) continue;
    const spaces = r.patterns.map((p) => `SMTP:${guard(p, 'pattern', 'an address space')};1`);
    const tls = sh.tls ? ' -RequireTLS $true' : '';
    out.push(
      `# route ${r.patterns.join(', ')} via=${via}: a send connector sourced on this Edge; run on a Mailbox server:`,
      ...sh.comments,
      `#   New-SendConnector -Name ${psq(`mailtopo ${name} route ${r.patterns.join(' ')}`)} ` +
        `-Usage Custom -AddressSpaces ${psList(spaces)} -DNSRoutingEnabled $false ` +
        `-SmartHosts ${psList(sh.hosts)}${sh.port !== 25 ? ` -Port ${sh.port}` : ''}${tls} ` +
        `-SourceTransportServers ${psq(s.server)}`,
    );
  }
  out.push('');
}

// ---- receive connectors -------------------------------------------------------------

/** The name of the connector that takes mail from the internet on port 25. */
const defaultConnector = (s: Script) =>
  s.edge ? `${s.server}\\Default internal receive connector ${s.server}` : `${s.server}\\Default Frontend ${s.server}`;

function relayConnectors(s: Script): void {
  const { node, out, name, server } = s;
  const rs = relaySets(node);
  out.push('# Relay rules, first match wins, then an implicit deny:');
  for (const r of node.relays)
    out.push(
      `#   relay ${r.action} from=${printable(r.from.map((f) => f.text).join(','))}${r.auth === 'required' ? ' auth=required' : ''}`,
    );
  if (!node.relays.length) out.push('#   (none: nobody relays through this server)');
  if (!isEmpty(rs.unauth)) {
    const cidrs = setToCidrs(rs.unauth);
    const v6 = cidrs.some((c) => c.includes(':'));
    const listen = node.listen.length ? node.listen : [25];
    const bindings = listen.flatMap((p) => [`0.0.0.0:${p}`, ...(v6 ? [`[::]:${p}`] : [])]);
    const rname = `mailtopo ${name} relay`;
    const role = s.edge ? '' : ' -TransportRole FrontendTransport';
    const tls = node.tls === 'required' ? ' -RequireTLS $true' : '';
    if (isAny(rs.unauth)) out.push('# WARNING: every address may relay without authenticating: an open relay.');
    out.push(
      '# Anonymous relay for the clients the rules allow (a dedicated connector; the most specific RemoteIPRanges wins).',
      `if (-not (Get-ReceiveConnector -Identity ${psq(`${server}\\${rname}`)} -ErrorAction SilentlyContinue)) {`,
      `    New-ReceiveConnector -Name ${psq(rname)} -Server $Server${role} -Custom ` +
        `-Bindings ${psList(bindings)} -RemoteIPRanges ${psList(cidrs)} -PermissionGroups ` +
        `AnonymousUsers${tls}${s.sizeArg} -Comment ${psq(`relay rules of ${name}`)}`,
      `    Get-ReceiveConnector -Identity ${psq(`${server}\\${rname}`)} | Add-ADPermission ` +
        `-User ${psq('NT AUTHORITY\\ANONYMOUS LOGON')} -ExtendedRights ${psq('Ms-Exch-SMTP-Accept-Any-Recipient')}`,
      '}',
    );
  }
  if (rs.usesAuth && s.edge)
    out.push(
      '# relay ... auth=required: an Edge Transport server has no user accounts to authenticate against;',
      "# clients that log in submit to a Mailbox server's Client Frontend connector (port 587) instead.",
    );
  else if (rs.usesAuth) {
    out.push(
      '# relay ... auth=required: authenticated clients relay through the Client Frontend connector (port 587).',
    );
    if (!isAny(rs.auth) && !isEmpty(rs.auth))
      out.push(
        `Set-ReceiveConnector -Identity ${psq(`${server}\\Client Frontend ${server}`)} -RemoteIPRanges ${psList(setToCidrs(rs.auth))}`,
      );
    else if (isEmpty(rs.auth))
      out.push(
        '# (no client may relay once authenticated: leave the Client Frontend connector as it is or disable it)',
      );
  }
  out.push('');
}

/** accept from=, tls and max-size on the connector that takes mail from the internet. */
function inboundConnector(s: Script): void {
  const { node, out } = s;
  const id = psq(defaultConnector(s));
  const accepts = node.accepts;
  if (accepts.length && accepts.every((a) => !isAny(sourcesSet(a.from)))) {
    let set = emptySet();
    for (const a of accepts) set = union(set, sourcesSet(a.from));
    out.push('# accept ... from=: inbound mail only from these clients.');
    if (s.edge) {
      // The Mailbox servers hand outbound mail to the Edge on the same connector.
      const org = s.model.nodes.filter(inOrg);
      for (const n of org)
        for (const a of n.addresses) {
          const c = parseCidr(a);
          if (c) set = addCidr(set, c);
        }
      if (org.length)
        out.push(
          `# (and the Mailbox servers, which send outbound mail through this Edge: ${org.map((n) => n.name).join(', ')})`,
        );
    }
    out.push(`Set-ReceiveConnector -Identity ${id} -RemoteIPRanges ${psList(setToCidrs(set))}`, '');
  } else if (accepts.some((a) => !isAny(sourcesSet(a.from)))) {
    out.push('# accept ... from= limits only some domains: Exchange limits connectors, not domains; left to you.', '');
  }
  if (node.tls === 'required')
    out.push(
      '# tls required: STARTTLS required for inbound SMTP.',
      `Set-ReceiveConnector -Identity ${id} -RequireTLS $true`,
      '',
    );
  if (s.sizeArg) out.push('# max-size of the scan policy:', `Set-ReceiveConnector -Identity ${id}${s.sizeArg}`, '');
}

// ---- recipient filtering --------------------------------------------------------------

/** Does a node take inbound mail for some domain (mailboxes or accept)? */
const takesMail = (n: NodeDecl) => (n.mailboxes?.patterns.length ?? 0) > 0 || acceptedPatterns(n).length > 0;

/**
 * recipients -> the Recipient Filter agent. An Edge keeps its own setting; on
 * Mailbox servers it is one organization-wide setting in Active Directory, so
 * every Mailbox script writes the same value: on when any of them checks.
 */
function recipientFilter(s: Script): void {
  const { node, out } = s;
  if (!takesMail(node)) return;
  const checkers = s.edge ? [node] : s.model.nodes.filter((n) => inOrg(n) && takesMail(n) && n.recipients !== 'none');
  if (!s.edge)
    out.push('# Recipient filtering of Mailbox servers is one organization-wide setting (Active Directory).');
  if (!checkers.length || (s.edge && node.recipients === 'none')) {
    out.push(
      '# recipients none: every address of the accepted domains is taken and unknown ones bounce later (backscatter).',
      'Set-RecipientFilterConfig -RecipientValidationEnabled $false',
      '',
    );
    return;
  }
  if (node.recipients === 'none')
    out.push(
      `# recipients none here, but ${checkers.map((n) => n.name).join(', ')} check recipients: the shared setting does.`,
    );
  out.push(
    `# ${node.recipients === 'none' ? 'The' : `recipients ${node.recipients}: the`} ` +
      'Recipient Filter agent rejects unknown recipients at RCPT TO (550 5.1.10),',
    s.edge
      ? '# looking them up in the recipients EdgeSync copies from Active Directory (needs the Edge Subscription).'
      : '# so the nodes in front (address verification) and senders learn it before the mail is taken.',
  );
  if (node.recipients === 'list')
    out.push('# (Exchange keeps no separate list: the recipients are those of Active Directory.)');
  if (!s.edge)
    out.push(
      '# On a Mailbox server the antispam agents must be installed first (then restart MSExchangeTransport):',
      '#   & $env:ExchangeInstallPath\\Scripts\\Install-AntiSpamAgents.ps1',
    );
  out.push('Set-RecipientFilterConfig -Enabled $true -ExternalMailEnabled $true -RecipientValidationEnabled $true', '');
}

// ---- IP block lists (Connection Filtering) ---------------------------------------------

function blockLists(s: Script): void {
  const { node, out } = s;
  const zones = dnsblZones(node, s.model);
  if (!zones.length) return;
  const from = node.dnsbl ? 'dnsbl' : "options' dnsbl";
  const lines: string[] = [
    'Set-IPBlockListConfig -Enabled $true -ExternalMailEnabled $true -InternalMailEnabled $false',
  ];
  const about: string[] = [];
  zones.forEach((z, i) => {
    const zz = guard(z, 'host', 'a block list zone');
    const c = dnsblCodes(zz);
    // A long run of codes (an unknown list: 2..255) as a PowerShell range, short ones spelled out.
    const codes =
      c.last - c.first >= 16
        ? `(${c.first}..${c.last} | ForEach-Object { '127.0.0.' + $_ })`
        : psList(listingAddresses(c));
    about.push(`#   ${zz}: ${printable(c.source)}`);
    lines.push(
      `if (-not (Get-IPBlockListProvider -Identity ${psq(zz)} -ErrorAction SilentlyContinue)) {`,
      `    Add-IPBlockListProvider -Name ${psq(zz)} -LookupDomain ${psq(zz)} -IPAddressesMatch ${codes} -Enabled $true -Priority ${i + 1}`,
      '} else {',
      `    Set-IPBlockListProvider -Identity ${psq(zz)} -AnyMatch $false -IPAddressesMatch ${codes}`,
      '}',
    );
  });
  out.push(
    `# Spam lists (${from}), matched on their listing codes only (never an error answer such as 127.255.255.x):`,
    ...about,
  );
  if (s.edge) out.push(...lines, '');
  else
    out.push(
      '# Connection Filtering (IP block lists) runs only on Edge Transport servers in Exchange 2013 and later;',
      '# a Mailbox server cannot check these lists. Put an Edge or a gateway that checks them in front, or run',
      '# these lines on your Edge Transport server:',
      ...lines.map((l) => `#   ${l}`),
      '',
    );
}

function scanNote(s: Script): void {
  const pol = scanPolicy(s.node);
  if (!pol) return;
  const engines = [
    pol.antivirus ? `antivirus ${pol.antivirus.engine}` : '',
    pol.antispam ? `antispam ${pol.antispam.engine}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  s.out.push(
    `# Scan policy ${guard(pol.name, 'name', 'a comment')}: ${engines || 'no engines'}; configure the scanning product itself.`,
  );
  if (pol.maxSize) s.out.push(`# max-size ${pol.maxSize.text}: applied to the connectors above.`);
  s.out.push('');
}
