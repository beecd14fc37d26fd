// The scan policy: how mail reaches the engines (`method`), and the policy's
// limits (blocked attachments, max-size). One filter per message, never two:
//   milter          -> smtpd_milters (one socket per distinct known engine)
//   content-filter  -> FILTER_README's advanced example: content_filter to the
//                      `scan` transport, and a reinjection listener the filter
//                      hands mail back to (not filtered again)
//   proxy           -> smtpd_proxy_filter (SMTPD_PROXY_README), same return path
//   scanner host    -> content_filter to that host, the return listener trusting it
// amavis runs clamav and SpamAssassin itself and is always a content filter. An
// engine mailtopo does not know becomes a commented placeholder to fill in.
import type { PolicyDecl, ScanMethod } from '../../model/types';
import { guard, scanPolicy } from '../common';
import { addMain, hopDest, hostCidr, pfCidr, service, type Ctx, type Service } from './context';
import { policyLimits } from './limits';
import type { Plan } from './plan';

/** Where a local content filter or proxy filter listens (amavis' default). */
export const FILTER_PORT = 10024;

/** Known milter sockets (Debian package defaults). */
const MILTERS: Readonly<Record<string, string>> = {
  clamav: 'unix:/var/run/clamav/clamav-milter.ctl',
  rspamd: 'inet:localhost:11332',
  spamassassin: 'unix:/var/spool/postfix/spamass/spamass.sock',
};
/** Engines that amavis calls itself (clamd, SpamAssassin): no filter of their own next to it. */
const INSIDE_AMAVIS = ['clamav', 'spamassassin'];
/** Engines a local SMTP content filter or proxy is commonly built on. */
const KNOWN = ['amavis', 'clamav', 'rspamd', 'spamassassin'];

function engineWord(e: string): string {
  const w = guard(e, 'word', 'an engine name').toLowerCase();
  return w === 'amavisd' || w === 'amavisd-new' ? 'amavis' : w;
}

/** The engines that scan mail in transit, each once (one engine for both jobs is one filter). */
function engines(pol: PolicyDecl): string[] {
  const out: string[] = [];
  if (pol.antivirus && pol.antivirus.mode !== 'scheduled') out.push(engineWord(pol.antivirus.engine));
  if (pol.antispam) out.push(engineWord(pol.antispam.engine));
  return out.filter((e, i) => out.indexOf(e) === i);
}

/** amavis is always a content filter (LANGUAGE.md, engine words), whatever `method` says. */
function methodOf(pol: PolicyDecl, engs: string[]): ScanMethod {
  return engs.includes('amavis') ? 'content-filter' : pol.method;
}

/** The reinjection port: 10025, or the next one no listener (nor the filter) uses. */
export function reinjectPort(plan: Plan): number {
  const used = new Set([...plan.mtaPorts, ...plan.submission, FILTER_PORT]);
  let p = 10025;
  while (used.has(p)) p++;
  return p;
}

/** main.cf lines for the scan policy; returns the master.cf services the filter needs. */
export function filtersSection(ctx: Ctx, plan: Plan): Service[] {
  const pol = scanPolicy(ctx.node);
  if (!pol) {
    addMain(ctx, '# No scan policy.', '');
    return [];
  }
  addMain(ctx, `# Scan policy ${guard(pol.name, 'name', 'main.cf')}${ctx.node.scan ? '' : ' (from its pool)'}.`);
  let services: Service[] = [];
  const engs = engines(pol);
  if (pol.scanner) services = scannerHost(ctx, plan, pol);
  else if (engs.length) {
    const method = methodOf(pol, engs);
    if (method === 'milter') milters(ctx, engs);
    else services = localFilter(ctx, plan, engs, method);
  } else if (pol.antivirus) {
    addMain(
      ctx,
      `# antivirus ${engineWord(pol.antivirus.engine)} mode=scheduled: scans stored mail, nothing in transit.`,
    );
  }
  if (pol.antispam?.threshold !== undefined)
    addMain(
      ctx,
      `# antispam threshold ${pol.antispam.threshold}: set it in ${engineWord(pol.antispam.engine)}'s own configuration.`,
    );
  policyLimits(ctx, pol);
  addMain(ctx, '');
  return services;
}

function milters(ctx: Ctx, engs: string[]): void {
  const sockets: string[] = [];
  for (const e of engs) {
    const sock = MILTERS[e];
    if (sock) {
      addMain(ctx, `# ${e}: its milter on ${sock}`);
      if (!sockets.includes(sock)) sockets.push(sock);
    } else placeholder(ctx, e, 'smtpd_milters', 'inet:127.0.0.1:PORT', `the socket of ${e}'s milter`);
  }
  if (!sockets.length) return;
  addMain(ctx, `smtpd_milters = ${sockets.join(', ')}`, 'non_smtpd_milters = $smtpd_milters');
  addMain(ctx, '# A scanner that does not answer holds mail back (4xx) rather than letting it through unscanned.');
  addMain(ctx, 'milter_default_action = tempfail');
}

function placeholder(ctx: Ctx, engine: string, param: string, value: string, what: string): void {
  addMain(
    ctx,
    `# ${engine}: an engine mailtopo does not know. Fill in ${what} and remove the '#':`,
    `#${param} = ${value}`,
  );
  ctx.notes.push(`postfix ${ctx.name}: engine ${engine} is unknown; fill in ${param} in main.cf`);
}

/** A content filter or proxy filter on 127.0.0.1, handing mail back on the reinjection port. */
function localFilter(ctx: Ctx, plan: Plan, engs: string[], method: ScanMethod): Service[] {
  const known = engs.filter((e) => KNOWN.includes(e));
  const unknown = engs.filter((e) => !KNOWN.includes(e));
  const back = reinjectPort(plan);
  const inside = engs.filter((e) => INSIDE_AMAVIS.includes(e));
  const runs = engs.includes('amavis')
    ? `amavis${inside.length ? ` (which runs ${inside.join(' and ')} itself)` : ''}`
    : `the filter that runs ${engs.join(' and ')}`;
  const where = `127.0.0.1:${FILTER_PORT}`;
  addMain(ctx, `# method ${method}: ${runs} listens on ${where} and hands mail back on 127.0.0.1:${back}.`);
  const param = method === 'proxy' ? 'smtpd_proxy_filter' : 'content_filter';
  const value = method === 'proxy' ? where : `scan:[127.0.0.1]:${FILTER_PORT}`;
  if (known.length) addMain(ctx, `${param} = ${value}`);
  else placeholder(ctx, unknown.join(' and '), param, value, `the address ${unknown.join(' and ')} listens on`);
  if (method === 'proxy') {
    addMain(ctx, 'smtpd_proxy_options = speed_adjust');
    return [reinjectService(`127.0.0.1:${back}`, ['127.0.0.0/8'], method)];
  }
  addMain(ctx, '# Address rewriting happens once, after the filter (on the reinjection listener).');
  addMain(ctx, 'receive_override_options = no_address_mappings');
  return [scanTransport(), reinjectService(`127.0.0.1:${back}`, ['127.0.0.0/8'], method)];
}

/** A policy `scanner`: mail goes to that host and comes back on the reinjection port, from it only. */
function scannerHost(ctx: Ctx, plan: Plan, pol: PolicyDecl): Service[] {
  const sc = pol.scanner!;
  const dest = sc.node
    ? hopDest(sc.node)
    : sc.hostname
      ? `[${guard(sc.hostname, 'host', 'content_filter')}]:${FILTER_PORT}`
      : undefined;
  if (!dest) {
    ctx.notes.push(`postfix ${ctx.name}: scanner ${sc.scalar.text} has no hostname or address; no content_filter`);
    return [];
  }
  const back = reinjectPort(plan);
  const from = sc.node ? sc.node.addresses.map((a) => pfCidr(hostCidr(a))) : [];
  addMain(ctx, `# scanner ${sc.scalar.text}: mail goes there and comes back on port ${back}.`);
  addMain(ctx, `content_filter = scan:${dest}`, 'receive_override_options = no_address_mappings');
  if (!from.length)
    ctx.notes.push(
      `postfix ${ctx.name}: scanner ${sc.scalar.text} has no address; the return ` +
        `service on port ${back} trusts only 127.0.0.0/8 until you add it`,
    );
  return [scanTransport(), reinjectService(String(back), from.length ? from : ['127.0.0.0/8'], 'content-filter')];
}

/** FILTER_README: the transport to the filter, with the client's details passed on (XFORWARD). */
function scanTransport(): Service {
  return service('scan', 'unix', 'smtp', {
    maxproc: '10',
    comment: ['# The content filter transport (FILTER_README); maxproc: as many as the filter runs at once.'],
    opts: [
      'syslog_name=postfix/scan',
      'smtp_send_xforward_command=yes',
      'disable_mime_output_conversion=yes',
      'smtp_generic_maps=',
    ],
  });
}

/** FILTER_README / SMTPD_PROXY_README: the listener filtered mail comes back to; it is not filtered again. */
function reinjectService(listen: string, trusted: string[], method: ScanMethod): Service {
  const list = trusted.join(',');
  const override =
    method === 'proxy' ? 'no_unknown_recipient_checks' : 'no_unknown_recipient_checks,no_header_body_checks,no_milters';
  const opts = [
    'syslog_name=postfix/reinject',
    method === 'proxy' ? 'smtpd_proxy_filter=' : 'content_filter=',
    `receive_override_options=${override}`,
    'smtpd_helo_restrictions=',
    'smtpd_client_restrictions=',
    'smtpd_sender_restrictions=',
    'smtpd_relay_restrictions=',
    'smtpd_recipient_restrictions=permit_mynetworks,reject',
    'smtpd_data_restrictions=',
    `mynetworks=${list}`,
    `smtpd_authorized_xforward_hosts=${list}`,
    'smtpd_tls_security_level=may',
  ];
  return service(listen, 'inet', 'smtpd', {
    priv: 'n',
    maxproc: '10',
    opts,
    comment: ['# Filtered mail comes back here (only from the filter) and is not filtered again.'],
  });
}
