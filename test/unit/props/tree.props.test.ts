// Property tests of the compact syntax tree: the nodes keep offsets and make
// ranges, keyword nodes, `args` and `items` arrays when asked; whatever way a
// consumer reads the tree (the arrays, or the allocation-free accessors the
// model builder uses), it must see the same statements, words and positions,
// and every position must point at the text it names.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  parse,
  computeLineStarts,
  offsetToPos,
  argAt,
  argCount,
  itemAt,
  itemCount,
  keywordOf,
  keywordOffset,
} from '../../../server/src/core/syntax/parser';
import type { Arg, Scalar, Statement } from '../../../server/src/core/syntax/ast';
import { SAMPLES, mutatedSample, validDoc } from './gen';

function checkTree(text: string): void {
  const p = parse(text, 't.mailtopo');
  const ls = computeLineStarts(text);
  const at = (off: number) => offsetToPos(ls, off);

  const scalar = (s: Scalar, what: string): void => {
    assert.deepEqual(s.range.start, at(s.offset), `${what}: range starts at its offset`);
    const len = s.range.end.character - s.range.start.character;
    assert.equal(s.range.end.line, s.range.start.line, `${what}: on one line`);
    const raw = text.slice(s.offset, s.offset + len);
    if (s.quoted) assert.equal(raw[0], '"', `${what}: a string starts with a quote`);
    else assert.equal(raw, s.text, `${what}: a word is its text`);
  };

  const arg = (a: Arg, b: Arg, what: string): void => {
    // the array view and the accessor view are the same argument
    assert.equal(a.key?.text, b.key?.text, what);
    assert.deepEqual(a.range, b.range, what);
    assert.deepEqual(
      a.value.items.map((x) => [x.text, x.offset]),
      b.value.items.map((x) => [x.text, x.offset]),
      what,
    );
    assert.equal(itemCount(a), a.value.items.length, `${what}: itemCount`);
    for (let j = 0; j < itemCount(a); j++)
      assert.equal(itemAt(a, j)!.offset, a.value.items[j].offset, `${what}: itemAt(${j})`);
    assert.equal(itemAt(a, itemCount(a)), undefined, `${what}: past the last item`);
    if (a.key) scalar(a.key, `${what} key`);
    a.value.items.forEach((x, j) => scalar(x, `${what} item ${j}`));
    if (a.value.items.length) {
      assert.deepEqual(a.value.range.start, a.value.items[0].range.start, `${what}: value starts at its first item`);
      assert.deepEqual(
        a.value.range.end,
        a.value.items[a.value.items.length - 1].range.end,
        `${what}: value ends at its last item`,
      );
      assert.deepEqual(
        a.range.start,
        (a.key ?? a.value.items[0]).range.start,
        `${what}: argument starts at its key or first item`,
      );
      if (!a.key) assert.deepEqual(a.range, a.value.range, `${what}: a positional argument is its value`);
    }
  };

  const statement = (st: Statement, what: string): void => {
    assert.equal(keywordOf(st), st.keyword.text, what);
    assert.equal(keywordOffset(st), st.keyword.offset, what);
    scalar(st.keyword, `${what} keyword`);
    assert.deepEqual(st.range.start, st.keyword.range.start, `${what}: starts at its keyword`);
    const args = st.args;
    assert.equal(argCount(st), args.length, `${what}: argCount`);
    args.forEach((a, i) => arg(a, argAt(st, i), `${what} arg ${i}`));
    if (st.block) {
      const o = st.block.open;
      assert.equal(text[ls[o.start.line] + o.start.character], '{', `${what}: the block opens at a '{'`);
      const c = st.block.close;
      if (c) assert.equal(text[ls[c.start.line] + c.start.character], '}', `${what}: the block closes at a '}'`);
      st.block.statements.forEach((x, i) => statement(x, `${what}/${i} ${x.keyword.text}`));
    }
  };
  p.statements.forEach((st, i) => statement(st, `${i} ${st.keyword.text}`));

  for (const c of p.comments) {
    assert.equal(text.slice(c.offset, c.offset + c.text.length), c.text, 'a comment is its text');
    assert.deepEqual(c.range.start, at(c.offset));
  }
  // ranges made twice are equal, and independent objects (a caller may move one in place)
  for (const st of p.statements) {
    assert.deepEqual(st.keyword.range, st.keyword.range);
    assert.notEqual(st.keyword.range, st.keyword.range);
  }
}

describe('property: the compact syntax tree reads the same through arrays and accessors', function () {
  this.timeout(60000);

  it('the samples', () => {
    for (const s of SAMPLES) checkTree(s);
  });

  it('statements of 0, 1, 2, 3 and more arguments, lists, options and strings', () => {
    checkTree(
      [
        'options {',
        '  dnsbl zen.spamhaus.org, bl.spamcop.net',
        '}',
        'gateway g {',
        '  role edge',
        '  relay allow from=corp auth=required',
        '  route * via=a, b',
        '  listen 25, 587,',
        '     465',
        '  x a b c d=e f',
        '  hostname "g.example.com" # trailing',
        '}',
        'domain "example.com" { mx 10 g; spf "v=spf1 -all" }',
      ].join('\n'),
    );
  });

  it('any mutation of a sample', () => {
    fc.assert(
      fc.property(mutatedSample, (text) => {
        checkTree(text);
      }),
      { numRuns: 400 },
    );
  });

  it('random valid documents', () => {
    fc.assert(
      fc.property(validDoc, (d) => {
        checkTree(d.text);
      }),
      { numRuns: 200 },
    );
  });
});
