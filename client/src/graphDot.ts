// Dot text for a GraphResult that came without `dot` (the server includes the
// generator's dot text when it has it; this is the fallback). Node ids are the
// GraphNode ids, so the SVG's <title>s map back to declarations.
// Pure: no `vscode` import.
import type { GraphEdge, GraphNode, GraphResult } from '../../server/src/protocol';

export function dotId(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const SHAPE: Record<GraphNode['kind'], string> = {
  domain: 'note', gateway: 'box', pool: 'box3d', server: 'cylinder', external: 'component', internet: 'ellipse', direct: 'ellipse',
};
const FILL: Record<GraphNode['kind'], string> = {
  domain: '#e8f0fe', gateway: '#fff4e0', pool: '#fff4e0', server: '#e6f4ea', external: '#f1f3f4', internet: '#ffffff', direct: '#ffffff',
};
const EDGE_STYLE: Record<GraphEdge['kind'], string> = {
  mx: 'color="#1a73e8", fontcolor="#1a73e8"', route: 'color="#202124"', member: 'style=dashed, color="#5f6368", arrowhead=none', scanner: 'style=dotted, color="#b06000"',
};

export function graphToDot(g: Pick<GraphResult, 'nodes' | 'edges'>): string {
  const lines = ['digraph mailtopo {', '  rankdir=LR;', '  fontname="Helvetica"; node [fontname="Helvetica", fontsize=11, style=filled]; edge [fontname="Helvetica", fontsize=9];'];
  const zones = new Map<string, GraphNode[]>();
  const loose: GraphNode[] = [];
  for (const n of g.nodes) {
    if (n.zone) { const z = zones.get(n.zone) ?? []; z.push(n); zones.set(n.zone, z); } else loose.push(n);
  }
  const node = (n: GraphNode, indent: string): string =>
    `${indent}${dotId(n.id)} [label=${dotId(n.label)}, shape=${SHAPE[n.kind] ?? 'box'}, fillcolor="${FILL[n.kind] ?? '#ffffff'}"];`;
  for (const n of loose) lines.push(node(n, '  '));
  let i = 0;
  for (const [zone, ns] of zones) {
    lines.push(`  subgraph ${dotId(`cluster_${i++}_${zone}`)} {`, `    label=${dotId(zone)}; style="rounded,dashed"; color="#9aa0a6";`);
    for (const n of ns) lines.push(node(n, '    '));
    lines.push('  }');
  }
  for (const e of g.edges) {
    lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)} [${EDGE_STYLE[e.kind] ?? ''}${e.label ? `, label=${dotId(e.label)}` : ''}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
