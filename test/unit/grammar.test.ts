// The TextMate grammar is generated from the schema: fail when the committed
// file is stale, and check with the real TextMate engine (vscode-tmgrammar-test)
// that every schema keyword and enum value gets its scope.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRAMMAR_PATH, grammarLists, grammarText } from '../../scripts/gen-grammar';
import { allEnumValues, allStatementKeywords } from '../../server/src/core/schema/schema';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');

function runGrammarTest(text: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mt-grammar-'));
  try {
    const file = join(dir, 'gen.test.mailtopo');
    writeFileSync(file, text);
    try {
      const out = execFileSync(process.execPath, [CLI, '-g', GRAMMAR_PATH, file], { encoding: 'utf8', stdio: 'pipe' });
      return { ok: true, out };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function caret(col: number, len: number, scope: string): string {
  return `#${' '.repeat(col - 1)}${'^'.repeat(len)} ${scope}`;
}

describe('TextMate grammar', () => {
  it('is up to date with the schema (run `npm run gen:grammar`)', () => {
    const committed = readFileSync(GRAMMAR_PATH, 'utf8');
    assert.equal(
      committed,
      grammarText(),
      'syntaxes/mailtopo.tmLanguage.json is stale: run `npm run gen:grammar` and commit it',
    );
  });

  it('lists every statement keyword and enum value of the schema', () => {
    const l = grammarLists();
    for (const k of allStatementKeywords())
      assert.ok(l.statements.includes(k) || l.declarations.includes(k) || k === 'import', k);
    assert.deepEqual(l.enums, allEnumValues());
  });

  it('scopes every statement keyword and every enum value (real TextMate engine)', () => {
    const { statements, enums, declarations } = grammarLists();
    const lines = ['# SYNTAX TEST "source.mailtopo" "generated from the schema"', 'gateway g {'];
    for (const k of statements) {
      lines.push(`  ${k} x`, caret(2, k.length, 'keyword.other.statement.mailtopo'));
    }
    for (const v of enums) {
      const prefix = '  tls ';
      lines.push(
        `${prefix}${v}`,
        caret(prefix.length, v.length, 'constant.language.mailtopo - keyword.other.statement.mailtopo'),
      );
    }
    lines.push('}');
    for (const d of declarations) {
      if (d === 'options') lines.push('options {', '# <------- storage.type.declaration.options.mailtopo', '}');
      else if (d === 'domain')
        lines.push('domain example.com {', `# <${'-'.repeat(6)} storage.type.declaration.domain.mailtopo`, '}');
      else
        lines.push(
          `${d} n1 {`,
          `# <${'-'.repeat(d.length)} storage.type.declaration.${d}.mailtopo`,
          caret(d.length + 1, 2, `entity.name.type.${d}.mailtopo`),
          '}',
        );
    }
    const r = runGrammarTest(lines.join('\n') + '\n');
    assert.ok(r.ok, r.out);
  });

  it('the grammar test runner does fail on a wrong scope (guards the check above)', () => {
    const r = runGrammarTest(
      '# SYNTAX TEST "source.mailtopo"\ngateway g {\n  role edge\n#      ^^^^ keyword.other.statement.mailtopo\n}\n',
    );
    assert.equal(r.ok, false);
  });
});

describe('language-configuration.json', () => {
  const conf = JSON.parse(readFileSync(join(ROOT, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string };
    brackets: string[][];
    autoClosingPairs: { open: string; close: string }[];
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    wordPattern: string;
  };
  it('has # comments, braces, auto-closing quotes and braces', () => {
    assert.equal(conf.comments.lineComment, '#');
    assert.deepEqual(conf.brackets, [['{', '}']]);
    assert.ok(conf.autoClosingPairs.some((p) => p.open === '{' && p.close === '}'));
    assert.ok(conf.autoClosingPairs.some((p) => p.open === '"' && p.close === '"'));
  });
  it('indents after a line ending in { and outdents on }', () => {
    const inc = new RegExp(conf.indentationRules.increaseIndentPattern);
    const dec = new RegExp(conf.indentationRules.decreaseIndentPattern);
    for (const l of [
      'gateway edge1 {',
      'domain example.com {  ',
      'options { # defaults',
      'pool p { # a { in a comment',
      'x "a}b" {',
    ])
      assert.ok(inc.test(l), `increase: ${l}`);
    for (const l of ['pool p { mode balanced }', '# gateway {', 'spf "v=spf1 {"', '  role edge'])
      assert.ok(!inc.test(l), `no increase: ${l}`);
    assert.ok(dec.test('  }'));
    assert.ok(!dec.test('  role edge'));
  });
  it('treats hostnames, addresses and CIDRs as one word', () => {
    const w = new RegExp(`^(?:${conf.wordPattern})$`);
    for (const s of ['mail.example.com', '2001:db8::25', '10.0.0.0/8', '*.example.com', 'edge-pool', 'mta-sts'])
      assert.ok(w.test(s), s);
  });
});
