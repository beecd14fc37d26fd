// Routes: an exact domain and `*.suffix` go to transport_maps, `*` to
// relayhost (or smtp_fallback_relay when `direct` comes first). Next hops are
// bracketed so Postfix connects to them without an MX lookup.
import type { RouteRule } from '../../model/types';
import { commentHeader, guard, printable } from '../common';
import { addFile, addMain, CONF, hopDest, pfDomain, type Ctx } from './context';

interface Routes {
  transport: string[];
  notes: string[];
  relayhost?: string;
  fallback?: string;
}

export function routingSection(ctx: Ctx): void {
  const { node } = ctx;
  addMain(ctx, '# Routes: an exact domain beats *.suffix (transport_maps), which beats * (relayhost).');
  const out: Routes = { transport: [], notes: [] };
  for (const r of node.routes) {
    addMain(ctx, `#   route ${printable(r.patterns.join(', '))} via=${printable(r.via.map((h) => h.text).join(','))}`);
    routeLines(ctx, r, out);
  }
  if (!node.routes.length) addMain(ctx, '#   (none: mail for other domains goes to their MX)');
  addMain(ctx, ...out.notes);
  if (out.transport.length) {
    addMain(ctx, `transport_maps = texthash:${CONF}/transport`);
    addFile(
      ctx,
      'transport',
      commentHeader('#', ctx.opts.source, `Postfix transport table of ${ctx.name} (route)`) +
        out.transport.join('\n') +
        '\n',
    );
  }
  addMain(ctx, `relayhost = ${out.relayhost ?? ''}`.trimEnd());
  if (out.fallback) addMain(ctx, `smtp_fallback_relay = ${out.fallback}`);
  addMain(ctx, '');
  clientAuth(ctx);
}

/** route ... auth=yes: log in to those next hops, over TLS only (the password never goes in clear). */
function clientAuth(ctx: Ctx): void {
  const hops: string[] = [];
  for (const r of ctx.node.routes.filter((x) => x.auth))
    for (const h of r.via) {
      const d = h.node ? hopDest(h.node) : undefined;
      if (d && !hops.includes(d)) hops.push(d);
    }
  if (!hops.length) return;
  addMain(
    ctx,
    `# route ... auth=yes: this ${ctx.node.kind} logs in to ${hops.join(', ')} (fill in sasl_passwd), over TLS only.`,
    'smtp_sasl_auth_enable = yes',
    `smtp_sasl_password_maps = texthash:${CONF}/sasl_passwd`,
    'smtp_sasl_security_options = noanonymous',
    'smtp_sasl_tls_security_options = noanonymous',
    `smtp_tls_policy_maps = texthash:${CONF}/tls_policy`,
    '',
  );
  const head = (what: string) => commentHeader('#', ctx.opts.source, `Postfix ${what} of ${ctx.name} (route auth=yes)`);
  addFile(
    ctx,
    'sasl_passwd',
    head('SMTP client passwords') +
      '# Next hop -> login:password. Fill in each line and remove the "#"; keep this file readable by root only.\n' +
      hops.map((d) => `#${d}\tLOGIN:PASSWORD\n`).join(''),
  );
  addFile(ctx, 'tls_policy', head('TLS policy') + hops.map((d) => `${d}\tencrypt\n`).join(''));
}

function routeLines(ctx: Ctx, r: RouteRule, out: Routes): void {
  const nodes: string[] = [];
  for (const h of r.via) {
    if (h.direct) continue;
    const d = h.node ? hopDest(h.node) : undefined;
    if (d) nodes.push(d);
    else ctx.notes.push(`postfix ${ctx.name}: next hop ${h.text} has no hostname or address; left out`);
  }
  const directAt = r.via.findIndex((h) => h.direct);
  const direct = directAt >= 0;
  for (const p of r.patterns) {
    if (p === '*') {
      starRoute(out, nodes, direct, directAt === 0);
      continue;
    }
    const list = [...nodes];
    // `direct` for an exact domain: an MX lookup of that domain (the bare domain as a next hop).
    if (direct && !p.startsWith('*.'))
      list.splice(Math.min(directAt, list.length), 0, guard(p, 'host', 'a transport table'));
    if (direct && p.startsWith('*.') && nodes.length)
      out.notes.push(
        `# route ${printable(p)}: direct mixed with smart hosts cannot be expressed for a *.suffix; the smart hosts are used.`,
      );
    // An empty next hop (`smtp:`) is an MX lookup of the recipient's domain.
    out.transport.push(`${pfDomain(p)}\tsmtp:${list.join(', ')}`);
  }
}

function starRoute(out: Routes, nodes: string[], direct: boolean, directFirst: boolean): void {
  if (directFirst) {
    if (nodes.length) {
      out.fallback = nodes.join(', ');
      out.notes.push('# route *: direct (MX lookup) first, the smart hosts when that fails (smtp_fallback_relay).');
    } else out.notes.push('# route * via=direct: mail for other domains goes to their MX (no relayhost).');
  } else if (nodes.length) {
    out.relayhost = nodes.join(', ');
    if (direct)
      out.notes.push('# route *: direct after smart hosts cannot be expressed; mail waits for the smart hosts.');
  }
}
