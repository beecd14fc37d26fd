// Property tests for `fmt`: idempotent, the same statements/arguments/values
// (ranges aside), every comment kept word for word, and never a change to a
// file with syntax errors.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { formatText } from '../../../server/src/core/features/format';
import { parse } from '../../../server/src/core/syntax/parser';
import { shapeOf } from '../syntax/helpers';
import { NO_FILES, SAMPLES, mutatedSample, validDoc } from './gen';
import { checkText } from '../../../server/src/core/check';

type St = ReturnType<typeof parse>['statements'][number];
const docsOf = (list: St[]): unknown[] =>
  list.map((s) => [s.leadingComments.map((c) => c.trimEnd()), s.block ? docsOf(s.block.statements) : null]);

const hasSyntaxError = (text: string) => parse(text, 'f').diagnostics.length > 0;

/** fmt's promises for one text that parses. */
function checkFormat(text: string): void {
  const r = formatText(text, 'f');
  assert.ok('text' in r, `not formatted: ${'error' in r ? r.error : ''}`);
  const out = r.text;
  const again = formatText(out, 'f');
  assert.ok('text' in again, `the output does not parse: ${'error' in again ? again.error : ''}\n${out}`);
  assert.equal(again.text, out, 'fmt is not idempotent');
  const a = parse(text, 'f'),
    b = parse(out, 'f');
  assert.deepEqual(b.diagnostics, []);
  assert.deepEqual(shapeOf(b.statements), shapeOf(a.statements), 'fmt changed the statements');
  // every comment kept, in order, with its text (trailing blanks aside)
  assert.deepEqual(
    b.comments.map((c) => c.text.trimEnd()),
    a.comments.map((c) => c.text.trimEnd()),
    'fmt lost or changed a comment',
  );
  // the comments that document a statement (hover) still document it
  assert.deepEqual(docsOf(b.statements), docsOf(a.statements), 'fmt moved a comment to or from a statement');
  // canonical layout basics
  if (out.length) assert.ok(out.endsWith('\n'), 'ends with a newline');
  assert.doesNotMatch(out, /\n\n\n/, 'at most one blank line');
  assert.doesNotMatch(out, /[ \t]+\r?\n/, 'no trailing blanks');
}

describe('property: fmt', function () {
  this.timeout(60000);

  it('the samples are already in canonical layout', () => {
    for (const s of SAMPLES) {
      const r = formatText(s, 'f');
      assert.ok('text' in r);
      assert.equal(r.text, s);
    }
  });

  it('random valid documents: idempotent, same tree, same comments', () => {
    fc.assert(
      fc.property(validDoc, (d) => {
        checkFormat(d.text);
      }),
      { numRuns: 400 },
    );
  });

  it('mutated samples: formatted when they parse, refused (never changed) when they do not', () => {
    fc.assert(
      fc.property(mutatedSample, (text) => {
        if (hasSyntaxError(text)) {
          const r = formatText(text, 'f');
          assert.ok('error' in r, 'a file with syntax errors was formatted');
          assert.match(r.error, /^f:\d+:\d+: /);
        } else checkFormat(text);
      }),
      { numRuns: 600 },
    );
  });

  it('a formatted file means the same: the checker says the same things about it', () => {
    const said = (t: string) =>
      checkText(t, 'f', { host: NO_FILES })
        .diagnostics.map((d) => `${d.code} ${d.severity} ${d.message}`)
        .sort();
    fc.assert(
      fc.property(mutatedSample, (text) => {
        const r = formatText(text, 'f');
        if ('error' in r) return;
        assert.deepEqual(said(r.text), said(text));
      }),
      { numRuns: 200 },
    );
  });

  it('CRLF documents stay CRLF', () => {
    fc.assert(
      fc.property(validDoc, (d) => {
        const crlf = d.text.replace(/\r?\n/g, '\r\n');
        const r = formatText(crlf.startsWith('\r\n') || !crlf.includes('\r\n') ? crlf : crlf, 'f');
        assert.ok('text' in r);
        if (crlf.includes('\r\n') && r.text.length) {
          assert.doesNotMatch(r.text.replace(/\r\n/g, ''), /\n/, 'a bare LF in CRLF output');
        }
        checkFormat(crlf);
      }),
      { numRuns: 150 },
    );
  });
});
