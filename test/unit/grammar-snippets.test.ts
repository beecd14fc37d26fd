// Every declaration kind has a snippet, and the snippets expand to text the
// language accepts (no syntax or schema error beyond references to names the
// snippet does not declare itself).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../../server/src/core/check';
import { TOP_LEVEL_KEYWORDS } from '../../server/src/core/schema/schema';

const ROOT = join(import.meta.dirname, '..', '..');
type Snippet = { prefix: string; body: string[]; description: string };
const snippets = JSON.parse(readFileSync(join(ROOT, 'snippets', 'mailtopo.json'), 'utf8')) as Record<string, Snippet>;

/** Expand a snippet body the way VS Code does with every default accepted. */
function expand(body: string[]): string {
  let text = body.join('\n').replace(/\t/g, '  ');
  const values = new Map<string, string>();
  // ${n|a,b|} choices (first choice), ${n:default} (innermost first), $n / ${n} mirrors, $0.
  text = text.replace(/\$\{(\d+)\|([^|}]*)\|\}/g, (_m, n: string, c: string) => {
    const v = c.split(',')[0];
    values.set(n, v);
    return v;
  });
  for (let i = 0; i < 5; i++)
    text = text.replace(/\$\{(\d+):([^${}]*)\}/g, (_m, n: string, d: string) => {
      values.set(n, d);
      return d;
    });
  return text.replace(/\$\{?(\d+)\}?/g, (_m, n: string) => values.get(n) ?? '');
}

describe('snippets', () => {
  it('one per declaration kind (and import, options)', () => {
    const prefixes = Object.values(snippets).map((s) => s.prefix);
    for (const k of TOP_LEVEL_KEYWORDS) assert.ok(prefixes.includes(k), `snippet for ${k}`);
    for (const s of Object.values(snippets)) assert.ok(s.description.length > 10, s.prefix);
  });

  it('expand to valid mailtopo', () => {
    const text = Object.values(snippets)
      .filter((s) => s.prefix !== 'import')
      .map((s) => expand(s.body))
      .join('\n');
    const res = checkText(text, 'snippets.mailtopo');
    const diags = res.diagnostics;
    const allowed = /^MT(105|111|[2-9]\d\d)$/; // undeclared names (edge2, ...), unused, and analysis findings
    const bad = diags.filter((d) => !allowed.test(d.code));
    assert.deepEqual(
      bad.map((d) => `${d.code} ${d.range.start.line + 1}: ${d.message}`),
      [],
      text,
    );
  });
});
