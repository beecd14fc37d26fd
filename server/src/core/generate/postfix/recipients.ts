// Recipient checks at RCPT time: `accept ... from=` limits (a recipient table
// naming, per limited domain, the clients it is taken from) and `recipients`:
// verify -> reject_unverified_recipient (Postfix asks the next hop whether the
// address exists, ADDRESS_VERIFICATION_README), list -> relay_recipient_maps,
// none -> every address is taken (and bounced later: backscatter).
import { emptySet, union, type AddrSet } from '../../model/addr';
import { acceptedPatterns, commentHeader, isAny, isEmpty, setToCidrs, sourcesSet } from '../common';
import { addFile, addMain, CONF, pfDomain, type Ctx } from './context';
import type { Plan } from './plan';

/** The restriction class that verifies a recipient and then takes it (ends the list, like OK). */
const VERIFIED = 'verified_recipient';

export function recipientsSection(ctx: Ctx, plan: Plan): void {
  const ours = acceptedPatterns(ctx.node).length + (ctx.node.mailboxes?.patterns.length ?? 0);
  const check = ours ? ctx.node.recipients : 'none';
  const taken = check === 'verify' ? VERIFIED : 'OK';
  const rr = acceptLimits(ctx, taken);
  if (check === 'verify') {
    addMain(ctx, '# recipients verify: an address of an accepted domain is taken only when its next hop would');
    addMain(ctx, '# accept it (a cached probe; clients that may relay are not checked).');
    if (rr.length) ctx.classes.push({ name: VERIFIED, def: 'reject_unverified_recipient, permit' });
    const permits = ['permit_mynetworks'];
    if (plan.rs.usesAuth || plan.submission.length) permits.push('permit_sasl_authenticated');
    rr.push(...permits, 'reject_unauth_destination', 'reject_unverified_recipient');
  }
  if (rr.length) addMain(ctx, `smtpd_recipient_restrictions = ${rr.join(', ')}`);
  if (check === 'verify') verifySettings(ctx);
  if (check === 'list') recipientList(ctx);
  if (ctx.node.recipients === 'none' && ours)
    addMain(ctx, '# recipients none: every address of the accepted domains is taken; unknown ones bounce later.');
  if (ctx.classes.length) {
    addMain(ctx, `smtpd_restriction_classes = ${ctx.classes.map((c) => c.name).join(', ')}`);
    for (const c of ctx.classes) addMain(ctx, `${c.name} = ${c.def}`);
  }
  addMain(ctx, '');
}

function verifySettings(ctx: Ctx): void {
  addMain(
    ctx,
    '# A recipient the next hop refuses is rejected (550); one it cannot be asked about is deferred (450).',
    'unverified_recipient_reject_code = 550',
    'unverified_recipient_defer_code = 450',
    'unverified_recipient_tempfail_action = defer_if_permit',
    '# Probe results are cached: known addresses for weeks, unknown ones are asked again after an hour.',
    'address_verify_map = btree:${data_directory}/verify_cache',
    'address_verify_positive_expire_time = 31d',
    'address_verify_positive_refresh_time = 7d',
    'address_verify_negative_expire_time = 3d',
    'address_verify_negative_refresh_time = 1h',
  );
}

function recipientList(ctx: Ctx): void {
  addMain(ctx, '# recipients list: only the addresses in relay_recipients are taken (fill it in).');
  addMain(ctx, `relay_recipient_maps = texthash:${CONF}/relay_recipients`);
  addFile(
    ctx,
    'relay_recipients',
    commentHeader('#', ctx.opts.source, `Postfix relay recipient table of ${ctx.name} (recipients list)`) +
      '# The addresses of the accepted domains this gateway takes mail for; every other address is\n' +
      '# refused at RCPT time (550 User unknown). One per line, the value is ignored, e.g.\n' +
      '#   alice@example.com   OK\n' +
      '#   @example.org        OK   (every address of example.org)\n' +
      '# Postfix reads the file as it is (texthash): run `postfix reload` after editing it.\n' +
      '# Until you fill it in, every recipient is refused.\n',
  );
}

/**
 * `accept ... from=` limits as a recipient table: an unlimited domain maps to
 * `taken`, a limited one to a class that checks the client first. Returns the
 * restrictions that start smtpd_recipient_restrictions ([] when nothing is limited).
 */
function acceptLimits(ctx: Ctx, taken: string): string[] {
  const { node } = ctx;
  if (!node.accepts.some((a) => !isAny(sourcesSet(a.from)))) return [];
  // Union of sources per pattern (two accept lines for one domain add up).
  const per = new Map<string, AddrSet>();
  for (const a of node.accepts) {
    const s = sourcesSet(a.from);
    for (const p of a.patterns) per.set(p, union(per.get(p) ?? emptySet(), s));
  }
  const table: string[] = [
    commentHeader('#', ctx.opts.source, `Postfix recipient table of ${ctx.name} (accept ... from=)`).trimEnd(),
    `# Recipient domain -> ${taken} (any client) or the restriction class naming the clients it is taken from.`,
  ];
  let i = 0;
  let starClass: string | undefined;
  for (const [p, s] of per) {
    let result = taken;
    if (!isAny(s)) result = limitClass(ctx, ++i, p, s, taken);
    if (p === '*') starClass = result;
    else table.push(`${pfDomain(p)}\t${result}`);
  }
  addFile(ctx, 'recipient_access', table.join('\n') + '\n');
  addMain(ctx, '# accept ... from=: mail for these domains is taken only from the listed clients.');
  const rr = [`check_recipient_access texthash:${CONF}/recipient_access`];
  if (starClass && starClass !== taken) rr.push(starClass);
  return rr;
}

function limitClass(ctx: Ctx, i: number, pattern: string, s: AddrSet, taken: string): string {
  const cls = `accept_from_${i}`;
  const cidrFile = `accept_from_${i}.cidr`;
  if (isEmpty(s)) {
    ctx.classes.push({ name: cls, def: 'reject' });
    return cls;
  }
  ctx.classes.push({ name: cls, def: `check_client_access cidr:${CONF}/${cidrFile}, reject` });
  addFile(
    ctx,
    cidrFile,
    commentHeader('#', ctx.opts.source, `Postfix client table of ${ctx.name}: who may send mail for ${pattern}`) +
      setToCidrs(s)
        .map((c) => `${c}\t${taken}\n`)
        .join(''),
  );
  return cls;
}
