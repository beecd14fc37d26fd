// Find references: every reference to the declaration at the cursor, across the
// files of the workspace, and optionally the declaration itself.
import type { Position } from 'vscode-languageserver-types';
import type { Decl } from '../model/types';
import type { FeatureContext, FileLocation } from './context';
import { declAt } from './locate';

export function referencesTo(ctx: FeatureContext, decl: Decl, includeDeclaration: boolean): FileLocation[] {
  const out: FileLocation[] = [];
  if (includeDeclaration) out.push({ file: decl.file, range: decl.nameRange });
  for (const r of ctx.model.references) if (r.target === decl) out.push({ file: r.file, range: r.range });
  return out;
}

export function references(ctx: FeatureContext, pos: Position, includeDeclaration = true): FileLocation[] {
  const d = declAt(ctx.model, ctx.file, pos);
  if (!d || d.decl.kind === 'domain')
    return d ? (includeDeclaration ? [{ file: d.decl.file, range: d.decl.nameRange }] : []) : [];
  return referencesTo(ctx, d.decl, includeDeclaration);
}
