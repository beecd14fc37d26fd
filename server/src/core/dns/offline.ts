// An offline resolver, told once. When a live run got no answer at all (every
// query timed out or the network refused it) or every query failed the same
// way (SERVFAIL, REFUSED), hundreds of "could not finish" MT590 notices say
// nothing more than one: the editor shows one MT590 per resolver on the first
// declaration line, pauses the live checks and asks again later with a single
// probe query (RULES.md, MT590; INTERFACES.md, status bar "offline").
import type { CheckResult } from '../check';
import type { MtDiagnostic, Range } from '../diagnostic';
import type { LiveInput } from './liveInput';
import type { LiveResult } from './live';
import { canonicalIp, isPrivateAddress, normalizeName, parseIp, reverseName } from './ip';
import type { DnsStatus, RRType } from './resolver';

/** Why a run counts as offline: the resolvers it tried and the one way every query failed. */
export interface OfflineVerdict {
  resolvers: string[];
  status: DnsStatus;
}

/** Statuses that mean an answer came back (the resolver is up, whatever it said). */
export const ANSWERED: ReadonlySet<DnsStatus> = new Set<DnsStatus>(['ok', 'nxdomain', 'nodata']);

interface Mt590Data {
  status?: DnsStatus;
  tried?: string[];
  resolver?: string;
}

/** Did any lookup of the run get an answer? (Live answers keep the status of each lookup.) */
function anyAnswer(a: LiveResult['answers']): boolean {
  for (const group of [a.hosts, a.mx, a.ptr, a.spf, a.dmarc, a.mtaSts, a.tlsRpt] as Array<
    Record<string, { status?: DnsStatus }>
  >)
    for (const k in group) if (group[k].status && ANSWERED.has(group[k].status)) return true;
  for (const z in a.dnsbl) if (a.dnsbl[z].testPoints.some((t) => ANSWERED.has(t.status))) return true;
  return false;
}

/**
 * The run was offline when it produced only MT590 notices, no lookup got an
 * answer, and every notice failed the same way. Undefined otherwise (a
 * partial failure keeps its own notices: they name what could not be checked).
 */
export function offlineVerdict(r: LiveResult): OfflineVerdict | undefined {
  if (!r.diagnostics.length || anyAnswer(r.answers)) return undefined;
  let status: DnsStatus | undefined;
  const resolvers: string[] = [];
  for (const d of r.diagnostics) {
    if (d.code !== 'MT590') return undefined;
    const data = (d.data ?? {}) as Mt590Data;
    if (!data.status || (status && failureKind(data.status) !== failureKind(status))) return undefined;
    status = data.status;
    for (const s of data.tried?.length ? data.tried : data.resolver ? [data.resolver] : [])
      if (!resolvers.includes(s)) resolvers.push(s);
  }
  if (!status || status === 'aborted' || ANSWERED.has(status)) return undefined;
  return { resolvers, status };
}

/** A timeout and a refused connection (ICMP unreachable, rate-limited into silence) are the same silence. */
function failureKind(s: DnsStatus): string {
  return s === 'timeout' || s === 'network' ? 'silent' : s;
}

/** "did not answer" for silence, the shared failure otherwise. */
function what(status: DnsStatus): string {
  switch (status) {
    case 'timeout':
    case 'network':
      return 'did not answer';
    case 'servfail':
      return 'answered SERVFAIL to every query';
    case 'refused':
      return 'answered REFUSED to every query';
    default:
      return `failed every query (${status})`;
  }
}

/** The message of the one MT590 per resolver. */
export function offlineMessage(resolver: string, status: DnsStatus, retryMs: number): string {
  return `resolver ${resolver} ${what(status)}; live checks paused, retrying in ${Math.round(retryMs / 1000)} s`;
}

/** The line of the first declaration of the main file (line 0 when it declares nothing). */
export function firstDeclarationRange(r: CheckResult): { file: string; range: Range } {
  const lf = r.workspace.files[0];
  const file = lf?.display ?? 'untitled.mailtopo';
  const st = lf?.parsed.statements[0];
  if (!lf || !st) return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  const start = st.keyword.range.start;
  const text = lf.parsed.text;
  const from = st.keyword.offset - start.character;
  let end = text.indexOf('\n', from);
  if (end < 0) end = text.length;
  const lineText = text.slice(from, end).replace(/\s+$/, '');
  return { file, range: { start, end: { line: start.line, character: Math.max(start.character, lineText.length) } } };
}

/** One MT590 per resolver of the verdict, on the first declaration line of the checked workspace's main file. */
export function offlineNotices(r: CheckResult, v: OfflineVerdict, retryMs: number): MtDiagnostic[] {
  const at = firstDeclarationRange(r);
  return v.resolvers.map((resolver) => ({
    code: 'MT590',
    severity: 'information',
    message: offlineMessage(resolver, v.status, retryMs),
    file: at.file,
    range: at.range,
    data: { resolver, status: v.status, offline: true, retryMs },
  }));
}

/**
 * The one query that tells whether the resolvers answer again: the first name
 * the run itself would ask (a name from the topology, never another).
 */
export function probeQuery(input: LiveInput): { name: string; type: RRType } | undefined {
  const d = input.domains[0];
  if (d) return { name: normalizeName(d.name), type: 'MX' };
  for (const h of input.hosts) {
    const name = normalizeName(h.hostname);
    if (name.includes('.') && !parseIp(name)) return { name, type: 'A' };
  }
  for (const a of input.addresses) {
    const c = canonicalIp(a.address);
    const rev = c && !isPrivateAddress(c) ? reverseName(c) : undefined;
    if (rev) return { name: rev, type: 'PTR' };
  }
  return undefined;
}
