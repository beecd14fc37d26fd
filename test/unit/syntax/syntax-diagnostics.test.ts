// MT001 (does not parse), MT002 (unterminated string), MT003 (stray
// character): code, severity and exact range, and that one mistake costs one
// diagnostic while the rest of the file still parses and validates.
import { strict as assert } from 'node:assert';
import { parse } from '../../../server/src/core/syntax/parser';
import { coreDiags, diagsOf, expectExactly, expectOne, show } from './helpers';

const GW_OK = 'gateway g {\n  role relay\n}\n';

describe('MT001 syntax errors', () => {
  it('a trailing comma is MT001 on the comma', () => {
    expectExactly('network n {\n  cidr 10.0.0.0/8,\n}\n', [
      ['MT111', [0, 8, 0, 9]],
      ['MT001', [1, 17, 1, 18]],
    ]);
  });

  it('a trailing comma at the end of the file', () => {
    // the comma, and the block left open
    expectExactly('network n {\n  cidr 10.0.0.0/8,', [
      ['MT111', [0, 8, 0, 9]],
      ['MT001', [0, 10, 0, 11]],
      ['MT001', [1, 17, 1, 18]],
    ]);
  });

  it('a trailing comma inside an option value', () => {
    expectOne('gateway g {\n  role relay\n  route * via=a,\n}\n', 'MT001', 'error', [2, 15, 2, 16], /trailing ','/);
  });

  it('a bare ; in a block and at the top level', () => {
    expectOne('network n {\n  cidr 10.0.0.0/8\n  ;\n}\n', 'MT001', 'error', [2, 2, 2, 3], /';'/);
    expectOne(';\n' + GW_OK, 'MT001', 'error', [0, 0, 0, 1], /';'/);
    expectOne(GW_OK + '  ;  \n', 'MT001', 'error', [3, 2, 3, 3]);
  });

  it('two ;; after a statement: the second is MT001', () => {
    expectOne('gateway g {\n  role relay;;\n}\n', 'MT001', 'error', [1, 13, 1, 14]);
  });

  it('; separates statements on one line without error', () => {
    const all = coreDiags('gateway g { role relay; hostname g.example.com; address 10.0.0.1 }\n');
    assert.deepEqual(all, [], show(all));
  });

  it('a { with no statement before it', () => {
    expectOne('{\n}\n' + GW_OK, 'MT001', 'error', [0, 0, 0, 1], /'\{' with no statement/);
    expectOne('gateway g {\n  role relay\n  {\n  }\n}\n', 'MT001', 'error', [2, 2, 2, 3], /'\{' with no statement/);
  });

  it('key= without a value is MT001 on the =, and the statement is not validated further', () => {
    const text = 'gateway g {\n  role relay\n  relay allow from=\n}\n';
    expectExactly(text, [['MT001', [2, 18, 2, 19]]]);
    assert.match(coreDiags(text)[0].message, /expected a value after 'from='/);
  });

  it('key= followed by the end of the file', () => {
    expectExactly('gateway g {\n  role relay\n  relay allow from=', [
      ['MT001', [0, 10, 0, 11]],
      ['MT001', [2, 18, 2, 19]],
    ]);
  });

  it("'key = value' with spaces is MT001 on the =", () => {
    expectOne('gateway g {\n  role = relay\n}\n', 'MT001', 'error', [1, 7, 1, 8], /key=value/);
  });

  it('a leading comma in an argument list', () => {
    expectOne('network n {\n  cidr , 10.0.0.0/8\n}\n', 'MT001', 'error', [1, 7, 1, 8], /','/);
  });

  it('a stray } at the top level', () => {
    expectExactly('}\n' + GW_OK, [['MT001', [0, 0, 0, 1]]]);
    expectExactly(GW_OK + '}\n', [['MT001', [3, 0, 3, 1]]]);
  });

  it('a string or = where a statement should start', () => {
    expectOne('"abc"\n' + GW_OK, 'MT001', 'error', [0, 0, 0, 5], /string/);
    expectOne('gateway g {\n  role relay\n  = x\n}\n', 'MT001', 'error', [2, 2, 2, 3], /'='/);
  });

  it('a block left open at the end of the file: MT001 on its {', () => {
    const d = expectOne('gateway g {\n  role relay\n', 'MT001', 'error', [0, 10, 0, 11], /missing '\}'/);
    assert.match(d.message, /close 'gateway g'/);
  });

  it('nested blocks left open at the end of the file: one MT001', () => {
    const all = coreDiags('gateway g {\n  role relay {\n');
    const m = all.filter((d) => d.code === 'MT001');
    assert.equal(m.length, 1, show(all));
  });

  it('messages speak of braces and values, never of token names', () => {
    const texts = [
      '}',
      ';',
      ',',
      '=',
      '{',
      'a = b',
      'a b,',
      'a {',
      'a b=',
      'a "x" {',
      'a ,,, b',
      '"s"',
      'gateway g { role relay\nserver s {',
      'a $',
      'a .exe',
      'a é',
      '"open',
    ];
    for (const t of texts) {
      for (const d of parse(t, 'x').diagnostics) {
        assert.doesNotMatch(
          d.message,
          /\b(Word|LBrace|RBrace|Newline|Semi|Comma|Equals|Scalar|String|Unterminated|EOF|token)\b/,
          `${JSON.stringify(t)}: ${d.message}`,
        );
      }
    }
  });
});

describe('recovery after a missing }', () => {
  it('a gateway missing its } followed by `server x {` at column 0: one MT001, and the server is parsed and validated', () => {
    const text = [
      'gateway edge1 {', // 0
      '  role edge', // 1
      '  accept a.example.com',
      '',
      'server x {', // 4
      '  role mailbox',
      '  mailboxs a.example.com', // 6: typo, MT101 of the server
      '}',
      '',
    ].join('\n');
    const all = coreDiags(text);
    const mt001 = all.filter((d) => d.code === 'MT001');
    assert.equal(mt001.length, 1, show(all));
    assert.deepEqual(
      [mt001[0].range.start, mt001[0].range.end],
      [
        { line: 0, character: 14 },
        { line: 0, character: 15 },
      ],
    );
    assert.match(mt001[0].message, /missing '\}'.*'gateway edge1'/);
    const mt101 = all.filter((d) => d.code === 'MT101');
    assert.equal(mt101.length, 1, show(all));
    assert.deepEqual(mt101[0].range, { start: { line: 6, character: 2 }, end: { line: 6, character: 10 } });
    assert.match(mt101[0].message, /server 'x'.*did you mean 'mailboxes'/);
    const p = parse(text, 'x');
    assert.deepEqual(
      p.statements.map((s) => s.keyword.text),
      ['gateway', 'server'],
    );
    assert.equal(p.statements[0].block?.close, undefined);
    assert.equal(p.statements[0].block?.statements.length, 2);
    assert.equal(p.statements[1].block?.statements.length, 2);
  });

  it('every top-level keyword at column 0 closes the open block', () => {
    for (const kw of ['import', 'options', 'network', 'domain', 'gateway', 'pool', 'server', 'policy', 'external']) {
      const p = parse(`gateway g {\n  role relay\n${kw} x {\n}\n`, 'x');
      assert.equal(p.statements.length, 2, kw);
      assert.equal(p.statements[1].keyword.text, kw);
      assert.equal(p.diagnostics.filter((d) => d.code === 'MT001').length, 1, kw);
    }
  });

  it('an indented top-level keyword does not close the block (MT101 says a } may be missing)', () => {
    const text = 'gateway g {\n  role relay\n  server x {\n  }\n';
    const all = coreDiags(text);
    const mt101 = all.find((d) => d.code === 'MT101');
    assert.ok(mt101, show(all));
    assert.match(mt101.message, /is a '\}' missing above/);
    assert.deepEqual(mt101.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 8 } });
    assert.equal(all.filter((d) => d.code === 'MT001').length, 1, show(all));
  });

  it('two blocks open when a top-level keyword arrives: one MT001, on the inner block', () => {
    const text = 'gateway g {\n  role relay {\n\nserver s {\n  role hub\n}\n';
    const all = diagsOf(text);
    const m = all.filter((d) => d.code === 'MT001');
    assert.equal(m.length, 1, show(all));
    const p = parse(text, 'x');
    assert.equal(p.statements[1].keyword.text, 'server');
  });

  it('a trailing comma followed by a top-level keyword at column 0 does not swallow the declaration', () => {
    const text = 'gateway g {\n  role relay\n  relay allow from=corp,\n\nnetwork corp {\n  cidr 10.0.0.0/8\n}\n';
    const all = coreDiags(text);
    assert.deepEqual(all.map((d) => d.code).sort(), ['MT001', 'MT001'], show(all));
    const p = parse(text, 'x');
    assert.deepEqual(
      p.statements.map((s) => s.keyword.text),
      ['gateway', 'network'],
    );
  });

  it('after a broken statement the rest of the block and file still validate', () => {
    const text = [
      'gateway g {',
      '  role relay',
      '  relay allow from= auth=', // 2: broken
      '  hostnam g.example.com', // 3: MT101 still found
      '  tls sometimes', // 4: MT109 still found
      '}',
      'server s {',
      '  role mailbox',
      '  route * via=nowhere', // 8: MT105
      '}',
    ].join('\n');
    const all = coreDiags(text);
    const codes = all.map((d) => `${d.code}@${d.range.start.line}`);
    assert.ok(codes.includes('MT001@2'), show(all));
    assert.ok(codes.includes('MT101@3'), show(all));
    assert.ok(codes.includes('MT109@4'), show(all));
    assert.ok(codes.includes('MT105@8'), show(all));
  });

  it('a stray } inside nothing and a { with no statement do not hide later errors', () => {
    const text = '}\n{\n}\ngateway g {\n  role sideways\n}\n';
    const all = coreDiags(text);
    assert.deepEqual(
      all.map((d) => d.code),
      ['MT001', 'MT001', 'MT109'],
      show(all),
    );
  });

  it('a forgotten {: MT113 on the declaration and MT001 on the lone }, not one error per statement', () => {
    const text =
      'gateway a\n  role relay\n  hostname a.example.com\n}\nserver s {\n  role hub\n  tls sometimes\n}\nrole x\n';
    expectExactly(text, [
      ['MT113', [0, 0, 0, 7]],
      ['MT001', [3, 0, 3, 1]],
      ['MT109', [6, 6, 6, 15]],
      ['MT101', [8, 0, 8, 4]],
    ]);
  });

  it('blocks nested deeper than the limit cost diagnostics, not a crash', () => {
    const depth = 200;
    const text = 'gateway g {\n' + 'a {\n'.repeat(depth) + '}\n'.repeat(depth) + '}\n';
    const p = parse(text, 'x');
    assert.ok(
      p.diagnostics.some((d) => d.code === 'MT001' && /deeper/.test(d.message)),
      show(p.diagnostics),
    );
  });
});

describe('MT002 unterminated string', () => {
  it('is reported on that line only, from the quote to the end of the line, and nothing else', () => {
    const text = 'domain a.example.com {\n  spf "v=spf1 -all\n  dmarc "v=DMARC1; p=reject"\n}\n';
    const all = coreDiags(text);
    assert.deepEqual(
      all.map((d) => [d.code, d.severity, d.range]),
      [['MT002', 'error', { start: { line: 1, character: 6 }, end: { line: 1, character: 18 } }]],
      show(all),
    );
    const p = parse(text, 'x');
    assert.deepEqual(
      p.statements[0].block!.statements.map((s) => s.keyword.text),
      ['spf', 'dmarc'],
    );
    assert.equal(p.statements[0].block!.statements[1].args[0].value.items[0].text, 'v=DMARC1; p=reject');
  });

  it('with CRLF line ends the range stops before the \\r', () => {
    const text = 'domain a.example.com {\r\n  spf "v=spf1 -all\r\n}\r\n';
    expectOne(text, 'MT002', 'error', [1, 6, 1, 18]);
    assert.equal(coreDiags(text).length, 1, show(coreDiags(text)));
  });

  it('an unterminated string where another kind of value is expected is MT002 only', () => {
    const text = 'gateway g {\n  role relay\n  hostname "g.example.com\n}\n';
    const all = coreDiags(text);
    assert.deepEqual(
      all.map((d) => d.code),
      ['MT002'],
      show(all),
    );
    assert.deepEqual(all[0].range, { start: { line: 2, character: 11 }, end: { line: 2, character: 25 } });
  });

  it('an unterminated string ending in a backslash', () => {
    const text = 'domain a.example.com {\n  dmarc "v=DMARC1\\\n}\n';
    expectOne(text, 'MT002', 'error', [1, 8, 1, 18]);
  });

  it('an unterminated string at the end of the file without a newline', () => {
    expectOne('domain a.example.com {\n}\n"abc', 'MT002', 'error', [2, 0, 2, 4]);
  });

  it('an unterminated import path is MT002 only (no MT110, no MT102)', () => {
    const all = coreDiags('import "other.mailtopo\n');
    assert.deepEqual(
      all.map((d) => d.code),
      ['MT002'],
      show(all),
    );
  });
});

describe('MT003 stray characters', () => {
  it('a character that starts no token', () => {
    const d = expectOne('network n {\n  cidr 10.0.0.0/8 $\n}\n', 'MT003', 'error', [1, 18, 1, 19]);
    assert.match(d.message, /"\$"/);
  });

  it("a character that may only stand inside a word says so ('.exe')", () => {
    const d = expectOne('policy p {\n  attachments block .exe\n}\n', 'MT003', 'error', [1, 20, 1, 21]);
    assert.match(d.message, /a word cannot start with '\.'/);
  });

  it('a run of stray characters is one diagnostic covering the run', () => {
    expectOne('gateway g {\n  role relay\n  !!! \n}\n', 'MT003', 'error', [2, 2, 2, 5]);
  });

  it('non-ASCII characters: ranges count UTF-16 code units like LSP', () => {
    expectOne('gateway g {\n  role relay é\n}\n', 'MT003', 'error', [1, 13, 1, 14]);
    expectOne('gateway g {\n  role relay 😀\n}\n', 'MT003', 'error', [1, 13, 1, 15]);
  });

  it('stray characters at top level and in a block each get their own diagnostic', () => {
    const all = coreDiags('% \ngateway g {\n  role relay\n  ^\n}\n');
    assert.deepEqual(
      all.map((d) => [d.code, d.range.start.line, d.range.start.character]),
      [
        ['MT003', 0, 0],
        ['MT003', 3, 2],
      ],
      show(all),
    );
  });

  it('characters the lexer cannot use do not cost MT001 as well', () => {
    const all = coreDiags('gateway g {\n  role relay $\n  hostname g.example.com\n}\n');
    assert.deepEqual(
      all.map((d) => d.code),
      ['MT003'],
      show(all),
    );
  });
});

describe('error limits', () => {
  it('thousands of errors are capped with one summary diagnostic', () => {
    const text = ';\n'.repeat(5000);
    const p = parse(text, 'x');
    assert.ok(p.diagnostics.length <= 101, String(p.diagnostics.length));
    assert.match(p.diagnostics[p.diagnostics.length - 1].message, /more than/);
  });
});
