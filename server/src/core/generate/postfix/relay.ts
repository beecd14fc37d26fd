// Relay rules: who may send through the node to other domains. Rules are
// first-match with an implicit deny; those without authentication become
// mynetworks (a first-match network list too, `!range` for a deny), those
// with `auth=required` permit_sasl_authenticated (or a client table when they
// cover only some ranges).
import { commentHeader, isAny, isEmpty, printable, setToCidrs } from '../common';
import { addFile, addMain, CONF, orderedCidrs, pfCidr, type Ctx } from './context';
import type { Plan } from './plan';

/** The restriction that lets an authenticated client relay, as the rules say (undefined: none may). */
export function saslRelayPermit(plan: Plan): string | undefined {
  const { rs } = plan;
  if (!rs.usesAuth || isEmpty(rs.auth)) return undefined;
  if (isAny(rs.auth)) return 'permit_sasl_authenticated';
  return `check_client_access cidr:${CONF}/sasl_relay_clients.cidr`;
}

export function relaySection(ctx: Ctx, plan: Plan): void {
  const { node } = ctx;
  const { rs } = plan;
  addMain(ctx, '# Relay rules, first match wins, then an implicit deny:');
  for (const r of node.relays) {
    const from = printable(r.from.map((f) => f.text).join(','));
    addMain(ctx, `#   relay ${r.action} from=${from}${r.auth === 'required' ? ' auth=required' : ''}`);
  }
  if (!node.relays.length) addMain(ctx, `#   (none: this ${node.kind} relays for nobody)`);
  const entries: string[] = [];
  const unauthRules = node.relays.filter((r) => r.auth === 'none');
  const lastAllow = unauthRules.map((r) => r.action).lastIndexOf('allow');
  for (const r of unauthRules.slice(0, lastAllow + 1))
    for (const c of orderedCidrs(r.from)) entries.push(`${r.action === 'deny' ? '!' : ''}${pfCidr(c)}`);
  addMain(ctx, '# mynetworks: the clients that may relay without authenticating (the rules above, in order).');
  if (isAny(rs.unauth)) addMain(ctx, '# WARNING: every address may relay without authenticating: an open relay.');
  addMain(ctx, `mynetworks = ${entries.join(', ')}`.trimEnd());
  const relayR = ['permit_mynetworks'];
  const sasl = saslRelayPermit(plan);
  if (sasl) relayR.push(sasl);
  if (sasl && !isAny(rs.auth)) saslRelayTable(ctx);
  if (rs.usesAuth && !isEmpty(rs.authDeniedButUnauthAllowed)) {
    const cidrs = setToCidrs(rs.authDeniedButUnauthAllowed).join(', ');
    addMain(ctx, `# note: ${cidrs} relay unauthenticated (mynetworks) although a rule denies them once authenticated.`);
    ctx.notes.push(
      `postfix ${ctx.name}: some clients relay unauthenticated although a rule ` +
        'denies them once authenticated; Postfix cannot tell these apart',
    );
  }
  relayR.push('reject_unauth_destination');
  addMain(ctx, `smtpd_relay_restrictions = ${relayR.join(', ')}`, '');
}

/** Every rule matches an authenticated client: the whole list, in order (cidr tables are first-match). */
function saslRelayTable(ctx: Ctx): void {
  ctx.classes.push({ name: 'sasl_relay', def: 'permit_sasl_authenticated' });
  const rows: string[] = [];
  for (const r of ctx.node.relays)
    for (const c of orderedCidrs(r.from)) rows.push(`${c}\t${r.action === 'allow' ? 'sasl_relay' : 'DUNNO'}`);
  addFile(
    ctx,
    'sasl_relay_clients.cidr',
    commentHeader('#', ctx.opts.source, `Postfix client table of ${ctx.name}: who may relay once authenticated`) +
      '# First match wins, as in the relay rules: sasl_relay permits an authenticated ' +
      'client, DUNNO leaves it to reject_unauth_destination.\n' +
      rows.map((x) => x + '\n').join(''),
  );
}
