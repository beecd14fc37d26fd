// `--force` generates from a topology with errors: whatever parsed is used,
// unresolved references and missing statements are left out, and no
// generator ever fails with anything but a GenerateError (a refused value).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { checkText } from '../../../server/src/core/check';
import { generate, TARGETS } from '../../../server/src/core/generate/index';
import { checkFile } from './formats';

const BASE = fs.readFileSync('test/fixtures/generate/topology.mailtopo', 'utf8').split('\n');
const WORDS = ['x', 'none', 'any', 'direct', '10.0.0.0/8', 'a.example', '*', '25', 'gw1', 'hub1', 'strict'];

describe('generate: --force on broken topologies', function () {
  this.timeout(60000);
  it('lines dropped or words replaced: every generator still returns files that keep their grammar', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...WORDS)), {
          minLength: BASE.length,
          maxLength: BASE.length,
        }),
        async (plan) => {
          const lines = BASE.flatMap((l, i) => {
            const [keep, p, w] = plan[i];
            if (!keep && p < 0.3) return [];
            return [p > 0.9 ? l.replace(/[\w.*/-]+$/, w) : l];
          });
          const r = checkText(lines.join('\n'), 'broken.mailtopo');
          const { files } = await generate(
            r.model,
            TARGETS.filter((t) => t !== 'svg'),
            { source: 'broken.mailtopo' },
          );
          for (const f of files) assert.equal(checkFile(f.path, f.content), undefined, f.path);
        },
      ),
      { numRuns: 120, seed: 3 },
    );
  });
});
