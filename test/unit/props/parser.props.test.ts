// Property tests: the parser and the checker never throw on any mutation of
// the samples, and every diagnostic range lies inside its document.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parse } from '../../../server/src/core/syntax/parser';
import { checkFiles, checkText } from '../../../server/src/core/check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { rangesInside } from '../syntax/helpers';
import { CODE_INFO } from '../../../server/src/core/codes';
import { NO_FILES, SAMPLES, applyMutation, mutatedSample, mutation, validDoc } from './gen';

const FILE = 'fuzz.mailtopo';

function checkInvariant(text: string): void {
  const p = parse(text, FILE);
  const bad = rangesInside(text, p.diagnostics, FILE);
  assert.equal(bad, undefined, bad);
  for (const d of p.diagnostics) assert.match(d.code, /^MT00[123]$/);
  const r = checkText(text, FILE, { host: NO_FILES });
  const bad2 = rangesInside(text, r.diagnostics, FILE);
  assert.equal(bad2, undefined, bad2);
  for (const d of r.diagnostics) {
    assert.notEqual(d.code, 'MT000', `a rule family threw: ${d.message}`);
    if (/^MT[01]/.test(d.code))
      assert.equal(d.severity, CODE_INFO.get(d.code)?.severity, `${d.code} has the catalog's severity`);
    assert.equal(d.file, FILE);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity));
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0);
    for (const m of [d.message, ...(d.related ?? []).map((x) => x.message)]) {
      assert.doesNotMatch(m, /\bundefined\b|\bNaN\b|\[object |\btoken\b/, `${d.code}: a message leaks internals: ${m}`);
    }
  }
  // statement ranges lie inside the document too
  const inside = (s: (typeof p.statements)[number]): void => {
    const b = rangesInside(
      text,
      [{ code: 'stmt', severity: 'hint', message: s.keyword.text, file: FILE, range: s.range }],
      FILE,
    );
    assert.equal(b, undefined, b);
    s.block?.statements.forEach(inside);
  };
  p.statements.forEach(inside);
}

describe('property: parser and checker never throw, ranges stay inside', function () {
  this.timeout(60000);

  it('the samples themselves', () => {
    for (const s of SAMPLES) checkInvariant(s);
  });

  it('any mutation of a sample (delete/insert/duplicate characters and lines, random bytes)', () => {
    fc.assert(
      fc.property(mutatedSample, (text) => {
        checkInvariant(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('arbitrary text, including lone surrogates and control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        checkInvariant(text);
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary text made of the language's own characters", () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      ',',
      ';',
      '=',
      '"',
      '#',
      '\n',
      '\r\n',
      ' ',
      '\\',
      'gateway',
      'g',
      'role',
      'relay',
      'a.b.com',
      'none',
      'via',
      'from',
      '10.0.0.1',
      '*',
      'domain',
      'mx',
      '10',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
        checkInvariant(parts.join(''));
      }),
      { numRuns: 400 },
    );
  });

  it('a mutated file in a workspace of imports: every diagnostic belongs to a loaded file and lies inside it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mt-props-'));
    try {
      const names = ['main.mailtopo', 'infrastructure.mailtopo', 'domains.mailtopo'];
      const originals = names.map((n) => readFileSync(path.join('samples/multi', n), 'utf8'));
      fc.assert(
        fc.property(fc.nat({ max: 2 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, ms) => {
          const texts = originals.map((t, i) => (i === which ? ms.reduce(applyMutation, t) : t));
          names.forEach((n, i) => writeFileSync(path.join(dir, n), texts[i]));
          const main = path.join(dir, 'main.mailtopo');
          const r = checkFiles([{ path: main }]);
          const byDisplay = new Map(r.workspace.files.map((f) => [f.display, f.parsed.text]));
          for (const d of r.diagnostics) {
            const text = byDisplay.get(d.file);
            assert.ok(text !== undefined, `${d.code} in a file that was not loaded: ${d.file}`);
            assert.equal(rangesInside(text, [d], d.file), undefined);
            for (const rel of d.related ?? []) {
              const t2 = byDisplay.get(rel.file);
              assert.ok(t2 !== undefined, `related in a file that was not loaded: ${rel.file}`);
              assert.equal(
                rangesInside(t2, [{ ...d, file: rel.file, range: rel.range, related: [] }], rel.file),
                undefined,
              );
            }
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('syntactically valid random documents parse without a syntax diagnostic', () => {
    fc.assert(
      fc.property(validDoc, (d) => {
        const p = parse(d.text, FILE);
        assert.deepEqual(p.diagnostics, []);
        checkInvariant(d.text);
      }),
      { numRuns: 200 },
    );
  });
});
