// Finding things at a position: the statement path, the scalar under the
// cursor and what it is (keyword, option key, value), the block kind.
import type { Arg, ParsedFile, Scalar, Statement } from '../syntax/ast';
import type { Position, Range } from '../diagnostic';
import {
  SCHEMA,
  TOP_LEVEL_KEYWORDS,
  type BlockKind,
  type StatementSpec,
  type ValueType,
  type OptionSpec,
} from '../schema/schema';
import type { Decl, Model, Reference } from '../model/types';

export const cmpPos = (a: Position, b: Position): number => a.line - b.line || a.character - b.character;
/** Inclusive of both ends: a cursor right after a word still touches it. */
export const touches = (r: Range, p: Position): boolean => cmpPos(r.start, p) <= 0 && cmpPos(p, r.end) <= 0;
/** Strictly inside or at the start (for picking one of two adjacent words). */
export const containsHalfOpen = (r: Range, p: Position): boolean => cmpPos(r.start, p) <= 0 && cmpPos(p, r.end) < 0;
export const sameRange = (a: Range, b: Range): boolean => cmpPos(a.start, b.start) === 0 && cmpPos(a.end, b.end) === 0;

export function blockKindOf(top: Statement | undefined): BlockKind | undefined {
  if (!top) return undefined;
  const kw = top.keyword.text;
  return kw !== 'import' && TOP_LEVEL_KEYWORDS.includes(kw) ? (kw as BlockKind) : undefined;
}

/** Index of the last statement starting at or before `pos` (binary search; statements are in text order). */
export function lastStartingBefore(list: Statement[], pos: Position): number {
  let lo = 0,
    hi = list.length - 1,
    ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cmpPos(list[mid].range.start, pos) <= 0) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The statements containing `pos`, outermost first (a statement contains its block). */
export function statementPath(p: ParsedFile, pos: Position): Statement[] {
  const out: Statement[] = [];
  let list = p.statements;
  for (;;) {
    const i = lastStartingBefore(list, pos);
    if (i < 0) break;
    const s = list[i];
    if (
      !touches(s.range, pos) &&
      !(
        s.block &&
        !s.block.close &&
        cmpPos(s.block.open.end, pos) <= 0 &&
        (i + 1 >= list.length || cmpPos(pos, list[i + 1].range.start) < 0)
      )
    )
      break;
    out.push(s);
    if (!s.block) break;
    list = s.block.statements;
  }
  return out;
}

export type Hit =
  | { role: 'keyword'; scalar: Scalar; stmt: Statement; path: Statement[] }
  | { role: 'key'; scalar: Scalar; stmt: Statement; arg: Arg; path: Statement[] }
  | {
      role: 'value';
      scalar: Scalar;
      stmt: Statement;
      arg: Arg;
      /** positional index, or -1 for an option value */ argIndex: number;
      itemIndex: number;
      path: Statement[];
    };

/** The scalar under `pos` (touching it), with what it is. */
export function hitAt(p: ParsedFile, pos: Position): Hit | undefined {
  const path = statementPath(p, pos);
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const stmt = path[depth];
    const upto = path.slice(0, depth + 1);
    const found: Hit[] = [];
    if (touches(stmt.keyword.range, pos)) found.push({ role: 'keyword', scalar: stmt.keyword, stmt, path: upto });
    let posIdx = 0;
    for (const arg of stmt.args) {
      const idx = arg.key ? -1 : posIdx++;
      if (!touches(arg.range, pos)) continue;
      if (arg.key && touches(arg.key.range, pos)) found.push({ role: 'key', scalar: arg.key, stmt, arg, path: upto });
      arg.value.items.forEach((s, itemIndex) => {
        if (touches(s.range, pos))
          found.push({ role: 'value', scalar: s, stmt, arg, argIndex: idx, itemIndex, path: upto });
      });
    }
    if (found.length) {
      // two words touching the cursor (`a,b` with the cursor on the comma's side): prefer the one it is inside
      return found.find((h) => containsHalfOpen(h.scalar.range, pos)) ?? found[found.length - 1];
    }
  }
  return undefined;
}

/** The schema entry of a statement inside a top-level declaration (undefined at top level or in unknown places). */
export function specOf(path: Statement[], stmt: Statement): { kind: BlockKind; spec: StatementSpec } | undefined {
  const i = path.indexOf(stmt);
  if (i !== 1) return undefined;
  const kind = blockKindOf(path[0]);
  if (!kind) return undefined;
  const spec = SCHEMA[kind].statements[stmt.keyword.text];
  return spec ? { kind, spec } : undefined;
}

/** The value type a hit stands in (positional argument or option), when the schema knows it. */
export function valueTypeOf(
  hit: Hit,
): { type: ValueType; option?: OptionSpec; spec: StatementSpec; kind: BlockKind } | undefined {
  if (hit.role !== 'value') return undefined;
  const s = specOf(hit.path, hit.stmt);
  if (!s) return undefined;
  if (hit.argIndex < 0) {
    const o = s.spec.options?.[hit.arg.key!.text];
    return o ? { type: o.type, option: o, spec: s.spec, kind: s.kind } : undefined;
  }
  const a = s.spec.args[hit.argIndex];
  return a ? { type: a.type, spec: s.spec, kind: s.kind } : undefined;
}

/** The reference whose range is the scalar at `pos` in `file`. */
export function referenceAt(model: Model, file: string, pos: Position): Reference | undefined {
  for (const r of model.references) if (r.file === file && touches(r.range, pos)) return r;
  return undefined;
}

/** The declaration whose name is at `pos` in `file`. */
export function declNameAt(model: Model, file: string, pos: Position): Decl | undefined {
  for (const d of model.decls) if (d.file === file && touches(d.nameRange, pos)) return d;
  return undefined;
}

/** The declaration a position designates: a reference to it, or its name. */
export function declAt(
  model: Model,
  file: string,
  pos: Position,
): { decl: Decl; range: Range; isReference: boolean } | undefined {
  const r = referenceAt(model, file, pos);
  if (r) return { decl: r.target, range: r.range, isReference: true };
  const d = declNameAt(model, file, pos);
  if (d) return { decl: d, range: d.nameRange, isReference: false };
  return undefined;
}

/** The top-level declaration statement enclosing a position (or the one whose name range is given). */
export function enclosingDecl(p: ParsedFile, pos: Position): Statement | undefined {
  return statementPath(p, pos)[0];
}
