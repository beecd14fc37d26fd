// Go to definition: a reference goes to its declaration, an `import` string to
// the imported file, a declaration's name to itself.
import type { Position } from 'vscode-languageserver-types';
import * as path from 'node:path';
import type { FeatureContext, FileLocation } from './context';
import { declAt, hitAt } from './locate';

/** Locations by display path; `abs` is set for a file that is not in the workspace (a missing import). */
export function definition(ctx: FeatureContext, pos: Position): Array<FileLocation & { abs?: string }> {
  const d = declAt(ctx.model, ctx.file, pos);
  if (d) return [{ file: d.decl.file, range: d.decl.nameRange }];
  const hit = hitAt(ctx.parsed, pos);
  if (hit?.role === 'value' && hit.path.length === 1 && hit.stmt.keyword.text === 'import' && hit.scalar.quoted) {
    const abs = path.resolve(path.dirname(ctx.abs), hit.scalar.text);
    const lf = ctx.workspace.byAbs.get(abs);
    const start = { line: 0, character: 0 };
    return [{ file: lf?.display ?? abs, abs, range: { start, end: start } }];
  }
  return [];
}
