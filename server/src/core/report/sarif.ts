// SARIF 2.1.0 for code-scanning uploads: one rule per code in the catalog.
import type { MtDiagnostic, Severity } from '../diagnostic';
import { CODES, codeHref } from '../codes';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** A relative path stays a relative URI reference; an absolute one becomes a file: URI. */
function uri(file: string): string {
  if (path.isAbsolute(file) || path.win32.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

function region(r: MtDiagnostic['range']) {
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

export function toSarif(diags: MtDiagnostic[]): object {
  const rules = CODES.map((c) => ({
    id: c.code,
    name: c.code,
    shortDescription: { text: c.title },
    helpUri: codeHref(c.code),
    defaultConfiguration: { level: LEVEL[c.severity] },
  }));
  // a code outside the catalog (MT000: a rule family failed) still gets its one rule
  for (const d of diags) {
    if (rules.some((r) => r.id === d.code)) continue;
    rules.push({
      id: d.code,
      name: d.code,
      shortDescription: { text: d.code === 'MT000' ? 'internal: an analysis step failed' : d.code },
      helpUri: codeHref(d.code),
      defaultConfiguration: { level: LEVEL[d.severity] },
    });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = diags.map((d) => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code)!,
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.file) }, region: region(d.range) } }],
    ...(d.related?.length
      ? {
          relatedLocations: d.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: { uri: uri(r.file) }, region: region(r.range) },
          })),
        }
      : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'mailtopo', informationUri: 'https://github.com/mailtopo/mailtopo', version: '0.1.0', rules },
        },
        results,
      },
    ],
  };
}
