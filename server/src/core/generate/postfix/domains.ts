// Identity and accepted domains: a gateway delivers nothing locally, it
// relays the domains it `accept`s to their next hops (relay_domains); a
// mailbox server hands its `mailboxes` domains to the mailbox store.
import { parseIp } from '../../model/addr';
import { acceptedPatterns, guard } from '../common';
import { addMain, pfDomain, type Ctx } from './context';

export function identitySection(ctx: Ctx): void {
  const { node } = ctx;
  addMain(ctx, 'compatibility_level = 3.6', '');
  addMain(ctx, `# Identity and local delivery: this ${node.kind} delivers nothing to local (Unix) mailboxes.`);
  if (node.hostname) addMain(ctx, `myhostname = ${guard(node.hostname.value, 'host', 'myhostname')}`);
  else addMain(ctx, `# no hostname declared for ${ctx.name}: Postfix uses the system's name`);
  addMain(ctx, 'mydestination =', 'alias_maps =', 'inet_interfaces = all');
  const v6 = node.addresses.some((a) => parseIp(a)?.family === 6);
  const v4 = node.addresses.some((a) => parseIp(a)?.family === 4);
  addMain(ctx, `inet_protocols = ${v6 && v4 ? 'all' : v6 ? 'ipv6' : 'ipv4'}`);
  addMain(ctx, '# A domain matches only itself; `*.example.com` is written `.example.com`.');
  addMain(
    ctx,
    'parent_domain_matches_subdomains = debug_peer_list, fast_flush_domains, ' +
      'mynetworks, permit_mx_backup_networks, qmqpd_authorized_clients',
    '',
  );
}

export function domainsSection(ctx: Ctx): void {
  const patterns = acceptedPatterns(ctx.node);
  addMain(ctx, '# Accepted domains (accept): taken from outside and relayed to their next hops.');
  if (patterns.length) {
    const list = patterns.filter((p) => p !== '*').map(pfDomain);
    if (patterns.includes('*')) list.push('static:all');
    addMain(ctx, `relay_domains = ${list.join(', ')}`, '');
  } else addMain(ctx, 'relay_domains =', '');
  mailboxDomains(ctx);
}

/** A Postfix mailbox server: its `mailboxes` domains go into Dovecot over LMTP. */
function mailboxDomains(ctx: Ctx): void {
  const patterns = (ctx.node.mailboxes?.patterns ?? []).filter((p) => p !== '*');
  if (!patterns.length) return;
  addMain(
    ctx,
    `# mailboxes: delivered into the mailbox store (Dovecot's LMTP socket; adjust if another store takes them).`,
    `virtual_mailbox_domains = ${patterns.map(pfDomain).join(', ')}`,
    'virtual_transport = lmtp:unix:private/dovecot-lmtp',
    '',
  );
}
