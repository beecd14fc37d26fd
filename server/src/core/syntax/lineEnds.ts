// The one definition of a line end (LANGUAGE.md §1): `\n`, `\r\n` or a lone
// `\r` — the three the LSP counts (and every editor), so the lexer, the
// parser's positions, the formatter and the features agree with the editor
// on which line a range is. A `\r\n` is one line end, never two.

/** A line end, as a regular-expression source (for token patterns). */
export const LINE_END_SOURCE = '\\r\\n|\\r|\\n';
/** Splits a text into its lines. */
export const LINE_END = /\r\n|\r|\n/;

export const isLineEndCode = (c: number): boolean => c === 10 || c === 13;

/** The text's first line end ('\n' when it has none): the formatter keeps the file's own. */
export function firstLineEnd(text: string): string {
  const m = LINE_END.exec(text);
  return m ? m[0] : '\n';
}

/** Line start offsets, in a typed array (4 bytes a line: the parser keeps them as long as the tree). */
export function computeLineStarts(text: string): Int32Array {
  // Almost every file has no '\r' at all, or only in '\r\n' pairs: indexOf('\n') is then exact and fast.
  if (!hasLoneCr(text)) {
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    for (let k = 1, i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    return starts;
  }
  const list = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) list.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      list.push(i + 1);
    }
  }
  return Int32Array.from(list);
}

/** A '\r' that is not followed by '\n' (a line end of its own). */
export function hasLoneCr(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1))
    if (text.charCodeAt(i + 1) !== 10) return true;
  return false;
}
