// The passes after every declaration is read and every reference resolved:
// `from=` sets completed with their networks, MT103 for externals without a
// hostname, MT111 (never referenced), MT112 (one address on two nodes).
import type { Range } from '../../diagnostic';
import { SCHEMA } from '../../schema/schema';
import { canonicalIp } from '../addr';
import { evalSources } from '../flow';
import type { NodeDecl } from '../types';
import { itemsOf, firstPositional } from './args';
import type { Build } from './context';

/** `from=` sets gain the ranges of their networks; rule lists get their exact size. */
export function finishNodes(b: Build): void {
  for (const n of b.model.nodes) {
    // (evaluated once per list and kept while its networks' sets are the same: model/flow.ts)
    for (const r of n.accepts) r.fromSet = evalSources(r.from).set;
    for (const r of n.relays) r.fromSet = evalSources(r.from).set;
    // exact-size arrays: a pushed-to array keeps room for 16 more, per node (rule lists: sliced when made)
    if (n.accepts.length > 1) n.accepts = n.accepts.slice();
    if (n.relays.length > 1) n.relays = n.relays.slice();
    if (n.routes.length > 1) n.routes = n.routes.slice();
    if (n.pools.length > 1) n.pools = n.pools.slice();
    if (n.members.length > 1) n.members = n.members.slice();
  }
}

/** An external's hostname: MT103 unless it is an MX target (then MT308 says it). */
export function checkExternalHostnames(b: Build): void {
  const domains = b.model.domains;
  for (const n of b.requiredHostname) {
    if (domains.some((dm) => dm.mx.some((m) => m.target.kind === 'ref' && m.target.decl === n))) continue;
    const doc = SCHEMA.external.statements.hostname.doc;
    b.report('MT103', 'error', n.file, n.nameRange, `external '${n.name}' has no 'hostname' (required): ${doc}`, {
      data: { missing: 'hostname' },
    });
  }
}

/** MT111: a network, policy or external declared but never referenced. */
export function checkUnused(b: Build): void {
  const model = b.model;
  for (const d of model.decls) {
    if (d.kind !== 'network' && d.kind !== 'policy' && d.kind !== 'external') continue;
    if (b.used.has(d) || model.byName.get(d.name) !== d) continue;
    b.report('MT111', 'hint', d.file, d.nameRange, `${d.kind} '${d.name}' is never referenced`, {
      tags: ['unnecessary'],
    });
  }
}

/** MT112: the same address on two nodes (a pool's vip included; a pool's own member is MT403). */
export function checkSharedAddresses(b: Build): void {
  const seenAddr = new Map<string, NodeDecl>();
  for (const n of b.model.nodes) {
    const list = n.kind === 'pool' ? (n.vip ? [n.vip.value] : []) : n.addresses;
    // (a repeat within the node's own list counts once: compared by scan, most nodes have one address)
    const canon = list.length > 1 ? list.map(canonicalIp) : undefined;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      const c = canon ? canon[i] : canonicalIp(a);
      if (!c || (canon && canon.indexOf(c) < i)) continue;
      const prev = seenAddr.get(c);
      if (!prev) seenAddr.set(c, n);
      else if (prev !== n && !poolMember(prev, n) && !poolMember(n, prev))
        b.report(
          'MT112',
          'warning',
          n.file,
          addrRange(n, c),
          `address ${a} is also used by ${prev.kind} '${prev.name}'`,
          {
            related: [{ file: prev.file, range: addrRange(prev, c), message: `${prev.name} has ${a}` }],
          },
        );
    }
  }
}

const poolMember = (p: NodeDecl, m: NodeDecl) => p.kind === 'pool' && p.members.includes(m);

/** The address itself on the node's `address` (or `vip`) line, so only it is marked. */
function addrRange(node: NodeDecl, canon: string): Range {
  const at = node.addressStmt;
  const items = at ? itemsOf(firstPositional(at.stmt)) : [];
  return items.find((i) => canonicalIp(i.text) === canon)?.range ?? at?.range ?? node.nameRange;
}
