// Mermaid flowchart of the topology graph: diagram/topology.mmd. Ids are
// generated (n0, n1, ...); every label is a quoted string with Mermaid's
// entity codes for the characters that would end or change it.
import type { Model } from '../model/types';
import { commentHeader, type GenerateOptions, type GeneratedFile } from './common';
import { buildGraph, type TopoGraph, type TopoGraphNode, type GraphEdgeKind } from './graph';

/** Text for inside a Mermaid "..." label. */
export function mermaidText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[#"<>&|`{}[\]();%\\]/g, (c) => `#${c.charCodeAt(0)};`);
}

const SHAPE: Record<TopoGraphNode['kind'], [string, string]> = {
  gateway: ['(', ')'],
  server: ['[(', ')]'],
  pool: ['{{', '}}'],
  external: ['[', ']'],
  domain: ['[/', '/]'],
  internet: ['((', '))'],
  host: ['[', ']'],
};
const ARROW: Record<GraphEdgeKind, string> = { mx: '==>', route: '-->', member: '-.-', scanner: '-.->' };

export function toMermaid(g: TopoGraph, header = ''): string {
  const ids = new Map(g.nodes.map((n, i) => [n.id, `n${i}`]));
  const o: string[] = [];
  if (header) o.push(header.trimEnd());
  o.push('flowchart LR');
  const line = (n: TopoGraphNode, indent: string) => {
    const [a, b] = SHAPE[n.kind];
    o.push(`${indent}${ids.get(n.id)}${a}"${n.lines.map(mermaidText).join('<br/>')}"${b}`);
  };
  const inCluster = new Set(g.clusters.flatMap((c) => c.nodeIds));
  for (const n of g.nodes) if (!inCluster.has(n.id)) line(n, '  ');
  for (const c of g.clusters) {
    o.push(`  subgraph zone_${c.zone}["${mermaidText(c.label)}"]`);
    for (const id of c.nodeIds)
      line(
        g.nodes.find((n) => n.id === id)!,
        '    ',
      );
    o.push('  end');
  }
  for (const e of g.edges) o.push(`  ${ids.get(e.from)} ${ARROW[e.kind]}|"${mermaidText(e.label)}"| ${ids.get(e.to)}`);
  return o.join('\n') + '\n';
}

export function generateMermaid(model: Model, opts: GenerateOptions): GeneratedFile[] {
  return [
    {
      path: 'diagram/topology.mmd',
      content: toMermaid(buildGraph(model), commentHeader('%%', opts.source, 'Mermaid diagram of the topology')),
    },
  ];
}
