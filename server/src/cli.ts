// `mailtopo check|generate|fmt|lsp`: the same core as the editor, for terminals
// and CI. Exit status: 0 nothing at or above --fail-on, 1 some (or fmt --check
// found changes), 2 bad usage, unreadable file or an internal failure — with a
// message on stderr, never a stack trace unless MAILTOPO_DEBUG=1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFiles, type CheckResult } from './core/check';
import { cliRoot, readRegularFile, rootedFileHost } from './core/model/fileHost';
import { loadWorkspace, ParseCache, type FileHost } from './core/model/workspace';
import { sortDiagnostics, type MtDiagnostic, type Severity } from './core/diagnostic';
import { formatText } from './core/features/format';
import { toSarif } from './core/report/sarif';
import { runLive } from './core/dns/runLive';
import { parseServer } from './core/dns/resolver';

export class UsageError extends Error {}
/** A named file cannot be read: exit 2 with the reason, without the usage text. */
export class InputError extends Error {}

export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

const USAGE = `usage:
  mailtopo check FILE... [--live] [--resolver HOST[:PORT]]... [--timeout MS]
                         [--format text|json|sarif] [--fail-on error|warning] [--root DIR]
  mailtopo generate FILE --target postfix|haproxy|bind|exchange|dot|mermaid|svg|json|all
                         --out DIR [--force]
  mailtopo fmt FILE... [--check]
  mailtopo lsp --stdio`;

interface Parsed {
  files: string[];
  flags: Map<string, string[]>;
}

/** Parse argv against the flags a command takes (`true` = takes a value). */
export function parseArgs(argv: string[], spec: Record<string, boolean>): Parsed {
  const files: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (!(name in spec)) throw new UsageError(`unknown option '--${name}'`);
      let val = 'true';
      if (spec[name]) {
        if (eq > 0) val = a.slice(eq + 1);
        else if (i + 1 < argv.length) val = argv[++i];
        else throw new UsageError(`option '--${name}' needs a value`);
      } else if (eq > 0) throw new UsageError(`option '--${name}' takes no value`);
      flags.set(name, [...(flags.get(name) ?? []), val]);
      continue;
    }
    files.push(a);
  }
  return { files, flags };
}

function one(p: Parsed, name: string, allowed?: string[], dflt?: string): string | undefined {
  const v = p.flags.get(name);
  if (!v) return dflt;
  if (v.length > 1) throw new UsageError(`option '--${name}' given twice`);
  if (allowed && !allowed.includes(v[0]))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${v[0]}')`);
  return v[0];
}

/** A file the user named must be a regular file of at most 10 MB: anything else is exit 2 at once, unread. */
function requireReadable(file: string): string {
  const r = readRegularFile(file);
  if ('refused' in r) throw new InputError(`cannot read '${file}': ${r.refused}`);
  return r.text;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/**
 * Check the named files. Each file is the root of its own workspace (with its
 * imports), except a file that another named file imports (directly or not):
 * its diagnostics come from that file's workspace, so `check multi/*.mailtopo`
 * does not check a part of a split topology on its own (where its references
 * to the other parts would all be undeclared). Files importing each other are
 * checked once, from the first one named.
 */
export function checkMany(files: string[], ignore: string[] = [], root?: string): CheckResult[] {
  const texts = files.map((f) => requireReadable(f));
  const abs = files.map((f) => path.resolve(f));
  const cache = new ParseCache();
  // each imported file is read from disk once, however many workspaces load it (within one root)
  const read = new Map<string, ReturnType<FileHost['readFile']>>();
  const hosts = new Map<string, FileHost>();
  const hostOf = (file: string): FileHost => {
    const r = cliRoot(file, root);
    let h = hosts.get(r);
    if (!h) {
      const disk = rootedFileHost(r);
      h = {
        readFile: (p) => {
          const key = `${r}\0${p}`;
          if (!read.has(key)) read.set(key, disk.readFile(p));
          return read.get(key);
        },
      };
      hosts.set(r, h);
    }
    return h;
  };
  const closures =
    files.length > 1
      ? files.map(
          (f, i) =>
            new Set(
              loadWorkspace([{ abs: abs[i], display: f, text: texts[i] }], hostOf(f), cache).files.map((lf) => lf.abs),
            ),
        )
      : [];
  const importedByAnother = (i: number) =>
    closures.some((c, j) => j !== i && abs[j] !== abs[i] && c.has(abs[i]) && !closures[i].has(abs[j]));
  const results: CheckResult[] = [];
  const loaded = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    if (loaded.has(abs[i]) || importedByAnother(i)) continue;
    const r = checkFiles([{ path: files[i], text: texts[i] }], { host: hostOf(files[i]), ignore, cache });
    for (const lf of r.workspace.files) loaded.add(lf.abs);
    results.push(r);
  }
  return results;
}

function summaryOf(diags: MtDiagnostic[]) {
  const s = { errors: 0, warnings: 0, information: 0, hints: 0 };
  for (const d of diags) {
    if (d.severity === 'error') s.errors++;
    else if (d.severity === 'warning') s.warnings++;
    else if (d.severity === 'information') s.information++;
    else s.hints++;
  }
  return s;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

export async function cmdCheck(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    live: false,
    resolver: true,
    timeout: true,
    format: true,
    'fail-on': true,
    root: true,
  });
  if (!p.files.length) throw new UsageError('check needs at least one FILE');
  const format = one(p, 'format', ['text', 'json', 'sarif'], 'text')!;
  const failOn = one(p, 'fail-on', ['error', 'warning'], 'error')! as 'error' | 'warning';
  const timeoutText = one(p, 'timeout', undefined, '3000')!;
  if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 1)
    throw new UsageError(`--timeout must be a whole number of milliseconds (got '${timeoutText}')`);
  const resolvers = p.flags.get('resolver') ?? [];
  // HOST must be an IP address (no name lookup to find the resolver); checked before any query is sent.
  for (const r of resolvers) {
    try {
      parseServer(r);
    } catch {
      throw new UsageError(
        `--resolver must be HOST[:PORT] with HOST an IP address and PORT 1-65535, e.g. 127.0.0.1:5353 or [::1]:53 (got '${r}')`,
      );
    }
  }
  if (!p.flags.has('live') && (p.flags.has('resolver') || p.flags.has('timeout'))) {
    io.stderr('mailtopo: note: --resolver and --timeout only matter with --live\n');
  }
  const root = one(p, 'root');
  if (root !== undefined && !isDirectory(root)) throw new UsageError(`--root must be a directory (got '${root}')`);
  const results = checkMany(p.files, [], root);
  const order: string[] = [];
  const byFile = new Map<string, MtDiagnostic[]>();
  for (const r of results) {
    for (const lf of r.workspace.files)
      if (!byFile.has(lf.display)) {
        byFile.set(lf.display, []);
        order.push(lf.display);
      }
    for (const d of r.diagnostics) {
      if (!byFile.has(d.file)) {
        byFile.set(d.file, []);
        order.push(d.file);
      }
      byFile.get(d.file)!.push(d);
    }
    if (p.flags.has('live')) {
      const live = await runLive(r, { resolvers, timeoutMs: Number(timeoutText) });
      for (const d of live.diagnostics) {
        if (!byFile.has(d.file)) {
          byFile.set(d.file, []);
          order.push(d.file);
        }
        byFile.get(d.file)!.push(d);
      }
    }
  }
  const all: MtDiagnostic[] = [];
  for (const f of order) {
    sortDiagnostics(byFile.get(f)!);
    for (const d of byFile.get(f)!) all.push(d);
  }
  const summary = summaryOf(all);
  if (format === 'json') {
    const obj = {
      files: order.map((f) => ({
        file: f,
        diagnostics: byFile.get(f)!.map((d) => ({
          code: d.code,
          severity: d.severity,
          message: d.message,
          range: d.range,
          related: (d.related ?? []).map((r) => ({ file: r.file, range: r.range, message: r.message })),
        })),
      })),
      summary,
    };
    io.stdout(JSON.stringify(obj) + '\n');
  } else if (format === 'sarif') {
    io.stdout(JSON.stringify(toSarif(all), null, 2) + '\n');
  } else {
    for (const d of all)
      io.stdout(
        `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}\n`,
      );
    io.stdout(
      `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ` +
        `${summary.information} information, ${plural(summary.hints, 'hint')} in ` +
        `${plural(order.length, 'file')}\n`,
    );
  }
  const limit = RANK[failOn];
  return all.some((d) => RANK[d.severity] <= limit) ? 1 : 0;
}

/**
 * Write a file by temp file + rename, so a crash never leaves half a file. A
 * symbolic link is written through: its target gets the new text and the
 * link stays a link.
 */
function writeAtomic(file: string, text: string): void {
  const real = fs.realpathSync(file);
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.mailtopo-${process.pid}.tmp`);
  const mode = fs.statSync(real).mode;
  fs.writeFileSync(tmp, text, { mode, flag: 'wx' });
  try {
    fs.renameSync(tmp, real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function cmdFmt(argv: string[], io: Io): number {
  const p = parseArgs(argv, { check: false });
  if (!p.files.length) throw new UsageError('fmt needs at least one FILE');
  const texts = p.files.map((f) => requireReadable(f));
  let status = 0;
  for (let i = 0; i < p.files.length; i++) {
    const f = p.files[i];
    const r = formatText(texts[i], f);
    if ('error' in r) {
      io.stderr(`${r.error}\n`);
      status = 1;
      continue;
    }
    if (r.text === texts[i]) continue;
    if (p.flags.has('check')) {
      io.stdout(`${f}\n`);
      status = 1;
      continue;
    }
    const bom = fs
      .readFileSync(f)
      .subarray(0, 3)
      .equals(Buffer.from([0xef, 0xbb, 0xbf]))
      ? '\ufeff'
      : ''; // keep it
    writeAtomic(f, bom + r.text);
    io.stdout(`formatted ${f}\n`);
  }
  return status;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check':
        return await cmdCheck(rest, io);
      case 'fmt':
        return cmdFmt(rest, io);
      case 'generate': {
        const { runGenerate } = await import('./generateCommand');
        return await runGenerate(rest, io);
      }
      case 'spf':
        return await (await import('./cliSpf')).cmdSpf(rest, io);
      case 'lsp': {
        const p = parseArgs(rest, { stdio: false, 'node-ipc': false, socket: true, clientProcessId: true });
        if (p.files.length) throw new UsageError(`lsp takes no files (got '${p.files[0]}')`);
        if (!p.flags.has('stdio') && !p.flags.has('node-ipc'))
          throw new UsageError('lsp needs --stdio (or --node-ipc)');
        const { startServer } = await import('./main');
        startServer();
        return -1; // keep running
      }
      case '--version':
      case 'version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case undefined:
        throw new UsageError('a command is needed'); // bad usage: the usage goes to stderr
      case '--help':
      case '-h':
      case 'help':
        io.stdout(`${USAGE}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mailtopo: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`mailtopo: ${e.message}\n`);
      return 2;
    }
    io.stderr(`mailtopo: internal error: ${(e as Error)?.message ?? e}\n`);
    if (process.env.MAILTOPO_DEBUG === '1') io.stderr(`${(e as Error)?.stack ?? ''}\n`);
    return 2;
  }
}

declare const __MAILTOPO_VERSION__: string | undefined;
const VERSION = typeof __MAILTOPO_VERSION__ === 'string' ? __MAILTOPO_VERSION__ : '0.1.0';

// Run when this file is the program (the bundle's entry or `tsx server/src/cli.ts`).
// A bundle that only includes the CLI (dist/bench.cjs) is its own require.main too:
// the bundle must be the CLI's own (dist/cli.cjs).
const isEntry =
  typeof require !== 'undefined' && typeof module !== 'undefined'
    ? require.main === module && /^cli\.c?js$/.test(path.basename(__filename))
    : /(^|[\\/])cli\.ts$/.test(process.argv[1] ?? '');
if (isEntry || process.env.MAILTOPO_CLI_ENTRY === '1') {
  const io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  main(process.argv.slice(2), io).then(
    (code) => {
      if (code >= 0) {
        process.exitCode = code;
      }
    },
    (e) => {
      process.stderr.write(`mailtopo: internal error: ${(e as Error)?.message ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
