// Dot text -> SVG with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz),
// in the extension host: no network, no `dot` binary. Loaded on first use only,
// so activation does not pay for it.
import type { Graphviz } from '@hpcc-js/wasm-graphviz';

let loading: Promise<Graphviz> | undefined;

export function graphviz(): Promise<Graphviz> {
  if (!loading) {
    loading = import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

export async function renderSvg(dot: string): Promise<string> {
  const gv = await graphviz();
  return gv.dot(dot, 'svg');
}

/** Node and edge titles as Graphviz lays them out (what the SVG's <title>s hold). */
export async function graphElements(dot: string): Promise<{ nodes: string[]; edges: string[] }> {
  const gv = await graphviz();
  const j = JSON.parse(gv.dot(dot, 'json')) as {
    objects?: Array<{ name: string; nodes?: number[] }>;
    edges?: Array<{ tail: number; head: number }>;
    directed?: boolean;
  };
  const objs = j.objects ?? [];
  const nodes = objs.filter((o) => !o.nodes).map((o) => o.name);
  const edges = (j.edges ?? []).map(
    (e) => `${objs[e.tail].name}${j.directed === false ? '--' : '->'}${objs[e.head].name}`,
  );
  return { nodes, edges };
}
