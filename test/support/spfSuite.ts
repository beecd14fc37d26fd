// The RFC 7208 test suite (../shared/conformance/rfc7208-tests.yml) as zones for
// the loopback test DNS server: per scenario, its `zonedata` as records, SPF
// (type 99) copied to TXT where a name has no TXT of its own (the suite's header;
// `TXT: NONE` stops the copy), and TIMEOUT as a name that never answers the types
// not listed before it (as pyspf's test driver does).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import type { ZoneRecord } from './dnsServer';

export const SUITE_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/conformance/rfc7208-tests.yml',
);

export interface SuiteTest {
  name: string;
  spec: string;
  helo: string;
  host: string;
  mailfrom: string;
  result: string[];
  explanation?: string;
}

export interface SuiteScenario {
  description: string;
  tests: SuiteTest[];
  records: ZoneRecord[];
  /** Name and type pairs that never get an answer. */
  timeouts: Array<{ name: string; type: string }>;
}

type RawEntry = string | Record<string, unknown>;

interface RawScenario {
  description: string;
  tests: Record<string, Record<string, unknown>>;
  zonedata?: Record<string, RawEntry[]>;
}

const QUERY_TYPES = ['A', 'AAAA', 'MX', 'TXT', 'PTR', 'CNAME'];

function recordData(type: string, v: unknown): unknown {
  switch (type) {
    case 'TXT': {
      const parts = Array.isArray(v) ? v.map(String) : [String(v)];
      return parts.map((p) => Buffer.from(p, 'utf8'));
    }
    case 'MX': {
      const [preference, exchange] = v as [number, string];
      return { preference, exchange: exchange.toLowerCase().replace(/\.$/, '') || '.' };
    }
    case 'PTR':
    case 'CNAME':
      return String(v).toLowerCase().replace(/\.$/, '');
    default:
      return String(v);
  }
}

function nameRecords(name: string, entries: RawEntry[], out: SuiteScenario): void {
  const hasTxt = entries.some((e) => typeof e === 'object' && 'TXT' in e);
  const answered = new Set<string>();
  let timedOut = false;
  for (const e of entries) {
    if (e === 'TIMEOUT') {
      timedOut = true;
      continue;
    }
    if (typeof e !== 'object' || timedOut) continue;
    for (const [rawType, v] of Object.entries(e)) {
      if (v === 'NONE') continue; // TXT: NONE: no TXT record, and SPF is not copied
      const types = rawType === 'SPF' ? (hasTxt ? [] : ['TXT']) : [rawType];
      for (const type of types) {
        answered.add(type);
        out.records.push({ name, type, ttl: 300, data: recordData(type, v) });
      }
    }
  }
  if (timedOut) for (const type of QUERY_TYPES) if (!answered.has(type)) out.timeouts.push({ name, type });
}

function suiteTest(name: string, t: Record<string, unknown>): SuiteTest {
  const result = Array.isArray(t.result) ? t.result.map(String) : [String(t.result)];
  return {
    name,
    spec: String(t.spec),
    helo: String(t.helo),
    host: String(t.host),
    mailfrom: typeof t.mailfrom === 'string' ? t.mailfrom : '',
    result,
    explanation: typeof t.explanation === 'string' ? t.explanation : undefined,
  };
}

export function loadSuite(file = SUITE_FILE): SuiteScenario[] {
  const docs = (loadAll(readFileSync(file, 'utf8')) as Array<RawScenario | null>).filter(
    (d): d is RawScenario => !!d && typeof d === 'object' && 'tests' in d,
  );
  return docs.map((d) => {
    const s: SuiteScenario = { description: d.description, tests: [], records: [], timeouts: [] };
    for (const [name, entries] of Object.entries(d.zonedata ?? {}))
      nameRecords(name.toLowerCase().replace(/\.$/, ''), entries, s);
    s.tests = Object.entries(d.tests).map(([n, t]) => suiteTest(n, t));
    return s;
  });
}
