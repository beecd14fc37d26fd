// The one way mailtopo reads a .mailtopo file from disk (CLI files, imports,
// the language server's imports): only a regular file of at most 10 MB, and
// for imports only inside the workspace root (LANGUAGE.md §3 Imports). A FIFO
// must never block (stat first, open O_NONBLOCK, fstat the open file), a
// device or a /proc file must never be read without end (every read is capped
// whatever size the file reports), and a symbolic link counts where it leads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileHost } from './workspace';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The text of a file, or why it was not read. */
export type ReadOutcome = { text: string } | { refused: string };

const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
  EISDIR: 'it is a directory',
};

const reasonOf = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  return ERRNO_REASONS[code] ?? `read error${code ? ` (${code})` : ''}`;
};

// procfs and sysfs report size 0 (or 4096) for files whose content is generated without end
const PSEUDO_FS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x64626720 /* debugfs */]);

/** Why a stat'ed path is not a readable .mailtopo file, or undefined when it is. */
function refusalOf(st: fs.Stats): string | undefined {
  if (st.isDirectory()) return 'it is a directory';
  if (st.isFIFO()) return 'it is a FIFO, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'it is a device, not a regular file';
  if (!st.isFile()) return 'it is not a regular file';
  if (st.size > MAX_FILE_BYTES) return 'it is larger than 10 MB';
  return undefined;
}

function isPseudoFile(file: string): boolean {
  if (/^\/(proc|sys)(\/|$)/.test(file)) return true;
  try {
    return PSEUDO_FS.has(Number(fs.statfsSync(file).type));
  } catch {
    return false;
  }
}

/**
 * Check `file` without reading it: the refusal reason (a FIFO, a device, a
 * directory, a /proc file, over 10 MB, missing) or undefined when it may be read.
 */
export function checkReadable(file: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    return reasonOf(e);
  }
  const why = refusalOf(st);
  if (why) return why;
  if (isPseudoFile(fs.realpathSync(file))) return 'it is a /proc or /sys file, not a regular file';
  return undefined;
}

/** Read a regular file of at most 10 MB (UTF-8, without its byte-order mark); anything else is refused unread. */
export function readRegularFile(file: string): ReadOutcome {
  const why = checkReadable(file);
  if (why) return { refused: why };
  let fd: number | undefined;
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since the stat, open does not wait for a writer
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    const again = refusalOf(fs.fstatSync(fd));
    if (again) return { refused: again };
    // a hard cap whatever size the file reports: one byte more than allowed tells "too large"
    const chunks: Buffer[] = [];
    let len = 0;
    while (len <= MAX_FILE_BYTES) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_FILE_BYTES + 1 - len));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      len += n;
    }
    if (len > MAX_FILE_BYTES) return { refused: 'it is larger than 10 MB' };
    const buf = Buffer.concat(chunks, len);
    const text = buf.toString('utf8');
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (e) {
    return { refused: reasonOf(e) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const inside = (root: string, p: string): boolean => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * The workspace root for a CLI file: `--root` when given, else the current
 * directory when the file lies inside it, else the file's own directory.
 */
export function cliRoot(file: string, root?: string, cwd = process.cwd()): string {
  if (root !== undefined) return path.resolve(cwd, root);
  const abs = path.resolve(cwd, file);
  return inside(cwd, abs) ? path.resolve(cwd) : path.dirname(abs);
}

/**
 * The workspace root for an editor document: the innermost workspace folder
 * holding it, or (no folder holds it) the document's own directory.
 */
export function editorRoot(file: string, folders: readonly string[]): string {
  let best: string | undefined;
  for (const f of folders) if (inside(f, file) && (!best || f.length > best.length)) best = f;
  return best ?? path.dirname(file);
}

/**
 * A file host for one workspace root: an import is read only when it lies
 * inside the root (symbolic links resolved) and is a regular file ≤ 10 MB.
 * `overlay` gives the text of files held in memory (open editor documents);
 * they pass the same root check.
 */
export function rootedFileHost(root: string, overlay?: (abs: string) => string | undefined): FileHost {
  const absRoot = path.resolve(root);
  let realRoot: string | undefined;
  return {
    readFile(abs: string) {
      if (!inside(absRoot, abs)) return { refused: `it is outside the workspace root ${absRoot}` };
      const mem = overlay?.(abs);
      if (mem !== undefined) return mem;
      let real: string;
      try {
        real = fs.realpathSync(abs);
        realRoot ??= fs.realpathSync(absRoot);
      } catch (e) {
        return { refused: reasonOf(e) };
      }
      if (!inside(realRoot, real))
        return { refused: `it is a symbolic link to ${real}, outside the workspace root ${absRoot}` };
      const r = readRegularFile(real);
      return 'text' in r ? r.text : r;
    },
  };
}

/** The workspace folders of an LSP `initialize` request as paths (file URIs only; `rootUri` when no folders). */
export function folderPaths(init: {
  workspaceFolders?: ReadonlyArray<{ uri: string }> | null;
  rootUri?: string | null;
}): string[] {
  const uris = init.workspaceFolders?.map((f) => f.uri) ?? (init.rootUri ? [init.rootUri] : []);
  const out: string[] = [];
  for (const u of uris) {
    try {
      if (u.startsWith('file:')) out.push(path.resolve(fileURLToPath(u)));
    } catch {
      // not a local folder: it holds no file we read
    }
  }
  return out;
}
