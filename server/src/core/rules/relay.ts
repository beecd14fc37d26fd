// MT201-MT206, MT209: relay and perimeter security of the nodes you configure
// (externals are someone else's configuration and are skipped).
//
// Relay rules are evaluated first-match over address sets: an unauthenticated
// client is decided by the first rule without auth=required whose from= covers
// its address; an authenticated client by the first rule of either kind.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import {
  coversAFamily,
  covers,
  hasPublic,
  intersect,
  isEmpty,
  subtract,
  union,
  emptySet,
  privateAddrSet,
  type AddrSet,
} from '../model/addr';
import {
  evalSources,
  findStmt,
  internetFacing,
  mxTargets,
  neverSeesInternet,
  ruleEvaluations,
  sameObjects,
} from '../model/flow';
import type { AcceptRule, Model, NodeDecl, RelayRule } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';

export function relayText(r: RelayRule): string {
  return `relay ${r.action} from=${r.from.map((s) => s.text).join(', ')}${r.auth === 'required' ? ' auth=required' : ''}`;
}

function acceptText(a: AcceptRule): string {
  const hasFrom = a.stmt.args.some((x) => x.key?.text === 'from');
  return `accept ${a.patterns.join(', ')}${hasFrom ? ` from=${a.from.map((s) => s.text).join(', ')}` : ''}`;
}

/** Address sets as a short text ("0.0.0.0/0", "every IPv4 address"). */
function familyWords(s: AddrSet): string {
  const v4 = s.v4.length === 1 && s.v4[0].lo === 0n && s.v4[0].hi === (1n << 32n) - 1n;
  const v6 = s.v6.length === 1 && s.v6[0].lo === 0n && s.v6[0].hi === (1n << 128n) - 1n;
  return v4 && v6 ? 'every address' : v4 ? 'every IPv4 address' : 'every IPv6 address';
}

export interface RelayVerdict {
  /** Rules that make the node an open relay (MT201). */
  open: RelayRule[];
  /** `accept *` from every address (MT201). */
  openAccepts: AcceptRule[];
  /** Unauthenticated relay from public addresses (MT202), when not open. */
  publicRelay: RelayRule[];
  publicAccepts: AcceptRule[];
  /** Rules that can never match, with the earlier rules that cover them (MT203). */
  unreachable: Array<{ rule: RelayRule; by: RelayRule[] }>;
}

// The editor reuses unchanged nodes across builds (model/build/reuse.ts): a
// node's verdict is kept against its rule evaluations (model/flow.ts).
const verdicts = new WeakMap<NodeDecl, { rules: object[]; v: RelayVerdict }>();

/**
 * First-match evaluation of a node's relay rules over address sets.
 * @param keep memoize for the next editor build (a one-off check keeps nothing)
 */
export function evaluateRelay(n: NodeDecl, keep = false): RelayVerdict {
  if (!n.relays.length && !n.accepts.length)
    return { open: [], openAccepts: [], publicRelay: [], publicAccepts: [], unreachable: [] };
  if (!keep) return computeVerdict(n);
  const rules = ruleEvaluations(n);
  const hit = verdicts.get(n);
  if (hit && sameObjects(hit.rules, rules)) return hit.v;
  const v = computeVerdict(n);
  verdicts.set(n, { rules, v });
  return v;
}

function computeVerdict(n: NodeDecl): RelayVerdict {
  const v: RelayVerdict = { open: [], openAccepts: [], publicRelay: [], publicAccepts: [], unreachable: [] };
  let unauthSeen = emptySet(); // union of earlier rules without auth=required
  let allSeen = emptySet(); // union of all earlier rules
  let earlierComplete = true; // every earlier unauth rule's sources were understood
  const privates = privateAddrSet();
  for (let i = 0; i < n.relays.length; i++) {
    const r = n.relays[i];
    const { set, complete } = evalSources(r.from);
    // MT203: never matches
    if (complete && !isEmpty(set)) {
      const earlier = r.auth === 'required' ? allSeen : unauthSeen;
      if (covers(earlier, set)) {
        const relevant = n.relays.slice(0, i).filter((e) => e.auth === 'none' || e.auth === r.auth);
        const single = relevant.find((e) => covers(evalSources(e.from).set, set));
        const by = single ? [single] : relevant.filter((e) => !isEmpty(intersect(evalSources(e.from).set, set)));
        v.unreachable.push({ rule: r, by });
      }
    }
    if (r.auth === 'none' && r.action === 'allow' && earlierComplete) {
      const reach = subtract(set, unauthSeen);
      const publicReach = !isEmpty(subtract(reach, privates));
      if (publicReach) {
        if (isFullFamily(set)) v.open.push(r);
        else v.publicRelay.push(r);
      }
    }
    if (r.auth === 'none') {
      unauthSeen = union(unauthSeen, set);
      if (!complete) earlierComplete = false;
    }
    allSeen = union(allSeen, set);
  }
  for (const a of n.accepts) {
    if (!a.patterns.includes('*')) continue;
    const { set } = evalSources(a.from);
    if (isFullFamily(set)) v.openAccepts.push(a);
    else if (hasPublic(set)) v.publicAccepts.push(a);
  }
  return v;
}

const V4_ALL: AddrSet = { v4: [{ lo: 0n, hi: (1n << 32n) - 1n }], v6: [] };
const V6_ALL: AddrSet = { v4: [], v6: [{ lo: 0n, hi: (1n << 128n) - 1n }] };
/** Every IPv4 address or every IPv6 address (`any`, 0.0.0.0/0, ::/0, or ranges whose union is one). */
export function isFullFamily(s: AddrSet): boolean {
  return coversAFamily(s) || covers(s, V4_ALL) || covers(s, V6_ALL);
}

/** MT203: a rule shadowed by earlier ones is dead configuration that misleads the reader. */
function unreachableDiagnostics(n: NodeDecl, v: RelayVerdict, out: MtDiagnostic[]): void {
  for (const u of v.unreachable) {
    const byText =
      u.by.length === 1
        ? `the earlier rule '${relayText(u.by[0])}' already covers all of its sources`
        : `earlier rules (${u.by
            .map(relayText)
            .map((t) => `'${t}'`)
            .join(', ')}) already cover all of its sources`;
    out.push({
      code: 'MT203',
      severity: 'warning',
      file: u.rule.file,
      range: u.rule.range,
      tags: ['unnecessary'],
      message: `'${relayText(u.rule)}' on ${n.name} can never match: ${byText}`,
      related: u.by.map((e) => ({ file: e.file, range: e.range, message: `earlier rule '${relayText(e)}'` })),
    });
  }
}

/** MT201: relay (or `accept *`) from every address on a facing node lets anyone send through it. */
function openRelayDiagnostics(n: NodeDecl, v: RelayVerdict, related: RelatedInfo[], out: MtDiagnostic[]): void {
  for (const r of v.open) {
    out.push({
      code: 'MT201',
      severity: 'error',
      file: r.file,
      range: r.range,
      related,
      message:
        `open relay: ${n.name} is internet-facing and '${relayText(r)}' lets ${familyWords(evalSources(r.from).set)} ` +
        'send mail through it to any destination without authentication',
      data: { node: n.name },
    });
  }
  for (const a of v.openAccepts) {
    out.push({
      code: 'MT201',
      severity: 'error',
      file: a.file,
      range: a.range,
      related,
      message:
        `open relay: ${n.name} is internet-facing and '${acceptText(a)}' takes mail ` +
        `for every domain from ${familyWords(evalSources(a.from).set)}`,
      data: { node: n.name },
    });
  }
}

/** MT202: a narrower but still public unauthenticated relay; only reported when MT201 does not already fire. */
function publicRelayDiagnostics(n: NodeDecl, v: RelayVerdict, related: RelatedInfo[], out: MtDiagnostic[]): void {
  for (const r of v.publicRelay) {
    out.push({
      code: 'MT202',
      severity: 'warning',
      file: r.file,
      range: r.range,
      related,
      message:
        `${n.name} is internet-facing and '${relayText(r)}' allows unauthenticated ` +
        'relay from public addresses; add auth=required or limit from= to your own ' +
        'networks',
    });
  }
  for (const a of v.publicAccepts) {
    out.push({
      code: 'MT202',
      severity: 'warning',
      file: a.file,
      range: a.range,
      related,
      message:
        `${n.name} is internet-facing and '${acceptText(a)}' takes mail for every ` +
        'domain from public addresses without authentication',
    });
  }
}

/** MT204: a facing node that takes inbound mail should reject known spam sources. */
function dnsblDiagnostics(
  model: Model,
  n: NodeDecl,
  mx: ReturnType<typeof mxTargets>,
  related: RelatedInfo[],
  out: MtDiagnostic[],
): void {
  const takesInbound = n.accepts.length > 0 || mx.has(n) || n.pools.some((p) => mx.has(p));
  if (!takesInbound) return;
  // behind a proxy or a masking pool a list would check only your own nodes (MT212 says so)
  const zones = n.dnsbl ? n.dnsbl.zones : model.options.dnsbl;
  if (zones.length || neverSeesInternet(model, n)) return;
  const range = n.dnsbl ? n.dnsbl.range : n.nameRange;
  const file = n.dnsbl ? n.dnsbl.file : n.file;
  const msg = n.dnsbl?.none
    ? `${n.name} is internet-facing and accepts inbound mail but 'dnsbl none' turns off every DNSBL check`
    : `${n.name} is internet-facing and accepts inbound mail but checks no DNSBL (no 'dnsbl' statement and 'options' sets none)`;
  out.push({ code: 'MT204', severity: 'warning', file, range, related, message: msg });
}

/** MT206: `tls off` on a facing node means internet mail arrives in clear text. */
function tlsOffDiagnostic(n: NodeDecl, related: RelatedInfo[], out: MtDiagnostic[]): void {
  if (n.tls !== 'off' || !n.tlsStmt) return;
  out.push({
    code: 'MT206',
    severity: 'warning',
    file: n.tlsStmt.file,
    range: n.tlsStmt.range,
    related,
    message: `${n.name} is internet-facing and has 'tls off': mail from the internet arrives unencrypted and STARTTLS cannot be offered`,
  });
}

/** MT205: an edge transport belongs outside the AD forest (Exchange's perimeter design). */
function edgeJoinedDiagnostic(n: NodeDecl, out: MtDiagnostic[]): void {
  if (n.kind !== 'gateway' || n.role !== 'edge' || !n.domainJoined) return;
  const s = n.domainJoinedStmt;
  out.push({
    code: 'MT205',
    severity: 'warning',
    file: s?.file ?? n.file,
    range: s?.range ?? n.nameRange,
    message: `edge gateway ${n.name} is domain-joined: an edge transport belongs outside the Active Directory forest`,
  });
}

/** MT209: an internal node routing direct bypasses the perimeter gateways. */
function internalDirectDiagnostics(n: NodeDecl, out: MtDiagnostic[]): void {
  if (n.zone !== 'internal') return;
  for (const r of n.routes) {
    if (!r.via.some((h) => h.direct)) continue;
    const zs = n.zoneDeclared ? findStmt(n, 'zone') : undefined;
    out.push({
      code: 'MT209',
      severity: 'warning',
      file: r.file,
      range: r.range,
      message:
        `${n.name} sits in the internal zone and routes ${r.patterns.join(', ')} ` +
        'direct to the internet, bypassing the perimeter gateways',
      related: zs
        ? [{ file: n.file, range: zs.range, message: `${n.name} is in the internal zone` }]
        : [
            {
              file: n.file,
              range: n.nameRange,
              message:
                `${n.name} is in the internal zone` +
                (n.kind === 'server' ? ' (the default for a server)' : ' (the default for a relay gateway)'),
            },
          ],
    });
  }
}

export const relayFamily: RuleFamily = {
  id: 'relay',
  run(ctx: RuleContext): MtDiagnostic[] {
    const { model } = ctx;
    const out: MtDiagnostic[] = [];
    const exposure = internetFacing(model);
    const mx = mxTargets(model);
    for (const n of model.nodes) {
      if (n.kind !== 'gateway' && n.kind !== 'server') continue;
      const why = exposure.get(n);
      const related: RelatedInfo[] = why ?? [];
      const v = evaluateRelay(n, ctx.model.keepAnswers);
      unreachableDiagnostics(n, v, out);
      // the perimeter rules only matter where the internet can reach the node
      if (why) {
        openRelayDiagnostics(n, v, related, out);
        if (!v.open.length && !v.openAccepts.length) publicRelayDiagnostics(n, v, related, out);
        dnsblDiagnostics(model, n, mx, related, out);
        tlsOffDiagnostic(n, related, out);
      }
      edgeJoinedDiagnostic(n, out);
      internalDirectDiagnostics(n, out);
    }
    return out;
  },
};
