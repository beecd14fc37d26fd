// Postfix configuration for every gateway: postfix/<node>/main.cf, master.cf
// and the lookup tables they name. Tables use `texthash:`, `cidr:` and
// `regexp:`, which Postfix reads as they are (no postmap step), and are named
// with ${config_directory}, so the folder works wherever it is installed
// (`postfix -c DIR`, or copied to /etc/postfix).
//
// Mapping (INTERFACES.md, "Generated configuration"):
//   relay rules      -> mynetworks (clients that may relay unauthenticated) and
//                       smtpd_relay_restrictions (permit_mynetworks,
//                       permit_sasl_authenticated, reject_unauth_destination)
//   auth=required    -> SASL (Dovecot) on a submission service
//   accept           -> relay_domains; `from=` limits -> smtpd_recipient_restrictions
//   dnsbl            -> reject_rbl_client in smtpd_client_restrictions
//   route            -> transport_maps; `route *` -> relayhost
//   tls              -> smtpd_tls_security_level
//   scan policy      -> smtpd_milters, or content_filter for a scanner host;
//                       attachments block -> mime_header_checks; max-size -> message_size_limit
import type { Model, NetSource, NodeDecl, PolicyDecl } from '../model/types';
import {
  acceptedPatterns,
  commentHeader,
  printable,
  dnsblZones,
  guard,
  isAny,
  isEmpty,
  isInternetFacing,
  nodeHost,
  relaySets,
  scanPolicy,
  setToCidrs,
  smtpPort,
  sourcesSet,
  type GenerateOptions,
  type GeneratedFile,
} from './common';
import { emptySet, formatIp, parseCidr, parseIp, union, type AddrSet } from '../model/addr';

const CONF = '${config_directory}';
const DEFAULT_MAILBOX_SIZE = 51200000;

/** Known milter sockets for common engines (Debian package defaults). */
const MILTERS: Record<string, string> = {
  clamav: 'unix:/var/run/clamav/clamav-milter.ctl',
  rspamd: 'inet:localhost:11332',
  spamassassin: 'unix:/var/spool/postfix/spamass/spamass.sock',
  opendmarc: 'inet:localhost:8893',
};

/** A Postfix client list entry: IPv6 in brackets. */
function pfCidr(c: string): string {
  guard(c, 'addr', 'a Postfix network list');
  return c.includes(':') ? `[${c.slice(0, c.indexOf('/'))}]${c.slice(c.indexOf('/'))}` : c;
}

/** Domain pattern -> Postfix table key / list entry (`*.x` -> `.x`). */
function pfDomain(p: string): string {
  guard(p, 'pattern', 'a Postfix domain list');
  return p.startsWith('*.') ? p.slice(1) : p;
}

/** The next-hop destination for a node: [host]:port, brackets so no MX lookup happens. */
function hopDest(node: NodeDecl): string | undefined {
  const h = nodeHost(node);
  if (!h) return undefined;
  const host = guard(h.host, h.isIp ? 'addr' : 'host', `the next hop of ${node.name}`);
  const port = smtpPort(node);
  return `[${host}]${port === 25 ? '' : `:${port}`}`;
}

interface Lines {
  out: string[];
}
const add = (l: Lines, ...s: string[]) => {
  l.out.push(...s);
};

/** The ranges of a `from=` list in written order, canonical (host bits cleared); `any` is both families. */
function orderedCidrs(from: NetSource[]): string[] {
  const out: string[] = [];
  const push = (text: string) => {
    const c = parseCidr(text);
    if (!c) return;
    const t = `${formatIp({ family: c.family, value: c.lo })}/${c.prefix}`;
    if (!out.includes(t)) out.push(t);
  };
  for (const s of from) {
    if (s.any) {
      push('0.0.0.0/0');
      push('::/0');
    } else if (s.network) s.network.cidrs.forEach(push);
    else push(s.text);
  }
  return out;
}

/** Regexp table rejecting blocked attachment extensions. */
function mimeChecks(policy: PolicyDecl, source: string): string | undefined {
  const exts: string[] = [];
  for (const a of policy.attachments) {
    if (a.action !== 'block') continue;
    for (const e of a.extensions) {
      const w = guard(e.text, 'word', 'an attachment regexp').toLowerCase().replace(/\+/g, '\\+');
      if (!exts.includes(w)) exts.push(w);
    }
  }
  if (!exts.length) return undefined;
  return (
    commentHeader('#', source, `Postfix mime_header_checks (attachments block of policy ${policy.name})`) +
    '# Rejects a message whose attachment file name ends in a blocked extension (matching ignores case).\n' +
    `/^Content-(Disposition|Type):.*name[*0-9]*[[:space:]]*=[[:space:]]*"?[^"]*\\.(${exts.join('|')})"?[[:space:]]*(;.*)?$/ REJECT attachment type blocked by policy ${guard(policy.name, 'name', 'a regexp table')}\n`
  );
}

export function generatePostfix(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const node of model.nodes) {
    if (node.kind !== 'gateway') continue;
    files.push(...gatewayFiles(node, model, opts));
  }
  return files;
}

function gatewayFiles(node: NodeDecl, model: Model, opts: GenerateOptions): GeneratedFile[] {
  const name = guard(node.name, 'name', 'a Postfix folder name');
  const dir = `postfix/${name}`;
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  const m: Lines = { out: [] };
  const master: Lines = { out: [] };
  const facing = isInternetFacing(node, model);

  add(m, commentHeader('#', opts.source, `Postfix main.cf of gateway ${name}`).trimEnd());
  add(
    m,
    '#',
    `# gateway ${name}: role ${node.role ?? '?'}, zone ${node.zone}${facing ? ', internet-facing' : ''}.`,
    '',
  );
  add(m, 'compatibility_level = 3.6', '');

  // ---- identity ---------------------------------------------------------------
  add(m, '# Identity and local delivery: a gateway delivers nothing locally, it relays.');
  if (node.hostname) add(m, `myhostname = ${guard(node.hostname.value, 'host', 'myhostname')}`);
  else add(m, `# no hostname declared for ${name}: Postfix uses the system's name`);
  add(m, 'mydestination =', 'alias_maps =', 'inet_interfaces = all');
  const v6 = node.addresses.some((a) => parseIp(a)?.family === 6);
  const v4 = node.addresses.some((a) => parseIp(a)?.family === 4);
  add(m, `inet_protocols = ${v6 && v4 ? 'all' : v6 ? 'ipv6' : 'ipv4'}`);
  add(m, '# A domain matches only itself; `*.example.com` is written `.example.com`.');
  add(
    m,
    'parent_domain_matches_subdomains = debug_peer_list, fast_flush_domains, mynetworks, permit_mx_backup_networks, qmqpd_authorized_clients',
    '',
  );

  // ---- accepted domains ---------------------------------------------------------
  const patterns = acceptedPatterns(node);
  add(m, '# Accepted domains (accept): taken from outside and relayed to their next hops.');
  if (patterns.length) {
    const list = patterns.filter((p) => p !== '*').map(pfDomain);
    if (patterns.includes('*')) list.push('static:all');
    add(m, `relay_domains = ${list.join(', ')}`);
  } else add(m, 'relay_domains =');

  // accept ... from= limits
  const limited = node.accepts.some((a) => !isAny(sourcesSet(a.from)));
  const classes: string[] = [];
  const classDefs: string[] = [];
  if (limited) {
    // Union of sources per pattern (two accept lines for one domain add up).
    const per = new Map<string, AddrSet>();
    for (const a of node.accepts) {
      const s = sourcesSet(a.from);
      for (const p of a.patterns) per.set(p, union(per.get(p) ?? emptySet(), s));
    }
    const table: string[] = [
      commentHeader('#', opts.source, `Postfix recipient table of gateway ${name} (accept ... from=)`).trimEnd(),
      '# Recipient domain -> OK (any client) or the restriction class naming the clients it is taken from.',
    ];
    let i = 0;
    let starClass: string | undefined;
    for (const [p, s] of per) {
      let result = 'OK';
      if (!isAny(s)) {
        i++;
        const cls = `accept_from_${i}`;
        classes.push(cls);
        const cidrFile = `accept_from_${i}.cidr`;
        if (isEmpty(s)) {
          classDefs.push(`${cls} = reject`);
        } else {
          classDefs.push(`${cls} = check_client_access cidr:${CONF}/${cidrFile}, reject`);
          files.push({
            path: `${dir}/${cidrFile}`,
            content:
              commentHeader('#', opts.source, `Postfix client table of gateway ${name}: who may send mail for ${p}`) +
              setToCidrs(s)
                .map((c) => `${c}\tOK\n`)
                .join(''),
          });
        }
        result = cls;
      }
      if (p === '*') {
        starClass = result;
        continue;
      }
      table.push(`${pfDomain(p)}\t${result}`);
    }
    files.push({ path: `${dir}/recipient_access`, content: table.join('\n') + '\n' });
    const rr = [`check_recipient_access texthash:${CONF}/recipient_access`];
    if (starClass && starClass !== 'OK') rr.push(starClass);
    add(m, '# accept ... from=: mail for these domains is taken only from the listed clients.');
    add(m, `smtpd_recipient_restrictions = ${rr.join(', ')}`);
  }
  add(m, '');

  // ---- relay rules --------------------------------------------------------------
  const rs = relaySets(node);
  add(m, '# Relay rules, first match wins, then an implicit deny:');
  for (const r of node.relays)
    add(
      m,
      `#   relay ${r.action} from=${printable(r.from.map((f) => f.text).join(','))}${r.auth === 'required' ? ' auth=required' : ''}`,
    );
  if (!node.relays.length) add(m, '#   (none: this gateway relays for nobody)');
  // mynetworks mirrors the rules that need no authentication, in order: Postfix
  // network lists are first-match too, and `!range` excludes (a deny rule).
  const entries: string[] = [];
  const unauthRules = node.relays.filter((r) => r.auth === 'none');
  const lastAllow = unauthRules.map((r) => r.action).lastIndexOf('allow');
  unauthRules.slice(0, lastAllow + 1).forEach((r) => {
    for (const c of orderedCidrs(r.from)) entries.push(`${r.action === 'deny' ? '!' : ''}${pfCidr(c)}`);
  });
  add(m, '# mynetworks: the clients that may relay without authenticating (the rules above, in order).');
  if (isAny(rs.unauth)) add(m, '# WARNING: every address may relay without authenticating: an open relay.');
  add(m, `mynetworks = ${entries.join(', ')}`.trimEnd());
  const relayR = ['permit_mynetworks'];
  const clientPermits = ['permit_mynetworks'];
  if (rs.usesAuth) {
    if (isAny(rs.auth)) relayR.push('permit_sasl_authenticated');
    else if (!isEmpty(rs.auth)) {
      // Every rule matches an authenticated client: the whole list, in order (cidr tables are first-match).
      classes.push('sasl_relay');
      classDefs.push('sasl_relay = permit_sasl_authenticated');
      relayR.push(`check_client_access cidr:${CONF}/sasl_relay_clients.cidr`);
      const rows: string[] = [];
      for (const r of node.relays)
        for (const c of orderedCidrs(r.from)) rows.push(`${c}\t${r.action === 'allow' ? 'sasl_relay' : 'DUNNO'}\t`);
      files.push({
        path: `${dir}/sasl_relay_clients.cidr`,
        content:
          commentHeader('#', opts.source, `Postfix client table of gateway ${name}: who may relay once authenticated`) +
          '# First match wins, as in the relay rules: sasl_relay permits an authenticated client, DUNNO leaves it to reject_unauth_destination.\n' +
          rows.map((x) => x.trimEnd() + '\n').join(''),
      });
    }
    clientPermits.push('permit_sasl_authenticated');
    if (!isEmpty(rs.authDeniedButUnauthAllowed)) {
      add(
        m,
        `# note: ${setToCidrs(rs.authDeniedButUnauthAllowed).join(', ')} relay unauthenticated (mynetworks) although a rule denies them once authenticated.`,
      );
      notes.push(
        `postfix ${name}: some clients relay unauthenticated although a rule denies them once authenticated; Postfix cannot tell these apart`,
      );
    }
  }
  relayR.push('reject_unauth_destination');
  add(m, `smtpd_relay_restrictions = ${relayR.join(', ')}`);
  if (classes.length) {
    add(m, `smtpd_restriction_classes = ${classes.join(', ')}`);
    add(m, ...classDefs);
  }
  add(m, '');

  if (rs.usesAuth) {
    add(m, '# relay ... auth=required: SASL authentication (Dovecot) on the submission service (master.cf).');
    add(
      m,
      'smtpd_sasl_type = dovecot',
      'smtpd_sasl_path = private/auth',
      'smtpd_sasl_auth_enable = no',
      'smtpd_sasl_security_options = noanonymous',
      'smtpd_tls_auth_only = yes',
      '',
    );
  }

  // ---- DNSBLs -------------------------------------------------------------------
  const zones = dnsblZones(node, model);
  if (zones.length) {
    add(
      m,
      `# Spam lists (${node.dnsbl ? 'dnsbl' : "options' dnsbl"}): clients listed there are refused; relay clients are not checked.`,
    );
    add(
      m,
      `smtpd_client_restrictions = ${[...clientPermits, ...zones.map((z) => `reject_rbl_client ${guard(z, 'host', 'reject_rbl_client')}`)].join(', ')}`,
      '',
    );
  } else {
    add(
      m,
      `# No spam lists (${node.dnsbl?.none ? 'dnsbl none' : facing ? 'none declared' : 'not internet-facing'}).`,
      '',
    );
  }

  // ---- routes -------------------------------------------------------------------
  add(m, '# Routes: an exact domain beats *.suffix (transport_maps), which beats * (relayhost).');
  const transport: string[] = [];
  const routeNotes: string[] = [];
  let relayhost: string | undefined;
  let fallback: string | undefined;
  for (const r of node.routes) {
    add(m, `#   route ${printable(r.patterns.join(', '))} via=${printable(r.via.map((h) => h.text).join(','))}`);
    const nodes = r.via
      .filter((h) => !h.direct)
      .map((h) => {
        const d = h.node ? hopDest(h.node) : undefined;
        if (!d) notes.push(`postfix ${name}: next hop ${h.text} has no hostname or address; left out`);
        return d;
      })
      .filter((d): d is string => !!d);
    const direct = r.via.some((h) => h.direct);
    const directFirst = !!r.via[0]?.direct;
    for (const p of r.patterns) {
      if (p === '*') {
        if (directFirst) {
          if (nodes.length) {
            fallback = nodes.join(', ');
            routeNotes.push(
              '# route *: direct (MX lookup) first, the smart hosts when that fails (smtp_fallback_relay).',
            );
          } else routeNotes.push('# route * via=direct: mail for other domains goes to their MX (no relayhost).');
        } else if (nodes.length) {
          relayhost = nodes.join(', ');
          if (direct)
            routeNotes.push('# route *: direct after smart hosts cannot be expressed; mail waits for the smart hosts.');
        }
        continue;
      }
      const key = pfDomain(p);
      const list = [...nodes];
      // `direct` for an exact domain: an MX lookup of that domain (the bare domain as a next hop).
      if (direct && !p.startsWith('*.'))
        list.splice(
          Math.min(
            r.via.findIndex((h) => h.direct),
            list.length,
          ),
          0,
          guard(p, 'host', 'a transport table'),
        );
      if (direct && p.startsWith('*.') && nodes.length)
        routeNotes.push(
          `# route ${printable(p)}: direct mixed with smart hosts cannot be expressed for a *.suffix; the smart hosts are used.`,
        );
      // An empty next hop (`smtp:`) is an MX lookup of the recipient's domain.
      transport.push(`${key}\tsmtp:${list.join(', ')}`);
    }
  }
  if (!node.routes.length) add(m, '#   (none: mail for other domains goes to their MX)');
  add(m, ...routeNotes);
  if (transport.length) {
    add(m, `transport_maps = texthash:${CONF}/transport`);
    files.push({
      path: `${dir}/transport`,
      content:
        commentHeader('#', opts.source, `Postfix transport table of gateway ${name} (route)`) +
        transport.join('\n') +
        '\n',
    });
  }
  add(m, `relayhost = ${relayhost ?? ''}`.trimEnd());
  if (fallback) add(m, `smtp_fallback_relay = ${fallback}`);
  add(m, '');

  // ---- TLS ----------------------------------------------------------------------
  const level = node.tls === 'required' ? 'encrypt' : node.tls === 'off' ? 'none' : 'may';
  add(
    m,
    `# tls ${node.tls}: STARTTLS on inbound SMTP${node.tls === 'required' ? ' (required: clients that cannot encrypt are refused)' : ''}.`,
  );
  add(m, `smtpd_tls_security_level = ${level}`);
  if (level !== 'none' || rs.usesAuth) {
    add(m, `# Replace with the certificate and key of ${node.hostname?.value ?? name}.`);
    add(
      m,
      'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem',
      'smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key',
    );
  }
  add(m, 'smtp_tls_security_level = may', '');

  // ---- scan policy --------------------------------------------------------------
  const pol = scanPolicy(node);
  let reinject: { listen: string; clients: string } | undefined;
  if (pol) {
    add(m, `# Scan policy ${guard(pol.name, 'name', 'main.cf')}${node.scan ? '' : ' (from its pool)'}.`);
    const milters: string[] = [];
    if (pol.scanner) {
      const sc = pol.scanner.node;
      const dest = sc
        ? hopDest(sc)
        : pol.scanner.hostname
          ? `[${guard(pol.scanner.hostname, 'host', 'content_filter')}]:10024`
          : undefined;
      if (dest) {
        add(m, `# scanner ${pol.scanner.scalar.text}: mail goes there and comes back on port 10025.`);
        add(m, `content_filter = scan:${dest}`);
        const back = sc ? sc.addresses.map((a) => pfCidr(a + (a.includes(':') ? '/128' : '/32'))) : [];
        reinject = { listen: '10025', clients: back.length ? back.join(',') : '127.0.0.0/8' };
        if (!back.length)
          notes.push(
            `postfix ${name}: scanner ${pol.scanner.scalar.text} has no address; the return service on port 10025 trusts only 127.0.0.0/8 until you add it`,
          );
      } else
        notes.push(`postfix ${name}: scanner ${pol.scanner.scalar.text} has no hostname or address; no content_filter`);
    } else {
      if (pol.antivirus) {
        const eng = guard(pol.antivirus.engine, 'word', 'a milter name').toLowerCase();
        if (pol.antivirus.mode === 'scheduled')
          add(m, `# antivirus ${eng} mode=scheduled: scans stored mail, nothing in transit.`);
        else if (eng === 'amavis' || eng === 'amavisd') {
          add(m, '# antivirus amavis: a content filter on 127.0.0.1:10024 that returns mail on 127.0.0.1:10025.');
          add(m, 'content_filter = scan:[127.0.0.1]:10024');
          reinject = { listen: '127.0.0.1:10025', clients: '127.0.0.0/8' };
        } else {
          if (!MILTERS[eng])
            add(m, `# antivirus ${eng}: no known milter socket; point the entry below at ${eng}'s milter.`);
          milters.push(MILTERS[eng] ?? `unix:/run/${eng}/milter.sock`);
        }
      }
      if (pol.antispam) {
        const eng = guard(pol.antispam.engine, 'word', 'a milter name').toLowerCase();
        if (!MILTERS[eng])
          add(m, `# antispam ${eng}: no known milter socket; point the entry below at ${eng}'s milter.`);
        const sock = MILTERS[eng] ?? `unix:/run/${eng}/milter.sock`;
        if (!milters.includes(sock)) milters.push(sock);
        if (pol.antispam.threshold !== undefined)
          add(m, `# antispam threshold ${pol.antispam.threshold}: set it in ${eng}'s own configuration.`);
      }
    }
    if (milters.length) {
      add(m, `smtpd_milters = ${milters.join(', ')}`, 'non_smtpd_milters = $smtpd_milters');
      add(m, '# A scanner that does not answer holds mail back (4xx) rather than letting it through unscanned.');
      add(m, 'milter_default_action = tempfail');
    }
    if (pol.onVirusStmt) add(m, `# on-virus ${pol.onVirus}: configure it in the scanner.`);
    const mc = mimeChecks(pol, opts.source);
    if (mc) {
      add(m, `mime_header_checks = regexp:${CONF}/mime_header_checks`);
      files.push({ path: `${dir}/mime_header_checks`, content: mc });
    }
    if (pol.attachments.some((a) => a.action === 'allow'))
      add(m, '# attachments allow ...: Postfix cannot allow-list; only blocked extensions are refused here.');
    if (pol.maxSize && pol.maxSize.bytes > 0) {
      add(m, `# max-size ${pol.maxSize.text}`);
      add(m, `message_size_limit = ${pol.maxSize.bytes}`);
      if (pol.maxSize.bytes > DEFAULT_MAILBOX_SIZE) add(m, 'mailbox_size_limit = 0');
    }
    add(m, '');
  } else {
    add(m, '# No scan policy.', '');
  }

  // ---- master.cf ----------------------------------------------------------------
  add(master, commentHeader('#', opts.source, `Postfix master.cf of gateway ${name}`).trimEnd());
  add(
    master,
    '# ==========================================================================',
    '# service type  private unpriv  chroot  wakeup  maxproc command + args',
    '# ==========================================================================',
  );
  const widths = [10, 6, 8, 8, 8, 8, 8];
  const svc = (
    n: string,
    type: string,
    priv: string,
    unpriv: string,
    wake: string,
    maxp: string,
    cmd: string,
    ...o: string[]
  ) =>
    add(
      master,
      [n, type, priv, unpriv, 'n', wake, maxp].map((x, i) => `${x} `.padEnd(widths[i])).join('') + cmd,
      ...o.map((x) => `  -o ${x}`),
    );
  const listen = node.listen.length ? node.listen : [25];
  const submissionOpts = [
    'syslog_name=postfix/submission',
    'smtpd_tls_security_level=encrypt',
    'smtpd_sasl_auth_enable=yes',
    'smtpd_client_restrictions=permit_sasl_authenticated,reject',
  ];
  for (const p of listen) {
    if (p === 25) svc('smtp', 'inet', 'n', '-', '-', '-', 'smtpd');
    else if (p === 587)
      svc(
        'submission',
        'inet',
        'n',
        '-',
        '-',
        '-',
        'smtpd',
        ...(rs.usesAuth ? submissionOpts : ['syslog_name=postfix/submission']),
      );
    else if (p === 465)
      svc(
        'submissions',
        'inet',
        'n',
        '-',
        '-',
        '-',
        'smtpd',
        'syslog_name=postfix/submissions',
        'smtpd_tls_wrappermode=yes',
        ...(rs.usesAuth
          ? ['smtpd_sasl_auth_enable=yes', 'smtpd_client_restrictions=permit_sasl_authenticated,reject']
          : []),
      );
    else svc(String(p), 'inet', 'n', '-', '-', '-', 'smtpd');
  }
  if (rs.usesAuth && !listen.includes(587) && !listen.includes(465)) {
    add(master, '# relay ... auth=required: authenticated clients submit on port 587.');
    svc('submission', 'inet', 'n', '-', '-', '-', 'smtpd', ...submissionOpts);
  }
  if (reinject) {
    add(master, '# Scanned mail comes back here and is not scanned again.');
    svc(
      reinject.listen,
      'inet',
      'n',
      '-',
      '-',
      '-',
      'smtpd',
      'syslog_name=postfix/reinject',
      'content_filter=',
      'smtpd_milters=',
      'receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters',
      `mynetworks=${reinject.clients}`,
      'smtpd_client_restrictions=permit_mynetworks,reject',
      'smtpd_recipient_restrictions=',
      'smtpd_relay_restrictions=permit_mynetworks,reject',
    );
    svc('scan', 'unix', '-', '-', '-', '10', 'smtp', 'syslog_name=postfix/scan', 'smtp_send_xforward_command=yes');
  }
  svc('pickup', 'unix', 'n', '-', '60', '1', 'pickup');
  svc('cleanup', 'unix', 'n', '-', '-', '0', 'cleanup');
  svc('qmgr', 'unix', 'n', '-', '300', '1', 'qmgr');
  svc('tlsmgr', 'unix', '-', '-', '1000?', '1', 'tlsmgr');
  svc('rewrite', 'unix', '-', '-', '-', '-', 'trivial-rewrite');
  svc('bounce', 'unix', '-', '-', '-', '0', 'bounce');
  svc('defer', 'unix', '-', '-', '-', '0', 'bounce');
  svc('trace', 'unix', '-', '-', '-', '0', 'bounce');
  svc('verify', 'unix', '-', '-', '-', '1', 'verify');
  svc('flush', 'unix', 'n', '-', '1000?', '0', 'flush');
  svc('proxymap', 'unix', '-', '-', '-', '-', 'proxymap');
  svc('proxywrite', 'unix', '-', '-', '-', '1', 'proxymap');
  svc('smtp', 'unix', '-', '-', '-', '-', 'smtp');
  svc('relay', 'unix', '-', '-', '-', '-', 'smtp');
  svc('showq', 'unix', 'n', '-', '-', '-', 'showq');
  svc('error', 'unix', '-', '-', '-', '-', 'error');
  svc('retry', 'unix', '-', '-', '-', '-', 'error');
  svc('discard', 'unix', '-', '-', '-', '-', 'discard');
  svc('local', 'unix', '-', 'n', '-', '-', 'local');
  svc('virtual', 'unix', '-', 'n', '-', '-', 'virtual');
  svc('lmtp', 'unix', '-', '-', '-', '-', 'lmtp');
  svc('anvil', 'unix', '-', '-', '-', '1', 'anvil');
  svc('scache', 'unix', '-', '-', '-', '1', 'scache');
  svc('postlog', 'unix-dgram', 'n', '-', '-', '1', 'postlogd');

  files.unshift(
    {
      path: `${dir}/main.cf`,
      content: m.out.join('\n').replace(/\n+$/, '') + '\n',
      notes: notes.length ? notes : undefined,
    },
    { path: `${dir}/master.cf`, content: master.out.join('\n') + '\n' },
  );
  return files;
}
