// Reading a declaration again only when its statement changed. The editor's
// incremental parse keeps the statement objects of every chunk an edit did
// not touch (moved in place when lines above it changed), so a build can take
// what reading such a statement produced last time: the declaration object,
// the schema diagnostics of its block, the references it recorded. Only the
// cross-declaration work runs again on every build: MT104 duplicates, the
// order, resolving references, the passes after.
//
// Resolving writes into the declaration objects (a hop's node, a pool's
// members, a member's pools, a network reference; finishNodes sets each rule's
// `from=` set again from its sources), so a
// reused declaration is first put back as reading left it. One cache per
// editor root (see server/src/analysis.ts): a declaration object belongs to
// one model at a time, the latest build of that root.
import type { MtDiagnostic } from '../../diagnostic';
import type { Statement } from '../../syntax/ast';
import { isNode, type Decl, type NodeDecl } from '../types';
import type { LoadedFile } from '../workspace';
import type { Build } from './context';
import { NO_NODES } from './objects';
import type { Pending } from './pending';

/** What reading one declaration statement produced, as reading left it (before any resolution). */
export interface ReadDeclaration {
  file: string;
  decl: Decl;
  /** Its name was valid, so it was declared (MT104 is decided again on every build). */
  declared: boolean;
  /** Diagnostics of its head (before declaring) and of its block (after). */
  head: MtDiagnostic[];
  body: MtDiagnostic[];
  pending: Pending[];
  /** The value each pending reference's target field had before resolution. */
  unresolved: unknown[];
  requiredHostname: boolean;
}

/** Per editor root: reading of each declaration statement, kept while the statement object lives. */
export class BuildCache {
  readonly byStmt = new WeakMap<Statement, ReadDeclaration>();
  /** Declarations read again / reused in the last build (tests, bench). */
  read = 0;
  reused = 0;
}

/** Record what reading `decl` produced (call before references are resolved). */
export function remember(b: Build, stmt: Statement, r: Omit<ReadDeclaration, 'unresolved'>): void {
  const cache = b.reuse!;
  cache.byStmt.set(stmt, { ...r, unresolved: r.pending.map((p) => p.current()) });
  cache.read++;
}

/** Take the declaration of `stmt` as last read, put back as reading left it; false when it must be read. */
export function reuseDeclaration(b: Build, lf: LoadedFile, stmt: Statement, declare: (d: Decl) => void): boolean {
  const e = b.reuse?.byStmt.get(stmt);
  if (!e || e.file !== lf.display) return false;
  const d = e.decl;
  d.order = b.order++;
  d.doc = stmt.leadingComments; // the comments above a chunk's first statement are assigned per parse
  const pending = e.pending;
  for (let i = 0; i < pending.length; i++) {
    pending[i].restore(e.unresolved[i]);
    b.pending.push(pending[i]);
  }
  // a pool's members come back with its own references above; a member's pools are written by
  // the pools that name it, so they start empty again
  if (isNode(d)) d.pools = NO_NODES;
  for (let i = 0; i < e.head.length; i++) b.diags.push(e.head[i]);
  if (!stmt.block) b.blockless = lf;
  if (e.declared) declare(d);
  for (let i = 0; i < e.body.length; i++) b.diags.push(e.body[i]);
  if (e.requiredHostname) b.requiredHostname.push(d as NodeDecl);
  b.reuse!.reused++;
  return true;
}
