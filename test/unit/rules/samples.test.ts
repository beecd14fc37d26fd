// Every sample topology checks without an error (warnings are allowed: a
// sample may show a single point of failure on purpose). Samples in a
// sub-folder are checked from their root files (those no other file imports).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFiles } from '../../../server/src/core/check';

const SAMPLES = path.resolve('samples');

function sampleRoots(): string[] {
  if (!fs.existsSync(SAMPLES)) return [];
  const roots: string[] = [];
  const visit = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    const files = entries.filter((e) => e.isFile() && e.name.endsWith('.mailtopo')).map((e) => path.join(dir, e.name));
    const imported = new Set<string>();
    for (const f of files) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/^import\s+"([^"]+)"/gm))
        imported.add(path.resolve(dir, m[1]));
    }
    roots.push(...files.filter((f) => !imported.has(path.resolve(f))));
    for (const e of entries) if (e.isDirectory()) visit(path.join(dir, e.name));
  };
  visit(SAMPLES);
  return roots.sort();
}

describe('rules: the samples', () => {
  const roots = sampleRoots();
  if (!roots.length) {
    it('no samples/*.mailtopo yet', function () {
      this.skip();
    });
    return;
  }
  for (const f of roots) {
    it(`${path.relative(process.cwd(), f)} has no error`, () => {
      const r = checkFiles([{ path: path.relative(process.cwd(), f) }]);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(
        errors.map((d) => `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`),
        [],
      );
    });
  }
});
