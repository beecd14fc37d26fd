// Issue 14 finding 6: a lone CR ends a line for every editor and for the LSP,
// and now for the lexer, the parser's positions, the chunking, the incremental
// parser and the formatter too (one definition: syntax/lineEnds.ts). Before,
// `# comment\r  relay deny ...` hid the rule inside the comment and every
// range after a lone CR was one line off. The oracle for "which line" is the
// LSP's own TextDocument (vscode-languageserver-textdocument).
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkText } from '../../../server/src/core/check';
import { formatText } from '../../../server/src/core/features/format';
import { IncrementalParseCache } from '../../../server/src/core/features/incremental';
import { computeLineStarts } from '../../../server/src/core/syntax/lineEnds';
import { parse } from '../../../server/src/core/syntax/parser';
import type { Range } from '../../../server/src/core/diagnostic';
import { NO_FILES } from '../props/gen';

const oracle = (text: string) => TextDocument.create('file:///t.mailtopo', 'mailtopo', 0, text);

/** The range lies inside the document, on the lines the LSP counts, and names the text at those offsets. */
function assertInside(doc: TextDocument, r: Range, what: string): void {
  for (const p of [r.start, r.end]) {
    assert.ok(p.line >= 0 && p.line < doc.lineCount, `${what}: line ${p.line} of ${doc.lineCount}`);
    const off = doc.offsetAt(p);
    // offsetAt clamps: the position must survive the round trip (not past its line's end)
    assert.deepEqual(doc.positionAt(off), p, `${what}: ${JSON.stringify(p)} is past the end of its line`);
  }
}

describe('line ends: \\n, \\r\\n and a lone \\r (issue 14, finding 6)', function () {
  this.timeout(60000);

  it('a comment ended by a lone CR does not hide the rule after it', () => {
    const text =
      'gateway edge {\n  role edge\n  zone perimeter\n  address 198.51.100.7\n  # comment\r  relay deny from=10.66.0.0/16\n}\n';
    const r = checkText(text, 't.mailtopo', { host: NO_FILES });
    const relays = r.model.nodes[0].relays;
    assert.equal(relays.length, 1, 'the relay rule is seen');
    assert.equal(relays[0].action, 'deny');
    const p = parse(text, 't.mailtopo');
    assert.equal(p.comments[0].text, '# comment');
    // the rule is on line 5, as the editor shows it
    const st = p.statements[0].block!.statements.find((s) => s.keyword.text === 'relay')!;
    assert.equal(st.range.start.line, 5);
    assert.equal(oracle(text).positionAt(text.indexOf('relay')).line, 5);
  });

  it('ranges after a lone CR are on the LSP line', () => {
    const text = 'network a {\r  cidr 10.0.0.0/8\r}\rgateway g {\r  role sideways\r}\r';
    const d = checkText(text, 't.mailtopo', { host: NO_FILES }).diagnostics.find((x) => x.code === 'MT109')!;
    assert.deepEqual(d.range, { start: { line: 4, character: 7 }, end: { line: 4, character: 15 } });
    const doc = oracle(text);
    assert.equal(doc.getText(d.range as never), 'sideways');
  });

  it('line starts agree with the LSP for \\r\\n, \\r and \\n mixed', () => {
    const text = 'a\r\nb\rc\nd\r\r\ne\n\r';
    const doc = oracle(text);
    const starts = computeLineStarts(text);
    assert.equal(starts.length, doc.lineCount);
    for (let l = 0; l < starts.length; l++) assert.equal(starts[l], doc.offsetAt({ line: l, character: 0 }));
  });

  it('the formatter splits at a lone CR and keeps the comment apart from the rule', () => {
    const r = formatText('gateway g {\r  role relay # note\r  relay deny from=10.66.0.0/16\r}\r');
    assert.ok('text' in r);
    assert.equal(r.text, 'gateway g {\n  role relay # note\n  relay deny from=10.66.0.0/16\n}\n');
    const w = formatText('gateway g {\r\n  role relay\r\n}\r\n');
    assert.ok('text' in w && w.text === 'gateway g {\r\n  role relay\r\n}\r\n', 'a CRLF file stays CRLF');
  });

  it('the incremental parser places chunks after a lone CR on the right line', () => {
    const text = 'network a {\r  cidr 10.0.0.0/8\r}\rgateway g {\r  role relay\r}\r';
    const inc = new IncrementalParseCache().get('x.mailtopo', text);
    const full = parse(text, 'x.mailtopo');
    assert.deepEqual(
      inc.statements.map((s) => s.range),
      full.statements.map((s) => s.range),
    );
    assert.equal(inc.statements[1].range.start.line, 3);
  });

  // The fuzz: random files of words, punctuation, every line end, BOMs and huge numbers.
  const piece = fc.oneof(
    fc.constantFrom(
      '\n',
      '\r\n',
      '\r',
      '\r\r\n',
      '\ufeff',
      ' ',
      '  ',
      '\t',
      '{',
      '}',
      ',',
      ';',
      '=',
      '#',
      '# c',
      '"',
      '"s"',
    ),
    fc.constantFrom('gateway', 'network', 'pool', 'role', 'relay', 'allow', 'deny', 'from', 'cidr', 'ttl', 'options'),
    fc.constantFrom('edge', 'relay', 'any', 'corp', 'mx', 'max-size', 'hostname', 'address', 'listen', 'domain'),
    fc.constantFrom('10.0.0.0/8', '::ffff:10.1.2.3', 'ns_1.example', 'example.com.', '198.51.100.7'),
    fc.bigInt({ min: 0n, max: 10n ** 40n }).map((n) => n.toString()),
    fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.constantFrom('s', 'w', 'GB', 'TB', 'ms', 'MB'))
      .map(([n, u]) => `${n}${u}`),
  );
  const file = fc.array(piece, { maxLength: 80 }).map((p) => p.join(''));

  it('fuzz: never a throw; every range inside the document and on the line the LSP counts', () => {
    fc.assert(
      fc.property(file, (text) => {
        const doc = oracle(text);
        const p = parse(text, 'f.mailtopo');
        const r = checkText(text, 'f.mailtopo', { host: NO_FILES });
        for (const d of [...p.diagnostics, ...r.diagnostics]) {
          assert.notEqual(d.code, 'MT000', d.message);
          assertInside(doc, d.range, `${d.code} ${d.message}`);
        }
        const walk = (list: typeof p.statements): void => {
          for (const s of list) {
            assertInside(doc, s.range, `statement ${s.keyword.text}`);
            // the keyword's range names the keyword's text
            assert.equal(doc.getText(s.keyword.range as never), s.keyword.text);
            if (s.block) walk(s.block.statements);
          }
        };
        walk(p.statements);
        for (const c of p.comments) {
          assertInside(doc, c.range, 'comment');
          assert.equal(doc.getText(c.range as never), c.text);
        }
        const f = formatText(text, 'f.mailtopo');
        if ('text' in f) assert.deepEqual(formatText(f.text, 'f.mailtopo'), f, 'fmt is idempotent');
        const inc = new IncrementalParseCache().get('f.mailtopo', text);
        assert.deepEqual(
          inc.statements.map((s) => s.range),
          p.statements.map((s) => s.range),
          'incremental and full parse agree',
        );
      }),
      { numRuns: 400 },
    );
  });
});
