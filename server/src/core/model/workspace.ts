// A workspace: the root files and everything they import, parsed once each,
// with the top-level statements flattened in declaration order (an imported
// file's statements count at its `import` line). Cycles and missing files are
// MT110 on the import; the rest loads.
import * as path from 'node:path';
import { parse, keywordOf } from '../syntax/parser';
import type { ParsedFile, Statement } from '../syntax/ast';
import type { MtDiagnostic } from '../diagnostic';

export interface FileHost {
  /**
   * The file's text; undefined when it does not exist; `{ refused }` with the
   * reason when it may not be read (outside the workspace root, not a regular
   * file, too large: see fileHost.ts).
   */
  readFile(absPath: string): string | undefined | { refused: string };
}

export interface LoadedFile {
  /** Absolute, normalized path: the identity of the file. */
  abs: string;
  /** The path diagnostics report: the root as given, imports joined to their importer's. */
  display: string;
  parsed: ParsedFile;
}

export interface Entry {
  file: LoadedFile;
  stmt: Statement;
}

export interface Workspace {
  files: LoadedFile[];
  byAbs: Map<string, LoadedFile>;
  entries: Entry[];
  diagnostics: MtDiagnostic[];
  /** abs path of importer -> abs paths it imports (for re-checking dependents). */
  imports: Map<string, string[]>;
}

/** Parse cache keyed by path and text, so an unchanged file is never parsed twice. */
export class ParseCache {
  private map = new Map<string, { text: string; parsed: ParsedFile }>();
  get(display: string, text: string): ParsedFile {
    const hit = this.map.get(display);
    if (hit && hit.text === text) return hit.parsed;
    const parsed = parse(text, display);
    this.map.set(display, { text, parsed });
    return parsed;
  }
  delete(display: string): void {
    this.map.delete(display);
  }
}

export function loadWorkspace(
  roots: Array<{ abs: string; display: string; text?: string }>,
  host: FileHost,
  cache?: ParseCache,
): Workspace {
  const ws: Workspace = { files: [], byAbs: new Map(), entries: [], diagnostics: [], imports: new Map() };
  const onStack = new Set<string>();
  const doParse = (display: string, text: string) => (cache ? cache.get(display, text) : parse(text, display));

  const visit = (lf: LoadedFile) => {
    onStack.add(lf.abs);
    const deps: string[] = [];
    ws.imports.set(lf.abs, deps);
    for (const stmt of lf.parsed.statements) {
      if (keywordOf(stmt) !== 'import') {
        ws.entries.push({ file: lf, stmt });
        continue;
      }
      ws.entries.push({ file: lf, stmt });
      const arg = stmt.args.find((a) => !a.key);
      const s = arg?.value.items[0];
      if (!s || !s.quoted || s.unterminated || stmt.block || stmt.args.length !== 1 || arg.value.items.length !== 1)
        continue; // MT102/MT113 from validation
      const abs = path.resolve(path.dirname(lf.abs), s.text);
      const display = path.isAbsolute(s.text) ? path.normalize(s.text) : path.join(path.dirname(lf.display), s.text);
      deps.push(abs);
      if (onStack.has(abs)) {
        const chain = [...onStack].slice([...onStack].indexOf(abs)).map((p) => ws.byAbs.get(p)?.display ?? p);
        ws.diagnostics.push({
          code: 'MT110',
          severity: 'error',
          file: lf.display,
          range: s.range,
          message: `import cycle: ${[...chain, display].join(' -> ')}; this import is skipped`,
        });
        continue;
      }
      if (ws.byAbs.has(abs)) continue; // already loaded: its declarations count once, at the first import
      const text = host.readFile(abs);
      if (typeof text !== 'string') {
        ws.diagnostics.push({
          code: 'MT110',
          severity: 'error',
          file: lf.display,
          range: s.range,
          message: `cannot import '${s.text}': ${text?.refused ?? 'no such file'} (${display}); nothing is read from it`,
        });
        continue;
      }
      const child: LoadedFile = { abs, display, parsed: doParse(display, text) };
      ws.files.push(child);
      ws.byAbs.set(abs, child);
      visit(child);
    }
    onStack.delete(lf.abs);
  };

  for (const r of roots) {
    const abs = path.resolve(r.abs);
    if (ws.byAbs.has(abs)) continue;
    const text = r.text ?? host.readFile(abs);
    if (typeof text !== 'string') continue;
    const lf: LoadedFile = { abs, display: r.display, parsed: doParse(r.display, text) };
    ws.files.push(lf);
    ws.byAbs.set(abs, lf);
    visit(lf);
  }
  return ws;
}
