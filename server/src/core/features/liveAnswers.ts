// The last live DNS answers, as the editor features read them (hover, inlay
// hints, code lenses). Keyed by what was looked up, never by position, so they
// stay useful while the document is edited. `toLiveAnswers` reads the live
// checks' own answers (core/dns/live.ts) into this shape.
import type { LiveAnswers as DnsLiveAnswers } from '../dns/live';

export interface HostAnswer {
  /** A and AAAA records (after CNAMEs). */
  addresses: string[];
  /** CNAME chain followed, if the name is an alias. */
  cname?: string[];
  /** 'ok', 'nxdomain', 'nodata', 'timeout', ... */
  status?: string;
  error?: string;
}

export interface AddressAnswer {
  ptr?: string[];
  /** The PTR name resolves back to the address. */
  fcrdns?: boolean;
  status?: string;
  /** DNSBL zones listing it. */
  listings?: Array<{ zone: string; code?: string; reason?: string }>;
  /** DNSBL zones asked that do not list it. */
  clean?: string[];
}

export interface DomainAnswer {
  status?: string;
  mx?: Array<{ preference: number; exchange: string }>;
  nullMx?: boolean;
  /** Published SPF record(s). */
  spf?: string[];
  /** The evaluated include tree, one line per term, indented by depth. */
  spfTree?: string[];
  /** DNS-querying terms and void lookups the SPF evaluation cost. */
  spfLookups?: number;
  spfVoidLookups?: number;
  dmarc?: string[];
  /** Live MX set equals the declared one (when the checks say so). */
  mxMatches?: boolean;
}

export interface LiveAnswers {
  /** When the answers arrived (ms since the epoch). */
  at?: number;
  /** The resolvers asked. */
  resolvers?: string[];
  hosts: Record<string, HostAnswer>;
  addresses: Record<string, AddressAnswer>;
  domains: Record<string, DomainAnswer>;
}

export const emptyLiveAnswers = (): LiveAnswers => ({ hosts: {}, addresses: {}, domains: {} });

/** Read the live checks' answers (core/dns/live.ts) into the shape the features use. */
export function toLiveAnswers(raw: DnsLiveAnswers | undefined, at = Date.now()): LiveAnswers {
  const out: LiveAnswers = { at, hosts: {}, addresses: {}, domains: {} };
  if (!raw) return out;
  for (const [k, h] of Object.entries(raw.hosts ?? {})) {
    out.hosts[k.toLowerCase()] = {
      addresses: [...(h.a ?? []), ...(h.aaaa ?? [])],
      cname: h.cnameChain?.length ? h.cnameChain : undefined,
      status: h.status,
    };
  }
  for (const [k, p] of Object.entries(raw.ptr ?? {})) {
    out.addresses[k] = {
      ptr: p.names,
      fcrdns: p.names.length ? p.confirmed : undefined,
      status: p.status,
      listings: [],
      clean: [],
    };
  }
  for (const [zone, z] of Object.entries(raw.dnsbl ?? {})) {
    for (const [addr, l] of Object.entries(z.listings ?? {})) {
      const a = (out.addresses[addr] ??= { listings: [], clean: [] });
      if (l.status === 'listed')
        (a.listings ??= []).push({ zone, code: l.codes.join(', ') || undefined, reason: l.reason });
      else if (l.status === 'clear') (a.clean ??= []).push(zone);
    }
  }
  const dom = (d: string): DomainAnswer => (out.domains[d.toLowerCase()] ??= {});
  for (const [d, m] of Object.entries(raw.mx ?? {})) {
    const x = dom(d);
    x.status = m.status;
    x.mx = m.records;
    x.nullMx = m.nullMx;
  }
  for (const [d, s] of Object.entries(raw.spf ?? {})) {
    const x = dom(d);
    x.spf = s.record ? [s.record] : [];
    if (s.tree?.length) x.spfTree = s.tree;
    if (s.analysis) {
      x.spfLookups = s.analysis.totalLookups;
      x.spfVoidLookups = s.analysis.totalVoidLookups;
    }
  }
  for (const [d, m] of Object.entries(raw.dmarc ?? {})) {
    const name = d.toLowerCase().replace(/^_dmarc\./, '');
    dom(name).dmarc = m.record ? [m.record] : m.records;
  }
  return out;
}

export function ago(at: number | undefined, now = Date.now()): string {
  if (!at) return '';
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
