// Postfix configuration for every node with `software postfix`:
// postfix/<node>/main.cf, master.cf and the lookup tables they name. Tables
// use `texthash:`, `cidr:` and `regexp:`, which Postfix reads as they are (no
// postmap step), named with ${config_directory}, so the folder works wherever
// it is installed (`postfix -c DIR`, or copied to /etc/postfix). One file per
// concern (INTERFACES.md, "Generated configuration"):
//   domains.ts     identity, accept -> relay_domains
//   relay.ts       relay rules -> mynetworks, smtpd_relay_restrictions
//   recipients.ts  accept from= limits, recipients verify/list
//   submission.ts  submission ports, SASL, sender login checks
//   dnsbl.ts       postscreen and spam lists
//   routing.ts     route -> transport_maps, relayhost
//   tls.ts         tls -> smtpd_tls_security_level
//   filters.ts     scan policy method -> milters, content filter, proxy filter
//   master.ts      master.cf
import type { Model, NodeDecl } from '../../model/types';
import { commentHeader, guard, type GenerateOptions, type GeneratedFile } from '../common';
import { addMain, type Ctx } from './context';
import { dnsblSection } from './dnsbl';
import { domainsSection, identitySection } from './domains';
import { filtersSection } from './filters';
import { masterCf } from './master';
import { makePlan } from './plan';
import { recipientsSection } from './recipients';
import { relaySection } from './relay';
import { routingSection } from './routing';
import { saslSection, submissionServices } from './submission';
import { tlsSection } from './tls';

export function generatePostfix(model: Model, opts: GenerateOptions): GeneratedFile[] {
  return model.nodes.filter((n) => n.software === 'postfix').flatMap((n) => nodeFiles(n, model, opts));
}

function nodeFiles(node: NodeDecl, model: Model, opts: GenerateOptions): GeneratedFile[] {
  const name = guard(node.name, 'name', 'a Postfix folder name');
  const ctx: Ctx = {
    node,
    model,
    opts,
    name,
    dir: `postfix/${name}`,
    main: [],
    files: [],
    notes: [],
    classes: [],
  };
  const plan = makePlan(ctx);
  addMain(ctx, commentHeader('#', opts.source, `Postfix main.cf of ${node.kind} ${name}`).trimEnd());
  addMain(
    ctx,
    '#',
    `# ${node.kind} ${name}: role ${node.role ?? '?'}, zone ${node.zone}${plan.facing ? ', internet-facing' : ''}.`,
    '',
  );
  identitySection(ctx);
  domainsSection(ctx);
  relaySection(ctx, plan);
  recipientsSection(ctx, plan);
  saslSection(ctx, plan);
  dnsblSection(ctx, plan);
  routingSection(ctx);
  tlsSection(ctx, plan);
  const listeners = [...submissionServices(plan), ...filtersSection(ctx, plan)];
  return [
    {
      path: `${ctx.dir}/main.cf`,
      content: ctx.main.join('\n').replace(/\n+$/, '') + '\n',
      notes: ctx.notes.length ? ctx.notes : undefined,
    },
    { path: `${ctx.dir}/master.cf`, content: masterCf(ctx, plan, listeners) },
    ...ctx.files,
  ];
}
