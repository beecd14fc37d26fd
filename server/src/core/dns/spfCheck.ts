// check_host() (RFC 7208 §4–§6), evaluated the way a receiving server does:
// term by term, each lookup sent when the term is reached, stopping at the
// term that decides. The limits are counted as it goes (§4.6.4: 10
// DNS-querying terms, 2 void lookups, 10 names per mx/ptr). The result comes
// with the deciding term, the explanation (§6.2, on fail only) and the tree
// of what was evaluated, each include/redirect with the lookups it cost.
//
// IPv4-mapped IPv6 clients are IPv4 (§5); `a`/`mx` ask A for an IPv4 client
// and AAAA for an IPv6 one; a name that cannot be a DNS name (§4.3) is `none`
// as the initial domain and a name that does not exist as a target.
import type { DnsResult, DnsStatus, RRType } from './resolver';
import { formatIp, inPrefix, parseIp, reverseName, type ParsedIp } from './ip';
import { isSpfRecord, parseSpf, type ParsedSpfTerm, type SpfQualifier, type SpfResult } from './spfParse';
import {
  expandMacros,
  isCheckableDomain,
  isExplanationString,
  isQueryableName,
  macroNeedsPtr,
  type MacroContext,
} from './spfMacro';
import { totalTree, type SpfTreeNode, type SpfTreeTerm } from './spfTree';

export interface SpfDns {
  resolve(name: string, type: RRType): Promise<DnsResult>;
}

export interface SpfCheckInput {
  /** The connecting client's address. */
  ip: string;
  /** The domain to check: the MAIL FROM domain, or the HELO name (§2.3, §2.4). */
  domain: string;
  /** MAIL FROM [postmaster@<helo or domain>]; `@domain` gets the local part postmaster (§4.3). */
  sender?: string;
  /** HELO/EHLO name (%{h}) [domain]. */
  helo?: string;
}

export interface SpfCheckOptions {
  /** DNS-querying terms [10]. */
  maxLookups?: number;
  /** Void lookups [2]. */
  maxVoidLookups?: number;
  /** MX names per mx, PTR names per ptr/%{p} [10]. */
  maxNames?: number;
  /** %{r} in explanations ['unknown']. */
  receiver?: string;
}

export interface SpfCheckResult {
  /** The client address as evaluated (IPv4-mapped addresses as IPv4). */
  ip: string;
  domain: string;
  result: SpfResult;
  /** The term that decided (a match, or the term where an error or a limit stopped evaluation). */
  mechanism?: string;
  /** The record the deciding term is in. */
  mechanismDomain?: string;
  /** The `exp=` text, on fail only. */
  explanation?: string;
  /** Why permerror/temperror/none. */
  reason?: string;
  lookups: number;
  voidLookups: number;
  /** DNS queries sent. */
  queries: number;
  tree: SpfTreeNode;
}

const QUAL: Record<SpfQualifier, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };
const SPF_DNS_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);
const isVoid = (s: DnsStatus) => s === 'nxdomain' || s === 'nodata';
const isFailure = (s: DnsStatus) => !(s === 'ok' || isVoid(s));

/** Evaluation stops here with permerror/temperror (§4.6.4, §2.6.6, §2.6.7). */
class Stop extends Error {
  constructor(
    readonly result: 'permerror' | 'temperror',
    readonly reason: string,
    readonly term?: string,
    readonly domain?: string,
  ) {
    super(reason);
  }
}

/** The names and addresses of an answer (A, AAAA, PTR, CNAME records; others are skipped). */
function names(r: DnsResult): string[] {
  return r.records.flatMap((x) => (typeof x.data === 'string' ? [x.data] : []));
}

interface Outcome {
  result: SpfResult;
  term?: string;
  domain?: string;
  explanation?: string;
}

/** Strip the IPv4-mapped prefix (::ffff:a.b.c.d is a.b.c.d, §5). */
export function spfClientIp(address: string): ParsedIp | undefined {
  const ip = parseIp(address);
  if (!ip || ip.family === 4) return ip;
  const mapped = ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 255 && ip.bytes[11] === 255;
  return mapped ? { family: 4, bytes: ip.bytes.slice(12) } : ip;
}

class Checker {
  lookups = 0;
  voids = 0;
  queries = 0;
  private ptrNames?: Promise<{ ptr: DnsResult; names: string[] }>;
  private readonly maxLookups: number;
  private readonly maxVoid: number;
  readonly maxNames: number;

  constructor(
    private readonly dns: SpfDns,
    readonly ip: ParsedIp,
    private readonly sender: string,
    private readonly helo: string,
    private readonly opts: SpfCheckOptions,
  ) {
    this.maxLookups = opts.maxLookups ?? 10;
    this.maxVoid = opts.maxVoidLookups ?? 2;
    this.maxNames = opts.maxNames ?? 10;
  }

  async q(name: string, type: RRType): Promise<DnsResult> {
    this.queries++;
    return this.dns.resolve(name, type);
  }

  /** Count a DNS-querying term; the 11th is a permerror. */
  countLookup(t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): void {
    tt.lookups = 1;
    if (++this.lookups > this.maxLookups)
      throw new Stop('permerror', `more than ${this.maxLookups} DNS-querying terms at '${t.text}'`, t.text, domain);
  }

  /** Count a void lookup (NXDOMAIN or no records); the 3rd is a permerror. */
  countVoid(r: DnsResult, t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): void {
    if (!isVoid(r.status)) return;
    tt.voidLookups++;
    if (++this.voids > this.maxVoid)
      throw new Stop('permerror', `more than ${this.maxVoid} void lookups at '${t.text}'`, t.text, domain);
  }

  /** A lookup that failed (timeout, SERVFAIL, ...) makes the result a temperror (§2.6.6). */
  tempFail(r: DnsResult, t: ParsedSpfTerm | undefined, domain: string): Stop {
    return new Stop('temperror', `${r.type} ${r.name}: ${r.error ?? r.status}`, t?.text, domain);
  }

  macroContext(domain: string, ptr?: string): MacroContext {
    return { ip: this.ip, sender: this.sender, domain, helo: this.helo, ptr, receiver: this.opts.receiver };
  }

  /** Expand a domain-spec (with %{p} validated first); undefined when the result cannot be a DNS name. */
  async target(spec: string | undefined, domain: string): Promise<string | undefined> {
    if (spec === undefined) return domain;
    const ptr = macroNeedsPtr(spec) ? await this.ptrMacro(domain) : undefined;
    const t = expandMacros(spec, this.macroContext(domain, ptr));
    return t !== undefined && isQueryableName(t) ? t : undefined;
  }

  /** The client's addresses of its own family: A for IPv4, AAAA for IPv6. */
  get addressType(): RRType {
    return this.ip.family === 4 ? 'A' : 'AAAA';
  }

  /** Does an A/AAAA answer hold an address in the term's CIDR range around the client? */
  cidrMatch(r: DnsResult, t?: ParsedSpfTerm): boolean {
    const len = this.ip.family === 4 ? (t?.cidr4 ?? 32) : (t?.cidr6 ?? 128);
    return names(r).some((a) => {
      const p = parseIp(a);
      return !!p && p.family === this.ip.family && inPrefix(this.ip, p, len);
    });
  }

  /**
   * The validated names of the client (§5.5): its PTR names (the first 10),
   * each kept when one of its addresses is the client's. Looked up once.
   */
  validatedNames(): Promise<{ ptr: DnsResult; names: string[] }> {
    this.ptrNames ??= (async () => {
      const ptr = await this.q(reverseName(formatIp(this.ip))!, 'PTR');
      if (ptr.status !== 'ok') return { ptr, names: [] };
      const ptrs = names(ptr)
        .map((n) => n.toLowerCase())
        .slice(0, this.maxNames);
      const ok = await Promise.all(
        ptrs.map(async (n) =>
          isQueryableName(n) && this.cidrMatch(await this.q(n, this.addressType)) ? n : undefined,
        ),
      );
      return { ptr, names: ok.filter((n): n is string => n !== undefined) };
    })();
    return this.ptrNames;
  }

  /** %{p} (§7.3): the domain itself when validated, else a validated name under it, else any validated name. */
  async ptrMacro(domain: string): Promise<string> {
    const { names } = await this.validatedNames();
    return names.find((n) => n === domain) ?? names.find((n) => n.endsWith('.' + domain)) ?? names[0] ?? 'unknown';
  }

  /** The explanation of a fail (§6.2): the exp= TXT record expanded; any problem means none. */
  async explanation(spec: string | undefined, domain: string): Promise<string | undefined> {
    if (spec === undefined) return undefined;
    try {
      const name = await this.target(spec, domain);
      if (name === undefined) return undefined;
      const r = await this.q(name, 'TXT');
      if (r.status !== 'ok' || r.records.length !== 1) return undefined;
      const rec = r.records[0];
      const text = rec.type === 'TXT' ? rec.data.join('') : '';
      if (!isExplanationString(text)) return undefined;
      const ptr = macroNeedsPtr(text) ? await this.ptrMacro(domain) : undefined;
      return expandMacros(text, this.macroContext(domain, ptr), false);
    } catch {
      return undefined; // §6.2: errors in exp are ignored
    }
  }
}

function newTerm(t: ParsedSpfTerm): SpfTreeTerm {
  return {
    term: t.text,
    lookups: 0,
    voidLookups: 0,
    subtreeLookups: 0,
    subtreeVoidLookups: 0,
    outcome: 'not evaluated',
  };
}

function addressList(r: DnsResult): string {
  return r.status === 'ok' ? names(r).join(', ') : r.status;
}

/** a (§5.3): the target's addresses of the client's family, within the CIDR lengths. */
async function matchA(c: Checker, t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): Promise<boolean> {
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) return noName(tt);
  const r = await c.q(target, c.addressType);
  if (isFailure(r.status)) throw c.tempFail(r, t, domain);
  c.countVoid(r, t, domain, tt);
  tt.detail = `${c.addressType} ${target}: ${addressList(r)}`;
  return c.cidrMatch(r, t);
}

/** mx (§5.4): more than 10 exchanges is a permerror; each exchange's addresses of the client's family. */
async function matchMx(c: Checker, t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): Promise<boolean> {
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) return noName(tt);
  const mx = await c.q(target, 'MX');
  if (isFailure(mx.status)) throw c.tempFail(mx, t, domain);
  c.countVoid(mx, t, domain, tt);
  const hosts = mx.records.flatMap((r) => (r.type === 'MX' && r.data.exchange !== '.' ? [r.data.exchange] : []));
  if (hosts.length > c.maxNames)
    throw new Stop('permerror', `'${t.text}': ${hosts.length} MX names (more than ${c.maxNames})`, t.text, domain);
  const answers = await Promise.all(hosts.filter(isQueryableName).map((h) => c.q(h, c.addressType)));
  const found: string[] = [];
  let match = false;
  for (const r of answers) {
    if (isFailure(r.status)) throw c.tempFail(r, t, domain);
    c.countVoid(r, t, domain, tt);
    found.push(`${r.name}: ${addressList(r)}`);
    match ||= c.cidrMatch(r, t);
  }
  tt.detail = hosts.length ? found.join('; ') : `MX ${target}: ${mx.status === 'ok' ? 'none' : mx.status}`;
  return match;
}

/** exists (§5.7): any A record, whatever the client's family. */
async function matchExists(c: Checker, t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): Promise<boolean> {
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) return noName(tt);
  const r = await c.q(target, 'A');
  if (isFailure(r.status)) throw c.tempFail(r, t, domain);
  c.countVoid(r, t, domain, tt);
  tt.detail = `A ${target}: ${addressList(r)}`;
  return r.status === 'ok' && r.records.length > 0;
}

/** ptr (§5.5): a validated name equal to or under the target; a failed PTR lookup is no match. */
async function matchPtr(c: Checker, t: ParsedSpfTerm, domain: string, tt: SpfTreeTerm): Promise<boolean> {
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) return noName(tt);
  const { ptr, names } = await c.validatedNames();
  c.countVoid(ptr, t, domain, tt); // a failed PTR lookup is no match (§5.5), an empty one is void
  tt.detail = names.length ? `validated: ${names.join(', ')}` : 'no validated name';
  return names.some((n) => n === target || n.endsWith('.' + target));
}

function noName(tt: SpfTreeTerm): false {
  tt.detail = 'the target is not a DNS name (treated as not existing, §4.3)';
  return false;
}

/** include (§5.2): pass matches; fail/softfail/neutral do not; none is a permerror; errors propagate. */
async function matchInclude(
  c: Checker,
  t: ParsedSpfTerm,
  domain: string,
  tt: SpfTreeTerm,
  chain: string[],
): Promise<boolean> {
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) throw new Stop('permerror', `'${t.text}': the target is not a DNS name`, t.text, domain);
  if (target === domain || chain.includes(target))
    // a loop never ends before the lookup limit: stop now, with the same permerror, fewer queries
    throw new Stop('permerror', `'${t.text}': loop ${[...chain, domain, target].join(' -> ')}`, t.text, domain);
  const child = emptyNode(target);
  tt.child = child;
  const r = await evaluateRecord(c, target, child, [...chain, domain]);
  if (r.result === 'none')
    throw new Stop('permerror', `'${t.text}': ${target} publishes no SPF record`, t.text, domain);
  tt.detail = `${target}: ${r.result}`; // only pass matches (§5.2)
  return r.result === 'pass';
}

function emptyNode(domain: string): SpfTreeNode {
  // keys in the order `mailtopo spf --format json` prints them
  return { domain, record: undefined, result: undefined, error: undefined, lookups: 0, voidLookups: 0, terms: [] };
}

function matchTerm(
  c: Checker,
  t: ParsedSpfTerm,
  domain: string,
  tt: SpfTreeTerm,
  chain: string[],
): boolean | Promise<boolean> {
  if (SPF_DNS_TERMS.has(t.kind)) c.countLookup(t, domain, tt);
  switch (t.kind) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6': {
      const net = parseIp(t.network ?? '');
      return !!net && net.family === c.ip.family && inPrefix(c.ip, net, t.prefix ?? 0);
    }
    case 'a':
      return matchA(c, t, domain, tt);
    case 'mx':
      return matchMx(c, t, domain, tt);
    case 'exists':
      return matchExists(c, t, domain, tt);
    case 'ptr':
      return matchPtr(c, t, domain, tt);
    case 'include':
      return matchInclude(c, t, domain, tt, chain);
    default:
      return false;
  }
}

/** The single SPF record of a domain (§4.4, §4.5); none when there is none, permerror for several or a syntax error. */
async function fetchRecord(c: Checker, domain: string, node: SpfTreeNode) {
  const txt = await c.q(domain, 'TXT');
  if (isFailure(txt.status)) {
    node.error = `TXT ${domain}: ${txt.error ?? txt.status}`;
    throw c.tempFail(txt, undefined, domain);
  }
  const records = txt.records.flatMap((r) => (r.type === 'TXT' ? [r.data.join('')] : [])).filter(isSpfRecord);
  if (records.length === 0) {
    node.error = `no SPF record at ${domain}`;
    return undefined;
  }
  if (records.length > 1) {
    node.error = `${records.length} SPF records at ${domain}`;
    throw new Stop('permerror', `${domain} publishes ${records.length} SPF records`, undefined, domain);
  }
  node.record = records[0];
  const parsed = parseSpf(records[0]);
  if (parsed.errors.length) {
    node.error = parsed.errors.join('; ');
    throw new Stop('permerror', `syntax error in the SPF record of ${domain}: ${node.error}`, undefined, domain);
  }
  return parsed.terms;
}

/** One level of check_host(): the record of `domain`, its mechanisms in order, then redirect (§4.6–§4.8, §6.1). */
async function evaluateRecord(c: Checker, domain: string, node: SpfTreeNode, chain: string[]): Promise<Outcome> {
  const terms = await fetchRecord(c, domain, node);
  if (!terms) return ((node.result = 'none'), { result: 'none' });
  const shown = terms.filter((t) => t.kind !== 'exp' && t.kind !== 'modifier');
  const tree = new Map(shown.map((t) => [t, newTerm(t)] as const));
  node.terms = [...tree.values()];
  const exp = terms.find((t) => t.kind === 'exp');
  const redirect = terms.find((t) => t.kind === 'redirect');
  const hasAll = terms.some((t) => t.kind === 'all');
  for (const t of shown) {
    const tt = tree.get(t)!;
    if (t.kind === 'redirect') {
      // §6.1: ignored when the record has an 'all'; otherwise only once no mechanism matched
      tt.detail = hasAll ? "ignored: the record has an 'all'" : undefined;
      continue;
    }
    const match = await guard(tt, node, () => matchTerm(c, t, domain, tt, chain));
    tt.outcome = match ? 'match' : 'no match';
    if (!match) continue;
    const result = QUAL[t.qualifier];
    node.result = result;
    const explanation = result === 'fail' ? await c.explanation(exp?.domainSpec, domain) : undefined;
    return { result, term: t.text, domain, explanation };
  }
  if (redirect && !hasAll)
    return guard(tree.get(redirect)!, node, () => followRedirect(c, redirect, domain, tree.get(redirect)!, chain));
  node.result = 'neutral';
  return { result: 'neutral' };
}

/** Mark the term and its record when evaluation stops at it. */
async function guard<T>(tt: SpfTreeTerm, node: SpfTreeNode, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof Stop) {
      tt.outcome = e.result;
      tt.detail ??= e.reason;
      node.result = e.result;
    }
    throw e;
  }
}

/** redirect (§6.1): the target's result is the result, its exp applies; none is a permerror. */
async function followRedirect(
  c: Checker,
  t: ParsedSpfTerm,
  domain: string,
  tt: SpfTreeTerm,
  chain: string[],
): Promise<Outcome> {
  c.countLookup(t, domain, tt);
  const target = await c.target(t.domainSpec, domain);
  if (target === undefined) throw new Stop('permerror', `'${t.text}': the target is not a DNS name`, t.text, domain);
  if (target === domain || chain.includes(target))
    // a loop never ends before the lookup limit: stop now, with the same permerror, fewer queries
    throw new Stop('permerror', `'${t.text}': loop ${[...chain, domain, target].join(' -> ')}`, t.text, domain);
  const child = emptyNode(target);
  tt.child = child;
  const r = await evaluateRecord(c, target, child, [...chain, domain]);
  if (r.result === 'none')
    throw new Stop('permerror', `'${t.text}': ${target} publishes no SPF record`, t.text, domain);
  tt.outcome = 'match';
  return { ...r, term: r.term ?? t.text, domain: r.domain ?? domain };
}

/** check_host(ip, domain, sender) (RFC 7208 §4), evaluated lazily; every DNS failure is a result, never a rejection. */
export async function spfCheckHost(
  input: SpfCheckInput,
  dns: SpfDns,
  opts: SpfCheckOptions = {},
): Promise<SpfCheckResult> {
  const domain = input.domain.endsWith('.') ? input.domain.slice(0, -1) : input.domain;
  const tree = emptyNode(domain.toLowerCase());
  const ip = spfClientIp(input.ip);
  const base = { ip: ip ? formatIp(ip) : input.ip, domain: tree.domain, lookups: 0, voidLookups: 0, queries: 0, tree };
  if (!ip) return { ...base, result: 'permerror', reason: `'${input.ip}' is not an IP address` };
  if (!isCheckableDomain(domain)) {
    tree.error = `'${domain}' is not a domain name that can be checked (§4.3)`;
    return { ...base, result: 'none', reason: tree.error };
  }
  const helo = input.helo ?? domain;
  let sender = input.sender ?? '';
  if (sender === '') sender = `postmaster@${helo}`;
  else if (sender.startsWith('@')) sender = `postmaster${sender}`;
  else if (!sender.includes('@')) sender = `postmaster@${sender}`;
  const c = new Checker(dns, ip, sender, helo, opts);
  let out: Pick<SpfCheckResult, 'result' | 'mechanism' | 'mechanismDomain' | 'explanation' | 'reason'>;
  try {
    const r = await evaluateRecord(c, tree.domain, tree, []);
    out = { result: r.result, mechanism: r.term, mechanismDomain: r.domain, explanation: r.explanation };
    if (r.result === 'none') out.reason = tree.error;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    out = { result: e.result, reason: e.reason, mechanism: e.term, mechanismDomain: e.term ? e.domain : undefined };
  }
  totalTree(tree);
  return { ...base, ...out, lookups: c.lookups, voidLookups: c.voids, queries: c.queries };
}
