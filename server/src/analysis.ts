// The analyses behind the open documents. Each open document is checked as the
// root of a workspace (it and its imports; open documents are read from
// memory, the rest from disk). A document imported by another open document is
// seen in that document's workspace, where every name it refers to is declared:
// its diagnostics and features come from there (the "context root").
//
// An analysis is cached by the versions of the open documents in it, a disk
// generation (bumped when files change on disk) and the ignore list, so a
// request never checks a version twice and a parse is never repeated (the
// incremental parse cache re-parses only the chunks an edit touched).
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkFiles, type CheckResult } from './core/check';
import { BuildCache } from './core/model/build';
import type { MtDiagnostic } from './core/diagnostic';
import { editorRoot, rootedFileHost } from './core/model/fileHost';
import { IncrementalParseCache } from './core/features/incremental';
import { contextOf, type FeatureContext } from './core/features/context';

export interface OpenDoc {
  uri: string;
  version: number;
  getText(): string;
}
export interface DocSource {
  get(uri: string): OpenDoc | undefined;
  all(): OpenDoc[];
}

export interface Analysis {
  /** The open document checked as the root. */
  root: string;
  key: string;
  result: CheckResult;
  /** Absolute paths of the workspace's files. */
  files: Set<string>;
  /** Open documents in it at analysis time: uri -> version. */
  versions: Map<string, number>;
  ms: number;
  /** Diagnostics by display path (filled lazily). */
  byFile?: Map<string, MtDiagnostic[]>;
}

export class Analyzer {
  readonly cache = new IncrementalParseCache();
  private analyses = new Map<string, Analysis>();
  /** Per root: the declarations its last build read, reused for statements an edit did not touch. */
  private builds = new Map<string, BuildCache>();
  private pathByUri = new Map<string, string>();
  /** Bumped when files change on disk or settings that affect results change. */
  generation = 0;
  ignore: string[] = [];
  /** Every check run: root uri and root version (tests, bench). */
  onAnalysis?: (a: Analysis) => void;

  /** The editor's workspace folders: the root that imports may not leave (LANGUAGE.md §3 Imports). */
  folders: string[] = [];

  constructor(private readonly docs: DocSource) {}

  /** The file-system path a document stands for (a made-up one for untitled documents). */
  pathOf(uri: string): string {
    let p = this.pathByUri.get(uri);
    if (p) return p;
    try {
      p = uri.startsWith('file:') ? path.resolve(fileURLToPath(uri)) : undefined;
    } catch {
      p = undefined;
    }
    p ??= path.resolve('/', '__mailtopo_untitled__', encodeURIComponent(uri).replace(/%/g, '_') + '.mailtopo');
    // bounded: requests may name any number of documents that are never opened
    if (this.pathByUri.size >= 4096) this.pathByUri.clear();
    this.pathByUri.set(uri, p);
    return p;
  }

  /** The uri for a path: the open document's own uri when it is open. */
  uriOf(abs: string): string {
    for (const d of this.docs.all()) if (this.pathOf(d.uri) === abs) return d.uri;
    return pathToFileURL(abs).href;
  }

  private openByPath(): Map<string, OpenDoc> {
    const m = new Map<string, OpenDoc>();
    for (const d of this.docs.all()) m.set(this.pathOf(d.uri), d);
    return m;
  }

  private keyOf(root: string, files: Iterable<string>, open: Map<string, OpenDoc>): string {
    const parts = [String(this.generation), this.ignore.join(','), root, String(this.docs.get(root)?.version ?? -1)];
    for (const f of files) {
      const d = open.get(f);
      if (d) parts.push(`${d.uri}@${d.version}`);
    }
    return parts.join('|');
  }

  /** The last analysis with `root` as root, fresh or not. */
  last(root: string): Analysis | undefined {
    return this.analyses.get(root);
  }
  all(): Analysis[] {
    return [...this.analyses.values()];
  }

  isFresh(a: Analysis, open = this.openByPath()): boolean {
    return a.key === this.keyOf(a.root, a.files, open);
  }

  /** Check `root` now unless its last analysis is still fresh. */
  ensure(root: string): Analysis | undefined {
    const doc = this.docs.get(root);
    if (!doc) return undefined;
    const open = this.openByPath();
    const prev = this.analyses.get(root);
    if (prev && this.isFresh(prev, open)) return prev;
    const abs = this.pathOf(root);
    const host = rootedFileHost(editorRoot(abs, this.folders), (p) => open.get(p)?.getText());
    const t0 = performance.now();
    let result: CheckResult;
    let build = this.builds.get(root);
    if (!build) this.builds.set(root, (build = new BuildCache()));
    try {
      result = checkFiles([{ path: abs, text: doc.getText() }], {
        host,
        cache: this.cache,
        build,
        ignore: this.ignore,
      });
    } catch (e) {
      this.builds.delete(root); // nothing half-resolved is reused
      result = failedCheck(abs, doc.getText(), e);
    }
    const files = new Set(result.workspace.files.map((f) => f.abs));
    const versions = new Map<string, number>();
    for (const f of files) {
      const d = open.get(f);
      if (d) versions.set(d.uri, d.version);
    }
    const a: Analysis = {
      root,
      key: this.keyOf(root, files, open),
      result,
      files,
      versions,
      ms: performance.now() - t0,
    };
    this.analyses.set(root, a);
    this.onAnalysis?.(a);
    return a;
  }

  /** The open document whose workspace gives `uri` its context (see the top of this file). */
  contextRoot(uri: string): string {
    const abs = this.pathOf(uri);
    let best = uri;
    let bestSize = -1;
    for (const a of this.analyses.values()) {
      if (a.root === uri || !a.files.has(abs) || !this.docs.get(a.root)) continue;
      if (a.files.size > bestSize || (a.files.size === bestSize && a.root < best)) {
        best = a.root;
        bestSize = a.files.size;
      }
    }
    // the document's own workspace when it holds more (it imports its importer too, in a cycle)
    const own = this.analyses.get(uri);
    if (own && own.files.size >= bestSize) return uri;
    return best;
  }

  /** The fresh analysis that gives `uri` its context. */
  analysisFor(uri: string): Analysis | undefined {
    if (!this.docs.get(uri)) return undefined;
    const abs = this.pathOf(uri);
    for (let i = 0; i < 3; i++) {
      const root = this.contextRoot(uri);
      const a = this.ensure(root);
      if (a && a.files.has(abs)) return a;
      if (root === uri) return a;
    }
    return this.ensure(uri);
  }

  /** The feature context of an open document. */
  contextFor(uri: string): { analysis: Analysis; ctx: FeatureContext } | undefined {
    const a = this.analysisFor(uri);
    if (!a) return undefined;
    const lf = a.result.workspace.byAbs.get(this.pathOf(uri));
    const ctx = lf ? contextOf(a.result, lf.display) : undefined;
    return ctx ? { analysis: a, ctx } : undefined;
  }

  /** Static diagnostics of `uri` in analysis `a`. */
  diagnosticsOf(a: Analysis, uri: string): MtDiagnostic[] {
    const lf = a.result.workspace.byAbs.get(this.pathOf(uri));
    if (!lf) return [];
    if (!a.byFile) {
      a.byFile = new Map();
      for (const d of a.result.diagnostics) {
        const l = a.byFile.get(d.file);
        if (l) l.push(d);
        else a.byFile.set(d.file, [d]);
      }
    }
    return a.byFile.get(lf.display) ?? [];
  }

  /** Open documents whose last analysis (as root or context) includes the file of `uri`. */
  dependents(uri: string): string[] {
    const abs = this.pathOf(uri);
    const out = new Set<string>([uri]);
    for (const a of this.analyses.values()) {
      if (!a.files.has(abs)) continue;
      for (const f of a.files) for (const d of this.docs.all()) if (this.pathOf(d.uri) === f) out.add(d.uri);
    }
    return [...out];
  }

  /** Open documents whose analyses include the file at `abs` (a file changed on disk). */
  affectedByPath(abs: string): string[] {
    const out = new Set<string>();
    for (const a of this.analyses.values()) {
      if (!a.files.has(abs)) continue;
      for (const f of a.files) for (const d of this.docs.all()) if (this.pathOf(d.uri) === f) out.add(d.uri);
    }
    return [...out];
  }

  forget(uri: string): void {
    this.analyses.delete(uri);
    this.builds.delete(uri);
    const p = this.pathByUri.get(uri);
    this.pathByUri.delete(uri);
    if (p) this.cache.delete(p);
  }
}

/** A check that threw (a core bug): one diagnostic that says so, and an empty model. */
function failedCheck(abs: string, text: string, e: unknown): CheckResult {
  const r = checkFiles([{ path: abs, text: '' }], { host: { readFile: () => undefined } });
  const lf = r.workspace.files[0];
  if (lf) lf.parsed = { ...lf.parsed, text };
  r.diagnostics.push({
    code: 'MT000',
    severity: 'error',
    file: abs,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    message: `internal error while checking this file: ${(e as Error)?.message ?? e}`,
  });
  return r;
}
