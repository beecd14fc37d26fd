// docs/language.md: the generated reference is up to date with the schema,
// covers every statement of every block, and every example in the document is
// valid mailtopo (the complete example checks without a single diagnostic).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { ALTERNATIVES, DECL_HEAD, DOC_PATH, EXAMPLES, docText } from '../../../scripts/gen-language-doc';
import { SCHEMA, type BlockKind } from '../../../server/src/core/schema/schema';
import { checkText } from '../../../server/src/core/check';
import { show } from '../syntax/helpers';

const doc = readFileSync(DOC_PATH, 'utf8');
const blocks = [...doc.matchAll(/```mailtopo\n([\s\S]*?)```/g)].map((m) => m[1]);
/** Codes an isolated snippet may carry: it names things declared elsewhere and leaves out required statements. */
const SNIPPET_OK = new Set(['MT103', 'MT105', 'MT106', 'MT110', 'MT111']);

describe('docs/language.md', () => {
  it('its statement reference is generated from the current schema (run `npx tsx scripts/gen-language-doc.ts`)', () => {
    assert.equal(doc, docText(doc), 'docs/language.md is stale: run npx tsx scripts/gen-language-doc.ts and commit it');
  });

  it('documents every statement of every block, each with an example', () => {
    for (const [kind, b] of Object.entries(SCHEMA) as Array<[BlockKind, (typeof SCHEMA)[BlockKind]]>) {
      for (const name of Object.keys(b.statements)) {
        assert.ok(doc.includes(`<a id="${kind}-${name}"></a>\n\n#### \`${name}\``), `${kind}.${name} missing`);
        assert.ok(EXAMPLES[`${kind}.${name}`]?.length, `${kind}.${name} has no example`);
      }
    }
    for (const key of Object.keys(EXAMPLES)) {
      const [kind, name] = key.split('.') as [BlockKind, string];
      assert.ok(SCHEMA[kind]?.statements[name], `an example for '${key}', which the schema does not have`);
    }
  });

  it('every example is valid where it stands', () => {
    assert.ok(blocks.length > 60);
    for (const text of blocks) {
      const bad = checkText(text, 'doc.mailtopo', { host: { readFile: () => undefined } }).diagnostics.filter(
        (d) => /^MT[01]/.test(d.code) && !SNIPPET_OK.has(d.code),
      );
      assert.deepEqual(bad, [], `${text}\n${show(bad)}`);
    }
  });

  it('every `# or:` alternative is valid in its block', () => {
    for (const [key, alts] of Object.entries(ALTERNATIVES)) {
      const kind = key.split('.')[0] as BlockKind;
      for (const a of alts) {
        const text = `${DECL_HEAD[kind]} {\n  ${a}\n}\n`;
        const bad = checkText(text, 'doc.mailtopo').diagnostics.filter(
          (d) => /^MT[01]/.test(d.code) && !SNIPPET_OK.has(d.code),
        );
        assert.deepEqual(bad, [], `${text}\n${show(bad)}`);
      }
    }
  });

  it('the complete example checks without a diagnostic, and is the companyabc sample', () => {
    const sec = doc.slice(doc.indexOf('## 5. A complete example'));
    const ex = /```mailtopo\n([\s\S]*?)```/.exec(sec)![1];
    assert.equal(ex, readFileSync('samples/companyabc.mailtopo', 'utf8'));
    const all = checkText(ex, 'companyabc.mailtopo').diagnostics;
    assert.deepEqual(all, [], show(all));
  });
});
