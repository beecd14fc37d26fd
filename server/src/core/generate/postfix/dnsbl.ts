// Spam lists and postscreen. An internet-facing node's port 25 is behind
// postscreen (POSTSCREEN_README): it drops clients that talk before the
// greeting and scores DNSBL listings, each list filtered to its real listing
// codes (dnsblCodes.ts) so an error answer such as Spamhaus' 127.255.255.254
// never counts. Its other MTA ports, and a node that is not internet-facing
// but names lists, check them in smtpd with the same filters (each list alone
// refuses there: smtpd has no scores).
import { commentHeader, dnsblZones, guard } from '../common';
import { dnsblCodes, postfixFilter, POSTSCREEN_THRESHOLD } from '../dnsblCodes';
import { addFile, addMain, CONF, hostCidr, type Ctx } from './context';
import type { Plan } from './plan';

function zoneText(zone: string): string {
  return guard(zone.replace(/\.$/, ''), 'host', 'a DNSBL site');
}

export function dnsblSection(ctx: Ctx, plan: Plan): void {
  const zones = dnsblZones(ctx.node, ctx.model);
  if (plan.masked.length && (zones.length || plan.facing)) {
    addMain(
      ctx,
      `# Behind a source masked pool every client arrives as ${plan.masked.map((a) => guard(a, 'addr', 'a comment')).join(', ')}:`,
      '# no postscreen and no spam lists here (they would judge the load balancer); check them on it.',
      '',
    );
    if (zones.length)
      ctx.notes.push(
        `postfix ${ctx.name}: behind a source masked pool, its spam lists cannot see clients; none written`,
      );
    return;
  }
  if (plan.postscreen) postscreenSection(ctx, plan, zones);
  else if (zones.length) smtpdDnsbl(ctx, plan, zones);
  else {
    const why = ctx.node.dnsbl?.none ? 'dnsbl none' : plan.facing ? 'none declared' : 'not internet-facing';
    addMain(ctx, `# No spam lists (${why}).`, '');
  }
}

function postscreenSection(ctx: Ctx, plan: Plan, zones: string[]): void {
  addMain(
    ctx,
    '# postscreen guards port 25 (master.cf): clients that talk before the greeting are',
    '# refused, and spam-list listings are scored; a client whose score reaches the threshold is refused.',
  );
  const access = ['permit_mynetworks'];
  if (plan.balancers.length) {
    access.push(`cidr:${CONF}/postscreen_access.cidr`);
    addFile(
      ctx,
      'postscreen_access.cidr',
      commentHeader('#', ctx.opts.source, `postscreen access list of ${ctx.name}`) +
        "# The load balancer's own connections (its health checks) skip the tests; the clients it\n" +
        '# passes on are tested under their own address, read from the PROXY protocol.\n' +
        plan.balancers.map((a) => `${hostCidr(guard(a, 'addr', 'a postscreen access list'))}\tpermit\n`).join(''),
    );
  }
  addMain(ctx, `postscreen_access_list = ${access.join(', ')}`, 'postscreen_denylist_action = drop');
  addMain(ctx, 'postscreen_greet_action = enforce');
  if (zones.length) {
    addMain(ctx, '# Each list counts only with its real listing codes (never an error answer), with its weight:');
    for (const z of zones) {
      const c = dnsblCodes(z);
      addMain(ctx, `#   ${zoneText(z)}: ${c.source}; weight ${c.weight}`);
    }
    const sites = zones.map((z) => {
      const c = dnsblCodes(z);
      return `${zoneText(z)}${postfixFilter(c)}*${c.weight}`;
    });
    addMain(ctx, `postscreen_dnsbl_sites = ${sites.join(', ')}`);
    addMain(ctx, `postscreen_dnsbl_threshold = ${POSTSCREEN_THRESHOLD}`, 'postscreen_dnsbl_action = enforce');
  } else {
    addMain(ctx, `# No spam lists (${ctx.node.dnsbl?.none ? 'dnsbl none' : 'none declared'}): only the greeting test.`);
  }
  if (plan.portDnsbl) {
    const other = plan.mtaPorts.filter((p) => p !== 25).join(', ');
    addMain(ctx, `# Port ${other} (not behind postscreen): the same lists, each alone refuses (master.cf -o).`);
    addMain(ctx, `dnsbl_client_restrictions = ${rblRestrictions(plan, zones)}`);
  }
  addMain(ctx, '');
}

function rblRestrictions(plan: Plan, zones: string[]): string {
  const permits = ['permit_mynetworks'];
  if (plan.rs.usesAuth || plan.submission.length) permits.push('permit_sasl_authenticated');
  const checks = zones.map((z) => `reject_rbl_client ${zoneText(z)}${postfixFilter(dnsblCodes(z))}`);
  return [...permits, ...checks].join(', ');
}

function smtpdDnsbl(ctx: Ctx, plan: Plan, zones: string[]): void {
  addMain(
    ctx,
    `# Spam lists (${ctx.node.dnsbl ? 'dnsbl' : "options' dnsbl"}): listed clients are refused, each list only with`,
    '# its real listing codes; clients that may relay are not checked.',
  );
  addMain(ctx, `smtpd_client_restrictions = ${rblRestrictions(plan, zones)}`, '');
}
