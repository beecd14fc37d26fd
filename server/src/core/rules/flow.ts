// MT301, MT302, MT303, MT305: where mail goes (LANGUAGE.md §4 "Inbound flow",
// "Outbound flow", "Routes", "Scanning"). Paths and cycles are named in the
// message; the graphs come from model/flow.ts.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import {
  analysis,
  cycleEdgeSource,
  pathText,
  starRoute,
  type Analysis,
  type Cycle,
  type InboundFlow,
  type OutboundFacts,
} from '../model/flow';
import type { DomainDecl, Model, NodeDecl } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';

const list = (names: string[], max = 5) =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/** MT301: inbound mail for the domain stops at a node with neither a route nor its mailboxes. */
function inboundBlackHoles(f: InboundFlow, domainRel: RelatedInfo, out: MtDiagnostic[]): void {
  const d = f.domain;
  const g = f.g;
  for (const v of f.blackHoles) {
    const n = g.node[v]!;
    out.push({
      code: 'MT301',
      severity: 'error',
      file: n.file,
      range: n.nameRange,
      related: [domainRel],
      message: `mail for ${d.name} is lost at ${n.name}: it has no route for ${d.name} and no mailbox for it (path: ${pathText(g, v)})`,
      data: { domain: d.name, node: n.name },
    });
  }
}

/** MT302: a node that routes the domain direct sends it back to its own MX. */
function directLoops(f: InboundFlow, domainRel: RelatedInfo, out: MtDiagnostic[]): void {
  const d = f.domain;
  const g = f.g;
  for (const { v, route } of f.directLoops) {
    const n = g.node[v]!;
    const mxNames = d.mx.filter((m) => m.target.kind !== 'unresolved').map((m) => m.target.scalar.text);
    out.push({
      code: 'MT302',
      severity: 'error',
      file: route.file,
      range: route.range,
      related: [
        domainRel,
        ...d.mx.slice(0, 3).map((m) => ({ file: m.file, range: m.range, message: `MX of ${d.name}` })),
      ],
      message:
        `routing loop: ${n.name} routes ${d.name} direct, back to its own MX (${mxNames.join(', ')}): ` +
        `${pathText(g, v)} -> direct -> MX of ${d.name} -> …`,
      data: { domain: d.name, node: n.name },
    });
  }
}

/** MT303: unscanned inbound paths, once per MX line they enter through (not once per path). */
function unscannedPaths(a: Analysis, f: InboundFlow, out: MtDiagnostic[]): void {
  const d = f.domain;
  for (const u of a.unscannedByMx.get(f) ?? []) {
    const n = u.count === 1n ? 'one path' : `${u.count} paths`;
    out.push({
      code: 'MT303',
      severity: 'warning',
      file: u.mx.file,
      range: u.mx.range,
      related: [
        { file: u.target.file, range: u.target.nameRange, message: `MX target ${u.target.name} is declared here` },
        {
          file: u.mailbox.file,
          range: u.mailbox.nameRange,
          message: `${u.mailbox.name} holds the mailboxes of ${d.name}`,
        },
      ],
      message:
        `mail for ${d.name} entering at ${u.target.name} reaches a mailbox without ` +
        `a virus scan on ${n}, e.g. ${u.path} (no node on ${u.count === 1n ? 'it' : 'them'} ` +
        "applies a policy with 'antivirus')",
      data: { domain: d.name, target: u.target.name, paths: u.count.toString() },
    });
  }
}

/** MT302: a routing loop among nodes, reported at the edge that closes it with every hop as related info. */
function cycleDiagnostic(c: Cycle, out: MtDiagnostic[]): void {
  const first = c.nodes[0];
  const last = c.nodes[c.nodes.length - 1];
  const dom: DomainDecl | undefined = c.domains[0];
  const at = cycleEdgeSource(last, dom);
  const what = c.domains.length
    ? `mail for ${list(c.domains.map((d) => d.name))}${c.outbound ? ' and outbound mail' : ''}`
    : 'outbound mail';
  const related: RelatedInfo[] = [];
  for (let i = 0; i < c.nodes.length - 1; i++) {
    const src = cycleEdgeSource(c.nodes[i], dom);
    related.push({
      file: src.file,
      range: src.range,
      message: `${c.nodes[i].name} hands it to ${c.nodes[i + 1].name}`,
    });
  }
  out.push({
    code: 'MT302',
    severity: 'error',
    file: at.file,
    range: at.range,
    related,
    message: `routing loop: ${what} goes round ${[...c.nodes, first].map((n) => n.name).join(' -> ')}`,
  });
}

/** MT305: a mailbox server whose outbound mail can never leave. */
function noOutboundPath(model: Model, ob: OutboundFacts, out: MtDiagnostic[]): void {
  for (const n of model.nodes) {
    if (n.kind !== 'server' || n.role !== 'mailbox' || ob.reaches.has(n)) continue;
    const r = starRoute(n);
    out.push({
      code: 'MT305',
      severity: 'warning',
      file: n.file,
      range: n.nameRange,
      message: r
        ? `mailbox server ${n.name} has no outbound path to the internet: its '*' route never reaches 'direct' or an external smart host`
        : `mailbox server ${n.name} has no outbound path to the internet: it has no 'route *' (add e.g. 'route * via=<your edge>')`,
    });
  }
}

/** MT301: outbound black holes, once per node however many senders reach it. */
function outboundBlackHoles(ob: OutboundFacts, out: MtDiagnostic[]): void {
  const seen = new Set<NodeDecl>();
  for (const b of ob.blackHoles) {
    if (seen.has(b.node)) continue;
    seen.add(b.node);
    out.push({
      code: 'MT301',
      severity: 'error',
      file: b.node.file,
      range: b.node.nameRange,
      related: [{ file: b.from.file, range: b.from.nameRange, message: `outbound mail from ${b.from.name}` }],
      message: `outbound mail from ${b.from.name} is lost at ${b.node.name}: it has no '*' route (path: ${b.path})`,
      data: { node: b.node.name },
    });
  }
}

export const flowFamily: RuleFamily = {
  id: 'flow',
  run(ctx: RuleContext): MtDiagnostic[] {
    const a = analysis(ctx.model);
    const out: MtDiagnostic[] = [];
    for (const f of a.inbound) {
      const d = f.domain;
      const domainRel: RelatedInfo = { file: d.file, range: d.nameRange, message: `inbound mail for ${d.name}` };
      inboundBlackHoles(f, domainRel, out);
      directLoops(f, domainRel, out);
      unscannedPaths(a, f, out);
    }
    for (const c of a.cycles) cycleDiagnostic(c, out);
    noOutboundPath(ctx.model, a.outbound, out);
    outboundBlackHoles(a.outbound, out);
    return out;
  },
};
