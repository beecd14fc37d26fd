// SPF (RFC 7208) and DMARC (RFC 7489) for the live checks.
//
// analyzeSpf() fetches a domain's SPF record and everything it references
// (include, redirect, a, mx, exists) in parallel and returns the tree: per
// term the DNS-querying terms it costs, its void lookups, the addresses it
// authorizes and the included records below it, plus the problems MT509
// reports (no record, several records, syntax, more than 10 DNS-querying
// terms, more than 2 void lookups, include loops, +all/?all, ptr), each naming
// the term that crossed the line: the lint, which counts every term whether or
// not a receiver would reach it. evaluateSpf()/checkHost() are check_host() as
// a receiver runs it (spfCheck.ts: lazily, stopping at the deciding term).
// Syntax is in spfParse.ts, macros in spfMacro.ts, the shared tree in spfTree.ts.

import type { DnsResult, DnsStatus, RRType } from './resolver';
import { normalizeName } from './ip';
import { isSpfRecord, parseSpf, type ParsedSpfTerm, type SpfResult } from './spfParse';
import { expandMacros, isQueryableName, type MacroContext } from './spfMacro';
import { renderTree, type SpfTreeNode, type SpfTreeTerm } from './spfTree';
import { spfCheckHost, type SpfCheckResult, type SpfDns } from './spfCheck';

export * from './spfParse';
export * from './spfMacro';
export * from './spfTree';
export * from './spfCheck';

// ---------------------------------------------------------------------------
// The tree

export interface SpfTerm extends ParsedSpfTerm {
  /** The target after macro expansion. */
  target?: string;
  /** Depends on the connecting IP: looked up only when evaluating (ptr, %{i}). */
  dynamic?: boolean;
  /** DNS-querying terms this term itself counts toward the limit of 10 (0 or 1). */
  lookups: number;
  /** Its lookup came back empty (NXDOMAIN or no records). */
  voidLookup: boolean;
  /** Lookups of the whole subtree (this term plus the included record). */
  subtreeLookups: number;
  subtreeVoidLookups: number;
  /** Running totals, in evaluation order through the whole tree, after this term. */
  cumulativeLookups?: number;
  cumulativeVoidLookups?: number;
  /** DNS queries actually sent for it (mx: the MX query plus A/AAAA of each exchange). */
  queries: number;
  /** a/mx: the addresses found (before the CIDR lengths apply). */
  addresses?: string[];
  /** mx: exchanges and their addresses. */
  mxHosts?: Array<{ exchange: string; preference: number; addresses: string[] }>;
  /** exists: whether the name has an A record. */
  exists?: boolean;
  /** include/redirect: the record below. */
  child?: SpfRecordNode;
  /** Status of this term's main lookup. */
  status?: DnsStatus;
  /** A lookup that failed (timeout, SERVFAIL, ...): the evaluation is a temperror. */
  tempError?: string;
  /** A permanent error of this term (loop, MX limit, ...). */
  permError?: string;
  /** Not reached by evaluation (after 'all'; redirect when 'all' is present). */
  unreached?: boolean;
  /** Lookup failures for MT590: which query. */
  failures?: DnsResult[];
}

export interface SpfRecordNode {
  domain: string;
  /** The SPF record used (strings joined). */
  record?: string;
  /** Every v=spf1 record found (more than one is a permerror). */
  records: string[];
  /** Status of the TXT lookup. */
  lookupStatus: DnsStatus;
  state: 'ok' | 'none' | 'permerror' | 'temperror';
  error?: string;
  terms: SpfTerm[];
  txtResult?: DnsResult;
}

export type SpfProblemKind =
  | 'none'
  | 'multiple'
  | 'syntax'
  | 'lookup-limit'
  | 'void-limit'
  | 'loop'
  | 'plus-all'
  | 'question-all'
  | 'ptr'
  | 'mx-limit'
  | 'include-none'
  | 'temperror';

export interface SpfProblem {
  kind: SpfProblemKind;
  message: string;
  /** The record the problem sits in. */
  domain: string;
  /** The term that crossed the line. */
  term?: string;
  /** Include/redirect chain from the root to `domain`. */
  path: string[];
  /** For temperror: the failed lookup. */
  failure?: DnsResult;
}

export interface SpfAnalysis {
  domain: string;
  root: SpfRecordNode;
  /** DNS-querying terms of the whole tree (up to each record's 'all'). */
  totalLookups: number;
  totalVoidLookups: number;
  /** DNS queries sent to build the tree. */
  queries: number;
  problems: SpfProblem[];
  /** What a receiver gets before looking at the IP: permerror/temperror/none, else ok. */
  state: 'ok' | 'none' | 'permerror' | 'temperror';
}

export interface SpfOptions {
  /** [10] */
  maxLookups?: number;
  /** [2] */
  maxVoidLookups?: number;
  /** Records expanded below the root before giving up [12]. */
  maxDepth?: number;
  /** Includes/redirects expanded in all before giving up (bounds the queries a hostile record can cause) [30]. */
  maxExpansions?: number;
  /** MAIL FROM used for macros [postmaster@<domain>]. */
  sender?: string;
}

interface Budget {
  expansions: number;
  max: number;
  maxDepth: number;
  queries: number;
}

const isVoid = (s: DnsStatus) => s === 'nxdomain' || s === 'nodata';
const isFailure = (s: DnsStatus) => !(s === 'ok' || isVoid(s));

function effectiveTerms(node: SpfRecordNode): SpfTerm[] {
  // Mechanisms in order up to the first 'all', then redirect when there is no 'all'.
  const out: SpfTerm[] = [];
  let sawAll = false;
  for (const t of node.terms) {
    if (t.kind === 'redirect' || t.kind === 'exp' || t.kind === 'modifier') continue;
    if (sawAll) continue;
    out.push(t);
    if (t.kind === 'all') sawAll = true;
  }
  if (!sawAll) {
    const r = node.terms.find((t) => t.kind === 'redirect');
    if (r) out.push(r);
  }
  return out;
}

class Engine {
  constructor(
    private readonly dns: SpfDns,
    private readonly budget: Budget,
    private readonly sender: string,
  ) {}

  async q(name: string, type: RRType): Promise<DnsResult> {
    this.budget.queries++;
    return this.dns.resolve(name, type);
  }

  async fetchRecord(domain: string, ancestors: string[]): Promise<SpfRecordNode> {
    const res = await this.q(domain, 'TXT');
    const node: SpfRecordNode = {
      domain,
      records: [],
      lookupStatus: res.status,
      state: 'ok',
      terms: [],
      txtResult: res,
    };
    if (isVoid(res.status)) {
      node.state = 'none';
      return node;
    }
    if (isFailure(res.status)) {
      node.state = 'temperror';
      node.error = res.error ?? res.status;
      return node;
    }
    const txts = res.records.map((r) => (r.type === 'TXT' ? r.data.join('') : ''));
    node.records = txts.filter(isSpfRecord);
    if (node.records.length === 0) {
      node.state = 'none';
      return node;
    }
    node.record = node.records[0];
    if (node.records.length > 1) {
      node.state = 'permerror';
      node.error = `${node.records.length} SPF records`;
      return node;
    }
    const parsed = parseSpf(node.record);
    node.terms = parsed.terms.map((t) => ({
      ...t,
      lookups: 0,
      voidLookup: false,
      subtreeLookups: 0,
      subtreeVoidLookups: 0,
      queries: 0,
    }));
    if (parsed.errors.length) {
      node.state = 'permerror';
      node.error = parsed.errors.join('; ');
      return node;
    }
    const live = effectiveTerms(node);
    for (const t of node.terms) if (!live.includes(t) && t.kind !== 'exp' && t.kind !== 'modifier') t.unreached = true;
    await Promise.all(live.map((t) => this.expandTerm(t, node, ancestors)));
    return node;
  }

  /** A and AAAA of a host together (the `a` mechanism and each MX host); failed lookups go to `fail`. */
  private async addressesOf(
    host: string,
    fail: (r: DnsResult) => void,
  ): Promise<{ a: DnsResult; aaaa: DnsResult; addresses: string[] }> {
    const [a, aaaa] = await Promise.all([this.q(host, 'A'), this.q(host, 'AAAA')]);
    for (const r of [a, aaaa]) if (isFailure(r.status)) fail(r);
    return {
      a,
      aaaa,
      addresses: [...a.records, ...aaaa.records].flatMap((r) => (typeof r.data === 'string' ? [r.data] : [])),
    };
  }

  /** Fetch what a term needs; terms that depend on the client (ptr, %{i}, ...) are marked dynamic. */
  async expandTerm(t: SpfTerm, node: SpfRecordNode, ancestors: string[]): Promise<void> {
    if (t.kind === 'all' || t.kind === 'ip4' || t.kind === 'ip6') return;
    t.lookups = 1;
    const ctx: MacroContext = { sender: this.sender, domain: node.domain };
    const target = t.domainSpec ? expandMacros(t.domainSpec, ctx) : node.domain;
    if (t.kind === 'ptr' || target === undefined) {
      t.dynamic = true;
      t.target = target;
      return;
    }
    t.target = target;
    if (!isQueryableName(target)) return; // §4.3: a name that cannot exist finds nothing
    t.failures = [];
    const fail = (r: DnsResult) => {
      t.failures!.push(r);
      t.tempError = t.tempError ?? `${r.type} ${r.name}: ${r.error ?? r.status}`;
    };
    switch (t.kind) {
      case 'include':
      case 'redirect':
        return this.expandChild(t, target, node, ancestors, fail);
      case 'a': {
        const { a, aaaa, addresses } = await this.addressesOf(target, fail);
        t.queries = 2;
        t.status = a.status === 'ok' ? 'ok' : aaaa.status === 'ok' ? 'ok' : a.status;
        t.addresses = addresses;
        t.voidLookup = isVoid(a.status) && isVoid(aaaa.status);
        return;
      }
      case 'mx':
        return this.expandMx(t, target, fail);
      case 'exists': {
        const a = await this.q(target, 'A');
        t.queries = 1;
        t.status = a.status;
        if (isFailure(a.status)) return fail(a);
        t.exists = a.status === 'ok';
        t.voidLookup = isVoid(a.status);
        return;
      }
      default:
        return; // exp and modifiers are not in effectiveTerms()
    }
  }

  /** include/redirect: the record below, unless it loops or the tree is already too big. */
  private async expandChild(
    t: SpfTerm,
    target: string,
    node: SpfRecordNode,
    ancestors: string[],
    fail: (r: DnsResult) => void,
  ): Promise<void> {
    if (target === node.domain || ancestors.includes(target)) {
      t.permError = `loop: ${[...ancestors, node.domain, target].join(' -> ')}`;
      return;
    }
    if (ancestors.length + 1 > this.budget.maxDepth || this.budget.expansions >= this.budget.max) {
      t.permError = 'not expanded: too many nested records (the lookup limit is exceeded anyway)';
      return;
    }
    this.budget.expansions++;
    t.child = await this.fetchRecord(target, [...ancestors, node.domain]);
    t.status = t.child.lookupStatus;
    t.queries = 1;
    if (isVoid(t.child.lookupStatus)) t.voidLookup = true;
    if (t.child.txtResult && isFailure(t.child.lookupStatus)) fail(t.child.txtResult);
  }

  /** mx: the MX names (more than 10 is a permerror) and A/AAAA of each. */
  private async expandMx(t: SpfTerm, target: string, fail: (r: DnsResult) => void): Promise<void> {
    const mx = await this.q(target, 'MX');
    t.queries = 1;
    t.status = mx.status;
    if (isFailure(mx.status)) return fail(mx);
    if (isVoid(mx.status)) {
      t.voidLookup = true;
      t.mxHosts = [];
      t.addresses = [];
      return;
    }
    const hosts = mx.records.flatMap((r) => (r.type === 'MX' && r.data.exchange !== '.' ? [r.data] : []));
    if (hosts.length > 10) {
      t.permError = `${hosts.length} MX records (more than 10)`;
      return;
    }
    t.mxHosts = await Promise.all(
      hosts.map(async (h) => {
        const { addresses } = await this.addressesOf(h.exchange, fail);
        t.queries += 2;
        return { exchange: h.exchange, preference: h.preference, addresses };
      }),
    );
    t.addresses = t.mxHosts.flatMap((h) => h.addresses);
  }
}

/** Where a term sits, for messages: `'a:x'` at the top, `'a:x' in inc.example` below it. */
const at = (t: SpfTerm, node: SpfRecordNode, path: string[]) => `'${t.text}'${path.length ? ` in ${node.domain}` : ''}`;

/** MT509's walk over the analyzed tree: every term counted in RFC order, the problems found on the way. */
class Summary {
  readonly problems: SpfProblem[] = [];
  lookups = 0;
  voids = 0;
  private limitHit = false;
  private voidHit = false;

  constructor(
    private readonly maxLookups: number,
    private readonly maxVoid: number,
  ) {}

  private add(kind: SpfProblemKind, node: SpfRecordNode, here: string[], message: string, t?: SpfTerm): void {
    this.problems.push(
      t
        ? { kind, domain: node.domain, term: t.text, path: here, message }
        : { kind, domain: node.domain, path: here, message },
    );
  }

  private recordProblems(node: SpfRecordNode, here: string[]): void {
    if (node.state === 'permerror' && node.records.length > 1)
      this.add('multiple', node, here, `${node.domain} publishes ${node.records.length} SPF records (permerror)`);
    else if (node.state === 'permerror' && node.error)
      this.add('syntax', node, here, `syntax error in the SPF record of ${node.domain}: ${node.error}`);
  }

  /** Count the term toward the limits (the first term past each is named). */
  private count(t: SpfTerm, node: SpfRecordNode, path: string[], here: string[]): void {
    if (t.lookups && ++this.lookups > this.maxLookups && !this.limitHit) {
      this.limitHit = true;
      const msg = `more than ${this.maxLookups} DNS-querying terms: ${at(t, node, path)} is the ${ordinal(this.lookups)}`;
      this.add('lookup-limit', node, here, msg, t);
    }
    if (t.voidLookup && ++this.voids > this.maxVoid && !this.voidHit) {
      this.voidHit = true;
      const msg = `more than ${this.maxVoid} void lookups: ${at(t, node, path)} is the ${ordinal(this.voids)} lookup that found nothing`;
      this.add('void-limit', node, here, msg, t);
    }
    t.cumulativeLookups = this.lookups;
    t.cumulativeVoidLookups = this.voids;
  }

  private termProblems(t: SpfTerm, node: SpfRecordNode, path: string[], here: string[], isRootChain: boolean): void {
    const where = at(t, node, path);
    if (t.child?.state === 'none')
      this.add('include-none', node, here, `${where}: ${t.target} publishes no SPF record (permerror)`, t);
    if (t.permError?.startsWith('loop'))
      this.add('loop', node, here, `include loop at '${t.text}': ${t.permError.slice(6)}`, t);
    else if (t.permError && t.kind === 'mx')
      this.add('mx-limit', node, here, `${where}: ${t.permError} (permerror)`, t);
    if (t.kind === 'all' && t.qualifier === '+')
      this.add('plus-all', node, here, `${where} authorizes every host on the internet`, t);
    else if (t.kind === 'all' && t.qualifier === '?' && isRootChain)
      this.add('question-all', node, here, `${where} makes every other host neutral: it protects nothing`, t);
    if (t.kind === 'ptr') {
      const msg = `${where}: the ptr mechanism is slow and unreliable and should not be used (RFC 7208 §5.5)`;
      this.add('ptr', node, here, msg, t);
    }
    for (const f of t.failures ?? []) {
      const message = `lookup for '${t.text}' failed: ${f.type} ${f.name}: ${f.error ?? f.status}`;
      this.problems.push({ kind: 'temperror', domain: node.domain, term: t.text, path: here, failure: f, message });
    }
  }

  /** Walk a record: its own problems, then each term (and the record below it) in order. */
  walk(node: SpfRecordNode, path: string[], isRootChain: boolean): { l: number; v: number } {
    const here = [...path, node.domain];
    let subL = 0;
    let subV = 0;
    this.recordProblems(node, here);
    for (const t of effectiveTerms(node)) {
      this.count(t, node, path, here);
      // the child is walked before this term's own problems: the order MT509 reports them in
      const c = t.child ? this.walk(t.child, here, isRootChain && t.kind === 'redirect') : { l: 0, v: 0 };
      t.subtreeLookups = t.lookups + c.l;
      t.subtreeVoidLookups = (t.voidLookup ? 1 : 0) + c.v;
      subL += t.subtreeLookups;
      subV += t.subtreeVoidLookups;
      this.termProblems(t, node, path, here, isRootChain);
    }
    return { l: subL, v: subV };
  }
}

function summarize(
  root: SpfRecordNode,
  maxLookups: number,
  maxVoid: number,
): { problems: SpfProblem[]; totalLookups: number; totalVoid: number } {
  const s = new Summary(maxLookups, maxVoid);
  const here = [root.domain];
  if (root.state === 'none') {
    s.problems.push({
      kind: 'none',
      domain: root.domain,
      path: here,
      message: `${root.domain} publishes no SPF record`,
    });
  } else {
    if (root.state === 'temperror' && root.txtResult) {
      const message = `SPF lookup failed: TXT ${root.domain}: ${root.error}`;
      s.problems.push({ kind: 'temperror', domain: root.domain, path: here, failure: root.txtResult, message });
    }
    s.walk(root, [], true);
  }
  return { problems: s.problems, totalLookups: s.lookups, totalVoid: s.voids };
}

function ordinal(n: number): string {
  const s =
    n % 100 >= 11 && n % 100 <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${s}`;
}

/** Fetch and analyze the SPF record of `domain` with everything it references. */
export async function analyzeSpf(domain: string, dns: SpfDns, opts: SpfOptions = {}): Promise<SpfAnalysis> {
  const d = normalizeName(domain);
  const budget: Budget = { expansions: 0, max: opts.maxExpansions ?? 30, maxDepth: opts.maxDepth ?? 12, queries: 0 };
  const engine = new Engine(dns, budget, opts.sender ?? `postmaster@${d}`);
  const root = await engine.fetchRecord(d, []);
  const { problems, totalLookups, totalVoid } = summarize(root, opts.maxLookups ?? 10, opts.maxVoidLookups ?? 2);
  let state: SpfAnalysis['state'] = root.state;
  if (state === 'ok') {
    if (
      problems.some((p) =>
        ['lookup-limit', 'void-limit', 'loop', 'mx-limit', 'include-none', 'syntax', 'multiple'].includes(p.kind),
      )
    )
      state = 'permerror';
    else if (problems.some((p) => p.kind === 'temperror')) state = 'temperror';
  }
  return { domain: d, root, totalLookups, totalVoidLookups: totalVoid, queries: budget.queries, problems, state };
}

// ---------------------------------------------------------------------------
// check_host() and the tree the hover shows

export interface SpfEvaluation {
  ip: string;
  result: SpfResult;
  /** The term that decided, and the record it is in. */
  matched?: { term: string; domain: string };
  /** Why a permerror/temperror. */
  reason?: string;
  /** The exp= explanation of a fail. */
  explanation?: string;
  lookups: number;
  voidLookups: number;
}

function toEvaluation(r: SpfCheckResult): SpfEvaluation {
  return {
    ip: r.ip,
    result: r.result,
    matched: r.mechanism ? { term: r.mechanism, domain: r.mechanismDomain ?? r.domain } : undefined,
    reason: r.reason,
    explanation: r.explanation,
    lookups: r.lookups,
    voidLookups: r.voidLookups,
  };
}

/**
 * check_host(ip, domain, sender) for an analyzed domain: evaluated lazily in
 * RFC order (spfCheck.ts), so only the terms up to the deciding one are
 * looked up (a caching resolver answers those analyzeSpf() already asked).
 */
export async function evaluateSpf(
  address: string,
  analysis: SpfAnalysis,
  dns: SpfDns,
  opts: SpfOptions = {},
): Promise<SpfEvaluation> {
  return checkHost(address, analysis.domain, dns, opts);
}

/** check_host(ip, domain) with the MAIL FROM in opts.sender [postmaster@domain]. */
export async function checkHost(
  address: string,
  domain: string,
  dns: SpfDns,
  opts: SpfOptions = {},
): Promise<SpfEvaluation> {
  const r = await spfCheckHost({ ip: address, domain, sender: opts.sender }, dns, opts);
  return toEvaluation(r);
}

function analysisTerm(t: SpfTerm): SpfTreeTerm {
  const detail: string[] = [];
  if (t.cumulativeLookups !== undefined && t.lookups) detail.push(`#${t.cumulativeLookups}`);
  if (t.unreached) detail.push('never reached');
  if (t.permError) detail.push(t.permError);
  if (t.tempError) detail.push(`failed: ${t.tempError}`);
  if (t.addresses && t.addresses.length) detail.push(t.addresses.join(', '));
  return {
    term: t.text,
    lookups: t.lookups,
    voidLookups: t.voidLookup ? 1 : 0,
    subtreeLookups: t.subtreeLookups,
    subtreeVoidLookups: t.subtreeVoidLookups,
    outcome: t.dynamic ? 'dynamic' : undefined,
    detail: detail.length ? detail.join('; ') : undefined,
    child: t.child && analysisNode(t.child),
  };
}

function analysisNode(node: SpfRecordNode): SpfTreeNode {
  const error = node.state === 'none' ? `no SPF record at ${node.domain}` : node.error;
  const terms = node.terms.filter((t) => t.kind !== 'exp' && t.kind !== 'modifier').map(analysisTerm);
  const lookups = terms.reduce((n, t) => n + t.subtreeLookups, 0);
  const voidLookups = terms.reduce((n, t) => n + t.subtreeVoidLookups, 0);
  return { domain: node.domain, record: node.record, error, lookups, voidLookups, terms };
}

/** The analyzed tree (every term, as MT509 counts them) in the shape `mailtopo spf` prints. */
export function analysisTree(analysis: SpfAnalysis): SpfTreeNode {
  const root = analysisNode(analysis.root);
  return { ...root, lookups: analysis.totalLookups, voidLookups: analysis.totalVoidLookups };
}

/** One line per term for hover: "include:_spf.x.test  (3 lookups; #2)". */
export function renderSpfTree(analysis: SpfAnalysis): string[] {
  return renderTree(analysisTree(analysis));
}

// ---------------------------------------------------------------------------
// DMARC (RFC 7489 §6.3)

export interface DmarcRecord {
  valid: boolean;
  /** Tags as written (lower-case names). */
  tags: Record<string, string>;
  policy?: 'none' | 'quarantine' | 'reject';
  subdomainPolicy?: 'none' | 'quarantine' | 'reject';
  pct?: number;
  rua: string[];
  ruf: string[];
  adkim?: 'r' | 's';
  aspf?: 'r' | 's';
  errors: string[];
}

export function isDmarcRecord(txt: string): boolean {
  return /^v\s*=\s*DMARC1\s*(;|$)/.test(txt);
}

export function parseDmarc(text: string): DmarcRecord {
  const rec: DmarcRecord = { valid: false, tags: {}, rua: [], ruf: [], errors: [] };
  const parts = text.split(';').map((s) => s.trim());
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  if (!parts.length || !/^v\s*=\s*DMARC1$/.test(parts[0])) {
    rec.errors.push("a DMARC record starts with 'v=DMARC1'");
    return rec;
  }
  for (const p of parts.slice(1)) {
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(p);
    if (!m) {
      rec.errors.push(`not a tag: '${p}'`);
      continue;
    }
    const k = m[1].toLowerCase();
    const v = m[2].trim();
    if (k in rec.tags) rec.errors.push(`tag '${k}' appears twice`);
    rec.tags[k] = v;
  }
  const pol = (k: string): DmarcRecord['policy'] => {
    const v = rec.tags[k];
    if (v === undefined) return undefined;
    const l = v.toLowerCase();
    if (l === 'none' || l === 'quarantine' || l === 'reject') return l;
    rec.errors.push(`${k}=${v}: expected none, quarantine or reject`);
    return undefined;
  };
  rec.policy = pol('p');
  rec.subdomainPolicy = pol('sp');
  if (rec.tags.p === undefined) rec.errors.push("the required 'p=' tag is missing");
  if (rec.tags.pct !== undefined) {
    if (/^\d{1,3}$/.test(rec.tags.pct) && Number(rec.tags.pct) <= 100) rec.pct = Number(rec.tags.pct);
    else rec.errors.push(`pct=${rec.tags.pct}: expected 0..100`);
  }
  for (const k of ['adkim', 'aspf'] as const) {
    const v = rec.tags[k];
    if (v === undefined) continue;
    if (v === 'r' || v === 's') rec[k] = v;
    else rec.errors.push(`${k}=${v}: expected r or s`);
  }
  for (const k of ['rua', 'ruf'] as const) {
    const v = rec.tags[k];
    if (v === undefined) continue;
    const uris = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length);
    for (const u of uris)
      if (!/^(mailto|https?):\S+$/i.test(u)) rec.errors.push(`${k}: '${u}' is not a mailto: or https: URI`);
    rec[k] = uris;
  }
  if (rec.tags.fo !== undefined && !/^[01ds](:[01ds])*$/.test(rec.tags.fo))
    rec.errors.push(`fo=${rec.tags.fo}: expected 0, 1, d or s`);
  if (rec.tags.ri !== undefined && !/^\d+$/.test(rec.tags.ri))
    rec.errors.push(`ri=${rec.tags.ri}: expected a number of seconds`);
  rec.valid = rec.errors.length === 0;
  return rec;
}
