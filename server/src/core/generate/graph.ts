// The topology as a plain graph description: nodes grouped by zone, edges for
// MX records, routes, pool membership and scanner trips. The dot, mermaid and
// svg targets render it, and the VS Code diagram webview reuses it (each node
// carries the place it is declared, so a click can reveal it).
import type { Range } from '../diagnostic';
import type { DomainDecl, Model, NodeDecl, Zone } from '../model/types';
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

/** Nodes and edges without repeats, in the order they are first added. */
class GraphBuilder {
  readonly nodes: TopoGraphNode[] = [];
  readonly edges: TopoGraphEdge[] = [];
  private readonly byId = new Map<string, TopoGraphNode>();
  private readonly edgeKeys = new Set<string>();

  addNode(n: TopoGraphNode): TopoGraphNode {
    const had = this.byId.get(n.id);
    if (had) return had;
    this.byId.set(n.id, n);
    this.nodes.push(n);
    return n;
  }
  addEdge(e: TopoGraphEdge): void {
    const k = `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.label}`;
    if (this.edgeKeys.has(k)) return;
    this.edgeKeys.add(k);
    this.edges.push(e);
  }
  host(h: string): string {
    return this.addNode({ id: `host:${h}`, kind: 'host', name: h, lines: [h] }).id;
  }
  internet(): string {
    return this.addNode({ id: 'internet', kind: 'internet', name: 'internet', lines: ['internet'] }).id;
  }
}

const nodeId = (n: NodeDecl) => n.name;

export function buildGraph(model: Model): TopoGraph {
  const g = new GraphBuilder();
  declarationNodes(g, model);
  for (const d of model.domains) mxEdges(g, d);
  for (const n of model.nodes) nodeEdges(g, n);
  const clusters: TopoGraphCluster[] = ZONES.map((z) => ({
    zone: z,
    label: z,
    nodeIds: g.nodes.filter((n) => n.zone === z).map((n) => n.id),
  })).filter((c) => c.nodeIds.length);
  return { nodes: g.nodes, edges: g.edges, clusters };
}

/** One node per domain, then one per gateway, pool, server and external (name, kind, hostname, addresses). */
function declarationNodes(g: GraphBuilder, model: Model): void {
  for (const d of model.domains) {
    g.addNode({
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
    g.addNode({
      id: nodeId(n),
      kind: n.kind,
      name: n.name,
      lines,
      zone: n.kind === 'pool' ? poolZone(n) : n.zone,
      file: n.file,
      range: n.nameRange,
    });
  }
}

/** A domain's MX records (a literal hostname or address becomes a host node). */
function mxEdges(g: GraphBuilder, d: DomainDecl): void {
  for (const r of d.mx) {
    const t = r.target;
    let to: string | undefined;
    if (t.kind === 'ref') to = nodeId(t.decl);
    else if (t.kind === 'host') to = g.host(t.hostname);
    else if (t.kind === 'ip') to = g.host(t.ip);
    if (to) g.addEdge({ from: `domain:${d.name}`, to, kind: 'mx', label: `MX ${r.preference}` });
  }
}

/** A node's routes, a pool's members (with failover priority) and the trip to its policy's scanner. */
function nodeEdges(g: GraphBuilder, n: NodeDecl): void {
  for (const r of n.routes) {
    for (const h of r.via) {
      const to = h.direct ? g.internet() : h.node ? nodeId(h.node) : undefined;
      if (to) g.addEdge({ from: nodeId(n), to, kind: 'route', label: r.patterns.join(', ') });
    }
  }
  if (n.kind === 'pool') {
    n.members.forEach((m, i) =>
      g.addEdge({
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
    const to = sc.node ? nodeId(sc.node) : sc.hostname ? g.host(sc.hostname) : undefined;
    if (to && to !== nodeId(n)) g.addEdge({ from: nodeId(n), to, kind: 'scanner', label: `scan ${pol.name}` });
  }
}
