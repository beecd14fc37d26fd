// Bundles the VS Code client (vscode external), the language server and the CLI.
// One server bundle serves the CLI (`mailtopo lsp --stdio`) and the client (IPC).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
  minifyWhitespace: true,
  minifySyntax: true,
  // import() becomes require(): bin/mailtopo.cjs runs the bundles from a V8 code
  // cache, and Node cannot run a real dynamic import from cached code
  supported: { 'dynamic-import': false },
};
// The CLI (and `mailtopo lsp`) loads Graphviz's WebAssembly from its own file,
// dist/graphviz.cjs, on first use only (svg.ts imports it dynamically): the
// CLI bundle is then half the size to read and compile at every start.
const graphvizApart = {
  name: 'graphviz-apart',
  setup(build) {
    build.onResolve({ filter: /^@hpcc-js\/wasm-graphviz$/ }, () => ({ path: './graphviz.cjs', external: true }));
  },
};
// MAILTOPO_DIST: another output folder (tests build the real bundles into a temporary one)
const dist = process.env.MAILTOPO_DIST || 'dist';
const builds = [
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: `${dist}/cli.cjs`, plugins: [graphvizApart] },
  {
    ...common,
    stdin: { contents: "export * from '@hpcc-js/wasm-graphviz';", resolveDir: '.', loader: 'js' },
    outfile: `${dist}/graphviz.cjs`,
  },
];
if (existsSync('server/src/main.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/main.ts'], outfile: `${dist}/server.cjs` });
}
if (existsSync('client/src/extension.ts')) {
  builds.push({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: `${dist}/client.cjs`,
    external: ['vscode'],
  });
}
if (process.argv.includes('--bench')) {
  // The benchmark runs from a bundle, as the server and CLI do (no loader overhead).
  builds.length = 0;
  builds.push({ ...common, entryPoints: ['bench/run.ts'], outfile: `${dist}/bench.cjs` });
}
await Promise.all(builds.map((b) => esbuild.build(b)));
