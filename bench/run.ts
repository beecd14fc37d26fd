// `npm run bench`: every benchmark, each measured side by side with its
// reference in the same run, printed as ratios. Run from an esbuild bundle
// (as the CLI and server run), with --expose-gc for the heap figures.
import * as os from 'node:os';
import { benchParse, parseTableOnly } from './parse';
import { benchDns } from './dns';
import { benchAnalysis } from './analysis';
import { benchLsp } from './lsp';
import { benchAddr } from './addr';

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `# mailtopo benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ` +
      `${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  );
  const sections: Array<[string, () => Promise<string[]>]> = [
    // DNS first: its JavaScript side should not pay for the large heaps the
    // parse and analysis runs leave behind (c-ares, the reference, would not)
    ['dns', benchDns],
    ['parse', benchParse],
    ['analysis', benchAnalysis],
    ['lsp', benchLsp],
    ['spf', async () => (await import('./spf')).benchSpf()],

    ['addr', benchAddr],
  ];
  let failed = false;
  // MAILTOPO_BENCH_ONLY=lsp,dns runs only those sections
  const only = process.env.MAILTOPO_BENCH_ONLY?.split(',');
  for (const [name, fn] of sections) {
    if (only && !only.includes(name)) continue;
    console.log('');
    (globalThis as { gc?: () => void }).gc?.();
    try {
      for (const l of await fn()) console.log(l);
    } catch (e) {
      failed = true;
      console.log(`${name}: failed: ${(e as Error)?.message ?? e}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

if (!parseTableOnly()) void main();
