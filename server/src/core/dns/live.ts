// The live DNS checks, MT501–MT515 and MT590 (RULES.md): what the topology
// declares held against what the DNS says, as diagnostics on the statements
// that declare it, plus the raw answers seen (for hover, inlay hints and code
// lenses) so the editor never has to ask again.
//
// Every independent lookup runs at once; the run takes as long as the longest
// chain of lookups that depend on each other (SPF includes, DNSBL test points
// before listings, PTR before its forward confirmation). No query is sent for a
// private address, nor for a name the topology does not contain besides the
// DNSBL zones and names derived from the topology's own (_dmarc., _mta-sts.,
// _smtp._tls., reverse names, names an SPF record references, PTR targets).
import { setMaxListeners } from 'node:events';
import type { MtDiagnostic, Range, RelatedInfo, Severity } from '../diagnostic';
import type { LiveAddress, LiveDnsblZone, LiveDomain, LiveHost, LiveInput, LiveMx } from './liveInput';
import {
  Resolver,
  describeResult,
  systemResolvers,
  type DnsResult,
  type DnsStatus,
  type MxData,
  type RRType,
} from './resolver';
import {
  canonicalIp,
  isPrivateAddress,
  isPublicAddress,
  normalizeName,
  parseIp,
  reverseName,
  reversedLabels,
  inCidr,
} from './ip';
import {
  analyzeSpf,
  evaluateSpf,
  isDmarcRecord,
  parseDmarc,
  renderSpfTree,
  type DmarcRecord,
  type SpfAnalysis,
  type SpfDns,
  type SpfEvaluation,
} from './spf';

export interface LiveOptions {
  /** 'HOST[:PORT]' resolvers; [] = the system's (/etc/resolv.conf). */
  resolvers: string[];
  /** Bound of each query (all its attempts), ms. */
  timeoutMs: number;
  /** DNSBL zones from settings (mailtopo.liveChecks.dnsbl), added to the file's. */
  extraDnsbl?: string[];
  /** Use this resolver (its cache carries over between runs); not closed here. */
  resolver?: Resolver;
  signal?: AbortSignal;
}

export interface HostAnswer {
  hostname: string;
  status: DnsStatus;
  a: string[];
  aaaa: string[];
  aStatus: DnsStatus;
  aaaaStatus: DnsStatus;
  /** CNAMEs the name went through. */
  cnameChain: string[];
}

export interface MxAnswer {
  domain: string;
  status: DnsStatus;
  records: Array<{ preference: number; exchange: string }>;
  nullMx: boolean;
}

export interface PtrAnswer {
  address: string;
  status: DnsStatus;
  names: string[];
  /** Forward lookups of the PTR names. */
  forward: Record<string, string[]>;
  confirmed: boolean;
}

export interface SpfAnswer {
  domain: string;
  status: DnsStatus;
  record?: string;
  analysis?: SpfAnalysis;
  /** check_host() for each outbound address. */
  evaluations: SpfEvaluation[];
  /** The tree rendered for hover, one line per term. */
  tree: string[];
}

export interface TxtAnswer {
  name: string;
  status: DnsStatus;
  records: string[];
}

export interface DmarcAnswer extends TxtAnswer {
  record?: string;
  parsed?: DmarcRecord;
}

export interface DnsblListing {
  address: string;
  status: 'listed' | 'clear' | 'refused' | 'bad-answer' | 'failed';
  codes: string[];
  reason?: string;
}

export interface DnsblAnswer {
  zone: string;
  /** Passed the RFC 5782 IPv4 test points (queried for IPv4 addresses). */
  usable: boolean;
  usableV6: boolean;
  /** Why not usable. */
  problem?: string;
  testPoints: Array<{ name: string; status: DnsStatus; answers: string[] }>;
  listings: Record<string, DnsblListing>;
}

export interface LiveAnswers {
  /** By hostname (lower case). */
  hosts: Record<string, HostAnswer>;
  /** By domain. */
  mx: Record<string, MxAnswer>;
  /** By address (canonical). */
  ptr: Record<string, PtrAnswer>;
  spf: Record<string, SpfAnswer>;
  dmarc: Record<string, DmarcAnswer>;
  mtaSts: Record<string, TxtAnswer>;
  tlsRpt: Record<string, TxtAnswer>;
  /** By zone. */
  dnsbl: Record<string, DnsblAnswer>;
}

export interface LiveResult {
  diagnostics: MtDiagnostic[];
  answers: LiveAnswers;
  /** Queries sent on the wire during this run. */
  queries: number;
  /** Wall time, ms. */
  ms: number;
}

/** Spamhaus' "we will not answer you" codes: typo, public resolver, rate limit. */
export const DNSBL_REFUSAL_CODES: Record<string, string> = {
  '127.255.255.252': 'typo in the zone name',
  '127.255.255.254': 'query through a public/open resolver',
  '127.255.255.255': 'excessive number of queries',
};

const isVoid = (s: DnsStatus) => s === 'nxdomain' || s === 'nodata';
const isFail = (s: DnsStatus) => !(s === 'ok' || isVoid(s));

interface Tagged {
  d: MtDiagnostic;
  /** The domain this diagnostic is about (MT501 replaces the others). */
  domain?: string;
}

function under(name: string, domain: string): boolean {
  return name === domain || name.endsWith('.' + domain);
}

function normSpf(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

function normDmarc(s: string): string {
  return s
    .split(';')
    .map((p) => p.trim().replace(/\s*=\s*/, '='))
    .filter((p) => p.length)
    .join('; ')
    .toLowerCase();
}

function fmtMx(records: Array<{ preference: number; exchange: string }>): string {
  if (!records.length) return 'none';
  return list(
    [...records]
      .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange))
      .map((r) => `${r.preference} ${r.exchange}`),
  );
}

/** The text of a record's data (A, AAAA, PTR, CNAME: a string; other types as JSON). */
const rdataText = (data: unknown): string => (typeof data === 'string' ? data : JSON.stringify(data));

/** A diagnostic message stays under this many characters (RULES.md, live checks). */
export const MAX_MESSAGE_CHARS = 500;

/**
 * A comma list that stays short: as many items as fit in `budget` characters,
 * then "… and 37 more" (a host with 1,700 A records made a 59 KB line).
 */
export function list(items: readonly string[], budget = 150): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}, ${items[i]}` : items[i];
    if (next.length > budget && i > 0) return `${out} … and ${items.length - i} more`;
    out = next.length > budget ? `${next.slice(0, budget)}…` : next;
  }
  return out;
}

/** The last guard: a message over the limit is cut (the lists above keep most messages far below it). */
function capMessage(m: string): string {
  return m.length <= MAX_MESSAGE_CHARS ? m : `${m.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

const LINE0: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

class LiveRun {
  readonly out: Tagged[] = [];
  readonly answers: LiveAnswers = { hosts: {}, mx: {}, ptr: {}, spf: {}, dmarc: {}, mtaSts: {}, tlsRpt: {}, dnsbl: {} };
  readonly goneDomains = new Set<string>();
  readonly dns: SpfDns;

  /** Aborted when the run's deadline passes (or the caller's signal aborts). */
  private readonly stop = new AbortController();
  private deadlineHit = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly resolver: Resolver,
    private readonly signal: AbortSignal | undefined,
    private readonly input: LiveInput,
  ) {
    this.dns = { resolve: (n: string, t: RRType) => this.q(n, t) };
    setMaxListeners(0, this.stop.signal); // one listener per query in flight, removed when it settles
    if (signal) {
      if (signal.aborted) this.stop.abort();
      else signal.addEventListener('abort', () => this.stop.abort(), { once: true });
    }
  }

  /** End the run after `ms`: every query still waiting then fails as MT590 "the run's deadline". */
  startDeadline(ms: number): void {
    this.timer = setTimeout(() => {
      this.deadlineHit = true;
      this.stop.abort();
    }, ms);
    this.deadlineMs = ms;
  }
  private deadlineMs = 0;
  endDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async q(name: string, type: RRType): Promise<DnsResult> {
    const r = await this.resolver.resolve(name, type, { signal: this.stop.signal });
    if (r.status !== 'aborted' || !this.deadlineHit || this.signal?.aborted) return r;
    return { ...r, status: 'timeout', error: `the live run's deadline (${this.deadlineMs} ms) passed` };
  }

  diag(
    code: string,
    severity: Severity,
    message: string,
    file: string,
    range: Range,
    domain?: string,
    related?: RelatedInfo[],
    data?: Record<string, unknown>,
  ): void {
    const d: MtDiagnostic = { code, severity, message: capMessage(message), file, range };
    if (related && related.length) d.related = related;
    if (data) d.data = data;
    this.out.push({ d, domain });
  }

  /** MT590 for a failed lookup (never for an aborted one). */
  failed(r: DnsResult, file: string, range: Range, domain?: string, what?: string): void {
    if (r.status === 'aborted') return;
    this.diag(
      'MT590',
      'information',
      `live check could not finish${what ? ` (${what})` : ''}: ${describeResult(r)}`,
      file,
      range,
      domain,
      undefined,
      { query: { name: r.name, type: r.type }, resolver: r.server, tried: r.tried, status: r.status },
    );
  }

  // --- domains ---------------------------------------------------------------

  async domain(d: LiveDomain): Promise<void> {
    const dn = normalizeName(d.name);
    const targets = d.mx.filter((m) => m.targetHostname && !m.targetIsIp && !parseIp(m.targetHostname));
    const [mx, spf, dmarc, sts, tlsrpt] = await Promise.all([
      this.q(dn, 'MX'),
      analyzeSpf(dn, this.dns),
      this.q(`_dmarc.${dn}`, 'TXT'),
      d.mtaSts ? this.q(`_mta-sts.${dn}`, 'TXT') : undefined,
      d.tlsRpt ? this.q(`_smtp._tls.${dn}`, 'TXT') : undefined,
      ...targets.map((m) => this.mxTarget(d, dn, m)),
    ]);
    // MT501: the domain does not exist
    if (mx.status === 'nxdomain' || (isFail(mx.status) && spf.root.lookupStatus === 'nxdomain')) {
      this.goneDomains.add(dn);
      this.diag(
        'MT501',
        'error',
        `domain ${dn} does not exist (NXDOMAIN${mx.server ? ` from ${mx.server}` : ''})`,
        d.file,
        d.nameRange,
        dn,
      );
      this.answers.mx[dn] = { domain: dn, status: 'nxdomain', records: [], nullMx: false };
      return;
    }
    this.checkMx(d, dn, mx);
    await this.checkSpf(d, dn, spf);
    this.checkDmarc(d, dn, dmarc);
    if (d.mtaSts && sts)
      this.checkTxtTag(d, dn, sts, /^v=STSv1\s*(;|$)/, 'v=STSv1', 'mta-sts', d.mtaSts.range, 'mtaSts', 'RFC 8461 §3.1');
    if (d.tlsRpt && tlsrpt)
      this.checkTxtTag(
        d,
        dn,
        tlsrpt,
        /^v=TLSRPTv1\s*(;|$)/,
        'v=TLSRPTv1',
        'tls-rpt',
        d.tlsRpt.range,
        'tlsRpt',
        'RFC 8460 §3',
      );
  }

  checkMx(d: LiveDomain, dn: string, mx: DnsResult): void {
    if (isFail(mx.status)) {
      this.failed(mx, d.file, d.mx[0]?.range ?? d.mxNoneRange ?? d.nameRange, dn);
      return;
    }
    const live = mx.records.flatMap((r) => (r.type === 'MX' ? [r.data] : []));
    const nullMx = live.some((r) => r.exchange === '.' || r.exchange === '');
    const real = live.filter((r) => r.exchange !== '.' && r.exchange !== '');
    this.answers.mx[dn] = { domain: dn, status: mx.status, records: live, nullMx };
    const liveText = nullMx && !real.length ? 'null MX (0 .)' : fmtMx(live);
    if (d.mxNone) this.checkMxNone(d, dn, real, nullMx);
    else if (nullMx) this.checkPublishedNullMx(d, dn, liveText);
    else this.compareMx(d, dn, real, liveText);
  }

  /** `mx none` declared: the zone must publish the null MX (RFC 7505) and no real target. */
  checkMxNone(d: LiveDomain, dn: string, real: MxData[], nullMx: boolean): void {
    const range = d.mxNoneRange ?? d.nameRange;
    if (real.length) {
      this.diag(
        'MT514',
        'warning',
        `mx none is declared, but ${dn} publishes MX targets: ${fmtMx(real)}`,
        d.file,
        range,
        dn,
      );
    } else if (!nullMx) {
      this.diag(
        'MT502',
        'warning',
        `mx none is declared, but ${dn} publishes no null MX (live MX: none)`,
        d.file,
        range,
        dn,
      );
    }
  }

  /** The zone publishes a null MX: a contradiction if targets are declared, a difference if nothing is. */
  checkPublishedNullMx(d: LiveDomain, dn: string, liveText: string): void {
    if (d.mx.length) {
      this.diag(
        'MT514',
        'warning',
        `${dn} publishes a null MX (RFC 7505) while MX targets are declared (live MX: ${liveText})`,
        d.file,
        d.mx[0].range,
        dn,
      );
    } else {
      this.diag(
        'MT502',
        'warning',
        `live MX records differ from the declared ones: ${dn} publishes a null MX and declares no mx (live MX: ${liveText})`,
        d.file,
        d.nameRange,
        dn,
      );
    }
  }

  /** MT502: declared targets missing or with another preference (at each mx line), then published extras. */
  compareMx(d: LiveDomain, dn: string, real: MxData[], liveText: string): void {
    const declared = d.mx.filter((m) => m.targetHostname && !m.targetIsIp);
    const byHost = new Map<string, number[]>();
    for (const r of real) byHost.set(r.exchange, [...(byHost.get(r.exchange) ?? []), r.preference]);
    for (const m of declared) {
      const host = normalizeName(m.targetHostname!);
      const prefs = byHost.get(host);
      if (!prefs) {
        this.diag(
          'MT502',
          'warning',
          `live MX records differ: MX ${m.preference} ${host} is declared but not published (live MX: ${liveText})`,
          m.file,
          m.range,
          dn,
          this.related(m),
        );
      } else if (!prefs.includes(m.preference)) {
        this.diag(
          'MT502',
          'warning',
          `live MX records differ: ${host} is published with preference ${list(prefs.map(String))}, ` +
            `declared ${m.preference} (live MX: ${liveText})`,
          m.file,
          m.range,
          dn,
          this.related(m),
        );
      }
    }
    const declaredHosts = new Set(d.mx.filter((m) => m.targetHostname).map((m) => normalizeName(m.targetHostname!)));
    const extra = real.filter((r) => !declaredHosts.has(r.exchange));
    if (extra.length) {
      this.diag(
        'MT502',
        'warning',
        `live MX records differ: published but not declared: ${fmtMx(extra)} (live MX: ${liveText})`,
        d.file,
        d.nameRange,
        dn,
      );
    }
  }

  related(m: LiveMx): RelatedInfo[] | undefined {
    if (!m.targetDeclRange) return undefined;
    return [
      {
        file: m.targetDeclFile ?? m.file,
        range: m.targetDeclRange,
        message: `MX target ${m.targetName ?? m.targetHostname ?? ''} is declared here`,
      },
    ];
  }

  /** MT503, MT504, MT513 for one declared MX target. */
  async mxTarget(_d: LiveDomain, dn: string, m: LiveMx): Promise<void> {
    const host = normalizeName(m.targetHostname!);
    const [a, aaaa] = await Promise.all([this.q(host, 'A'), this.q(host, 'AAAA')]);
    this.recordHost(host, a, aaaa);
    const rel = this.related(m);
    const chain = a.cnameChain.length ? a.cnameChain : aaaa.cnameChain;
    if (chain.length) {
      this.diag(
        'MT503',
        'error',
        `MX target ${host} is a CNAME (to ${chain.join(' -> ')}); an MX must name a host, not an alias (RFC 2181 §10.3)`,
        m.file,
        m.range,
        dn,
        rel,
      );
    }
    const fails = [a, aaaa].filter((r) => isFail(r.status));
    for (const f of fails) this.failed(f, m.file, m.range, dn, `MX target ${host}`);
    const addrs = [...a.records, ...aaaa.records].map((r) => rdataText(r.data));
    if (!addrs.length && !fails.length) {
      const why = a.status === 'nxdomain' ? 'the name does not exist' : 'no A or AAAA record';
      this.diag(
        'MT504',
        'error',
        `MX target ${host} has no A or AAAA record (${why}); mail cannot be delivered to it (RFC 5321 §5.1)`,
        m.file,
        m.range,
        dn,
        rel,
      );
    }
    const priv = addrs.filter(isPrivateAddress);
    if (priv.length) {
      this.diag(
        'MT513',
        'error',
        `MX target ${host} resolves to private address${priv.length > 1 ? 'es' : ''} ${list(priv)}: unreachable from the internet`,
        m.file,
        m.range,
        dn,
        rel,
      );
    }
  }

  async checkSpf(d: LiveDomain, dn: string, spf: SpfAnalysis): Promise<void> {
    const range = d.spf?.range ?? d.nameRange;
    const answer: SpfAnswer = {
      domain: dn,
      status: spf.root.lookupStatus,
      record: spf.root.record,
      analysis: spf,
      evaluations: [],
      tree: renderSpfTree(spf),
    };
    this.answers.spf[dn] = answer;
    const seen = new Set<string>();
    for (const p of spf.problems) {
      if (p.kind === 'temperror') {
        if (p.failure) this.failed(p.failure, d.file, range, dn, `SPF of ${dn}`);
        continue;
      }
      const msg = p.kind === 'none' ? `SPF broken: ${dn} publishes no SPF record` : `SPF of ${dn} broken: ${p.message}`;
      if (seen.has(msg)) continue;
      seen.add(msg);
      this.diag('MT509', 'warning', msg, d.file, range, dn, undefined, {
        problem: p.kind,
        term: p.term,
        inDomain: p.domain,
        path: p.path,
      });
    }
    if (d.spf && spf.root.record && spf.root.records.length === 1 && normSpf(d.spf.text) !== normSpf(spf.root.record)) {
      this.diag(
        'MT512',
        'information',
        `the published SPF record of ${dn} differs from the declared one: published "${spf.root.record}"`,
        d.file,
        d.spf.range,
        dn,
      );
    }
    // none / permerror / temperror: MT509 (or MT590) already says why nothing is authorized
    if (spf.state !== 'ok') return;
    const outbound = new Map<string, string[]>();
    for (const o of d.outboundAddresses) {
      const c = canonicalIp(o.address);
      if (!c || !isPublicAddress(c)) continue; // never query a private or reserved address
      outbound.set(c, [...(outbound.get(c) ?? []), o.nodeName]);
    }
    const evals = await Promise.all([...outbound.keys()].map((ip) => evaluateSpf(ip, spf, this.dns)));
    answer.evaluations = evals;
    for (const ev of evals) {
      if (ev.result === 'pass' || ev.result === 'temperror') continue;
      if (ev.result === 'permerror' && spf.problems.length) continue;
      const nodes = list([...new Set(outbound.get(ev.ip) ?? [])]);
      const how = ev.matched
        ? `${ev.result}, by '${ev.matched.term}'${ev.matched.domain !== dn ? ` in ${ev.matched.domain}` : ''}`
        : ev.reason
          ? `${ev.result}: ${ev.reason}`
          : `${ev.result}: no mechanism matches`;
      this.diag(
        'MT510',
        'warning',
        `SPF of ${dn} does not authorize ${ev.ip} (${nodes}), which sends its mail (${how})`,
        d.file,
        range,
        dn,
        undefined,
        { address: ev.ip, result: ev.result },
      );
    }
  }

  checkDmarc(d: LiveDomain, dn: string, r: DnsResult): void {
    const range = d.dmarc?.range ?? d.nameRange;
    const name = `_dmarc.${dn}`;
    const txts = r.records.flatMap((x) => (x.type === 'TXT' ? [x.data.join('')] : []));
    const recs = txts.filter(isDmarcRecord);
    const answer: DmarcAnswer = { name, status: r.status, records: txts };
    this.answers.dmarc[dn] = answer;
    if (isFail(r.status)) {
      this.failed(r, d.file, range, dn, `DMARC of ${dn}`);
      return;
    }
    if (!recs.length) {
      const other = txts.find((t) => /^v\s*=/i.test(t));
      if (other) this.diag('MT511', 'warning', `DMARC record at ${name} is unparsable: "${other}"`, d.file, range, dn);
      else this.diag('MT511', 'warning', `no DMARC record at ${name}`, d.file, range, dn);
      return;
    }
    if (recs.length > 1) {
      this.diag(
        'MT511',
        'warning',
        `${name} has ${recs.length} DMARC records; receivers ignore them all (RFC 7489 §6.6.3)`,
        d.file,
        range,
        dn,
      );
      return;
    }
    answer.record = recs[0];
    answer.parsed = parseDmarc(recs[0]);
    if (!answer.parsed.valid) {
      this.diag(
        'MT511',
        'warning',
        `DMARC record at ${name} is unparsable: ${answer.parsed.errors.join('; ')}`,
        d.file,
        range,
        dn,
      );
    } else if (answer.parsed.policy === 'none') {
      this.diag(
        'MT511',
        'information',
        `DMARC policy of ${dn} is p=none: failing mail is only monitored, not rejected or quarantined`,
        d.file,
        range,
        dn,
      );
    }
    if (d.dmarc && normDmarc(d.dmarc.text) !== normDmarc(recs[0])) {
      this.diag(
        'MT512',
        'information',
        `the published DMARC record of ${dn} differs from the declared one: published "${recs[0]}"`,
        d.file,
        d.dmarc.range,
        dn,
      );
    }
  }

  checkTxtTag(
    d: LiveDomain,
    dn: string,
    r: DnsResult,
    re: RegExp,
    tag: string,
    stmt: string,
    range: Range,
    key: 'mtaSts' | 'tlsRpt',
    rfc: string,
  ): void {
    const txts = r.records.flatMap((x) => (x.type === 'TXT' ? [x.data.join('')] : []));
    this.answers[key][dn] = { name: r.name, status: r.status, records: txts };
    if (isFail(r.status)) {
      this.failed(r, d.file, range, dn, `${stmt} of ${dn}`);
      return;
    }
    if (!txts.some((t) => re.test(t))) {
      const found = txts.length ? `; found ${list(txts.map((t) => `"${t}"`))}` : '';
      this.diag(
        'MT515',
        'warning',
        `${stmt} is declared, but ${r.name} has no ${tag} TXT record (${rfc})${found}`,
        d.file,
        range,
        dn,
      );
    }
  }

  // --- hosts -----------------------------------------------------------------

  recordHost(host: string, a: DnsResult, aaaa: DnsResult): HostAnswer {
    const ans: HostAnswer = {
      hostname: host,
      status: a.status === 'ok' || aaaa.status === 'ok' ? 'ok' : a.status,
      a: a.records.map((r) => rdataText(r.data)),
      aaaa: aaaa.records.map((r) => rdataText(r.data)),
      aStatus: a.status,
      aaaaStatus: aaaa.status,
      cnameChain: a.cnameChain.length ? a.cnameChain : aaaa.cnameChain,
    };
    this.answers.hosts[host] = ans;
    return ans;
  }

  async host(h: LiveHost): Promise<void> {
    const host = normalizeName(h.hostname);
    if (!host.includes('.') || parseIp(host)) return;
    const [a, aaaa] = await Promise.all([this.q(host, 'A'), this.q(host, 'AAAA')]);
    const ans = this.recordHost(host, a, aaaa);
    const dom = this.input.domains
      .map((d) => normalizeName(d.name))
      .filter((d) => under(host, d))
      .sort((x, y) => y.length - x.length)[0];
    const fails = [a, aaaa].filter((r) => isFail(r.status));
    for (const f of fails) this.failed(f, h.file, h.range, dom, `hostname ${host}`);
    if (fails.length) return;
    const declared = [...new Set(h.declaredAddresses.map((x) => canonicalIp(x)).filter((x): x is string => !!x))];
    if (!declared.length) return;
    const live = [...ans.a, ...ans.aaaa];
    const liveSet = new Set(live);
    const declSet = new Set(declared);
    const missing = declared.filter((x) => !isPrivateAddress(x) && !liveSet.has(x));
    const extra = live.filter((x) => !declSet.has(x));
    if (!missing.length && !extra.length) return;
    const liveText = live.length ? list(live) : a.status === 'nxdomain' ? 'nothing (NXDOMAIN)' : 'no A/AAAA records';
    this.diag(
      'MT505',
      'warning',
      `${host} resolves to ${liveText}; declared ${list(declared)}`,
      h.file,
      h.addressRange ?? h.range,
      dom,
      undefined,
      { live, declared, missing, extra },
    );
  }

  // --- addresses: PTR + forward confirmation -------------------------------------

  async ptr(address: string, entries: LiveAddress[]): Promise<void> {
    const rev = reverseName(address)!;
    const r = await this.q(rev, 'PTR');
    const ans: PtrAnswer = { address, status: r.status, names: [], forward: {}, confirmed: false };
    this.answers.ptr[address] = ans;
    const who = (e: LiveAddress) => `${address} (${e.nodeName})`;
    if (isFail(r.status)) {
      for (const e of entries) this.failed(r, e.file, e.range, undefined, `PTR of ${address}`);
      return;
    }
    if (isVoid(r.status)) {
      for (const e of entries)
        this.diag(
          'MT506',
          'warning',
          `${who(e)} has no PTR record (${rev}: ${r.status === 'nxdomain' ? 'NXDOMAIN' : 'no PTR'})`,
          e.file,
          e.range,
        );
      return;
    }
    ans.names = r.records.map((x) => rdataText(x.data)).slice(0, 10);
    const fam: RRType = parseIp(address)!.family === 4 ? 'A' : 'AAAA';
    const fwd = await Promise.all(ans.names.map((n) => this.q(n, fam)));
    fwd.forEach((f, i) => {
      ans.forward[ans.names[i]] = f.records.map((x) => rdataText(x.data));
    });
    ans.confirmed = fwd.some((f) => f.records.some((x) => rdataText(x.data) === address));
    if (ans.confirmed) return;
    const failures = fwd.filter((f) => isFail(f.status));
    if (failures.length === fwd.length) {
      for (const e of entries)
        for (const f of failures) this.failed(f, e.file, e.range, undefined, `forward confirmation of ${address}`);
      return;
    }
    const detail = ans.names
      .map((n) => `${n} -> ${ans.forward[n].length ? list(ans.forward[n], 80) : 'nothing'}`)
      .join('; ');
    for (const e of entries) {
      this.diag(
        'MT506',
        'warning',
        `the PTR of ${who(e)} does not resolve back to it (forward-confirmed reverse DNS fails: ${detail})`,
        e.file,
        e.range,
      );
    }
  }

  // --- DNSBL ---------------------------------------------------------------------

  zoneDiag(
    code: string,
    severity: Severity,
    message: string,
    locs: LiveDnsblZone[],
    data?: Record<string, unknown>,
  ): void {
    const placed = locs.filter((l) => l.file && l.range);
    if (!placed.length) {
      this.diag(code, severity, message, this.input.file, LINE0, undefined, undefined, data);
      return;
    }
    for (const l of placed) this.diag(code, severity, message, l.file!, l.range!, undefined, undefined, data);
  }

  /** Classify a DNSBL A answer: refusal codes and answers outside 127/8 are never listings. */
  classify(r: DnsResult): { kind: 'void' | 'listed' | 'refused' | 'bad-answer' | 'failed'; codes: string[] } {
    if (isVoid(r.status)) return { kind: 'void', codes: [] };
    if (isFail(r.status)) return { kind: 'failed', codes: [] };
    const codes = r.records.map((x) => rdataText(x.data));
    if (codes.some((c) => c in DNSBL_REFUSAL_CODES)) return { kind: 'refused', codes };
    if (codes.some((c) => !inCidr(c, '127.0.0.0/8'))) return { kind: 'bad-answer', codes };
    return { kind: 'listed', codes };
  }

  /**
   * The RFC 5782 test points of one family: ok, or why the zone fails them
   * (MT508, reported by the caller once for both families), or neither when
   * a lookup failed (MT590, reported here).
   */
  async testPoints(
    zone: string,
    locs: LiveDnsblZone[],
    family: 4 | 6,
    ans: DnsblAnswer,
  ): Promise<{ ok: boolean; why?: string }> {
    const v6 = family === 6;
    const [p2, p1] = await Promise.all([
      this.q(`${reversedLabels(v6 ? '::ffff:127.0.0.2' : '127.0.0.2')}.${zone}`, 'A'),
      this.q(`${reversedLabels(v6 ? '::ffff:127.0.0.1' : '127.0.0.1')}.${zone}`, 'A'),
    ]);
    for (const p of [p2, p1])
      ans.testPoints.push({ name: p.name, status: p.status, answers: p.records.map((x) => rdataText(x.data)) });
    const c2 = this.classify(p2);
    const c1 = this.classify(p1);
    const tp2 = v6 ? '::ffff:127.0.0.2' : '127.0.0.2';
    const tp1 = v6 ? '::ffff:127.0.0.1' : '127.0.0.1';
    const fail = (why: string) => {
      if (!v6) ans.problem = why;
      return { ok: false, why };
    };
    for (const [c, r] of [
      [c2, p2],
      [c1, p1],
    ] as const) {
      if (c.kind === 'failed') {
        for (const l of locs.length ? locs : [{ zone }])
          this.failed(r, l.file ?? this.input.file, l.range ?? LINE0, undefined, `DNSBL ${zone} test point`);
        return { ok: false };
      }
      if (c.kind === 'refused')
        return fail(
          `refused to answer: ${list(c.codes, 80)} (${DNSBL_REFUSAL_CODES[c.codes.find((x) => x in DNSBL_REFUSAL_CODES)!]})`,
        );
      if (c.kind === 'bad-answer')
        return fail(`answered outside 127.0.0.0/8 (${list(c.codes, 80)}): not a DNSBL answer (a hijacking resolver?)`);
    }
    if (c2.kind !== 'listed') return fail(`fails its RFC 5782 test points: ${tp2} is not listed`);
    if (c1.kind !== 'void') return fail(`fails its RFC 5782 test points: ${tp1} is listed (${list(c1.codes, 80)})`);
    return { ok: true };
  }

  /** MT508 for test points that failed: once when both families failed the same way (a hijacking resolver). */
  testPointDiags(zone: string, locs: LiveDnsblZone[], t4: { why?: string }, t6: { why?: string }): void {
    const say = (why: string, suffix: string, family?: 4 | 6) =>
      this.zoneDiag('MT508', 'information', `DNSBL ${zone} ${why}${suffix}`, locs, { zone, family });
    if (t4.why && t4.why === t6.why) return say(t4.why, '; the zone is not used');
    if (t4.why) say(t4.why, '; the zone is not used', 4);
    if (t6.why) say(t6.why, '; IPv6 addresses are not checked against it', 6);
  }

  async dnsbl(zone: string, locs: LiveDnsblZone[], addrs: Map<string, LiveAddress[]>): Promise<void> {
    const ans: DnsblAnswer = { zone, usable: false, usableV6: false, testPoints: [], listings: {} };
    this.answers.dnsbl[zone] = ans;
    const all = [...addrs.keys()];
    const v4 = all.filter((a) => parseIp(a)!.family === 4);
    const v6 = all.filter((a) => parseIp(a)!.family === 6);
    const none: { ok: boolean; why?: string } = { ok: false };
    const [t4, t6] = await Promise.all([
      v4.length ? this.testPoints(zone, locs, 4, ans) : none,
      v6.length ? this.testPoints(zone, locs, 6, ans) : none,
    ]);
    this.testPointDiags(zone, locs, t4, t6);
    const ok4 = t4.ok;
    const ok6 = t6.ok;
    ans.usable = ok4;
    ans.usableV6 = ok6;
    const checked = [...(ok4 ? v4 : []), ...(ok6 ? v6 : [])];
    let refusedOnce = false;
    await Promise.all(
      checked.map(async (address) => {
        const r = await this.q(`${reversedLabels(address)}.${zone}`, 'A');
        const c = this.classify(r);
        const entries = addrs.get(address)!;
        const listing: DnsblListing = { address, status: 'clear', codes: c.codes };
        ans.listings[address] = listing;
        switch (c.kind) {
          case 'void':
            return;
          case 'failed':
            listing.status = 'failed';
            for (const e of entries) this.failed(r, e.file, e.range, undefined, `DNSBL ${zone} for ${address}`);
            return;
          case 'refused':
          case 'bad-answer':
            listing.status = c.kind;
            if (!refusedOnce) {
              refusedOnce = true;
              const meaning =
                c.kind === 'refused' && DNSBL_REFUSAL_CODES[c.codes.find((x) => x in DNSBL_REFUSAL_CODES)!];
              const why =
                c.kind === 'refused'
                  ? `refused to answer for ${address}: ${list(c.codes, 80)} (${meaning}); this is not a listing`
                  : `answered outside 127.0.0.0/8 for ${address} (${list(c.codes, 80)}); this is not a listing`;
              this.zoneDiag('MT508', 'information', `DNSBL ${zone} ${why}`, locs, { zone, address, codes: c.codes });
            }
            return;
          case 'listed': {
            listing.status = 'listed';
            const t = await this.q(`${reversedLabels(address)}.${zone}`, 'TXT');
            const reason = t.records.flatMap((x) => (x.type === 'TXT' ? [x.data.join('')] : [])).join(' / ');
            if (reason) listing.reason = reason;
            for (const e of entries) {
              this.diag(
                'MT507',
                'error',
                `${address} (${e.nodeName}) is listed on DNSBL ${zone}: return code ${list(c.codes, 80)}${reason ? `: ${reason}` : ''}`,
                e.file,
                e.range,
                undefined,
                undefined,
                { zone, codes: c.codes, reason },
              );
            }
            return;
          }
        }
      }),
    );
  }
}

function dedupe(list: MtDiagnostic[]): MtDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.code}|${d.file}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function sortDiags(list: MtDiagnostic[]): MtDiagnostic[] {
  return list.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** A resolver configured the way the live checks use it: `timeoutMs` bounds each query, attempts included. */
export function makeLiveResolver(resolvers: string[], timeoutMs: number): Resolver {
  const servers = resolvers.length ? resolvers : systemResolvers();
  const attempts = Math.max(2, servers.length);
  return new Resolver({
    servers,
    timeoutMs: Math.max(1, Math.floor(timeoutMs / attempts)),
    attempts,
    deadlineMs: timeoutMs,
    maxInFlight: 64,
  });
}

export class LiveAbortError extends Error {
  constructor() {
    super('live checks aborted');
    this.name = 'AbortError';
  }
}

/**
 * Run MT501–MT515 and MT590 for a topology. DNS failures never reject (they
 * are MT590); the promise rejects only with LiveAbortError when `signal`
 * aborts, or with an Error for a resolver spec that is not HOST[:PORT] with an
 * IP address (validate user input first with parseServer()).
 */
export async function runLiveChecks(input: LiveInput, opts: LiveOptions): Promise<LiveResult> {
  const t0 = performance.now();
  const resolver = opts.resolver ?? makeLiveResolver(opts.resolvers, opts.timeoutMs);
  const sent0 = resolver.stats.sent;
  const run = new LiveRun(resolver, opts.signal, input);
  try {
    // public addresses, grouped (one lookup per address, a diagnostic per declaration)
    const addrs = new Map<string, LiveAddress[]>();
    for (const a of input.addresses) {
      const c = canonicalIp(a.address);
      if (!c || !isPublicAddress(c)) continue; // never query a private or reserved address
      addrs.set(c, [...(addrs.get(c) ?? []), a]);
    }
    const zones = new Map<string, LiveDnsblZone[]>();
    for (const z of [...input.dnsblZones, ...(opts.extraDnsbl ?? []).map((zone) => ({ zone }))]) {
      const n = normalizeName(z.zone);
      if (!n.includes('.')) continue;
      zones.set(n, [...(zones.get(n) ?? []), z]);
    }
    const hosts = new Map<string, LiveHost>();
    for (const h of input.hosts) {
      const n = normalizeName(h.hostname);
      const prev = hosts.get(n);
      if (!prev) hosts.set(n, h);
      else hosts.set(n, { ...prev, declaredAddresses: [...prev.declaredAddresses, ...h.declaredAddresses] });
    }
    // RULES.md: the whole run ends within (longest chain of dependent queries + 1) x timeout
    run.startDeadline((longestChain(input.domains.length, hosts.size, addrs.size, zones.size) + 1) * opts.timeoutMs);
    await Promise.all([
      ...input.domains.map((d) => run.domain(d)),
      ...[...hosts.values()].map((h) => run.host(h)),
      ...[...addrs].map(([a, entries]) => run.ptr(a, entries)),
      ...(addrs.size ? [...zones].map(([z, locs]) => run.dnsbl(z, locs, addrs)) : []),
    ]);
    if (opts.signal?.aborted) throw new LiveAbortError();
    // MT501 replaces every other MT5xx of that domain (and of the hostnames in it)
    const kept = run.out.filter(
      (t) => !(t.d.code !== 'MT501' && t.domain && [...run.goneDomains].some((g) => under(t.domain!, g))),
    );
    const diagnostics = sortDiags(dedupe(kept.map((t) => t.d)));
    return {
      diagnostics,
      answers: run.answers,
      queries: resolver.stats.sent - sent0,
      ms: Math.round(performance.now() - t0),
    };
  } finally {
    run.endDeadline();
    if (!opts.resolver) resolver.close();
  }
}

/** The most DNS-querying terms one SPF evaluation may chain (RFC 7208 §4.6.4), each waiting for the one before. */
const SPF_CHAIN = 10;

/**
 * The longest chain of queries that each wait for the one before, for this
 * run: a host's A/AAAA (1); an address's PTR, then the PTR names' A/AAAA (2);
 * a DNSBL's test points, then each address, then a listing's TXT (3); a
 * domain's TXT, then up to 10 includes/redirects/a/mx terms, then an mx
 * term's A/AAAA (12).
 */
export function longestChain(domains: number, hosts: number, addresses: number, zones: number): number {
  let d = 0;
  if (hosts) d = 1;
  if (addresses) d = Math.max(d, zones ? 3 : 2);
  if (domains) d = Math.max(d, SPF_CHAIN + 2);
  return d;
}
