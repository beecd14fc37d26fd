// Configuration generation: one module per target, all reading the resolved
// model. `generate` runs the chosen targets in a fixed order and returns the
// files; writing them is the writer's job (writer.ts).
import type { Model } from '../model/types';
import type { GenerateOptions, GeneratedFile } from './common';
import { generatePostfix } from './postfix';
import { generateHaproxy } from './haproxy';
import { generateBind } from './bind';
import { generateExchange } from './exchange';
import { generateDot } from './dot';
import { generateMermaid } from './mermaid';
import { generateSvg } from './svg';
import { generateJson } from './json';

export type Target = 'postfix' | 'haproxy' | 'bind' | 'exchange' | 'dot' | 'mermaid' | 'svg' | 'json';
export const TARGETS: Target[] = ['postfix', 'haproxy', 'bind', 'exchange', 'dot', 'mermaid', 'svg', 'json'];

/** What each target writes and what to do with it: the editor's target picker and its output read this. */
export const TARGET_INFO: ReadonlyArray<{ id: Target; label: string; detail: string; next: string }> = [
  {
    id: 'postfix',
    label: 'Postfix',
    detail: 'postfix/<node>/main.cf, master.cf and maps for every node with software postfix',
    next: 'copy postfix/<node>/ to /etc/postfix on that node, postmap the maps, then postfix check and postfix reload',
  },
  {
    id: 'haproxy',
    label: 'HAProxy',
    detail: 'haproxy/haproxy.cfg: one frontend/backend per pool with a vip',
    next: 'haproxy -c -f haproxy/haproxy.cfg, then install it as /etc/haproxy/haproxy.cfg on the load balancer',
  },
  {
    id: 'bind',
    label: 'BIND zones (split horizon)',
    detail:
      'bind/db.<domain> (public, no private address), bind/internal/db.<domain>, bind/named.conf.views (internal view for your networks)',
    next:
      'copy bind/ to /etc/bind/mailtopo/, include "/etc/bind/mailtopo/named.conf.views" ' +
      'in named.conf (all zones inside views), named-checkconf -z',
  },
  {
    id: 'exchange',
    label: 'Exchange',
    detail:
      'exchange/<node>.ps1 for every node with software exchange: Edge Transport script for an edge gateway, Mailbox script otherwise',
    next: 'subscribe each Edge first (steps at the top of its script), then run each script in the Exchange Management Shell of its server',
  },
  { id: 'dot', label: 'Graphviz dot', detail: 'diagram/topology.dot', next: 'dot -Tsvg diagram/topology.dot' },
  { id: 'mermaid', label: 'Mermaid', detail: 'diagram/topology.mmd', next: 'paste into any Mermaid renderer' },
  { id: 'svg', label: 'SVG diagram', detail: 'diagram/topology.svg', next: 'open in a browser' },
  { id: 'json', label: 'JSON model', detail: 'model.json: the resolved model', next: 'read it from your own tools' },
];

const GENERATORS: Record<Target, (m: Model, o: GenerateOptions) => GeneratedFile[] | Promise<GeneratedFile[]>> = {
  postfix: generatePostfix,
  haproxy: generateHaproxy,
  bind: generateBind,
  exchange: generateExchange,
  dot: generateDot,
  mermaid: generateMermaid,
  svg: generateSvg,
  json: generateJson,
};

/** What a target writes when the topology gives it nothing to do. */
const EMPTY: Record<Target, string> = {
  postfix: 'no gateway: no Postfix configuration',
  haproxy: 'no pool with a vip: no haproxy.cfg',
  bind: 'no domain: no zone',
  exchange: 'no gateway or server with software exchange: no Exchange script',
  dot: '',
  mermaid: '',
  svg: '',
  json: '',
};

export interface GenerateResult {
  files: GeneratedFile[];
  notes: string[];
}

/** Run targets (in TARGETS order, each once) over a model. */
export async function generate(model: Model, targets: Target[], opts: GenerateOptions): Promise<GenerateResult> {
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  for (const t of TARGETS) {
    if (!targets.includes(t)) continue;
    const out = await GENERATORS[t](model, opts);
    if (!out.length && EMPTY[t]) notes.push(`${t}: ${EMPTY[t]}`);
    for (const f of out) {
      files.push(f);
      if (f.notes) notes.push(...f.notes);
    }
  }
  return { files, notes };
}

export {
  generatePostfix,
  generateHaproxy,
  generateBind,
  generateExchange,
  generateDot,
  generateMermaid,
  generateSvg,
  generateJson,
};
export { buildGraph, type TopoGraph, type TopoGraphNode, type TopoGraphEdge, type TopoGraphCluster } from './graph';
export { toDot } from './dot';
export { toMermaid } from './mermaid';
export { renderSvg } from './svg';
export { GenerateError, isGeneratedByMailtopo, MARKER, type GeneratedFile, type GenerateOptions } from './common';
