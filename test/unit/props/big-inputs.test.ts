// Big and deep inputs, a handful of runs each: a 10 MB document (mutated
// samples and random bytes), 100,000 nested braces. Nothing throws, nothing
// overflows the stack, every range lies inside the document.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parse } from '../../../server/src/core/syntax/parser';
import { checkText } from '../../../server/src/core/check';
import { formatText } from '../../../server/src/core/features/format';
import { rangesInside } from '../syntax/helpers';
import { NO_FILES, SAMPLES, applyMutation, mutation } from './gen';

const FILE = 'big.mailtopo';
const TEN_MB = 10 * 1024 * 1024;

/** checkText parses too: its diagnostics include the parser's. */
function checkAll(text: string): void {
  const r = checkText(text, FILE, { host: NO_FILES });
  assert.equal(rangesInside(text, r.diagnostics, FILE), undefined);
  assert.ok(!r.diagnostics.some((d) => d.code === 'MT000'), 'a rule family threw');
}

describe('big and deep inputs', function () {
  this.timeout(180000);

  it('a 10 MB document of samples with mutations sprinkled through it', () => {
    const base = SAMPLES.join('\n');
    let big = base.repeat(Math.ceil(TEN_MB / base.length));
    const ms = fc.sample(fc.array(mutation, { minLength: 200, maxLength: 200 }), { numRuns: 1, seed: 42 })[0];
    // apply the mutations in 200 separate 50 KB windows, so they land all over the file
    const parts: string[] = [];
    const win = Math.floor(big.length / ms.length);
    for (let i = 0; i < ms.length; i++) parts.push(applyMutation(big.slice(i * win, (i + 1) * win), ms[i]));
    big = parts.join('') + big.slice(ms.length * win);
    assert.ok(big.length >= TEN_MB * 0.99);
    checkAll(big);
  });

  it('10 MB of random bytes', () => {
    const bytes = Buffer.alloc(TEN_MB);
    let x = 0x2545f491;
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    checkAll(bytes.toString('latin1'));
    checkAll(bytes.subarray(0, TEN_MB / 10).toString('utf8')); // with U+FFFD and real multi-unit characters
  });

  it('100,000 nested braces, in every shape', () => {
    const N = 100_000;
    const shapes = [
      '{'.repeat(N),
      '{'.repeat(N) + '}'.repeat(N),
      'gateway g {\n' + 'a {\n'.repeat(N) + '}\n'.repeat(N) + '}\n',
      'gateway g ' + 'a '.repeat(3) + '{ x '.repeat(N),
      '}'.repeat(N),
      'x ' + 'a,'.repeat(N),
      '"'.repeat(N) + '\n' + '{"'.repeat(N),
    ];
    for (const s of shapes) checkAll(s);
    for (const s of shapes.slice(0, 3)) assert.ok('error' in formatText(s, FILE));
    // the parser alone: the innermost blocks are flattened, not recursed into
    const p = parse(shapes[2], FILE);
    assert.equal(p.statements.length, 1);
  });

  it('one very long line and one very long word', () => {
    checkAll(
      'gateway g {\n  role relay\n  address ' +
        Array.from({ length: 50_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(', ') +
        '\n}\n',
    );
    checkAll('network ' + 'a'.repeat(2_000_000) + ' {\n}\n');
  });
});
