// MT401-MT406, MT412: load-balanced pools.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import { canonicalIp } from '../model/addr';
import { findStmt } from '../model/flow';
import type { NodeDecl } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';

const MAIL_PORTS = new Set([25, 465, 587]);

/** MT401: count what the members line lists (an undeclared member is MT105, not "no failover"). */
function fewMembers(p: NodeDecl, out: MtDiagnostic[]): void {
  if (!p.membersStmt) return;
  const listed = new Set<string>();
  for (const a of p.membersStmt.args) if (!a.key) for (const s of a.value.items) listed.add(s.text);
  if (listed.size >= 2) return;
  out.push({
    code: 'MT401',
    severity: 'warning',
    file: p.file,
    range: p.nameRange,
    related: [{ file: p.file, range: p.membersStmt.range, message: 'members' }],
    message:
      `pool ${p.name} has ${listed.size === 1 ? `one member (${[...listed][0]})` : 'no members'}: ` +
      `no failover when ${listed.size === 1 ? 'it fails' : 'a member fails'}`,
  });
}

/** MT402: a mail cluster should not balance non-mail ports. */
function nonMailPorts(p: NodeDecl, out: MtDiagnostic[]): void {
  if (!p.portsStmt) return;
  const bad = p.ports.filter((x) => !MAIL_PORTS.has(x));
  if (!bad.length) return;
  out.push({
    code: 'MT402',
    severity: 'warning',
    file: p.portsStmt.file,
    range: p.portsStmt.range,
    message:
      `pool ${p.name} accepts port${bad.length === 1 ? '' : 's'} ${bad.join(', ')}: ` +
      'only mail traffic (SMTP 25, 465, 587) belongs on the cluster',
  });
}

/** MT403: a vip that is also a member's address cannot float between members. */
function vipIsMemberAddress(p: NodeDecl, out: MtDiagnostic[]): void {
  if (!p.vip) return;
  const vip = canonicalIp(p.vip.value);
  for (const m of p.members) {
    if (!vip || !m.addresses.some((a) => canonicalIp(a) === vip)) continue;
    out.push({
      code: 'MT403',
      severity: 'error',
      file: p.vip.file,
      range: p.vip.range,
      related: [
        {
          file: m.file,
          range: m.addressStmt?.range ?? m.nameRange,
          message: `${m.name} has address ${p.vip.value}`,
        },
      ],
      message: `the vip ${p.vip.value} of pool ${p.name} is also the address of its member ${m.name}: the cluster address must be its own`,
    });
  }
}

/** MT404: members in different zones or of different kinds are not interchangeable. */
function mixedMembers(p: NodeDecl, out: MtDiagnostic[]): void {
  if (p.members.length < 2) return;
  const zones = new Set(p.members.map((m) => m.zone));
  const kinds = new Set(p.members.map((m) => m.kind));
  if (zones.size <= 1 && kinds.size <= 1) return;
  const what = [zones.size > 1 ? 'different zones' : '', kinds.size > 1 ? 'different kinds' : '']
    .filter(Boolean)
    .join(' and ');
  const desc = p.members
    .map(
      (m) =>
        `${m.name}: ${kinds.size > 1 ? `${m.kind}${zones.size > 1 ? ', ' : ''}` : ''}${zones.size > 1 ? m.zone : ''}`,
    )
    .join('; ');
  out.push({
    code: 'MT404',
    severity: 'warning',
    file: p.file,
    range: p.membersStmt?.range ?? p.nameRange,
    related: p.members.map((m): RelatedInfo => ({
      file: m.file,
      range: m.nameRange,
      message: `${m.name} is ${m.kind === 'gateway' ? 'a gateway' : 'a server'} in the ${m.zone} zone`,
    })),
    message: `pool ${p.name} has members in ${what} (${desc}): a pool's members should be interchangeable`,
  });
}

/** MT405: DNS round-robin has no health check, so say what that costs. */
function roundRobin(p: NodeDecl, out: MtDiagnostic[]): void {
  if (p.mode !== 'round-robin') return;
  const ms = findStmt(p, 'mode');
  out.push({
    code: 'MT405',
    severity: 'information',
    file: p.file,
    range: p.nameRange,
    related: ms ? [{ file: p.file, range: ms.range, message: 'mode round-robin' }] : undefined,
    message:
      `pool ${p.name} uses DNS round-robin, which has no health check: senders ` +
      'keep trying a failed member first and wait for its timeout before the next ' +
      "address (RFC 5321 §5.1), and load follows resolvers' caches, not the members' " +
      'capacity',
  });
}

/** MT406: N-1 capacity — with the largest member down the rest must still carry peak load. */
function nMinusOne(p: NodeDecl, out: MtDiagnostic[]): void {
  if (p.peakLoad === undefined || !p.members.length || !p.members.every((m) => m.capacity !== undefined)) return;
  let sum = 0;
  let largest: NodeDecl = p.members[0];
  for (const m of p.members) {
    sum += m.capacity!;
    if (m.capacity! > largest.capacity!) largest = m;
  }
  const left = sum - largest.capacity!;
  if (left >= p.peakLoad) return;
  const ps = findStmt(p, 'peak-load');
  const cs = findStmt(largest, 'capacity');
  out.push({
    code: 'MT406',
    severity: 'warning',
    file: p.file,
    range: ps?.range ?? p.nameRange,
    related: cs
      ? [{ file: largest.file, range: cs.range, message: `${largest.name}: capacity ${largest.capacity}` }]
      : undefined,
    message:
      `N-1 capacity: with its largest member ${largest.name} (${largest.capacity}/min) ` +
      `down, pool ${p.name} can process ${left} messages per minute, below its ` +
      `peak-load of ${p.peakLoad}`,
    data: { capacity: left, peakLoad: p.peakLoad },
  });
}

/** MT412: a TCP check keeps a member whose SMTP service is broken. */
function tcpHealth(p: NodeDecl, out: MtDiagnostic[]): void {
  if (p.health.check !== 'tcp' || !p.health.stmt) return;
  out.push({
    code: 'MT412',
    severity: 'warning',
    file: p.file,
    range: p.health.stmt.range,
    message:
      `pool ${p.name} uses 'health tcp': a member whose port is open but whose ` +
      "SMTP service is broken stays in the pool; use 'health smtp'",
  });
}

/** Per pool, in code order (the order diagnostics are reported in). */
const POOL_CHECKS = [fewMembers, nonMailPorts, vipIsMemberAddress, mixedMembers, roundRobin, nMinusOne, tcpHealth];

export const poolsFamily: RuleFamily = {
  id: 'pools',
  run(ctx: RuleContext): MtDiagnostic[] {
    const out: MtDiagnostic[] = [];
    for (const p of ctx.model.nodes) {
      if (p.kind !== 'pool') continue;
      for (const check of POOL_CHECKS) check(p, out);
    }
    return out;
  },
};
