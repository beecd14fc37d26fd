// Small arrays that live as long as the model or a run's results.

/** The one shared empty list (frozen: replaced when something is added, never pushed to). */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * A copy of `a` with `x` appended, exactly as long as it needs to be. A
 * pushed-to array keeps room for 16 more elements, which adds up when a
 * topology keeps a short list per node; `concat` would do the same but
 * takes the generic path (ten times slower than this loop).
 */
export function appended<T>(a: readonly T[], x: T): T[] {
  const n = a.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = a[i];
  out[n] = x;
  return out;
}
