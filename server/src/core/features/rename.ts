// Rename a declared name and every reference to it, across the workspace's
// files. Not for built-ins, keywords, enum values or domains (a domain is named
// by its DNS name, which other statements match as patterns, not references).
import type { Position, Range, TextEdit } from 'vscode-languageserver-types';
import { RESERVED_WORDS } from '../schema/schema';
import { isName } from '../schema/values';
import type { FeatureContext } from './context';
import { declAt, hitAt } from './locate';
import { referencesTo } from './references';

export class RenameError extends Error {}

export interface PrepareRenameResult {
  range: Range;
  placeholder: string;
}

/** The range and current name to rename at `pos`; throws RenameError with a reason when nothing there can be renamed. */
export function prepareRename(ctx: FeatureContext, pos: Position): PrepareRenameResult {
  const d = declAt(ctx.model, ctx.file, pos);
  if (!d) {
    const hit = hitAt(ctx.parsed, pos);
    if (!hit) throw new RenameError('Nothing to rename here.');
    if (hit.role === 'keyword' || hit.role === 'key')
      throw new RenameError(`'${hit.scalar.text}' is a keyword of the language and cannot be renamed.`);
    if (RESERVED_WORDS.includes(hit.scalar.text))
      throw new RenameError(`'${hit.scalar.text}' is built in and cannot be renamed.`);
    throw new RenameError(`'${hit.scalar.text}' is not a declared name.`);
  }
  if (d.decl.kind === 'domain')
    throw new RenameError(
      `A domain is named by its DNS name: edit 'domain ${d.decl.name}' and the patterns that match it instead.`,
    );
  return { range: d.range, placeholder: d.decl.name };
}

/** Edits per file (display path) renaming the declaration at `pos` to `newName`. */
export function rename(ctx: FeatureContext, pos: Position, newName: string): Map<string, TextEdit[]> {
  const prep = prepareRename(ctx, pos);
  const decl = declAt(ctx.model, ctx.file, pos)!.decl;
  if (newName === prep.placeholder) return new Map();
  if (!isName(newName) || newName.includes('.'))
    throw new RenameError(`'${newName}' is not a valid name: letters, digits, '_' and '-', no dot.`);
  if (RESERVED_WORDS.includes(newName)) throw new RenameError(`'${newName}' is a reserved word.`);
  const clash = ctx.model.byName.get(newName);
  if (clash)
    throw new RenameError(
      `'${newName}' is already declared as a ${clash.kind} (${clash.file.split(/[\\/]/).pop()}:${clash.nameRange.start.line + 1}).`,
    );
  const out = new Map<string, TextEdit[]>();
  for (const loc of referencesTo(ctx, decl, true)) {
    const list = out.get(loc.file) ?? [];
    if (
      !list.some(
        (e) => e.range.start.line === loc.range.start.line && e.range.start.character === loc.range.start.character,
      )
    )
      list.push({ range: loc.range, newText: newName });
    out.set(loc.file, list);
  }
  return out;
}
