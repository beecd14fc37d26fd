// The one entry point the CLI, the server and the tests drive: text in,
// diagnostics per file out. Syntax (MT0xx), schema and references (MT1xx),
// then the analysis families (MT2xx-MT4xx) on whatever parsed.
import * as path from 'node:path';
import { sortDiagnostics, type MtDiagnostic } from './diagnostic';
import { loadWorkspace, type FileHost, type ParseCache, type Workspace } from './model/workspace';
import { buildModel, type BuildCache } from './model/build';
import { cliRoot, readRegularFile, rootedFileHost } from './model/fileHost';
import type { Model } from './model/types';
import { RULE_FAMILIES } from './rules/index';

export interface CheckResult {
  workspace: Workspace;
  model: Model;
  /** Every diagnostic, each with its `file` (display path). */
  diagnostics: MtDiagnostic[];
}

/** Editors do not count a UTF-8 byte-order mark as a character; neither do positions here. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads files from disk with no root (every regular file ≤ 10 MB): for callers
 * that name their files themselves. Imports go through `rootedFileHost`.
 */
export const diskHost: FileHost = {
  readFile(abs: string) {
    const r = readRegularFile(abs);
    return 'text' in r ? r.text : r;
  },
};

export interface CheckOptions {
  host?: FileHost;
  cache?: ParseCache;
  /** The editor's declarations read by earlier checks of the same root: read again only what changed. */
  build?: BuildCache;
  /** Codes not to report. */
  ignore?: string[];
}

/** Check one workspace: the given root files and their imports. */
export function checkFiles(roots: Array<{ path: string; text?: string }>, opts: CheckOptions = {}): CheckResult {
  // default: the CLI's rule (the current directory when the first file is inside it, else its directory)
  const host = opts.host ?? rootedFileHost(cliRoot(roots[0]?.path ?? '.'));
  const ws = loadWorkspace(
    roots.map((r) => ({ abs: path.resolve(r.path), display: r.path, text: r.text })),
    host,
    opts.cache,
  );
  const { model, diagnostics } = buildModel(ws, opts.build);
  // concat, not push(...): a huge file can carry more diagnostics than a call has arguments
  let all: MtDiagnostic[] = [];
  for (const f of ws.files) all = all.concat(f.parsed.diagnostics);
  all = all.concat(ws.diagnostics, diagnostics);
  for (const fam of RULE_FAMILIES) {
    try {
      all = all.concat(fam.run({ model, workspace: ws }));
    } catch (e) {
      // A rule bug must not take the whole check down; say so once.
      const f = ws.files[0];
      if (f)
        all.push({
          code: 'MT000',
          severity: 'information',
          file: f.display,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          message: `internal: rule family '${fam.id}' failed: ${(e as Error)?.message ?? e}`,
        });
    }
  }
  const ignore = new Set(opts.ignore ?? []);
  return { workspace: ws, model, diagnostics: sortDiagnostics(all.filter((d) => !ignore.has(d.code))) };
}

/** Check a single text (no imports resolved beyond the host). */
export function checkText(text: string, file = 'untitled.mailtopo', opts: CheckOptions = {}): CheckResult {
  return checkFiles([{ path: file, text }], opts);
}
