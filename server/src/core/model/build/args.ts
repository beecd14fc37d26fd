// Reading a checked statement's arguments. Plain loops, no arrays made per
// call: these run for every statement of every file.
import type { Arg, Scalar, Statement } from '../../syntax/ast';
import { argAt, argCount, itemAt, itemCount } from '../../syntax/parser';
import { normalizeHost } from '../names';
import type { Build } from './context';
import { NO_STRINGS } from './objects';

const NONE: Scalar[] = [];

/** The first `key=` option before argument index `before` (a repeat is MT107 on the later one). */
export function firstOption(st: Statement, key: string, before: number): Arg | undefined {
  for (let i = 0; i < before; i++) {
    const a = argAt(st, i);
    if (a.key?.text === key) return a;
  }
  return undefined;
}

export function firstPositional(st: Statement): Arg | undefined {
  for (let i = 0, n = argCount(st); i < n; i++) {
    const a = argAt(st, i);
    if (!a.key) return a;
  }
  return undefined;
}

/** The positional argument after the first (`mx 10 TARGET`, `attachments block EXTS`). */
export function secondPositional(st: Statement): Arg | undefined {
  let seen = false;
  for (let i = 0, n = argCount(st); i < n; i++) {
    const a = argAt(st, i);
    if (a.key) continue;
    if (seen) return a;
    seen = true;
  }
  return undefined;
}

export function first(st: Statement): Scalar | undefined {
  const a = firstPositional(st);
  return a ? itemAt(a, 0) : undefined;
}

/** The first argument's items. */
export function firstList(st: Statement): Scalar[] {
  return firstPositional(st)?.value.items ?? NONE;
}

/** The items of `a`, or none. */
export function itemsOf(a: Arg | undefined): Scalar[] {
  return a?.value.items ?? NONE;
}

export function optArg(st: Statement, key: string): Arg | undefined {
  return firstOption(st, key, argCount(st));
}

export function optFirst(st: Statement, key: string): Scalar | undefined {
  const a = optArg(st, key);
  return a ? itemAt(a, 0) : undefined;
}

function shared<K, T>(map: Map<K, T[]>, key: K, l: T[]): T[] {
  const had = map.get(key);
  if (had) return had;
  map.set(key, Object.freeze(l) as T[]);
  return l;
}

/** The first argument's items as domain patterns: lower-cased, no trailing dot, shared between equal lists. */
export function patternList(b: Build, st: Statement): string[] {
  const a = firstPositional(st);
  if (!a) return NO_STRINGS;
  const n = itemCount(a);
  if (n === 1) {
    const t = normalizeHost(itemAt(a, 0)!.text);
    return b.sharedStrings.get(t) ?? shared(b.sharedStrings, t, [t]);
  }
  const l = a.value.items.map((x) => normalizeHost(x.text));
  return shared(b.sharedStrings, l.join('\n') + '\n', l); // (a one-item key has no line break)
}

/** The first argument's items as numbers (ports), shared between equal lists. */
export function numberList(b: Build, st: Statement): number[] {
  const a = firstPositional(st);
  if (!a) return [];
  if (itemCount(a) === 1) {
    const v = Number(itemAt(a, 0)!.text);
    return b.sharedNumbers.get(v) ?? shared(b.sharedNumbers, v, [v]);
  }
  const l = a.value.items.map((x) => Number(x.text));
  return shared(b.sharedNumbers, l.join(','), l);
}

/** Statement `a` stands before `b` in the file. */
export function before(a: Statement, b: Statement): boolean {
  const x = a.range.start,
    y = b.range.start;
  return x.line < y.line || (x.line === y.line && x.character < y.character);
}
