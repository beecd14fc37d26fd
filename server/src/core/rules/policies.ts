// MT407-MT411: scan policies and licences.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import type { NodeDecl, PolicyDecl } from '../model/types';
import type { Scalar } from '../syntax/ast';
import type { RuleContext, RuleFamily } from './rule';
import { DANGEROUS_EXTENSIONS } from '../schema/extensions';

const ext = (s: Scalar) => s.text.toLowerCase().replace(/^\./, '');

/**
 * Every node that applies a policy: nodes with `scan P`, and each member of a
 * pool with `scan P`. An `external` with `scan` is a service that scans with
 * its own licences (RULES.md MT410): never counted.
 */
export function policyAppliers(nodes: NodeDecl[]): Map<PolicyDecl, NodeDecl[]> {
  // a Set per policy: a node may apply a policy twice (itself and as a pool
  // member), and includes() on a list of thousands is quadratic
  const sets = new Map<PolicyDecl, Set<NodeDecl>>();
  const add = (p: PolicyDecl, n: NodeDecl) => {
    let l = sets.get(p);
    if (!l) sets.set(p, (l = new Set()));
    l.add(n);
  };
  for (const n of nodes) {
    if (!n.scan || n.kind === 'external') continue;
    if (n.kind === 'pool') for (const mem of n.members) add(n.scan.policy, mem);
    else add(n.scan.policy, n);
  }
  const m = new Map<PolicyDecl, NodeDecl[]>();
  for (const [p, l] of sets) m.set(p, [...l]);
  return m;
}

/** MT407 (dangerous type allowed) while collecting each extension's first allow/block, then MT408 (both). */
function attachmentDiagnostics(p: PolicyDecl, out: MtDiagnostic[]): void {
  const allowed = new Map<string, Scalar>();
  const blocked = new Map<string, Scalar>();
  for (const a of p.attachments) {
    for (const s of a.extensions) {
      const e = ext(s);
      if (a.action === 'allow') {
        if (!allowed.has(e)) allowed.set(e, s);
        if (DANGEROUS_EXTENSIONS.has(e)) {
          out.push({
            code: 'MT407',
            severity: 'warning',
            file: p.file,
            range: s.range,
            message: `policy ${p.name} allows .${e} attachments, a file type that runs code when opened; block it`,
            data: { extension: e },
          });
        }
      } else if (!blocked.has(e)) blocked.set(e, s);
    }
  }
  for (const [e, s] of allowed) {
    const b = blocked.get(e);
    if (!b) continue;
    out.push({
      code: 'MT408',
      severity: 'error',
      file: p.file,
      range: s.range,
      related: [{ file: p.file, range: b.range, message: `.${e} is blocked here` }],
      message: `policy ${p.name} both allows and blocks .${e} attachments`,
      data: { extension: e, allowRange: s.range, blockRange: b.range },
    });
  }
}

/** MT409: delivering infected mail defeats the scan. */
function deliverOnVirus(p: PolicyDecl, out: MtDiagnostic[]): void {
  if (p.onVirus !== 'deliver' || !p.onVirusStmt) return;
  out.push({
    code: 'MT409',
    severity: 'warning',
    file: p.file,
    range: p.onVirusStmt.range,
    message: `policy ${p.name} has 'on-virus deliver': infected mail is delivered to the recipient; use reject, quarantine or strip`,
  });
}

const lic = (k: number) => `${k} licence${k === 1 ? '' : 's'}`;

/** MT410: licences — a central scanner host needs one; otherwise every applying node needs its own. */
function licenceShortfall(
  p: PolicyDecl,
  appliers: Map<PolicyDecl, NodeDecl[]>,
  scanLines: Map<PolicyDecl, NodeDecl[]>,
  out: MtDiagnostic[],
): void {
  if (p.licenses === undefined || !p.licensesStmt) return;
  const ls = p.licensesStmt;
  if (p.scanner) {
    if (p.licenses < 1 && appliers.get(p)?.length) {
      out.push({
        code: 'MT410',
        severity: 'warning',
        file: p.file,
        range: ls.range,
        related: [{ file: p.file, range: p.scanner.stmt.range, message: 'the scanner host' }],
        message:
          `licence shortfall: policy ${p.name} scans on ${p.scanner.scalar.text}, which ` +
          `needs 1 licence, but it has ${lic(p.licenses)}`,
      });
    }
    return;
  }
  const nodes = appliers.get(p) ?? [];
  if (nodes.length <= p.licenses) return;
  const related: RelatedInfo[] = (scanLines.get(p) ?? [])
    .filter((n) => n.kind !== 'external')
    .slice(0, 20)
    .map((n) => ({
      file: n.scan!.file,
      range: n.scan!.range,
      message:
        n.kind === 'pool'
          ? `pool ${n.name} scans with ${p.name} on its ${n.members.length} members`
          : `${n.name} scans with ${p.name}`,
    }));
  const names =
    nodes.length <= 10
      ? nodes.map((n) => n.name).join(', ')
      : `${nodes
          .slice(0, 10)
          .map((n) => n.name)
          .join(', ')}, …`;
  out.push({
    code: 'MT410',
    severity: 'warning',
    file: p.file,
    range: ls.range,
    related,
    message:
      `licence shortfall: ${nodes.length} node${nodes.length === 1 ? ' scans' : 's scan'} ` +
      `with ${p.name} (${names}) but it has ${lic(p.licenses)}`,
    data: { needed: nodes.length, licenses: p.licenses },
  });
}

/** MT411: a policy used by `scan` without antivirus leaves that mail unscanned. */
function noAntivirus(p: PolicyDecl, users: NodeDecl[] | undefined, out: MtDiagnostic[]): void {
  if (!users?.length || p.antivirus) return;
  out.push({
    code: 'MT411',
    severity: 'information',
    file: p.file,
    range: p.nameRange,
    related: users
      .slice(0, 20)
      .map((n) => ({ file: n.scan!.file, range: n.scan!.range, message: `${n.name} scans with ${p.name}` })),
    message:
      `policy ${p.name} is used by 'scan' (${users.map((n) => n.name).join(', ')}) ` +
      "but has no 'antivirus': mail through it is not virus-scanned",
  });
}

export const policiesFamily: RuleFamily = {
  id: 'policies',
  run(ctx: RuleContext): MtDiagnostic[] {
    const { model } = ctx;
    const out: MtDiagnostic[] = [];
    const appliers = policyAppliers(model.nodes);
    const scanLines = new Map<PolicyDecl, NodeDecl[]>();
    // pushed, not copied per node: one policy on thousands of nodes was quadratic
    for (const n of model.nodes) {
      if (!n.scan) continue;
      const l = scanLines.get(n.scan.policy);
      if (l) l.push(n);
      else scanLines.set(n.scan.policy, [n]);
    }
    for (const p of model.policies) {
      attachmentDiagnostics(p, out);
      deliverOnVirus(p, out);
      licenceShortfall(p, appliers, scanLines, out);
      noAntivirus(p, scanLines.get(p), out);
    }
    return out;
  },
};
