// The incremental parse cache gives exactly what a full parse gives, for any
// text and any sequence of edits (fast-check), and re-parses only the chunks an
// edit touched.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../../server/src/core/syntax/parser';
import { sortDiagnostics } from '../../../server/src/core/diagnostic';
import { IncrementalParseCache, MAX_DOCUMENT_CHARS, splitChunks } from '../../../server/src/core/features/incremental';
import type { ParsedFile, Scalar, Statement } from '../../../server/src/core/syntax/ast';
import type { Range } from '../../../server/src/core/diagnostic';

const LINES = [
  'gateway edge1 {',
  'gateway edge2 {',
  'domain example.test {',
  'network corp {',
  'options {',
  'policy av {',
  'pool p {',
  'server s {',
  'external x {',
  'import "a.mailtopo"',
  '}',
  '{',
  '  role edge',
  '  hostname edge1.example.test',
  '  address 198.51.100.1, 198.51.100.2,',
  '    198.51.100.3',
  '  relay allow from=corp auth=required',
  '  route * via=direct',
  '  mx 10 edge1',
  '  spf "v=spf1 -all"',
  '  spf "unterminated',
  '# a comment',
  '  # indented comment',
  'role edge # trailing',
  '  cidr 10.0.0.0/8,',
  'gateway',
  'gateway x { role edge }',
  '  members a, b,',
  '',
  '   ',
  ';',
  ',',
  '=',
  'gateway-x {',
  'domain',
  '  accept *',
  '\tzone internal',
  '  x=',
  '  $$$',
  'gateway y {}',
  '  a,',
  'network n { cidr 10.0.0.0/8; }',
  '"str"',
];

// What consumers read (the parser may build class instances with lazy getters, the cache plain objects).
const R = (r: Range) => [r.start.line, r.start.character, r.end.line, r.end.character];
const S = (s: Scalar) => ({
  text: s.text,
  quoted: s.quoted,
  unterminated: !!s.unterminated,
  offset: s.offset,
  range: R(s.range),
});
const ST = (s: Statement): unknown => ({
  keyword: S(s.keyword),
  range: R(s.range),
  leadingComments: s.leadingComments,
  args: s.args.map((a) => ({
    key: a.key ? S(a.key) : null,
    range: R(a.range),
    value: { range: R(a.value.range), items: a.value.items.map(S) },
  })),
  block: s.block
    ? { open: R(s.block.open), close: s.block.close ? R(s.block.close) : null, statements: s.block.statements.map(ST) }
    : null,
});
function normalize(p: ParsedFile): unknown {
  return {
    statements: p.statements.map(ST),
    comments: p.comments.map((c) => ({ text: c.text, offset: c.offset, range: R(c.range) })),
    diagnostics: sortDiagnostics([...p.diagnostics]).map((d) => ({
      code: d.code,
      message: d.message,
      file: d.file,
      severity: d.severity,
      range: R(d.range),
    })),
  };
}

const docArb = fc
  .array(fc.constantFrom(...LINES), { maxLength: 40 })
  .map((ls) => ls.join('\n') + (ls.length % 3 ? '\n' : ''));
const editArb = fc.record({
  at: fc.nat(),
  del: fc.nat({ max: 30 }),
  ins: fc.array(fc.constantFrom(...LINES, 'x', '\n', ' ', '{', '}', ','), { maxLength: 3 }).map((x) => x.join('\n')),
});

describe('features/incremental: chunked parsing equals a full parse', () => {
  it('for any text', () => {
    fc.assert(
      fc.property(docArb, (text) => {
        const c = new IncrementalParseCache();
        assert.deepEqual(normalize(c.get('f.mailtopo', text)), normalize(parse(text, 'f.mailtopo')));
      }),
      { numRuns: 400 },
    );
  });

  it('after any sequence of edits', () => {
    fc.assert(
      fc.property(docArb, fc.array(editArb, { minLength: 1, maxLength: 8 }), (text, edits) => {
        const c = new IncrementalParseCache();
        c.get('f.mailtopo', text);
        let t = text;
        for (const e of edits) {
          const at = t.length ? e.at % (t.length + 1) : 0;
          t = t.slice(0, at) + e.ins + t.slice(Math.min(t.length, at + e.del));
          assert.deepEqual(normalize(c.get('f.mailtopo', t)), normalize(parse(t, 'f.mailtopo')), JSON.stringify(t));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('re-parses only the chunk an edit touched', () => {
    const blocks = Array.from(
      { length: 50 },
      (_, i) => `# gateway ${i}\ngateway g${i} {\n  role edge\n  hostname g${i}.example.test\n}\n`,
    );
    const text = blocks.join('');
    const c = new IncrementalParseCache();
    c.get('f', text);
    assert.equal(splitChunks(text).length, 51); // the first comment line, then one chunk per gateway
    const before = c.parsedChunks;
    const edited = text.replace('hostname g25.example.test', 'hostname g25.example.test\n  tls required');
    const p = c.get('f', edited);
    assert.equal(c.parsedChunks - before, 1);
    assert.deepEqual(normalize(p), normalize(parse(edited, 'f')));
    assert.deepEqual(p.statements[30].leadingComments, ['gateway 30']);
  });

  it('a list continued over a newline into a column-0 keyword parses as the full parse does', () => {
    const text = 'network n {\n  cidr 10.0.0.0/8,\ngateway g {\n  role edge\n}\n';
    assert.deepEqual(normalize(new IncrementalParseCache().get('f', text)), normalize(parse(text, 'f')));
  });

  it('keeps one state per file for a bounded number of files, the least recently used dropped first', () => {
    const c = new IncrementalParseCache(3);
    for (const f of ['a', 'b', 'c']) c.get(f, `gateway ${f} {\n}\n`);
    c.get('a', 'gateway a {\n}\n'); // used again: now the most recent
    c.get('d', 'gateway d {\n}\n');
    assert.equal(c.size, 3);
    const before = c.parsedChunks;
    c.get('a', 'gateway a {\n}\n');
    assert.equal(c.parsedChunks, before, 'a is still held');
    c.get('b', 'gateway b {\n}\n');
    assert.equal(c.parsedChunks, before + 1, 'b was dropped and is parsed again');
  });

  it('a document past the size limit is one MT004', () => {
    const p = new IncrementalParseCache().get('f', 'x'.repeat(MAX_DOCUMENT_CHARS + 1));
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ['MT004'],
    );
    assert.deepEqual(p.statements, []);
  });
});
