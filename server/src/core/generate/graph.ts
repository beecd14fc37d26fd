// The topology as a plain graph description: nodes grouped by zone, edges for
// MX records, routes, pool membership and scanner trips. The dot, mermaid and
// svg targets render it, and the VS Code diagram webview reuses it (each node
// carries the place it is declared, so a click can reveal it).
import type { Range } from '../diagnostic';
import type { Model, NodeDecl, Zone } from '../model/types';
import { scanPolicy } from './common';

export type GraphNodeKind = 'gateway' | 'server' | 'pool' | 'external' | 'domain' | 'internet' | 'host';
export type GraphEdgeKind = 'mx' | 'route' | 'member' | 'scanner';

export interface TopoGraphNode {
  /** Stable id: the declared name for nodes (names never contain ':'), `domain:<name>`, `host:<hostname>`, `internet`. */
  id: string;
  kind: GraphNodeKind;
  /** The declared name (or domain / hostname). */
  name: string;
  /** Lines to show: the name, then details (role, hostname, addresses). */
  lines: string[];
  /** The zone cluster it belongs to (domains, internet and literal hosts stand outside). */
  zone?: Zone;
  /** Where it is declared, for "reveal declaration". */
  file?: string;
  range?: Range;
}

export interface TopoGraphEdge {
  from: string;
  to: string;
  kind: GraphEdgeKind;
  label: string;
}

export interface TopoGraphCluster {
  zone: Zone;
  label: string;
  nodeIds: string[];
}

export interface TopoGraph {
  nodes: TopoGraphNode[];
  edges: TopoGraphEdge[];
  clusters: TopoGraphCluster[];
}

const ZONES: Zone[] = ['external', 'perimeter', 'internal'];

/** A pool sits in the zone most of its members share (its own default otherwise). */
function poolZone(p: NodeDecl): Zone {
  if (!p.members.length) return p.zone;
  const count = new Map<Zone, number>();
  for (const m of p.members) count.set(m.zone, (count.get(m.zone) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || ZONES.indexOf(a[0]) - ZONES.indexOf(b[0]))[0][0];
}

export function buildGraph(model: Model): TopoGraph {
  const nodes: TopoGraphNode[] = [];
  const edges: TopoGraphEdge[] = [];
  const byId = new Map<string, TopoGraphNode>();
  const addNode = (n: TopoGraphNode) => {
    if (!byId.has(n.id)) {
      byId.set(n.id, n);
      nodes.push(n);
    }
    return byId.get(n.id)!;
  };
  const edgeKeys = new Set<string>();
  const addEdge = (e: TopoGraphEdge) => {
    const k = `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.label}`;
    if (!edgeKeys.has(k)) {
      edgeKeys.add(k);
      edges.push(e);
    }
  };
  const internet = () => addNode({ id: 'internet', kind: 'internet', name: 'internet', lines: ['internet'] });
  const nodeId = (n: NodeDecl) => n.name;

  for (const d of model.domains) {
    addNode({
      id: `domain:${d.name}`,
      kind: 'domain',
      name: d.name,
      lines: [d.name, d.mxNone ? 'null MX' : 'domain'],
      file: d.file,
      range: d.nameRange,
    });
  }
  for (const n of model.nodes) {
    const lines = [n.name];
    const what = n.kind === 'pool' ? `pool ${n.mode ?? ''}`.trim() : `${n.kind}${n.role ? ` ${n.role}` : ''}`;
    lines.push(what);
    if (n.hostname) lines.push(n.hostname.value);
    const addrs = n.kind === 'pool' ? (n.vip ? [n.vip.value] : []) : n.addresses;
    if (addrs.length) lines.push(addrs.join(', '));
    addNode({
      id: nodeId(n),
      kind: n.kind,
      name: n.name,
      lines,
      zone: n.kind === 'pool' ? poolZone(n) : n.zone,
      file: n.file,
      range: n.nameRange,
    });
  }
  for (const d of model.domains) {
    for (const r of d.mx) {
      const t = r.target;
      let to: string | undefined;
      if (t.kind === 'ref') to = nodeId(t.decl);
      else if (t.kind === 'host' || t.kind === 'ip') {
        const h = t.kind === 'host' ? t.hostname : t.ip;
        to = addNode({ id: `host:${h}`, kind: 'host', name: h, lines: [h] }).id;
      }
      if (to) addEdge({ from: `domain:${d.name}`, to, kind: 'mx', label: `MX ${r.preference}` });
    }
  }
  for (const n of model.nodes) {
    for (const r of n.routes) {
      for (const h of r.via) {
        const to = h.direct ? internet().id : h.node ? nodeId(h.node) : undefined;
        if (to) addEdge({ from: nodeId(n), to, kind: 'route', label: r.patterns.join(', ') });
      }
    }
    if (n.kind === 'pool') {
      n.members.forEach((m, i) =>
        addEdge({
          from: nodeId(n),
          to: nodeId(m),
          kind: 'member',
          label: n.mode === 'failover' ? `priority ${i + 1}` : 'member',
        }),
      );
    }
    const pol = n.kind === 'pool' ? n.scan?.policy : scanPolicy(n);
    if (pol?.scanner) {
      const sc = pol.scanner;
      const to = sc.node
        ? nodeId(sc.node)
        : sc.hostname
          ? addNode({ id: `host:${sc.hostname}`, kind: 'host', name: sc.hostname, lines: [sc.hostname] }).id
          : undefined;
      if (to && to !== nodeId(n)) addEdge({ from: nodeId(n), to, kind: 'scanner', label: `scan ${pol.name}` });
    }
  }
  const clusters: TopoGraphCluster[] = ZONES.map((z) => ({
    zone: z,
    label: z,
    nodeIds: nodes.filter((n) => n.zone === z).map((n) => n.id),
  })).filter((c) => c.nodeIds.length);
  return { nodes, edges, clusters };
}
