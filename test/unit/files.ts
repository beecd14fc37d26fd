// Writing test files on disk (a real directory: imports and the CLI read files).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Write `text` to `rel` under `dir` (directories made as needed); returns the file's path. */
export function writeUnder(dir: string, rel: string, text: string): string {
  const f = path.join(dir, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
}
