// MT304, MT306: single points of failure, from dominators of the flow graphs
// (model/flow.ts): a pool of two or more members is one redundant unit, a
// shared scanner host counts on every path through a node applying its
// policy, and mailbox servers at the ends, externals, the internet and
// `direct` are never counted. Reported on the node's declaration and on the
// domain (MT304) or mailbox server (MT306) it cuts off.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import { analysis, type Spof } from '../model/flow';
import type { NodeDecl } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';

const list = (names: string[], max = 5) =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

function why(s: Spof): string {
  if (s.scannerFor?.length) return ` (scanner host of ${s.scannerFor.map((p) => p.name).join(', ')})`;
  if (s.node.kind === 'pool') return ` (pool with ${s.node.members.length === 1 ? 'one member' : 'no members'})`;
  return '';
}

function spofRelated(s: Spof): RelatedInfo[] {
  const r: RelatedInfo[] = [{ file: s.node.file, range: s.node.nameRange, message: `${s.node.name} is declared here` }];
  for (const p of s.scannerFor ?? [])
    if (p.scanner)
      r.push({ file: p.file, range: p.scanner.stmt.range, message: `policy ${p.name} scans on ${s.node.name}` });
  return r;
}

export const failoverFamily: RuleFamily = {
  id: 'failover',
  run(ctx: RuleContext): MtDiagnostic[] {
    const a = analysis(ctx.model);
    const out: MtDiagnostic[] = [];

    // MT304
    const byNode = new Map<NodeDecl, { domains: string[]; related: RelatedInfo[]; spof: Spof }>();
    for (const f of a.inbound) {
      const spofs = a.inboundSpof.get(f);
      if (!spofs?.length) continue;
      const d = f.domain;
      out.push({
        code: 'MT304',
        severity: 'warning',
        file: d.file,
        range: d.nameRange,
        related: spofs.flatMap(spofRelated).slice(0, 20),
        message:
          `single point of failure: every inbound path of ${d.name} passes through ` +
          `${list(spofs.map((s) => `${s.node.name}${why(s)}`))}`,
        data: { nodes: spofs.map((s) => s.node.name) },
      });
      for (const s of spofs) {
        const e = byNode.get(s.node) ?? { domains: [], related: [], spof: s };
        e.domains.push(d.name);
        e.related.push({ file: d.file, range: d.nameRange, message: `inbound mail for ${d.name}` });
        for (const p of s.scannerFor ?? [])
          if (p.scanner)
            e.related.push({
              file: p.file,
              range: p.scanner.stmt.range,
              message: `policy ${p.name} scans on ${s.node.name}`,
            });
        byNode.set(s.node, e);
      }
    }
    for (const [n, e] of byNode) {
      out.push({
        code: 'MT304',
        severity: 'warning',
        file: n.file,
        range: n.nameRange,
        related: e.related.slice(0, 20),
        message:
          `single point of failure: ${n.name}${why(e.spof)} is on every inbound path ` +
          `of ${list(e.domains)}; if it fails, that mail cannot be delivered`,
        data: { domains: e.domains },
      });
    }

    // MT306
    const byNodeOut = new Map<NodeDecl, { servers: NodeDecl[]; spof: Spof }>();
    for (const [m, spofs] of a.outbound.spof) {
      out.push({
        code: 'MT306',
        severity: 'warning',
        file: m.file,
        range: m.nameRange,
        related: spofs.flatMap(spofRelated).slice(0, 20),
        message:
          `single point of failure: every outbound path of mailbox server ${m.name} ` +
          `passes through ${list(spofs.map((s) => `${s.node.name}${why(s)}`))}`,
        data: { nodes: spofs.map((s) => s.node.name) },
      });
      for (const s of spofs) {
        const e = byNodeOut.get(s.node) ?? { servers: [], spof: s };
        e.servers.push(m);
        byNodeOut.set(s.node, e);
      }
    }
    for (const [n, e] of byNodeOut) {
      out.push({
        code: 'MT306',
        severity: 'warning',
        file: n.file,
        range: n.nameRange,
        related: e.servers
          .slice(0, 20)
          .map((m) => ({ file: m.file, range: m.nameRange, message: `outbound mail of ${m.name}` })),
        message:
          `single point of failure: ${n.name}${why(e.spof)} is on every outbound path ` +
          `of mailbox server${e.servers.length === 1 ? '' : 's'} ${list(e.servers.map((m) => m.name))}`,
        data: { servers: e.servers.map((m) => m.name) },
      });
    }
    return out;
  },
};
