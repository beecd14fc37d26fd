// SARIF 2.1.0 for code-scanning uploads: one rule per code in the catalog.
import type { MtDiagnostic, Severity } from '../diagnostic';
import { CODES, codeHref } from '../codes';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

function uri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

function region(r: MtDiagnostic['range']) {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function toSarif(diags: MtDiagnostic[]): object {
  const rules = CODES.map((c) => ({
    id: c.code,
    name: c.code,
    shortDescription: { text: c.title },
    helpUri: codeHref(c.code),
    defaultConfiguration: { level: LEVEL[c.severity] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = diags.map((d) => ({
    ruleId: d.code,
    ...(index.has(d.code) ? { ruleIndex: index.get(d.code) } : {}),
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.file) }, region: region(d.range) } }],
    ...(d.related?.length ? {
      relatedLocations: d.related.map((r, i) => ({ id: i, message: { text: r.message }, physicalLocation: { artifactLocation: { uri: uri(r.file) }, region: region(r.range) } })),
    } : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'mailtopo', informationUri: 'https://github.com/mailtopo/mailtopo', version: '0.1.0', rules } }, results }],
  };
}
