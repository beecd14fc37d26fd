// The parser on valid input: the AST's shape (statements, positional
// arguments, key=value options, comma lists, blocks), exact ranges, comments
// kept and attached, and the lexical rules of LANGUAGE.md §1.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from '../../../server/src/core/syntax/parser';
import { declName, option, options, positional } from '../../../server/src/core/syntax/ast';
import { shapeOf, show } from './helpers';

const ok = (text: string) => {
  const p = parse(text, 'x.mailtopo');
  assert.deepEqual(p.diagnostics, [], show(p.diagnostics));
  return p;
};

describe('parser: valid input', () => {
  it('an empty file, blank lines and comments only', () => {
    for (const t of ['', '\n\n\n', '# just a comment', '# a\n\n# b\n', '\r\n  \t\r\n']) {
      const p = ok(t);
      assert.deepEqual(p.statements, []);
    }
    assert.equal(ok('# a\n\n# b\n').comments.length, 2);
  });

  it('statements, arguments, options, comma lists and blocks', () => {
    const p = ok(
      [
        'gateway edge1 {',
        '  role edge',
        '  relay allow from=corp, 10.0.0.0/8 auth=required',
        '  route companyabc.com via=ex1, ex2',
        '  spf "v=spf1 -all"',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(shapeOf(p.statements), [
      {
        kw: 'gateway',
        args: [{ items: ['edge1'] }],
        block: [
          { kw: 'role', args: [{ items: ['edge'] }] },
          {
            kw: 'relay',
            args: [
              { items: ['allow'] },
              { key: 'from', items: ['corp', '10.0.0.0/8'] },
              { key: 'auth', items: ['required'] },
            ],
          },
          { kw: 'route', args: [{ items: ['companyabc.com'] }, { key: 'via', items: ['ex1', 'ex2'] }] },
          { kw: 'spf', args: [{ items: ['"v=spf1 -all"'] }] },
        ],
      },
    ]);
    const gw = p.statements[0];
    assert.equal(declName(gw)?.text, 'edge1');
    const relay = gw.block!.statements[1];
    assert.equal(positional(relay).length, 1);
    assert.equal(options(relay).length, 2);
    assert.deepEqual(
      option(relay, 'auth')?.value.items.map((i) => i.text),
      ['required'],
    );
  });

  it('a comma list after key= belongs to that key, also across lines and comments', () => {
    const p = ok(
      'gateway g {\n  route a.example.com via=a,\n    # the backup\n    b, # trailing\n\n    c\n  tls off\n}\n',
    );
    const route = p.statements[0].block!.statements[0];
    assert.deepEqual(shapeOf([route]), [
      { kw: 'route', args: [{ items: ['a.example.com'] }, { key: 'via', items: ['a', 'b', 'c'] }] },
    ]);
    assert.deepEqual(route.range, { start: { line: 1, character: 2 }, end: { line: 5, character: 5 } });
    assert.equal(p.statements[0].block!.statements[1].keyword.text, 'tls');
    assert.equal(p.comments.length, 2);
  });

  it('exact ranges of keyword, arguments, options, blocks and statements', () => {
    const p = ok('pool p {\n  health smtp interval=10s\n}\n');
    const pool = p.statements[0];
    assert.deepEqual(pool.keyword.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
    assert.deepEqual(pool.block!.open, { start: { line: 0, character: 7 }, end: { line: 0, character: 8 } });
    assert.deepEqual(pool.block!.close, { start: { line: 2, character: 0 }, end: { line: 2, character: 1 } });
    assert.deepEqual(pool.range, { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } });
    const h = pool.block!.statements[0];
    assert.deepEqual(h.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 26 } });
    assert.deepEqual(h.args[0].range, { start: { line: 1, character: 9 }, end: { line: 1, character: 13 } });
    const iv = h.args[1];
    assert.deepEqual(iv.key!.range, { start: { line: 1, character: 14 }, end: { line: 1, character: 22 } });
    assert.deepEqual(iv.value.range, { start: { line: 1, character: 23 }, end: { line: 1, character: 26 } });
    assert.deepEqual(iv.range, { start: { line: 1, character: 14 }, end: { line: 1, character: 26 } });
    assert.equal(iv.value.items[0].offset, 9 + 23);
  });

  it('strings: quotes removed, \\" and \\\\ unescaped, the range covers the quotes', () => {
    const p = ok('domain a.example.com {\n  spf "a \\"b\\" c\\\\d # not a comment"\n}\n');
    const s = p.statements[0].block!.statements[0].args[0].value.items[0];
    assert.equal(s.text, 'a "b" c\\d # not a comment');
    assert.equal(s.quoted, true);
    assert.deepEqual(s.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 36 } });
    assert.equal(p.comments.length, 0);
  });

  it('words: hostnames, addresses, CIDRs, durations, sizes, patterns and e-mail addresses are single words', () => {
    const words = [
      'edge1',
      'mail.example.com',
      '198.51.100.7',
      '2001:db8::25',
      '10.0.0.0/8',
      '::/0',
      '25',
      '10s',
      '25MB',
      '*',
      '*.example.com',
      'hostmaster@example.com',
      'mta-sts',
      'a_b+c',
    ];
    const p = ok(`x ${words.join(' ')}\n`);
    assert.deepEqual(
      p.statements[0].args.map((a) => a.value.items[0].text),
      words,
    );
  });

  it('; ends a statement like a newline, and a statement may end before }', () => {
    const p = ok('gateway g { role relay; hostname g.example.com }\nnetwork n { cidr 10.0.0.0/8; }');
    assert.deepEqual(shapeOf(p.statements), [
      {
        kw: 'gateway',
        args: [{ items: ['g'] }],
        block: [
          { kw: 'role', args: [{ items: ['relay'] }] },
          { kw: 'hostname', args: [{ items: ['g.example.com'] }] },
        ],
      },
      { kw: 'network', args: [{ items: ['n'] }], block: [{ kw: 'cidr', args: [{ items: ['10.0.0.0/8'] }] }] },
    ]);
  });

  it("a ';' after a block's '}' is a bare ';' (BIND's '};' habit): MT001 on it", () => {
    const p = parse('network n {\n  cidr 10.0.0.0/8\n};\n', 'x');
    assert.deepEqual(
      p.diagnostics.map((d) => [d.code, d.range]),
      [['MT001', { start: { line: 2, character: 1 }, end: { line: 2, character: 2 } }]],
    );
    assert.equal(p.statements[0].block?.statements.length, 1);
  });

  it('empty blocks and nested blocks', () => {
    const p = ok('options {}\ndomain a.example.com {\n}\nx {\n  y {\n    z\n  }\n}\n');
    assert.deepEqual(shapeOf(p.statements), [
      { kw: 'options', args: [], block: [] },
      { kw: 'domain', args: [{ items: ['a.example.com'] }], block: [] },
      { kw: 'x', args: [], block: [{ kw: 'y', args: [], block: [{ kw: 'z', args: [] }] }] },
    ]);
  });

  it('CRLF line ends give the same tree and the same positions as LF', () => {
    const lf = readFileSync('samples/companyabc.mailtopo', 'utf8');
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = ok(lf),
      b = ok(crlf);
    assert.deepEqual(shapeOf(b.statements), shapeOf(a.statements));
    assert.deepEqual(
      b.statements.map((s) => s.range),
      a.statements.map((s) => s.range),
    );
    assert.deepEqual(
      b.comments.map((c) => [c.text, c.range]),
      a.comments.map((c) => [c.text, c.range]),
    );
  });

  it('a comment directly above a statement is its documentation; a trailing comment is not', () => {
    const p = ok(
      [
        '# Edge gateway', // 0
        '# in the perimeter', // 1
        'gateway g { # opens', // 2
        '  role relay # a note', // 3
        '  hostname g.example.com', // 4
        '',
        '  # separated by a blank line',
        '',
        '  # TLS is off on purpose', // 8
        '  tls off', // 9
        '}',
      ].join('\n'),
    );
    const g = p.statements[0];
    assert.deepEqual(g.leadingComments, ['Edge gateway', 'in the perimeter']);
    assert.deepEqual(
      g.block!.statements.map((s) => s.leadingComments),
      [[], [], ['TLS is off on purpose']],
    );
    assert.equal(p.comments.length, 6);
    assert.deepEqual(p.comments[2].range, { start: { line: 2, character: 12 }, end: { line: 2, character: 19 } });
  });

  it('a byte-order mark is skipped like a blank', () => {
    const p = ok('\ufeffgateway g {\n  role relay\n}\n');
    assert.equal(p.statements[0].keyword.text, 'gateway');
  });

  it('every sample parses without a diagnostic', () => {
    for (const f of [
      'samples/companyabc.mailtopo',
      'samples/small-office.mailtopo',
      'samples/cloud-filter.mailtopo',
      'samples/multi/main.mailtopo',
      'samples/multi/domains.mailtopo',
      'samples/multi/infrastructure.mailtopo',
    ]) {
      const p = parse(readFileSync(f, 'utf8'), f);
      assert.deepEqual(p.diagnostics, [], `${f}\n${show(p.diagnostics)}`);
      assert.ok(p.statements.length > 0, f);
    }
  });

  it('parsing is repeatable: the shared parser keeps no state between files', () => {
    const broken = parse('gateway g {\n  role relay\n', 'a');
    assert.equal(broken.diagnostics.length, 1);
    const fine = parse('gateway g {\n  role relay\n}\n', 'b');
    assert.deepEqual(fine.diagnostics, []);
    const again = parse('gateway g {\n  role relay\n', 'a');
    assert.deepEqual(again.diagnostics, broken.diagnostics);
  });
});
