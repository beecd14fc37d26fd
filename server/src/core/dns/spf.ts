// SPF (RFC 7208) and DMARC (RFC 7489) for the live checks.
//
// analyzeSpf() fetches a domain's SPF record and everything it references
// (include, redirect, a, mx, exists) in parallel and returns the tree: per
// term the DNS-querying terms it costs, its void lookups, the addresses it
// authorizes and the included records below it, plus the problems MT509
// reports (no record, several records, syntax, more than 10 DNS-querying
// terms, more than 2 void lookups, include loops, +all/?all, ptr), each naming
// the term that crossed the line. evaluateSpf() is check_host(): whether an IP
// is authorized, evaluated over that tree in RFC order (terms that depend on
// the connecting IP, such as ptr or %{i} macros, are looked up then).
import type { DnsResult, DnsStatus, RRType } from './resolver';
import { formatIp, inPrefix, normalizeName, parseIp, reverseName, type ParsedIp } from './ip';

export interface SpfDns {
  resolve(name: string, type: RRType): Promise<DnsResult>;
}

export type SpfQualifier = '+' | '-' | '~' | '?';
export type SpfMechanism = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';
export type SpfTermKind = SpfMechanism | 'redirect' | 'exp' | 'modifier';
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface ParsedSpfTerm {
  /** As written. */
  text: string;
  kind: SpfTermKind;
  qualifier: SpfQualifier;
  /** include/exists/redirect/exp target, or a/mx/ptr's optional domain (may hold macros). */
  domainSpec?: string;
  cidr4?: number;
  cidr6?: number;
  /** ip4/ip6 network (canonical) and prefix. */
  network?: string;
  prefix?: number;
  /** The term's syntax error, if any. */
  error?: string;
}

export interface ParsedSpf {
  terms: ParsedSpfTerm[];
  errors: string[];
}

// ---------------------------------------------------------------------------
// Parsing

export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

const MACRO_RE = /%(?:\{([a-zA-Z])(\d*)(r?)([-.+,/_=]*)\}|%|_|-)/g;

function checkMacroString(spec: string, allowExpLetters = false): string | undefined {
  let rest = spec;
  // every '%' must start a valid macro
  const stripped = rest.replace(MACRO_RE, (m, letter: string | undefined, digits: string) => {
    if (letter !== undefined) {
      const l = letter.toLowerCase();
      if (!'slodiphv'.includes(l) && !(allowExpLetters && 'crt'.includes(l))) return '\u0000BAD';
      if (digits !== '' && Number(digits) === 0) return '\u0000BAD';
    }
    return 'x';
  });
  if (stripped.includes('\u0000BAD')) return `bad macro in '${spec}'`;
  if (stripped.includes('%')) return `stray '%' in '${spec}'`;
  rest = stripped;
  if (/[^\x21-\x7e]/.test(rest)) return `bad character in '${spec}'`;
  return undefined;
}

function checkDomainSpec(spec: string): string | undefined {
  if (!spec) return 'empty domain';
  const m = checkMacroString(spec);
  if (m) return m;
  if (/%\{[a-zA-Z]\d*r?[-.+,/_=]*\}$/.test(spec)) return undefined; // ends in a macro-expand
  const d = spec.endsWith('.') ? spec.slice(0, -1) : spec;
  const dot = d.lastIndexOf('.');
  if (dot < 0) return `'${spec}' is not a fully qualified domain name`;
  const top = d.slice(dot + 1);
  const okTop = /^[a-zA-Z0-9]*[a-zA-Z][a-zA-Z0-9]*$/.test(top) || /^[a-zA-Z0-9]+-[a-zA-Z0-9-]*[a-zA-Z0-9]$/.test(top);
  if (!okTop) return `'${spec}' does not end in a valid top label`;
  if (d.split('.').some((l) => l.length === 0 && !l.includes('%'))) return `empty label in '${spec}'`;
  return undefined;
}

function parseCidrLen(s: string | undefined, max: number): number | undefined | null {
  if (s === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,2})$/.test(s)) return null;
  const n = Number(s);
  return n > max ? null : n;
}

export function parseSpfTerm(text: string): ParsedSpfTerm {
  let t = text;
  let qualifier: SpfQualifier = '+';
  let explicitQ = false;
  if ('+-~?'.includes(t[0] ?? '')) {
    qualifier = t[0] as SpfQualifier;
    t = t.slice(1);
    explicitQ = true;
  }
  const m = /^([A-Za-z][A-Za-z0-9_.-]*)(.*)$/.exec(t);
  if (!m) return { text, kind: 'modifier', qualifier, error: `unknown term '${text}'` };
  const name = m[1].toLowerCase();
  const rest = m[2];
  if (rest.startsWith('=')) {
    const value = rest.slice(1);
    if (explicitQ) return { text, kind: 'modifier', qualifier, error: `a modifier takes no qualifier: '${text}'` };
    if (name === 'redirect' || name === 'exp') {
      const err = checkDomainSpec(value);
      return { text, kind: name, qualifier, domainSpec: value, error: err ? `${name}: ${err}` : undefined };
    }
    const err = checkMacroString(value, true);
    return { text, kind: 'modifier', qualifier, error: err };
  }
  const term: ParsedSpfTerm = { text, kind: 'all', qualifier };
  switch (name) {
    case 'all':
      if (rest !== '') term.error = `'all' takes no argument: '${text}'`;
      return term;
    case 'include':
    case 'exists': {
      term.kind = name;
      if (!rest.startsWith(':')) {
        term.error = `'${name}' needs ':domain': '${text}'`;
        return term;
      }
      term.domainSpec = rest.slice(1);
      const err = checkDomainSpec(term.domainSpec);
      if (err) term.error = `${name}: ${err}`;
      return term;
    }
    case 'a':
    case 'mx': {
      term.kind = name;
      const cm = /(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/.exec(rest)!;
      const before = rest.slice(0, rest.length - cm[0].length);
      const c4 = parseCidrLen(cm[1], 32);
      const c6 = parseCidrLen(cm[2], 128);
      if (c4 === null || c6 === null) {
        term.error = `bad CIDR length in '${text}'`;
        return term;
      }
      term.cidr4 = c4;
      term.cidr6 = c6;
      if (before === '') return term;
      if (!before.startsWith(':')) {
        term.error = `unknown mechanism '${text}'`;
        return term;
      }
      term.domainSpec = before.slice(1);
      const err = checkDomainSpec(term.domainSpec);
      if (err) term.error = `${name}: ${err}`;
      return term;
    }
    case 'ptr': {
      term.kind = 'ptr';
      if (rest === '') return term;
      if (!rest.startsWith(':')) {
        term.error = `unknown mechanism '${text}'`;
        return term;
      }
      term.domainSpec = rest.slice(1);
      const err = checkDomainSpec(term.domainSpec);
      if (err) term.error = `ptr: ${err}`;
      return term;
    }
    case 'ip4':
    case 'ip6': {
      term.kind = name;
      if (!rest.startsWith(':')) {
        term.error = `'${name}' needs an address: '${text}'`;
        return term;
      }
      const v = rest.slice(1);
      const slash = v.indexOf('/');
      const addr = slash < 0 ? v : v.slice(0, slash);
      const ip = parseIp(addr);
      const fam = name === 'ip4' ? 4 : 6;
      if (!ip || ip.family !== fam || addr.startsWith('[')) {
        term.error = `${name}: '${addr}' is not an IPv${fam} address`;
        return term;
      }
      const len = slash < 0 ? (fam === 4 ? 32 : 128) : parseCidrLen(v.slice(slash + 1), fam === 4 ? 32 : 128);
      if (len === null || len === undefined) {
        term.error = `${name}: bad prefix length in '${text}'`;
        return term;
      }
      term.network = formatIp(ip);
      term.prefix = len;
      return term;
    }
    default:
      return { text, kind: 'modifier', qualifier, error: `unknown mechanism '${text}'` };
  }
}

/** Parse an SPF record's text (starting with v=spf1). */
export function parseSpf(text: string): ParsedSpf {
  const errors: string[] = [];
  if (!isSpfRecord(text)) return { terms: [], errors: ["an SPF record starts with 'v=spf1'"] };
  const body = text.slice(6);
  if (/[^ \x21-\x7e]/.test(body)) errors.push('only spaces may separate terms');
  const terms = body
    .split(/\s+/)
    .filter((s) => s.length)
    .map(parseSpfTerm);
  for (const t of terms) if (t.error) errors.push(t.error);
  for (const k of ['redirect', 'exp'] as const) {
    if (terms.filter((t) => t.kind === k).length > 1) errors.push(`'${k}' appears more than once`);
  }
  return { terms, errors };
}

// ---------------------------------------------------------------------------
// Macros (RFC 7208 §7)

export interface MacroContext {
  ip?: ParsedIp;
  sender: string;
  domain: string;
  helo?: string;
}

/** Does this spec need the connecting IP (i, p, v, c, r, t)? */
export function macroNeedsIp(spec: string): boolean {
  for (const m of spec.matchAll(/%\{([a-zA-Z])/g)) if ('ipvcrt'.includes(m[1].toLowerCase())) return true;
  return false;
}

/** Expand macros; undefined when a letter needs the IP and none is given. */
export function expandMacros(spec: string, ctx: MacroContext, isDomain = true): string | undefined {
  let missing = false;
  const at = ctx.sender.lastIndexOf('@');
  const local = at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
  const senderDomain = at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
  const out = spec.replace(
    MACRO_RE,
    (m: string, letter: string | undefined, digits: string, rev: string, delims: string) => {
      if (m === '%%') return '%';
      if (m === '%_') return ' ';
      if (m === '%-') return '%20';
      if (letter === undefined) return m;
      let value: string;
      switch (letter.toLowerCase()) {
        case 's':
          value = ctx.sender.includes('@') ? ctx.sender : `postmaster@${ctx.sender}`;
          break;
        case 'l':
          value = local;
          break;
        case 'o':
          value = senderDomain;
          break;
        case 'd':
          value = ctx.domain;
          break;
        case 'h':
          value = ctx.helo ?? ctx.domain;
          break;
        case 'i':
          if (!ctx.ip) {
            missing = true;
            return '';
          }
          value =
            ctx.ip.family === 4
              ? ctx.ip.bytes.join('.')
              : ctx.ip.bytes.flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)]).join('.');
          break;
        case 'v':
          if (!ctx.ip) {
            missing = true;
            return '';
          }
          value = ctx.ip.family === 4 ? 'in-addr' : 'ip6';
          break;
        case 'p':
          if (!ctx.ip) {
            missing = true;
            return '';
          }
          value = 'unknown';
          break;
        case 'c':
          if (!ctx.ip) {
            missing = true;
            return '';
          }
          value = formatIp(ctx.ip);
          break;
        case 'r':
          value = 'unknown';
          break;
        case 't':
          value = String(Math.floor(Date.now() / 1000));
          break;
        default:
          value = '';
      }
      const splitter = new RegExp(`[${(delims || '.').replace(/[-\\\]^]/g, '\\$&')}]`);
      let parts = value.split(splitter);
      if (rev) parts = parts.reverse();
      if (digits) parts = parts.slice(-Number(digits));
      let res = parts.join('.');
      if (letter !== letter.toLowerCase()) res = encodeURIComponent(res);
      return res;
    },
  );
  if (missing) return undefined;
  if (!isDomain) return out;
  let d = out.endsWith('.') ? out.slice(0, -1) : out;
  while (d.length > 253 && d.includes('.')) d = d.slice(d.indexOf('.') + 1);
  return normalizeName(d);
}

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

  async fetchRecord(domain: string, ancestors: string[], ip?: ParsedIp): Promise<SpfRecordNode> {
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
    await Promise.all(live.map((t) => this.expandTerm(t, node, ancestors, ip)));
    return node;
  }

  /** A and AAAA of a host together (the `a` mechanism and each MX host); failed lookups go to `fail`. */
  private async addressesOf(
    host: string,
    fail: (r: DnsResult) => void,
  ): Promise<{ a: DnsResult; aaaa: DnsResult; addresses: string[] }> {
    const [a, aaaa] = await Promise.all([this.q(host, 'A'), this.q(host, 'AAAA')]);
    for (const r of [a, aaaa]) if (isFailure(r.status)) fail(r);
    return { a, aaaa, addresses: [...a.records, ...aaaa.records].map((r) => String(r.data)) };
  }

  /** Fetch what a term needs. With `ip`, dynamic terms are expanded too. */
  async expandTerm(t: SpfTerm, node: SpfRecordNode, ancestors: string[], ip?: ParsedIp): Promise<void> {
    if (t.kind === 'all' || t.kind === 'ip4' || t.kind === 'ip6') return;
    t.lookups = 1;
    const ctx: MacroContext = { ip, sender: this.sender, domain: node.domain };
    if (t.kind === 'ptr' && !ip) {
      t.dynamic = true;
      t.target = t.domainSpec ? expandMacros(t.domainSpec, ctx) : node.domain;
      return;
    }
    const target = t.domainSpec ? expandMacros(t.domainSpec, ctx) : node.domain;
    if (target === undefined) {
      t.dynamic = true;
      return;
    }
    t.target = target;
    t.failures = [];
    const fail = (r: DnsResult) => {
      t.failures!.push(r);
      t.tempError = t.tempError ?? `${r.type} ${r.name}: ${r.error ?? r.status}`;
    };
    switch (t.kind) {
      case 'include':
      case 'redirect': {
        if (target === node.domain || ancestors.includes(target)) {
          t.permError = `loop: ${[...ancestors, node.domain, target].join(' -> ')}`;
          return;
        }
        if (ancestors.length + 1 > this.budget.maxDepth || this.budget.expansions >= this.budget.max) {
          t.permError = 'not expanded: too many nested records (the lookup limit is exceeded anyway)';
          return;
        }
        this.budget.expansions++;
        t.child = await this.fetchRecord(target, [...ancestors, node.domain], ip);
        t.status = t.child.lookupStatus;
        t.queries = 1;
        if (isVoid(t.child.lookupStatus)) t.voidLookup = true;
        if (t.child.txtResult && isFailure(t.child.lookupStatus)) fail(t.child.txtResult);
        return;
      }
      case 'a': {
        const { a, aaaa, addresses } = await this.addressesOf(target, fail);
        t.queries = 2;
        t.status = a.status === 'ok' ? 'ok' : aaaa.status === 'ok' ? 'ok' : a.status;
        t.addresses = addresses;
        t.voidLookup = isVoid(a.status) && isVoid(aaaa.status);
        return;
      }
      case 'mx': {
        const mx = await this.q(target, 'MX');
        t.queries = 1;
        t.status = mx.status;
        if (isFailure(mx.status)) {
          fail(mx);
          return;
        }
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
        return;
      }
      case 'exists': {
        const a = await this.q(target, 'A');
        t.queries = 1;
        t.status = a.status;
        if (isFailure(a.status)) {
          fail(a);
          return;
        }
        t.exists = a.status === 'ok';
        t.voidLookup = isVoid(a.status);
        return;
      }
      case 'ptr':
        return; // evaluated against the IP in evaluate()
    }
  }
}

function summarize(
  root: SpfRecordNode,
  maxLookups: number,
  maxVoid: number,
): { problems: SpfProblem[]; totalLookups: number; totalVoid: number } {
  const problems: SpfProblem[] = [];
  let lookups = 0;
  let voids = 0;
  let limitHit = false;
  let voidHit = false;
  const walk = (node: SpfRecordNode, path: string[], isRootChain: boolean): { l: number; v: number } => {
    const here = [...path, node.domain];
    let subL = 0,
      subV = 0;
    if (node.state === 'permerror' && node.records.length > 1) {
      problems.push({
        kind: 'multiple',
        domain: node.domain,
        path: here,
        message: `${node.domain} publishes ${node.records.length} SPF records (permerror)`,
      });
    } else if (node.state === 'permerror' && node.error) {
      problems.push({
        kind: 'syntax',
        domain: node.domain,
        path: here,
        message: `syntax error in the SPF record of ${node.domain}: ${node.error}`,
      });
    }
    for (const t of effectiveTerms(node)) {
      if (t.lookups) {
        lookups++;
        if (lookups > maxLookups && !limitHit) {
          limitHit = true;
          problems.push({
            kind: 'lookup-limit',
            domain: node.domain,
            term: t.text,
            path: here,
            message: `more than ${maxLookups} DNS-querying terms: '${t.text}'${path.length ? ` in ${node.domain}` : ''} is the ${ordinal(lookups)}`,
          });
        }
      }
      if (t.voidLookup) {
        voids++;
        if (voids > maxVoid && !voidHit) {
          voidHit = true;
          problems.push({
            kind: 'void-limit',
            domain: node.domain,
            term: t.text,
            path: here,
            message: `more than ${maxVoid} void lookups: '${t.text}'${path.length ? ` in ${node.domain}` : ''} is the ${ordinal(voids)} lookup that found nothing`,
          });
        }
      }
      t.cumulativeLookups = lookups;
      t.cumulativeVoidLookups = voids;
      let childL = 0,
        childV = 0;
      if (t.child) {
        const c = walk(t.child, here, isRootChain && t.kind === 'redirect');
        childL = c.l;
        childV = c.v;
        if (t.child.state === 'none') {
          problems.push({
            kind: 'include-none',
            domain: node.domain,
            term: t.text,
            path: here,
            message: `'${t.text}'${path.length ? ` in ${node.domain}` : ''}: ${t.target} publishes no SPF record (permerror)`,
          });
        }
      }
      t.subtreeLookups = t.lookups + childL;
      t.subtreeVoidLookups = (t.voidLookup ? 1 : 0) + childV;
      subL += t.subtreeLookups;
      subV += t.subtreeVoidLookups;
      if (t.permError?.startsWith('loop')) {
        problems.push({
          kind: 'loop',
          domain: node.domain,
          term: t.text,
          path: here,
          message: `include loop at '${t.text}': ${t.permError.slice(6)}`,
        });
      } else if (t.permError && t.kind === 'mx') {
        problems.push({
          kind: 'mx-limit',
          domain: node.domain,
          term: t.text,
          path: here,
          message: `'${t.text}'${path.length ? ` in ${node.domain}` : ''}: ${t.permError} (permerror)`,
        });
      }
      if (t.kind === 'all' && t.qualifier === '+') {
        problems.push({
          kind: 'plus-all',
          domain: node.domain,
          term: t.text,
          path: here,
          message: `'${t.text}'${path.length ? ` in ${node.domain}` : ''} authorizes every host on the internet`,
        });
      } else if (t.kind === 'all' && t.qualifier === '?' && isRootChain) {
        problems.push({
          kind: 'question-all',
          domain: node.domain,
          term: t.text,
          path: here,
          message: `'${t.text}'${path.length ? ` in ${node.domain}` : ''} makes every other host neutral: it protects nothing`,
        });
      }
      if (t.kind === 'ptr') {
        problems.push({
          kind: 'ptr',
          domain: node.domain,
          term: t.text,
          path: here,
          message: `'${t.text}'${path.length ? ` in ${node.domain}` : ''}: the ptr mechanism is slow and unreliable and should not be used (RFC 7208 §5.5)`,
        });
      }
      for (const f of t.failures ?? []) {
        problems.push({
          kind: 'temperror',
          domain: node.domain,
          term: t.text,
          path: here,
          failure: f,
          message: `lookup for '${t.text}' failed: ${f.type} ${f.name}: ${f.error ?? f.status}`,
        });
      }
    }
    return { l: subL, v: subV };
  };
  if (root.state === 'none') {
    problems.push({
      kind: 'none',
      domain: root.domain,
      path: [root.domain],
      message: `${root.domain} publishes no SPF record`,
    });
  } else {
    if (root.state === 'temperror' && root.txtResult) {
      problems.push({
        kind: 'temperror',
        domain: root.domain,
        path: [root.domain],
        failure: root.txtResult,
        message: `SPF lookup failed: TXT ${root.domain}: ${root.error}`,
      });
    }
    walk(root, [], true);
  }
  return { problems, totalLookups: lookups, totalVoid: voids };
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
// check_host() over the tree

export interface SpfEvaluation {
  ip: string;
  result: SpfResult;
  /** The term that decided, and the record it is in. */
  matched?: { term: string; domain: string };
  /** Why a permerror/temperror. */
  reason?: string;
  lookups: number;
  voidLookups: number;
}

const QUAL: Record<SpfQualifier, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

function cidrMatch(ip: ParsedIp, addresses: string[], t: SpfTerm): boolean {
  const len = ip.family === 4 ? (t.cidr4 ?? 32) : (t.cidr6 ?? 128);
  return addresses.some((a) => {
    const p = parseIp(a);
    return !!p && inPrefix(ip, p, len);
  });
}

class Stop {
  constructor(
    readonly result: SpfResult,
    readonly reason: string,
    readonly term?: string,
    readonly domain?: string,
  ) {}
}

/**
 * check_host(ip, domain, sender) over an analyzed tree: RFC 7208 §4, with the
 * limits counted in evaluation order. Terms that depend on the IP are looked
 * up now through `dns`.
 */
export async function evaluateSpf(
  address: string,
  analysis: SpfAnalysis,
  dns: SpfDns,
  opts: SpfOptions = {},
): Promise<SpfEvaluation> {
  const ip = parseIp(address);
  if (!ip)
    return {
      ip: address,
      result: 'permerror',
      reason: `'${address}' is not an IP address`,
      lookups: 0,
      voidLookups: 0,
    };
  const maxLookups = opts.maxLookups ?? 10;
  const maxVoid = opts.maxVoidLookups ?? 2;
  const sender = opts.sender ?? `postmaster@${analysis.domain}`;
  const budget: Budget = { expansions: 0, max: opts.maxExpansions ?? 30, maxDepth: opts.maxDepth ?? 12, queries: 0 };
  const engine = new Engine(dns, budget, sender);
  let lookups = 0;
  let voids = 0;

  const countVoid = (t: SpfTerm, node: SpfRecordNode, isVoidNow: boolean) => {
    if (!isVoidNow) return;
    voids++;
    if (voids > maxVoid)
      throw new Stop('permerror', `more than ${maxVoid} void lookups at '${t.text}'`, t.text, node.domain);
  };

  const evalNode = async (
    node: SpfRecordNode,
    ancestors: string[],
  ): Promise<{ result: SpfResult; matched?: { term: string; domain: string } }> => {
    if (node.state === 'none') return { result: 'none' };
    if (node.state === 'temperror') throw new Stop('temperror', `TXT ${node.domain}: ${node.error}`);
    if (node.state === 'permerror') throw new Stop('permerror', node.error ?? 'permerror', undefined, node.domain);
    for (const orig of effectiveTerms(node)) {
      let t = orig;
      if (t.lookups || t.kind === 'ptr') {
        lookups++;
        if (lookups > maxLookups)
          throw new Stop('permerror', `more than ${maxLookups} DNS-querying terms at '${t.text}'`, t.text, node.domain);
      }
      if (t.dynamic) {
        t = { ...orig };
        t.dynamic = false;
        await engine.expandTerm(t, node, ancestors, ip);
      }
      if (t.tempError) throw new Stop('temperror', t.tempError, t.text, node.domain);
      if (t.permError) throw new Stop('permerror', t.permError, t.text, node.domain);
      let match = false;
      switch (t.kind) {
        case 'all':
          match = true;
          break;
        case 'ip4':
        case 'ip6': {
          const net = parseIp(t.network ?? '');
          match = !!net && inPrefix(ip, net, t.prefix ?? 0);
          break;
        }
        case 'a': {
          countVoid(t, node, t.voidLookup);
          match = cidrMatch(ip, t.addresses ?? [], t);
          break;
        }
        case 'mx': {
          countVoid(t, node, t.voidLookup);
          match = cidrMatch(ip, t.addresses ?? [], t);
          break;
        }
        case 'exists': {
          countVoid(t, node, t.voidLookup);
          match = !!t.exists;
          break;
        }
        case 'ptr': {
          const target = t.target ?? node.domain;
          const rev = reverseName(formatIp(ip))!;
          const ptr = await dns.resolve(rev, 'PTR');
          if (isFailure(ptr.status)) break; // RFC 7208 §5.5: a failed PTR lookup is no match
          countVoid(t, node, isVoid(ptr.status));
          const names = ptr.records.map((r) => String(r.data)).slice(0, 10);
          const fam: RRType = ip.family === 4 ? 'A' : 'AAAA';
          const validated = await Promise.all(
            names.map(async (n) => {
              const f = await dns.resolve(n, fam);
              return f.records.some((r) => {
                const p = parseIp(String(r.data));
                return !!p && formatIp(p) === formatIp(ip);
              })
                ? n
                : undefined;
            }),
          );
          match = validated.some((n) => n !== undefined && (n === target || n.endsWith('.' + target)));
          break;
        }
        case 'include': {
          countVoid(t, node, t.voidLookup);
          const child = t.child!;
          if (child.state === 'none')
            throw new Stop('permerror', `'${t.text}': ${t.target} publishes no SPF record`, t.text, node.domain);
          const r = await evalNode(child, [...ancestors, node.domain]);
          if (r.result === 'pass') match = true;
          break;
        }
        case 'redirect': {
          countVoid(t, node, t.voidLookup);
          const child = t.child!;
          if (child.state === 'none')
            throw new Stop('permerror', `'${t.text}': ${t.target} publishes no SPF record`, t.text, node.domain);
          return evalNode(child, [...ancestors, node.domain]);
        }
      }
      if (match) return { result: QUAL[t.qualifier], matched: { term: t.text, domain: node.domain } };
    }
    return { result: 'neutral' };
  };

  try {
    const r = await evalNode(analysis.root, []);
    return { ip: formatIp(ip), result: r.result, matched: r.matched, lookups, voidLookups: voids };
  } catch (e) {
    if (e instanceof Stop) {
      return {
        ip: formatIp(ip),
        result: e.result,
        reason: e.reason,
        matched: e.term ? { term: e.term, domain: e.domain ?? analysis.domain } : undefined,
        lookups,
        voidLookups: voids,
      };
    }
    return { ip: formatIp(ip), result: 'temperror', reason: (e as Error).message, lookups, voidLookups: voids };
  }
}

/** check_host(ip, domain): analyze, then evaluate. */
export async function checkHost(
  address: string,
  domain: string,
  dns: SpfDns,
  opts: SpfOptions = {},
): Promise<SpfEvaluation> {
  return evaluateSpf(address, await analyzeSpf(domain, dns, opts), dns, opts);
}

/** One line per node for hover: "include:_spf.x.test  (1 lookup, 3 below, 0 void)". */
export function renderSpfTree(analysis: SpfAnalysis): string[] {
  const lines: string[] = [];
  const walk = (node: SpfRecordNode, indent: string) => {
    if (node.state === 'none') {
      lines.push(`${indent}(no SPF record at ${node.domain})`);
      return;
    }
    if (!node.record) {
      lines.push(`${indent}(${node.state}: ${node.error ?? ''})`);
      return;
    }
    for (const t of node.terms) {
      const parts: string[] = [];
      if (t.lookups) parts.push(`${t.subtreeLookups} lookup${t.subtreeLookups === 1 ? '' : 's'}`);
      if (t.subtreeVoidLookups) parts.push(`${t.subtreeVoidLookups} void`);
      if (t.cumulativeLookups !== undefined && t.lookups) parts.push(`#${t.cumulativeLookups}`);
      if (t.dynamic) parts.push('depends on the sender');
      if (t.unreached) parts.push('never reached');
      if (t.permError) parts.push(t.permError);
      if (t.tempError) parts.push(`failed: ${t.tempError}`);
      if (t.addresses && t.addresses.length) parts.push(t.addresses.join(', '));
      lines.push(`${indent}${t.text}${parts.length ? `  (${parts.join('; ')})` : ''}`);
      if (t.child) walk(t.child, indent + '  ');
    }
  };
  lines.push(
    `${analysis.domain}: ${analysis.root.record ?? '(none)'}  [${analysis.totalLookups}/10 lookups, ${analysis.totalVoidLookups}/2 void]`,
  );
  walk(analysis.root, '  ');
  return lines;
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
