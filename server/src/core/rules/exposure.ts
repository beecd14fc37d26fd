// MT210-MT212: what reaches a node from the internet, and as whom. A pool
// with `source masked` (a proxy connecting from its own address) shows every
// client to its members as its snat: a member that relays for that address
// relays for the whole internet (MT210), and its DNSBLs only ever check the
// proxy (MT212). A node that takes mail for addresses that do not exist
// bounces it later to forged senders (MT211, backscatter).
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import { isEmpty } from '../model/addr';
import { isPrivateAddress } from '../dns/ip';
import {
  hopsIn,
  internetFacing,
  neverSeesInternet,
  mxTargets,
  poolSource,
  poolSourceStmt,
  recipientsOf,
  snatSet,
  snatText,
} from '../model/flow';
import type { NodeDecl } from '../model/types';
import { decide, setText } from './admission';
import { relayText } from './relay';
import type { RuleContext, RuleFamily } from './rule';

/** MT210: a masked pool facing the internet, and each member relay rule that admits its snat without authentication. */
function maskedRelays(ctx: RuleContext, exposure: Map<NodeDecl, RelatedInfo[]>): MtDiagnostic[] {
  const out: MtDiagnostic[] = [];
  for (const p of ctx.model.nodes) {
    if (p.kind !== 'pool' || poolSource(p) !== 'masked') continue;
    // whom the pool masks: the internet when it faces it (or publishes a public vip)
    const facing = exposure.has(p) || (!!p.vip && !isPrivateAddress(p.vip.value));
    const snat = snatSet(p);
    if (!facing || isEmpty(snat)) continue;
    const src = poolSourceStmt(p);
    for (const m of p.members) {
      if (m.kind !== 'gateway' && m.kind !== 'server') continue;
      const d = decide(m, undefined, snat, false, false);
      if (d.by !== 'relay' || !d.complete) continue;
      for (const part of d.parts) {
        if (!part.allow || !part.rule || !('action' in part.rule)) continue;
        const r = part.rule;
        out.push({
          code: 'MT210',
          severity: 'error',
          file: r.file,
          range: r.range,
          related: [
            src
              ? { file: src.file, range: src.range, message: `pool ${p.name} hides every client behind ${snatText(p)}` }
              : { file: p.file, range: p.nameRange, message: `pool ${p.name} is declared here` },
            ...(exposure.get(p) ?? []).slice(0, 5),
          ],
          message:
            `open relay through a balancer: pool ${p.name} (source masked) shows every ` +
            `client to ${m.name} as ${snatText(p)}, and '${relayText(r)}' admits ${setText(part.set)} ` +
            `without authentication: every internet client relays through ${p.name}`,
          data: { pool: p.name, member: m.name },
        });
      }
    }
  }
  return out;
}

/** MT211: takes mail for every recipient of a domain, bounces the unknown ones later. */
function backscatter(ctx: RuleContext, exposure: Map<NodeDecl, RelatedInfo[]>): MtDiagnostic[] {
  const out: MtDiagnostic[] = [];
  const mx = mxTargets(ctx.model);
  for (const n of ctx.model.nodes) {
    if (n.kind === 'pool') continue;
    const rec = recipientsOf(n);
    if (rec.value !== 'none') continue;
    const domains = new Set<string>();
    for (const u of [...(mx.get(n) ?? []), ...n.pools.flatMap((p) => mx.get(p) ?? [])]) domains.add(u.domain.name);
    let related: RelatedInfo[];
    if (n.kind === 'external') {
      if (n.role !== 'backup' || !domains.size) continue;
      related = (mx.get(n) ?? []).map((u) => ({
        file: u.mx.file,
        range: u.mx.range,
        message: `${n.name} is a backup MX of ${u.domain.name}`,
      }));
    } else {
      const why = exposure.get(n);
      if (!why) continue;
      for (const a of n.accepts) for (const p of a.patterns) domains.add(p);
      for (const p of n.mailboxes?.patterns ?? []) domains.add(p);
      if (!domains.size) continue;
      related = why;
    }
    const list = [...domains];
    out.push({
      code: 'MT211',
      severity: 'warning',
      file: rec.file ?? n.file,
      range: rec.range ?? n.nameRange,
      related: related.slice(0, 10),
      message:
        `backscatter: ${n.name}${n.kind === 'external' ? ' (a backup MX)' : ' is internet-facing and'} ` +
        `takes mail for ${list.slice(0, 3).join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''} ` +
        `with 'recipients none'${rec.range ? '' : ' (the default for an external)'}: ` +
        'it accepts addresses that do not exist and bounces them later to forged ' +
        "senders; check recipients at RCPT time ('recipients verify' or 'list')",
      data: { node: n.name },
    });
  }
  return out;
}

/** MT212: DNSBLs on a node that only ever sees your own nodes (or a masking proxy). */
function blindDnsbl(ctx: RuleContext, exposure: Map<NodeDecl, RelatedInfo[]>): MtDiagnostic[] {
  const out: MtDiagnostic[] = [];
  const defaults = ctx.model.options.dnsbl;
  for (const n of hopsIn(ctx.model).nodes) {
    // an explicit public `from=` admits internet clients outside the modelled flows
    const e = neverSeesInternet(ctx.model, n);
    if (!e) continue;
    const own = n.dnsbl;
    const zones = own ? own.zones : exposure.has(n) ? defaults : [];
    if (!zones.length) continue;
    const why = e.masked
      ? `every client reaches it through pool ${e.masked.name} (source masked), so the lists only ever check ${snatText(e.masked)}`
      : 'every hop into it comes from your own nodes, so the lists only ever check their addresses';
    const related: RelatedInfo[] = [];
    const src = e.masked && poolSourceStmt(e.masked);
    if (src && e.masked)
      related.push({ file: src.file, range: src.range, message: `pool ${e.masked.name} masks its clients` });
    if (!own && ctx.model.options.dnsblStmt)
      related.push({
        file: ctx.model.options.dnsblStmt.file,
        range: ctx.model.options.dnsblStmt.range,
        message: `the default DNSBLs apply to ${n.name} because it is internet-facing`,
      });
    out.push({
      code: 'MT212',
      severity: 'warning',
      file: own ? own.file : n.file,
      range: own ? own.range : n.nameRange,
      related,
      message:
        `${n.name} checks ${zones.join(', ')} but never sees an internet client's ` +
        `address: ${why}; check DNSBLs where internet clients connect${e.masked ? " (or use 'source proxy-protocol')" : ''}`,
      data: { node: n.name },
    });
  }
  return out;
}

export const exposureFamily: RuleFamily = {
  id: 'exposure',
  run(ctx: RuleContext): MtDiagnostic[] {
    const exposure = internetFacing(ctx.model);
    return [...maskedRelays(ctx, exposure), ...backscatter(ctx, exposure), ...blindDnsbl(ctx, exposure)];
  },
};
