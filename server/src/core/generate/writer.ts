// Writing generated files: only inside the output folder, atomically, and
// never over a file mailtopo did not write.
//
// - A path must be relative, '/'-separated, without '.', '..' or empty parts.
// - Every parent folder is checked with lstat and realpath: a symbolic link
//   that leads out of the output folder (or is not a folder) stops the write.
// - Files are written into a staging folder inside the output folder (O_EXCL)
//   and renamed over the old ones, so readers never see half a file and a
//   link at the target's name is replaced, never followed; a run that fails
//   part way puts the old files back (all or nothing).
// - An existing file whose FIRST LINE is not the mailtopo marker is never
//   replaced without `force`. All checks happen before anything is written:
//   a refused run writes nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isGeneratedByMailtopo, type GeneratedFile } from './common';

export class WriteRefused extends Error {
  constructor(public problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface WriteOptions {
  force?: boolean;
}
export interface WriteResult {
  /** Relative paths written (created or changed). */
  written: string[];
  /** Relative paths whose content was already the same. */
  unchanged: string[];
  /** The real path of the output folder. */
  root: string;
}

/** Why a generated file's relative path is unacceptable, or undefined. */
export function badRelPath(p: string): string | undefined {
  if (typeof p !== 'string' || !p.length) return 'an empty path';
  if (p.length > 1024) return 'a path that is too long';
  if (p.includes('\0')) return 'a path with a NUL character';
  if (p.includes('\\')) return 'a path with a backslash';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'an absolute path';
  for (const seg of p.split('/')) {
    if (!seg.length) return 'a path with an empty part';
    if (seg === '.' || seg === '..') return `a path with '${seg}'`;
  }
  return undefined;
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The real path of folder `rel` (a '/'-separated folder path) under root, or
 * a problem. Missing folders are fine (`create` makes them when true).
 */
function resolveDir(root: string, rel: string, create: boolean): { dir?: string; problem?: string } {
  let cur = root;
  if (!rel) return { dir: root };
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const shown = parts.slice(0, i + 1).join('/');
    const next = path.join(cur, parts[i]);
    let st = lstatOrUndefined(next);
    if (!st) {
      if (!create) return { dir: path.join(cur, ...parts.slice(i)) }; // nothing below exists yet
      try {
        fs.mkdirSync(next);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      st = fs.lstatSync(next);
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = fs.realpathSync(next);
      } catch {
        return { problem: `${shown} is a symbolic link that leads nowhere` };
      }
      if (!within(root, real)) return { problem: `${shown} is a symbolic link out of the output folder (to ${real})` };
      if (!fs.statSync(real).isDirectory()) return { problem: `${shown} is not a folder` };
      cur = real;
      continue;
    }
    if (!st.isDirectory()) return { problem: `${shown} exists and is not a folder` };
    const real = fs.realpathSync(next);
    if (!within(root, real)) return { problem: `${shown} leads out of the output folder` };
    cur = real;
  }
  return { dir: cur };
}

/** Write files under outDir (created if missing). Throws WriteRefused with every problem when any file may not be written. */
export function writeGenerated(outDir: string, files: GeneratedFile[], opts: WriteOptions = {}): WriteResult {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const bad = badRelPath(f.path);
    if (bad) problems.push(`refusing to write ${JSON.stringify(f.path)}: ${bad}`);
    else if (seen.has(f.path)) problems.push(`refusing to write ${f.path} twice`);
    seen.add(f.path);
  }
  if (problems.length) throw new WriteRefused(problems);

  fs.mkdirSync(outDir, { recursive: true });
  const root = fs.realpathSync(outDir);
  if (!fs.statSync(root).isDirectory()) throw new WriteRefused([`${outDir} is not a folder`]);

  // Plan: every check before any write.
  interface Plan {
    file: GeneratedFile;
    existing?: string;
  }
  const plans: Plan[] = [];
  for (const f of files) {
    const dirRel = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
    const r = resolveDir(root, dirRel, false);
    if (r.problem) {
      problems.push(`refusing to write ${f.path}: ${r.problem}`);
      continue;
    }
    const target = path.join(r.dir!, path.basename(f.path));
    const st = lstatOrUndefined(target);
    if (!st) {
      plans.push({ file: f });
      continue;
    }
    if (st.isSymbolicLink()) {
      if (!opts.force) {
        problems.push(
          `refusing to replace ${f.path}: it is a symbolic link, not a file mailtopo wrote (use --force to replace the link)`,
        );
        continue;
      }
      plans.push({ file: f });
      continue;
    }
    if (!st.isFile()) {
      problems.push(`refusing to write ${f.path}: something other than a file is there`);
      continue;
    }
    let existing: string | undefined;
    try {
      existing = fs.readFileSync(target, 'utf8');
    } catch (e) {
      problems.push(`refusing to replace ${f.path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    if (!isGeneratedByMailtopo(existing) && !opts.force) {
      problems.push(`refusing to replace ${f.path}: it was not generated by mailtopo (use --force to overwrite)`);
      continue;
    }
    plans.push({ file: f, existing });
  }
  if (problems.length) throw new WriteRefused(problems);

  const written: string[] = [];
  const unchanged: string[] = [];
  const changed: Plan[] = [];
  for (const p of plans) {
    if (p.existing === p.file.content) unchanged.push(p.file.path);
    else changed.push(p);
  }
  if (changed.length)
    commit(
      root,
      changed.map((p) => p.file),
    );
  for (const p of changed) written.push(p.file.path);
  return { written, unchanged, root };
}

const rmQuiet = (p: string, dir = false) => {
  try {
    if (dir) fs.rmSync(p, { recursive: true, force: true });
    else fs.unlinkSync(p);
  } catch {
    /* gone already */
  }
};

/**
 * All or nothing: every file is written into a staging folder inside the
 * output folder first, every target folder is made and checked writable, and
 * only then is each file renamed into place (the old one kept aside until the
 * end). A failure at any step undoes what was done, so the output folder
 * holds what it held before.
 */
function commit(root: string, files: GeneratedFile[]): void {
  const stage = fs.mkdtempSync(path.join(root, `.mailtopo-staging-${process.pid}-`));
  const madeDirs: string[] = [];
  const done: Array<{ target: string; backup?: string }> = [];
  try {
    const staged = files.map((f, i) => {
      const tmp = path.join(stage, `new-${i}`);
      const fd = fs.openSync(tmp, 'wx', 0o644);
      try {
        fs.writeSync(fd, f.content);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return tmp;
    });
    const targets = files.map((f) => {
      const dirRel = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '';
      for (const d of missingDirs(root, dirRel)) madeDirs.push(d);
      const r = resolveDir(root, dirRel, true);
      if (r.problem) throw new WriteRefused([`refusing to write ${f.path}: ${r.problem}`]);
      fs.accessSync(r.dir!, fs.constants.W_OK); // a read-only folder fails here, before any file moves
      return path.join(r.dir!, path.basename(f.path));
    });
    targets.forEach((target, i) => {
      const backup = lstatOrUndefined(target) ? path.join(stage, `old-${i}`) : undefined;
      if (backup) fs.renameSync(target, backup);
      done.push({ target, backup });
      fs.renameSync(staged[i], target);
    });
  } catch (e) {
    for (const d of done.reverse()) {
      try {
        if (d.backup) fs.renameSync(d.backup, d.target);
        else rmQuiet(d.target);
      } catch {
        /* best effort: the old file stays in the staging folder, which is then kept */
        return rethrowKeeping(e, stage);
      }
    }
    for (const d of madeDirs.reverse()) rmQuiet(d, true);
    rmQuiet(stage, true);
    throw e;
  }
  rmQuiet(stage, true);
}

function rethrowKeeping(e: unknown, stage: string): never {
  if (e instanceof Error) e.message += ` (previous files are kept in ${stage})`;
  throw e;
}

/** The folders of `rel` under root that do not exist yet, outermost first. */
function missingDirs(root: string, rel: string): string[] {
  const out: string[] = [];
  if (!rel) return out;
  let cur = root;
  for (const part of rel.split('/')) {
    cur = path.join(cur, part);
    if (!lstatOrUndefined(cur)) out.push(cur);
  }
  return out;
}
