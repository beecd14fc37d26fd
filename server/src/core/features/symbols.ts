// Document symbols (hierarchical: declarations, then their statements) and
// workspace symbols (every declaration of the checked workspaces).
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver-types';
import type { Statement } from '../syntax/ast';
import type { Decl } from '../model/types';
import type { FeatureContext, FileLocation } from './context';
import { declSummaryLine } from './docs';

export const SYMBOL_KIND: Record<string, SymbolKind> = {
  options: SymbolKind.Module,
  import: SymbolKind.File,
  network: SymbolKind.Struct,
  domain: SymbolKind.Namespace,
  gateway: SymbolKind.Class,
  pool: SymbolKind.Array,
  server: SymbolKind.Class,
  policy: SymbolKind.Interface,
  external: SymbolKind.Object,
};

const clip = (s: string, n = 60) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const nonEmpty = (r: Range, fallback: Range): Range =>
  r.start.line === r.end.line && r.start.character === r.end.character ? fallback : r;

function statementText(s: Statement): string {
  const args = s.args.map((a) => {
    const v = a.value.items.map((x) => (x.quoted ? JSON.stringify(x.text) : x.text)).join(', ');
    return a.key ? `${a.key.text}=${v}` : v;
  });
  return clip([s.keyword.text, ...args].join(' '));
}

function childSymbol(s: Statement): DocumentSymbol {
  const sym: DocumentSymbol = {
    name: statementText(s),
    kind: SymbolKind.Property,
    range: s.range,
    selectionRange: s.keyword.range,
  };
  if (s.block?.statements.length) sym.children = s.block.statements.map(childSymbol);
  return sym;
}

export function documentSymbols(ctx: FeatureContext): DocumentSymbol[] {
  const byStmt = new Map<Statement, Decl>();
  for (const d of ctx.model.decls) if (d.file === ctx.file) byStmt.set(d.stmt, d);
  const out: DocumentSymbol[] = [];
  for (const s of ctx.parsed.statements) {
    const kw = s.keyword.text;
    const nameScalar = s.args.find((a) => !a.key)?.value.items[0];
    const decl = byStmt.get(s);
    const name =
      kw === 'options'
        ? 'options'
        : kw === 'import'
          ? `import ${nameScalar ? JSON.stringify(nameScalar.text) : ''}`
          : (nameScalar?.text ?? kw);
    const sym: DocumentSymbol = {
      name: name || kw,
      detail: decl ? declSummaryLine(decl).slice(decl.kind.length + decl.name.length + 2) || kw : kw,
      kind: SYMBOL_KIND[kw] ?? SymbolKind.Key,
      range: s.range,
      selectionRange: nonEmpty(nameScalar && kw !== 'import' ? nameScalar.range : s.keyword.range, s.keyword.range),
    };
    if (decl) sym.detail = `${kw}${sym.detail && sym.detail !== kw ? ' ' + sym.detail : ''}`;
    if (s.block?.statements.length) sym.children = s.block.statements.map(childSymbol);
    out.push(sym);
  }
  return out;
}

export interface WorkspaceSymbolResult extends FileLocation {
  name: string;
  kind: SymbolKind;
  containerName?: string;
}

/** Fuzzy match: the query's characters in order, case-insensitive. */
export function fuzzy(query: string, name: string): boolean {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let i = 0;
  for (let j = 0; j < n.length && i < q.length; j++) if (n[j] === q[i]) i++;
  return i === q.length;
}

/** Declarations of the given checked workspaces matching `query`, each once. */
export function workspaceSymbols(decls: Iterable<Decl>, query: string, limit = 500): WorkspaceSymbolResult[] {
  const out: WorkspaceSymbolResult[] = [];
  const seen = new Set<string>();
  for (const d of decls) {
    const key = `${d.file}\0${d.nameRange.start.line}\0${d.nameRange.start.character}`;
    if (seen.has(key) || !fuzzy(query, d.name)) continue;
    seen.add(key);
    out.push({
      name: d.name,
      kind: SYMBOL_KIND[d.kind] ?? SymbolKind.Key,
      containerName: d.kind,
      file: d.file,
      range: d.nameRange,
    });
    if (out.length >= limit) break;
  }
  return out;
}
