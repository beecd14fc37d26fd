// The SPF evaluation path as it was before issue 15 (commit 13886ca), kept only
// as the "before" of bench/spf.ts: analyzeSpf() fetched the whole tree (every
// term of every record, A and AAAA for each a/mx host, in parallel per record),
// then evaluateSpf() walked it. Not used by the product.
import type { DnsResult, RRType } from '../server/src/core/dns/resolver';
import { formatIp, inPrefix, parseIp, reverseName, type ParsedIp } from '../server/src/core/dns/ip';
import {
  expandMacros,
  isSpfRecord,
  parseSpf,
  type MacroContext,
  type SpfDns,
  type SpfQualifier,
  type SpfRecordNode,
  type SpfResult,
  type SpfTerm,
} from '../server/src/core/dns/spf';

interface Budget {
  expansions: number;
  max: number;
  maxDepth: number;
  queries: number;
}

const isVoid = (s: DnsResult['status']) => s === 'nxdomain' || s === 'nodata';
const isFailure = (s: DnsResult['status']) => !(s === 'ok' || isVoid(s));

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
    return { a, aaaa, addresses: [...a.records, ...aaaa.records].map((r) => text(r)) };
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
      default:
        return; // exp and modifiers are not in effectiveTerms()
    }
  }
}

interface SpfEvaluation {
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

class Stop extends Error {
  constructor(
    readonly result: SpfResult,
    readonly reason: string,
    readonly term?: string,
    readonly domain?: string,
  ) {
    super(reason);
  }
}

const text = (r: DnsResult['records'][number]): string => (typeof r.data === 'string' ? r.data : '');

/**
 * check_host(ip, domain, sender) over an analyzed tree: RFC 7208 §4, with the
 * limits counted in evaluation order. Terms that depend on the IP are looked
 * up now through `dns`.
 */
async function evaluateSpf(
  address: string,
  analysis: { domain: string; root: SpfRecordNode },
  dns: SpfDns,
  budget: Budget,
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
  const maxLookups = 10;
  const maxVoid = 2;
  const sender = `postmaster@${analysis.domain}`;
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
          const names = ptr.records.map((r) => text(r)).slice(0, 10);
          const fam: RRType = ip.family === 4 ? 'A' : 'AAAA';
          const validated = await Promise.all(
            names.map(async (n) => {
              const f = await dns.resolve(n, fam);
              return f.records.some((r) => {
                const p = parseIp(text(r));
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
        default:
          break; // exp and modifiers are not in effectiveTerms()
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

/** check_host() as before: analyze the whole tree, then evaluate over it. */
export async function checkHostBefore(
  address: string,
  domain: string,
  dns: SpfDns,
): Promise<{ result: SpfResult; queries: number }> {
  const budget: Budget = { expansions: 0, max: 30, maxDepth: 12, queries: 0 };
  const engine = new Engine(dns, budget, `postmaster@${domain}`);
  const root = await engine.fetchRecord(domain, []);
  const ev = await evaluateSpf(address, { domain, root }, dns, budget);
  return { result: ev.result, queries: budget.queries };
}
