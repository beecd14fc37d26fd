// The diagnostics catalog (RULES.md): code, default severity, what it means.
// The CLI's SARIF output, docs links and the settings' ignore list read it.
import type { Severity } from './diagnostic';

export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
}

export const CODES: CodeInfo[] = [
  { code: 'MT000', severity: 'information', title: 'internal: a rule family failed on this input' },
  { code: 'MT001', severity: 'error', title: 'the text does not parse here' },
  { code: 'MT002', severity: 'error', title: 'unterminated string' },
  { code: 'MT003', severity: 'error', title: 'a character that cannot start any token' },
  {
    code: 'MT101',
    severity: 'error',
    title: 'unknown statement in this block (suggest the nearest known one: "did you mean \'hostname\'?")',
  },
  {
    code: 'MT102',
    severity: 'error',
    title: 'wrong number or kind of arguments (e.g. "expected an IPv4 or IPv6 address, got \'198.51.100\'")',
  },
  { code: 'MT103', severity: 'error', title: "a required statement is missing (on the declaration's name)" },
  {
    code: 'MT104',
    severity: 'error',
    title: 'a name is declared twice (also across imported files); related: the first declaration',
  },
  { code: 'MT105', severity: 'error', title: 'a reference to a name that is not declared (suggest the nearest)' },
  {
    code: 'MT106',
    severity: 'error',
    title:
      'a reference to a declaration of the wrong kind ("\'ex1\' is a server; an MX target must be a gateway, pool or external")',
  },
  { code: 'MT107', severity: 'error', title: 'a statement that may appear once appears again' },
  { code: 'MT108', severity: 'error', title: 'unknown option key, or an option on a statement that takes none' },
  {
    code: 'MT109',
    severity: 'error',
    title: 'a value outside its set or range (enum, port, preference, duration, size)',
  },
  { code: 'MT110', severity: 'error', title: 'import of a missing file, or an import cycle' },
  {
    code: 'MT111',
    severity: 'hint',
    title: 'a network, policy or external that nothing references (tag: unnecessary)',
  },
  { code: 'MT112', severity: 'warning', title: "the same address on two nodes (a pool's vip included)" },
  { code: 'MT113', severity: 'error', title: 'a block where none is allowed, or a declaration without its block' },
  { code: 'MT114', severity: 'error', title: "one port twice on a node (listen, submission, a pool's ports)" },
  {
    code: 'MT201',
    severity: 'error',
    title:
      'open relay: an internet-facing node has a relay rule without auth=required ' +
      'whose from= is any, 0.0.0.0/0 or ::/0, or ranges whose union is one of them, ' +
      'and that no earlier rule shadows; also accept * from any on such a node. ' +
      'Related: what makes it internet-facing',
  },
  {
    code: 'MT202',
    severity: 'warning',
    title:
      'an internet-facing node allows unauthenticated relay from a range holding ' +
      'public addresses (LANGUAGE.md §4); not reported where MT201 is',
  },
  {
    code: 'MT203',
    severity: 'warning',
    title:
      'a relay rule can never match: an earlier rule without auth=required (or ' +
      'with the same auth as this one) already covers all of its sources (tag: ' +
      'unnecessary); related: the earlier rule',
  },
  {
    code: 'MT204',
    severity: 'warning',
    title: 'an internet-facing node that accepts inbound mail checks no DNSBL (and options sets none)',
  },
  {
    code: 'MT205',
    severity: 'warning',
    title: 'an edge gateway is domain-joined yes (edge transport belongs outside the AD forest)',
  },
  { code: 'MT206', severity: 'warning', title: 'an internet-facing node has tls off' },
  { code: 'MT207', severity: 'error', title: 'an MX target does not accept the domain (or does not listen on 25)' },
  {
    code: 'MT208',
    severity: 'warning',
    title:
      'an MX target, or a member of a pool that is one, sits in the internal zone: inbound mail bypasses the perimeter',
  },
  {
    code: 'MT209',
    severity: 'warning',
    title: 'an internal-zone node routes direct to the internet, bypassing the perimeter gateways',
  },
  {
    code: 'MT210',
    severity: 'error',
    title:
      'open relay through a balancer: a pool with source masked hands every client ' +
      "to its members as its snat addresses, and a member's relay rule admits such " +
      'an address without auth=required',
  },
  {
    code: 'MT211',
    severity: 'warning',
    title:
      'backscatter: an internet-facing node (or an external with role backup) accepts a domain with recipients none',
  },
  {
    code: 'MT212',
    severity: 'warning',
    title:
      "a DNSBL is checked on a node that never sees an internet client's address " +
      '(every hop into it comes from your own nodes, or through a pool with source masked)',
  },
  {
    code: 'MT301',
    severity: 'error',
    title:
      'mail for a domain reaches a node with no matching route and no mailbox for it (black hole); message shows the path',
  },
  {
    code: 'MT302',
    severity: 'error',
    title: 'a routing loop (including an accepted domain routed direct, back to its own MX); message shows the cycle',
  },
  {
    code: 'MT303',
    severity: 'warning',
    title:
      'inbound paths from the internet to a mailbox are never virus-scanned: one ' +
      'diagnostic per MX target they enter through, on that mx line, with one such ' +
      'path and how many there are',
  },
  {
    code: 'MT304',
    severity: 'warning',
    title:
      'single point of failure: every inbound path of a domain passes through one ' +
      "node (a pool of two or more members counts as redundant); on the node's " +
      'declaration and the domain',
  },
  { code: 'MT305', severity: 'warning', title: 'a mailbox server has no outbound path to the internet' },
  { code: 'MT306', severity: 'warning', title: 'a single point of failure on every outbound path of a mailbox server' },
  { code: 'MT307', severity: 'warning', title: 'a domain has no mx (and no mx none)' },
  { code: 'MT308', severity: 'error', title: 'an MX target has no hostname (nothing can be published)' },
  {
    code: 'MT309',
    severity: 'error',
    title: "every address of an MX target (or of the pool's vip) is private: unreachable from the internet",
  },
  { code: 'MT310', severity: 'warning', title: 'the same MX target twice in one domain' },
  {
    code: 'MT311',
    severity: 'error',
    title: "a domain with mx none also has MX targets, or is in some node's mailboxes",
  },
  { code: 'MT312', severity: 'warning', title: 'a mailboxes domain that is not declared as a domain' },
  { code: 'MT313', severity: 'error', title: 'an MX target is an IP address (RFC 1035 §3.3.9: MX names a host)' },
  {
    code: 'MT314',
    severity: 'warning',
    title: 'a domain with mx none declares an spf other than v=spf1 -all, or a dmarc without p=reject (RFC 7505 §4.2)',
  },
  {
    code: 'MT315',
    severity: 'error',
    title:
      'hop refused: on a flow, the next hop admits none of the addresses the sender ' +
      "presents; on the sender's route (the mx line for the internet's hop)",
  },
  {
    code: 'MT316',
    severity: 'warning',
    title:
      "hop partly refused: some of the sender's addresses (or, for the internet's " +
      'hop to an MX target, part of the public address space) are not admitted',
  },
  {
    code: 'MT317',
    severity: 'hint',
    title: 'a hop cannot be checked for admission: the sender declares no address (once per sender, on its name)',
  },
  { code: 'MT401', severity: 'warning', title: 'a pool with fewer than two members: no failover' },
  {
    code: 'MT402',
    severity: 'warning',
    title: 'a pool accepts ports other than SMTP (25, 465, 587): only mail traffic belongs on the cluster',
  },
  { code: 'MT403', severity: 'error', title: "a pool's vip equals a member's address" },
  { code: 'MT404', severity: 'warning', title: 'pool members in different zones, or of different kinds' },
  {
    code: 'MT405',
    severity: 'information',
    title:
      'mode round-robin: DNS round-robin has no health check: senders keep trying ' +
      'a failed member first and wait for its timeout before the next address (RFC ' +
      "5321 §5.1), and load follows resolvers' caches, not the members' capacity",
  },
  {
    code: 'MT406',
    severity: 'warning',
    title:
      "N-1 capacity: with its largest member down, the members' capacity sum is " +
      'below peak-load (message gives both numbers); only when peak-load is set ' +
      'and every member declares capacity',
  },
  {
    code: 'MT407',
    severity: 'warning',
    title:
      'a policy allows a dangerous attachment type (exe, com, scr, pif, bat, cmd, ' +
      'js, jse, vbs, vbe, wsf, wsh, hta, msi, ps1, jar, lnk, cpl, reg, iso, ...)',
  },
  { code: 'MT408', severity: 'error', title: 'one extension is both allowed and blocked in a policy' },
  { code: 'MT409', severity: 'warning', title: 'on-virus deliver' },
  {
    code: 'MT410',
    severity: 'warning',
    title:
      'licence shortfall: more nodes apply a policy than it has licenses (message: ' +
      '"3 nodes scan with av-standard (edge1, edge2, edge3) but it has 2 licences"); ' +
      'only when licenses is declared; an external with scan needs none',
  },
  { code: 'MT411', severity: 'information', title: 'a policy used by scan has no antivirus' },
  { code: 'MT412', severity: 'warning', title: 'health tcp: a listening but broken SMTP service stays in the pool' },
  { code: 'MT501', severity: 'error', title: 'the domain does not exist (NXDOMAIN)' },
  {
    code: 'MT502',
    severity: 'warning',
    title:
      'live MX records differ from the declared ones (missing, extra, other preference); message lists the live set',
  },
  { code: 'MT503', severity: 'error', title: 'an MX target name is a CNAME (RFC 2181 §10.3)' },
  { code: 'MT504', severity: 'error', title: 'an MX target name has no A or AAAA record (RFC 5321 §5.1)' },
  {
    code: 'MT505',
    severity: 'warning',
    title: "a hostname's live A/AAAA records differ from its declared address (or vip)",
  },
  {
    code: 'MT506',
    severity: 'warning',
    title:
      'a public address has no PTR record, or its PTR name does not resolve back to it (forward-confirmed reverse DNS)',
  },
  {
    code: 'MT507',
    severity: 'error',
    title: "an address is listed on a DNSBL: zone, return code, and the list's TXT reason when it gives one",
  },
  {
    code: 'MT508',
    severity: 'information',
    title:
      'a DNSBL refused to answer (e.g. Spamhaus 127.255.255.252/254/255: typo, ' +
      'public resolver, rate limit), answered outside 127.0.0.0/8, or fails its ' +
      'RFC 5782 §5 test points (127.0.0.2 listed, 127.0.0.1 not); never a listing, ' +
      'and a zone that fails its test points is not used',
  },
  {
    code: 'MT509',
    severity: 'warning',
    title:
      'SPF broken: none published, more than one v=spf1 record (permerror), more ' +
      'than 10 DNS-querying terms, more than 2 void lookups, syntax error, an include ' +
      'loop, +all or ?all, or a ptr mechanism (RFC 7208 §3.2, §4.6.4, §5.5); the ' +
      'message names the mechanism that crossed the limit',
  },
  {
    code: 'MT510',
    severity: 'warning',
    title:
      "SPF does not authorize an outbound node's public address (evaluated through include, a, mx, ip4, ip6, redirect)",
  },
  { code: 'MT511', severity: 'warning', title: 'DMARC missing or unparsable; I when p=none' },
  { code: 'MT512', severity: 'information', title: 'the declared spf/dmarc text differs from what is published' },
  { code: 'MT513', severity: 'error', title: 'a live MX target resolves to a private address' },
  {
    code: 'MT514',
    severity: 'warning',
    title: 'null MX published while MX targets are declared, or the other way round',
  },
  {
    code: 'MT515',
    severity: 'warning',
    title:
      'mta-sts is declared but _mta-sts.<domain> has no v=STSv1 TXT record, or ' +
      'tls-rpt is declared but _smtp._tls.<domain> has no v=TLSRPTv1 record (RFC ' +
      '8461 §3.1, RFC 8460 §3)',
  },
  {
    code: 'MT590',
    severity: 'information',
    title:
      'a live check could not finish (timeout, SERVFAIL, REFUSED, network unreachable): which query, which resolver; never an error',
  },
  { code: 'MT004', severity: 'warning', title: 'document too large for the editor to analyse' },
  { code: 'MT005', severity: 'information', title: 'more diagnostics than the editor shows' },
];

export const CODE_INFO = new Map(CODES.map((c) => [c.code, c]));

/** Where a code is documented (docs/rules.md in the repository). */
export function codeHref(code: string): string {
  return `https://github.com/mailtopo/mailtopo/blob/main/docs/rules.md#${code.toLowerCase()}`;
}
