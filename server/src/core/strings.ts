// String memory, where it matters: long-lived strings made from others.

/**
 * A copy of `s` in memory of its own, flat. V8 keeps a slice of a long string
 * as a pointer into its parent, and a concatenation as a tree of its pieces:
 * either keeps more alive than the text. Concatenating and then slicing makes
 * a new string that the slice flattens into fresh memory. Used for parse
 * chunks kept across edits (features/incremental.ts) and for diagnostic
 * messages that outlive the pieces they were built from (rules/admission.ts).
 */
export function detached(s: string): string {
  return (' ' + s).slice(1);
}
