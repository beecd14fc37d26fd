// Parse + schema validation against JSON.parse of the same entities, side by
// side in one run, and heap growth against the file size.
import { loadWorkspace } from '../server/src/core/model/workspace';
import { buildModel } from '../server/src/core/model/build';
import { spawnSync } from 'node:child_process';
import { generateTopology } from './topology';

/**
 * Best-of-N CPU time of two calls, in alternating rounds of a few runs each:
 * the shared machine's bursts of load fall on both sides alike instead of on
 * one of them, and each side still has warm runs (its caches, not the other's).
 */
export function timePair(
  a: () => unknown,
  b: () => unknown,
  minMs = 1500,
  minRounds = 8,
  perRound = 3,
): [number, number] {
  const best = [Infinity, Infinity];
  const start = performance.now();
  for (let round = 0; round < minRounds || performance.now() - start < minMs; round++) {
    for (const [i, fn] of [a, b].entries()) {
      for (let k = 0; k < perRound; k++) {
        const c = process.cpuUsage();
        fn();
        const d = process.cpuUsage(c);
        best[i] = Math.min(best[i], (d.user + d.system) / 1000);
      }
    }
    if (round > 1000) break;
  }
  return [best[0], best[1]];
}

export function parseAndValidate(text: string): number {
  const ws = loadWorkspace([{ abs: '/bench/topology.mailtopo', display: 'topology.mailtopo', text }], {
    readFile: () => undefined,
  });
  const { diagnostics } = buildModel(ws);
  return diagnostics.length + ws.files[0].parsed.diagnostics.length;
}

export function benchParse(): Promise<string[]> {
  const lines = parseTable(
    '## parse + schema validation (+ references) vs JSON.parse (same entities, same run), default Node heap (as `mailtopo check` runs)',
  );
  // The same table in a child with a 64 MB young generation, as the VS Code
  // client starts the language server: the tree and model of a re-check die
  // in the nursery instead of being copied to the old generation.
  if (process.argv[1]) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', process.argv[1]], {
      encoding: 'utf8',
      env: { ...process.env, MAILTOPO_BENCH_ONLY: 'parse-table' },
    });
    lines.push('', ...(r.stdout || `(child failed: ${r.stderr})`).trimEnd().split('\n'));
  }
  return Promise.resolve(lines);
}

/** Print only the parse table (the child run of benchParse). */
export function parseTableOnly(): boolean {
  if (process.env.MAILTOPO_BENCH_ONLY !== 'parse-table') return false;
  console.log(
    parseTable(
      '## the same with node --max-semi-space-size=64 (as the VS Code client starts the language server)',
    ).join('\n'),
  );
  return true;
}

function parseTable(title: string): string[] {
  const lines: string[] = [title];
  lines.push('lines      bytes      mailtopo ms  JSON.parse ms  ratio   MB/s   heap growth / file size');
  for (const n of [1000, 10000, 100000]) {
    const g = generateTopology(n);
    const errs = parseAndValidate(g.text);
    if (errs) throw new Error(`bench topology has ${errs} diagnostics`);
    // warm up both
    for (let i = 0; i < 3; i++) {
      parseAndValidate(g.text);
      JSON.parse(g.json);
    }
    const [tm, tj] = timePair(
      () => parseAndValidate(g.text),
      () => JSON.parse(g.json),
      n >= 100000 ? 4000 : 1500,
    );
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const keep = (() => {
      const ws = loadWorkspace([{ abs: '/b.mailtopo', display: 'b.mailtopo', text: g.text }], {
        readFile: () => undefined,
      });
      return { ws, m: buildModel(ws) };
    })();
    gc?.();
    const after = process.memoryUsage().heapUsed;
    void keep.m;
    const growth = (after - before) / Buffer.byteLength(g.text);
    lines.push(
      `${String(g.lines).padEnd(10)} ${String(g.text.length).padEnd(10)} ${tm.toFixed(2).padStart(11)} ` +
        ` ${tj.toFixed(2).padStart(13)}  ${(tm / tj).toFixed(1).padStart(5)}x  ${(g.text.length / 1e6 / (tm / 1000)).toFixed(0).padStart(5)} ` +
        ` ${gc ? growth.toFixed(1) + 'x' : '(run with --expose-gc)'}`,
    );
  }
  lines.push('target: 10,000 lines within 10x of JSON.parse; heap growth below 20x the file size');
  return lines;
}

if ((process.argv[1]?.endsWith('parse.ts') || process.argv[1]?.endsWith('parse.cjs')) && !parseTableOnly())
  void benchParse().then((l) => console.log(l.join('\n')));
