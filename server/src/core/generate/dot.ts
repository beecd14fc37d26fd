// Graphviz DOT of the topology graph: diagram/topology.dot. Zones are
// clusters; every id and label is a double-quoted DOT string with quotes and
// backslashes escaped, so no name can end a string or start a statement.
import type { Model } from '../model/types';
import { commentHeader, type GenerateOptions, type GeneratedFile } from './common';
import { buildGraph, type TopoGraph, type TopoGraphNode, type GraphEdgeKind } from './graph';

/** A DOT double-quoted string; lines joined with centred line breaks. */
export function dotString(s: string): string {
  return `"${s
    // eslint-disable-next-line no-control-regex -- it matches the control characters a DOT string cannot carry
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, '\\n')}"`;
}

const SHAPES: Record<TopoGraphNode['kind'], string> = {
  gateway: 'shape=box, style="rounded,filled", fillcolor="#dbeafe"',
  server: 'shape=box3d, style=filled, fillcolor="#dcfce7"',
  pool: 'shape=box, style="rounded,filled,bold", fillcolor="#e0e7ff"',
  external: 'shape=box, style="rounded,filled,dashed", fillcolor="#f3f4f6"',
  domain: 'shape=note, style=filled, fillcolor="#fef9c3"',
  internet: 'shape=ellipse, style=filled, fillcolor="#fee2e2"',
  host: 'shape=box, style="rounded,dashed"',
};
const EDGES: Record<GraphEdgeKind, string> = {
  mx: 'color="#b45309", fontcolor="#b45309"',
  route: 'color="#1d4ed8"',
  member: 'style=dashed, arrowhead=none, color="#6b7280", fontcolor="#6b7280"',
  scanner: 'style=dotted, color="#7c3aed", fontcolor="#7c3aed"',
};

export function toDot(g: TopoGraph, header = ''): string {
  const o: string[] = [];
  if (header) o.push(header.trimEnd());
  o.push('digraph topology {');
  o.push('  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.8];');
  o.push('  node [fontname="Helvetica", fontsize=11];');
  o.push('  edge [fontname="Helvetica", fontsize=9];');
  const line = (n: TopoGraphNode, indent: string) =>
    o.push(`${indent}${dotString(n.id)} [label=${dotString(n.lines.join('\n'))}, ${SHAPES[n.kind]}];`);
  const inCluster = new Set(g.clusters.flatMap((c) => c.nodeIds));
  for (const n of g.nodes) if (!inCluster.has(n.id)) line(n, '  ');
  for (const c of g.clusters) {
    o.push(`  subgraph ${dotString(`cluster_${c.zone}`)} {`);
    o.push(`    label=${dotString(c.label)}; style="rounded,dashed"; color="#9ca3af";`);
    for (const id of c.nodeIds)
      line(
        g.nodes.find((n) => n.id === id)!,
        '    ',
      );
    o.push('  }');
  }
  for (const e of g.edges)
    o.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(e.label)}, ${EDGES[e.kind]}];`);
  o.push('}');
  return o.join('\n') + '\n';
}

export function generateDot(model: Model, opts: GenerateOptions): GeneratedFile[] {
  return [
    {
      path: 'diagram/topology.dot',
      content: toDot(buildGraph(model), commentHeader('//', opts.source, 'Graphviz diagram of the topology')),
    },
  ];
}
