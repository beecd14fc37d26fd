// The CLI's machine-readable outputs as types, so tests read them without
// `any`: `--format json` (INTERFACES.md) and the parts of SARIF 2.1.0 the
// tests look at (./sarif.ts checks the structure itself).

export interface JsonPosition {
  line: number;
  character: number;
}
export interface JsonRange {
  start: JsonPosition;
  end: JsonPosition;
}
export interface JsonDiagnostic {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: JsonRange;
  related: Array<{ file: string; range: JsonRange; message: string }>;
}
export interface JsonOutput {
  files: Array<{ file: string; diagnostics: JsonDiagnostic[] }>;
  summary: { errors: number; warnings: number; information: number; hints: number };
}

/** `mailtopo check --format json` output. */
export function parseJson(text: string): JsonOutput {
  return JSON.parse(text) as JsonOutput;
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: SarifRegion };
}
export interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
}
export interface SarifLog {
  version: string;
  runs: Array<{ tool: { driver: { name: string; rules: Array<{ id: string }> } }; results: SarifResult[] }>;
}

/** `mailtopo check --format sarif` output. */
export function parseSarif(text: string): SarifLog {
  return JSON.parse(text) as SarifLog;
}
