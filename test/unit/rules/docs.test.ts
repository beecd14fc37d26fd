// docs/rules.md documents every code of RULES.md, and its MT2xx-MT4xx
// examples are real: the wrong one reports the code, the fixed one does not.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../../server/src/core/check';

const DOC = fs.readFileSync(path.resolve('docs/rules.md'), 'utf8');

interface Section {
  code: string;
  wrong?: string;
  fixed?: string;
}

function sections(): Section[] {
  const out: Section[] = [];
  const parts = DOC.split(/^### (MT\d{3})\b.*$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const body = parts[i + 1];
    const block = (label: string) => {
      const m = new RegExp(`^${label}:\\n\`\`\`mailtopo\\n([\\s\\S]*?)\`\`\``, 'm').exec(body);
      return m?.[1];
    };
    out.push({ code: parts[i], wrong: block('Wrong'), fixed: block('Fixed') });
  }
  return out;
}

function specCodes(): string[] {
  const candidates = [path.resolve('../shared/spec/RULES.md'), path.resolve('docs/../../shared/spec/RULES.md')];
  const f = candidates.find((c) => fs.existsSync(c));
  if (!f) return [];
  return [...new Set([...fs.readFileSync(f, 'utf8').matchAll(/^\| (MT\d{3}) \|/gm)].map((m) => m[1]))];
}

describe('rules: docs/rules.md', () => {
  const secs = sections();

  it('documents every code of RULES.md', function () {
    const codes = specCodes();
    if (!codes.length) this.skip();
    const missing = codes.filter((c) => !new RegExp(`(^### ${c}\\b|^\\| ${c} \\|)`, 'm').test(DOC));
    assert.deepEqual(missing, []);
  });

  for (const s of secs.filter((x) => /^MT[234]/.test(x.code))) {
    it(`${s.code}: the wrong example reports it, the fixed one does not`, () => {
      assert.ok(s.wrong && s.fixed, `${s.code} needs a Wrong and a Fixed example`);
      const w = checkText(s.wrong, 'wrong.mailtopo').diagnostics;
      assert.ok(
        !w.some((d) => d.severity === 'error' && /^MT[01]/.test(d.code)),
        `${s.code} wrong example: ${w
          .filter((d) => d.severity === 'error')
          .map((d) => `${d.code} ${d.message}`)
          .join('; ')}`,
      );
      assert.ok(
        w.some((d) => d.code === s.code),
        `${s.code} wrong example gives ${w.map((d) => d.code).join(', ')}`,
      );
      const f = checkText(s.fixed, 'fixed.mailtopo').diagnostics;
      assert.ok(!f.some((d) => d.code === s.code), `${s.code} fixed example still gives it`);
      assert.ok(
        !f.some((d) => d.severity === 'error' && /^MT[01]/.test(d.code)),
        `${s.code} fixed example: ${f
          .filter((d) => d.severity === 'error')
          .map((d) => `${d.code} ${d.message}`)
          .join('; ')}`,
      );
    });
  }
});
