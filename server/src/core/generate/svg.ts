// SVG of the topology: the DOT description rendered by Graphviz compiled to
// WebAssembly (@hpcc-js/wasm-graphviz), never drawn by hand. The XML
// declaration is dropped so that the file starts with the mailtopo comment.
import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { Model } from '../model/types';
import { headerText, type GenerateOptions, type GeneratedFile } from './common';
import { buildGraph } from './graph';
import { toDot } from './dot';

let gv: Promise<Graphviz> | undefined;
// Loaded on first use: the WebAssembly module is half of the CLI bundle's size,
// and every `check` and every language-server start would otherwise read it.
function graphviz(): Promise<Graphviz> {
  gv ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  return gv;
}

/** Render DOT to SVG text. */
export async function renderSvg(dot: string): Promise<string> {
  return (await graphviz()).dot(dot, 'svg');
}

export async function generateSvg(model: Model, opts: GenerateOptions): Promise<GeneratedFile[]> {
  const svg = await renderSvg(toDot(buildGraph(model)));
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  const header = headerText(opts.source, 'SVG diagram of the topology, rendered by Graphviz').join(' ');
  const comment = `<!-- ${header.replace(/--/g, '- -')} -->\n`; // "--" may not appear inside an XML comment
  return [{ path: 'diagram/topology.svg', content: comment + body }];
}
