// A stub resolver on dns-packet: the live checks' only way to the DNS.
//
// UDP with a cryptographically random ID and a random source port (a small pool
// of sockets, each bound by the kernel to a random ephemeral port and retired
// after a bounded number of queries); a reply is accepted only from the server
// asked (address and port) with the same ID, question name (case-insensitive),
// type and class, and everything else is ignored while waiting. TC -> TCP
// (2-byte length framing). EDNS0 OPT with a 1232-byte payload. CNAME chasing
// with a loop bound. Per-attempt timeout, retries across the servers, one
// overall deadline per lookup, a cap on queries in flight, and a TTL-respecting
// cache with negative caching; concurrent identical lookups share one promise.
// Every decode is guarded: a malformed packet is an ignored (UDP) or failed (TCP)
// reply, never an exception that escapes.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as dnsPacket from 'dns-packet';
import { canonicalIp, parseIp, normalizeName } from './ip';

export type RRType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'PTR' | 'CNAME' | 'NS' | 'SOA';

export type DnsStatus =
  | 'ok' // NOERROR with records of the asked type
  | 'nxdomain' // the name does not exist
  | 'nodata' // the name exists, no records of this type
  | 'servfail'
  | 'refused'
  | 'timeout' // no acceptable reply before the deadline
  | 'network' // the network said no (unreachable, connection refused, ...)
  | 'malformed' // a reply that could not be decoded (TCP), or other rcodes (FORMERR, NOTIMP)
  | 'cname-loop' // a CNAME chain that loops or is longer than the bound
  | 'aborted';

export interface MxData { preference: number; exchange: string }
export interface SoaData { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }

export type DnsRecord =
  | { type: 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'NS'; name: string; ttl: number; data: string }
  | { type: 'MX'; name: string; ttl: number; data: MxData }
  | { type: 'TXT'; name: string; ttl: number; data: string[] }
  | { type: 'SOA'; name: string; ttl: number; data: SoaData };

export interface DnsResult {
  /** What was asked (normalized: lower case, no trailing dot). */
  name: string;
  type: RRType;
  status: DnsStatus;
  /** Records of the asked type at the canonical name (after CNAMEs). */
  records: DnsRecord[];
  /** CNAME targets followed, in order ([] when the name is not an alias). */
  cnameChain: string[];
  canonicalName: string;
  /** The resolver that gave this answer, or the last one tried ('127.0.0.1:53'). */
  server?: string;
  /** Every resolver tried, in order. */
  tried: string[];
  rcode?: string;
  /** Human text for a failure. */
  error?: string;
  fromCache: boolean;
  /** Seconds the answer stays fresh (min TTL; negative TTL from the SOA). */
  ttl: number;
}

export interface ServerAddr {
  host: string; // canonical IP text
  port: number;
  family: 4 | 6;
  /** As printed in messages: '127.0.0.1:53', '[::1]:53'. */
  text: string;
}

export interface ResolverOptions {
  /** 'HOST[:PORT]' strings ('192.0.2.1', '127.0.0.1:5353', '[::1]:53', '::1'). */
  servers: string[];
  /** Per attempt [2000]. */
  timeoutMs?: number;
  /** Total attempts across the servers [max(2, servers)]. */
  attempts?: number;
  /** Overall bound of one lookup, CNAME chasing included [timeoutMs * attempts]. */
  deadlineMs?: number;
  /** Queries on the wire at once [64]. */
  maxInFlight?: number;
  /** Cache answers for their TTL [true]. */
  cache?: boolean;
  /** Seconds to cache a negative answer that carries no SOA [30]. */
  negativeTtlNoSoa?: number;
  /** Upper bound of any cache lifetime, seconds [86400]. */
  maxTtl?: number;
  /** Send an EDNS0 OPT record [true]. */
  edns?: boolean;
  udpPayloadSize?: number;
  /** CNAME hops followed [8]. */
  maxCnameChain?: number;
  /** UDP sockets in use at once per address family [8]. */
  socketPoolSize?: number;
  /** Queries sent on one UDP socket before it is retired [64]. */
  maxQueriesPerSocket?: number;
  /** Clock for the cache (tests), ms. */
  now?: () => number;
}

export interface ResolverStats {
  /** Queries put on the wire (UDP + TCP). */
  sent: number;
  udp: number;
  tcp: number;
  /** Replies accepted. */
  accepted: number;
  /** Datagrams ignored while waiting (wrong source, ID, question, undecodable). */
  ignored: number;
  malformed: number;
  timeouts: number;
  cacheHits: number;
  /** Lookups that joined an identical one already in flight. */
  shared: number;
  socketsOpened: number;
}

/** Parse 'HOST[:PORT]' where HOST is an IP address (never a name: no system resolver here). */
export function parseServer(spec: string): ServerAddr {
  const s = spec.trim();
  let host: string;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1];
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if ((s.match(/:/g) ?? []).length === 1) {
    const i = s.indexOf(':');
    host = s.slice(0, i);
    port = Number(s.slice(i + 1));
  } else {
    host = s;
  }
  const ip = parseIp(host);
  if (!ip) throw new Error(`not a resolver address (expected HOST[:PORT] with HOST an IP address): '${spec}'`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad resolver port in '${spec}'`);
  const canon = canonicalIp(host)!;
  return { host: canon, port, family: ip.family, text: ip.family === 6 ? `[${canon}]:${port}` : `${canon}:${port}` };
}

/** The `nameserver` lines of a resolv.conf text, as 'HOST:PORT' strings (port 53). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const ip = parseIp(m[1]);
    if (!ip) continue; // scoped (fe80::1%eth0) or junk
    const c = canonicalIp(m[1])!;
    out.push(ip.family === 6 ? `[${c}]:53` : `${c}:53`);
  }
  return out;
}

/** The system's resolvers from /etc/resolv.conf (resolv.conf's own default: 127.0.0.1). */
export function systemResolvers(path = '/etc/resolv.conf'): string[] {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { /* no file: default */ }
  const list = parseResolvConf(text);
  return list.length ? list : ['127.0.0.1:53'];
}

/** One line naming a failed lookup, for MT590: "MX example.com via 127.0.0.1:53: timeout". */
export function describeResult(r: DnsResult): string {
  const via = r.tried.length ? ` via ${r.tried.filter((t, i, a) => a.indexOf(t) === i).join(', ')}` : '';
  const what = r.error ?? r.status.toUpperCase();
  return `${r.type} ${r.name}${via}: ${what}`;
}

// ---------------------------------------------------------------------------
// Decoding (guarded)

/** Decode a DNS message; undefined for anything malformed. Never throws. */
export function safeDecode(buf: Buffer): dnsPacket.DecodedPacket | undefined {
  try {
    if (!Buffer.isBuffer(buf) || buf.length < 12) return undefined;
    const p = dnsPacket.decode(buf);
    if (!p || typeof p !== 'object') return undefined;
    return p;
  } catch {
    return undefined;
  }
}

interface Expect { id: number; name: string; type: RRType }

/**
 * Is `buf` an acceptable reply to the query `q`? Returns the decoded packet,
 * or undefined (ignore it). Never throws.
 */
export function acceptReply(buf: Buffer, q: Expect): dnsPacket.DecodedPacket | undefined {
  try {
    if (buf.length < 12 || buf.readUInt16BE(0) !== q.id) return undefined;
    const p = safeDecode(buf);
    if (!p) return undefined;
    if (p.type !== 'response' || p.id !== q.id) return undefined;
    const qs = p.questions;
    if (!Array.isArray(qs) || qs.length !== 1) return undefined;
    const question = qs[0];
    if (typeof question.name !== 'string' || normalizeName(question.name) !== q.name) return undefined;
    if (question.type !== q.type) return undefined;
    if ((question.class ?? 'IN') !== 'IN') return undefined;
    return p;
  } catch {
    return undefined;
  }
}

function num(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

/** Convert one decoded RR to our record shape; undefined for types we do not use or bad data. */
export function toRecord(a: unknown): DnsRecord | undefined {
  try {
    if (!a || typeof a !== 'object') return undefined;
    const r = a as { type?: unknown; name?: unknown; ttl?: unknown; data?: unknown; class?: unknown };
    if (typeof r.name !== 'string' || typeof r.type !== 'string') return undefined;
    if (r.class !== undefined && r.class !== 'IN') return undefined;
    const name = normalizeName(r.name);
    const ttl = Math.max(0, num(r.ttl));
    switch (r.type) {
      case 'A':
      case 'AAAA': {
        const d = str(r.data);
        const ip = d !== undefined ? parseIp(d) : undefined;
        if (!ip || ip.family !== (r.type === 'A' ? 4 : 6)) return undefined;
        return { type: r.type, name, ttl, data: canonicalIp(d!)! };
      }
      case 'PTR':
      case 'CNAME':
      case 'NS': {
        const d = str(r.data);
        if (d === undefined) return undefined;
        return { type: r.type, name, ttl, data: normalizeName(d) };
      }
      case 'MX': {
        const d = r.data as { preference?: unknown; exchange?: unknown } | undefined;
        if (!d || typeof d !== 'object' || typeof d.exchange !== 'string') return undefined;
        return { type: 'MX', name, ttl, data: { preference: num(d.preference), exchange: d.exchange === '.' ? '.' : normalizeName(d.exchange) } };
      }
      case 'TXT': {
        const d = r.data;
        const parts = Array.isArray(d) ? d : [d];
        const out: string[] = [];
        for (const p of parts) {
          const s = str(p);
          if (s === undefined) return undefined;
          out.push(s);
        }
        return { type: 'TXT', name, ttl, data: out };
      }
      case 'SOA': {
        const d = r.data as Record<string, unknown> | undefined;
        if (!d || typeof d !== 'object' || typeof d.mname !== 'string' || typeof d.rname !== 'string') return undefined;
        return {
          type: 'SOA', name, ttl,
          data: { mname: normalizeName(d.mname), rname: normalizeName(d.rname), serial: num(d.serial), refresh: num(d.refresh), retry: num(d.retry), expire: num(d.expire), minimum: num(d.minimum) },
        };
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

function rcodeOf(p: dnsPacket.DecodedPacket): string {
  const r = (p as unknown as { rcode?: unknown }).rcode;
  return typeof r === 'string' ? r : 'RCODE?';
}

export interface Interpretation {
  status: 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'refused' | 'malformed' | 'cname-loop' | 'follow';
  records: DnsRecord[];
  /** CNAME targets walked inside this reply. */
  chain: string[];
  /** Name reached at the end of the walk. */
  finalName: string;
  rcode: string;
  /** Lifetime for the cache, seconds. */
  ttl: number;
}

/**
 * Walk a reply for `qname`/`type`: follow CNAMEs inside the answer section,
 * collect records of the type at the name reached. 'follow' means the chain
 * left this reply without a conclusion (ask again for finalName). Never throws.
 */
export function interpretReply(p: dnsPacket.DecodedPacket, qname: string, type: RRType, seen: Set<string>, negativeTtlNoSoa = 30): Interpretation {
  const rcode = rcodeOf(p);
  const answers = (Array.isArray(p.answers) ? p.answers : []).map(toRecord).filter((r): r is DnsRecord => !!r);
  const soa = (Array.isArray(p.authorities) ? p.authorities : []).map(toRecord).find((r) => r?.type === 'SOA') as Extract<DnsRecord, { type: 'SOA' }> | undefined;
  const negTtl = soa ? Math.min(soa.ttl, soa.data.minimum) : negativeTtlNoSoa;
  const chain: string[] = [];
  let current = qname;
  let minTtl = Infinity;
  for (let hops = 0; hops <= 64; hops++) {
    const here = answers.filter((r) => r.name === current && r.type === type);
    if (here.length) {
      for (const r of here) minTtl = Math.min(minTtl, r.ttl);
      return { status: 'ok', records: here, chain, finalName: current, rcode, ttl: minTtl };
    }
    if (type === 'CNAME') break;
    const cname = answers.find((r) => r.name === current && r.type === 'CNAME');
    if (!cname) break;
    minTtl = Math.min(minTtl, cname.ttl);
    const target = cname.data as string;
    if (seen.has(target)) return { status: 'cname-loop', records: [], chain: [...chain, target], finalName: target, rcode, ttl: 0 };
    seen.add(target);
    chain.push(target);
    current = target;
  }
  const ttl = Math.min(minTtl, negTtl);
  if (rcode === 'NXDOMAIN') return { status: 'nxdomain', records: [], chain, finalName: current, rcode, ttl };
  if (rcode === 'SERVFAIL') return { status: 'servfail', records: [], chain, finalName: current, rcode, ttl: 0 };
  if (rcode === 'REFUSED') return { status: 'refused', records: [], chain, finalName: current, rcode, ttl: 0 };
  if (rcode !== 'NOERROR') return { status: 'malformed', records: [], chain, finalName: current, rcode, ttl: 0 };
  // NOERROR without data. A chain that left this reply without an SOA saying
  // "nothing here" must be asked again for its target.
  if (chain.length && !soa) return { status: 'follow', records: [], chain, finalName: current, rcode, ttl: minTtl };
  return { status: 'nodata', records: [], chain, finalName: current, rcode, ttl };
}

// ---------------------------------------------------------------------------
// Random IDs from a crypto-filled pool

const idPool = Buffer.alloc(4096);
let idPos = idPool.length;
function randomId(): number {
  if (idPos + 2 > idPool.length) { randomFillSync(idPool); idPos = 0; }
  const v = idPool.readUInt16BE(idPos);
  idPos += 2;
  return v;
}

// ---------------------------------------------------------------------------
// Transport

type Attempt =
  | { kind: 'reply'; packet: dnsPacket.DecodedPacket }
  | { kind: 'timeout' }
  | { kind: 'network'; error: string }
  | { kind: 'malformed'; error: string };

interface Pending {
  expect: Expect;
  server: ServerAddr;
  done: (a: Attempt) => void;
}

interface Slot {
  sock: dgram.Socket;
  family: 4 | 6;
  sent: number;
  pending: Map<number, Pending>;
  retired: boolean;
  closed: boolean;
}

class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];
  constructor(private readonly max: number) {}
  acquire(): Promise<void> {
    if (this.active < this.max) { this.active++; return Promise.resolve(); }
    return new Promise((resolve) => this.queue.push(() => { this.active++; resolve(); }));
  }
  release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) next();
  }
}

function buildQuery(id: number, name: string, type: RRType, edns: boolean, payload: number): Buffer {
  const packet: dnsPacket.Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
  };
  if (edns) {
    packet.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: payload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }];
  }
  return dnsPacket.encode(packet);
}

function cacheKey(name: string, type: RRType): string {
  return `${type} ${name}`;
}

export class Resolver {
  readonly servers: ServerAddr[];
  readonly stats: ResolverStats = { sent: 0, udp: 0, tcp: 0, accepted: 0, ignored: 0, malformed: 0, timeouts: 0, cacheHits: 0, shared: 0, socketsOpened: 0 };
  private readonly opts: Required<Omit<ResolverOptions, 'servers' | 'now'>>;
  private readonly now: () => number;
  private readonly sem: Semaphore;
  private readonly cache = new Map<string, { result: DnsResult; expires: number }>();
  private readonly inflight = new Map<string, Promise<DnsResult>>();
  private readonly slots: Record<4 | 6, Slot[]> = { 4: [], 6: [] };
  private readonly rr: Record<4 | 6, number> = { 4: 0, 6: 0 };
  private readonly allSlots = new Set<Slot>();
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  constructor(options: ResolverOptions) {
    if (!options.servers.length) throw new Error('no resolvers configured');
    this.servers = options.servers.map(parseServer);
    const timeoutMs = options.timeoutMs ?? 2000;
    const attempts = options.attempts ?? Math.max(2, this.servers.length);
    this.opts = {
      timeoutMs,
      attempts,
      deadlineMs: options.deadlineMs ?? timeoutMs * attempts,
      maxInFlight: options.maxInFlight ?? 64,
      cache: options.cache ?? true,
      negativeTtlNoSoa: options.negativeTtlNoSoa ?? 30,
      maxTtl: options.maxTtl ?? 86400,
      edns: options.edns ?? true,
      udpPayloadSize: options.udpPayloadSize ?? 1232,
      maxCnameChain: options.maxCnameChain ?? 8,
      socketPoolSize: options.socketPoolSize ?? 8,
      maxQueriesPerSocket: options.maxQueriesPerSocket ?? 64,
    };
    this.now = options.now ?? Date.now;
    this.sem = new Semaphore(this.opts.maxInFlight);
  }

  get timeoutMs(): number { return this.opts.timeoutMs; }

  /** Look up `name`/`type`. Never rejects: every failure is a status. */
  resolve(name: string, type: RRType, opts?: { signal?: AbortSignal }): Promise<DnsResult> {
    const qname = normalizeName(name);
    const key = cacheKey(qname, type);
    if (this.opts.cache) {
      const hit = this.cache.get(key);
      if (hit) {
        if (hit.expires > this.now()) {
          this.stats.cacheHits++;
          return Promise.resolve({ ...hit.result, fromCache: true });
        }
        this.cache.delete(key);
      }
    }
    let p = this.inflight.get(key);
    if (p) {
      this.stats.shared++;
    } else {
      p = this.lookup(qname, type).then((r) => {
        this.inflight.delete(key);
        if (this.opts.cache && r.ttl > 0 && (r.status === 'ok' || r.status === 'nxdomain' || r.status === 'nodata')) {
          this.cache.set(key, { result: r, expires: this.now() + Math.min(r.ttl, this.opts.maxTtl) * 1000 });
        }
        return r;
      });
      this.inflight.set(key, p);
    }
    const signal = opts?.signal;
    if (!signal) return p;
    if (signal.aborted) return Promise.resolve(this.failure(qname, type, 'aborted', [], 'aborted'));
    return new Promise<DnsResult>((resolve) => {
      const onAbort = () => resolve(this.failure(qname, type, 'aborted', [], 'aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      p!.then((r) => { signal.removeEventListener('abort', onAbort); resolve(r); });
    });
  }

  clearCache(): void { this.cache.clear(); }

  /** Close every socket; pending lookups finish as 'aborted'/'network'. */
  close(): void {
    this.closed = true;
    for (const s of [...this.allSlots]) this.closeSlot(s, { kind: 'network', error: 'resolver closed' });
    this.slots[4] = [];
    this.slots[6] = [];
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private failure(name: string, type: RRType, status: DnsStatus, tried: string[], error: string, rcode?: string): DnsResult {
    return { name, type, status, records: [], cnameChain: [], canonicalName: name, server: tried[tried.length - 1], tried, rcode, error, fromCache: false, ttl: 0 };
  }

  private async lookup(qname: string, type: RRType): Promise<DnsResult> {
    const deadline = this.now() + this.opts.deadlineMs;
    const chain: string[] = [];
    const seen = new Set<string>([qname]);
    const tried: string[] = [];
    let current = qname;
    let ttl = Infinity;
    for (let hop = 0; ; hop++) {
      const ex = await this.exchange(current, type, deadline, tried);
      if (ex.kind !== 'reply') {
        const r = this.failure(qname, type, ex.status, tried, ex.error, ex.rcode);
        r.cnameChain = chain;
        return r;
      }
      const it = interpretReply(ex.packet, current, type, seen, this.opts.negativeTtlNoSoa);
      chain.push(...it.chain);
      ttl = Math.min(ttl, it.ttl);
      const base = { name: qname, type, cnameChain: chain, canonicalName: it.finalName, server: ex.server.text, tried, rcode: it.rcode, fromCache: false };
      if (it.status === 'follow') {
        if (chain.length > this.opts.maxCnameChain) {
          return { ...base, status: 'cname-loop', records: [], error: `CNAME chain longer than ${this.opts.maxCnameChain}`, ttl: 0 };
        }
        current = it.finalName;
        continue;
      }
      if (it.status === 'cname-loop') return { ...base, status: 'cname-loop', records: [], error: 'CNAME loop', ttl: 0 };
      if (chain.length > this.opts.maxCnameChain) {
        return { ...base, status: 'cname-loop', records: [], error: `CNAME chain longer than ${this.opts.maxCnameChain}`, ttl: 0 };
      }
      const status = it.status;
      const error = status === 'malformed' ? `rcode ${it.rcode}` : status === 'servfail' ? 'SERVFAIL' : status === 'refused' ? 'REFUSED' : undefined;
      return { ...base, status, records: it.records, error, ttl: Number.isFinite(ttl) ? ttl : 0 };
    }
  }

  /**
   * Ask the servers in turn until one gives a usable reply. SERVFAIL/REFUSED
   * move on to the next server (a server that said so is not asked again);
   * timeouts and network errors retry across servers within the attempts.
   */
  private async exchange(name: string, type: RRType, deadline: number, tried: string[]):
    Promise<{ kind: 'reply'; packet: dnsPacket.DecodedPacket; server: ServerAddr } | { kind: 'fail'; status: DnsStatus; error: string; rcode?: string }> {
    const n = this.servers.length;
    const gaveUp = new Set<number>();
    let lastRcode: { packet: dnsPacket.DecodedPacket; server: ServerAddr; status: 'servfail' | 'refused' } | undefined;
    let sawTimeout = false;
    let lastNet: string | undefined;
    let lastMalformed: string | undefined;
    let edns = this.opts.edns;
    for (let i = 0; i < this.opts.attempts; i++) {
      if (this.closed) return { kind: 'fail', status: 'aborted', error: 'resolver closed' };
      if (gaveUp.size === n) break;
      let idx = i % n;
      while (gaveUp.has(idx)) idx = (idx + 1) % n;
      const server = this.servers[idx];
      const remaining = deadline - this.now();
      if (remaining <= 0) { sawTimeout = true; break; }
      const t = Math.min(this.opts.timeoutMs, remaining);
      tried.push(server.text);
      let a = await this.udp(server, name, type, t, edns);
      if (a.kind === 'reply' && a.packet.flag_tc) {
        a = await this.tcp(server, name, type, Math.max(1, Math.min(this.opts.timeoutMs, deadline - this.now())), edns);
      }
      if (a.kind === 'reply') {
        const rcode = rcodeOf(a.packet);
        if (rcode === 'FORMERR' && edns) { edns = false; i--; tried.pop(); continue; }
        if (rcode === 'SERVFAIL' || rcode === 'REFUSED') {
          lastRcode = { packet: a.packet, server, status: rcode === 'SERVFAIL' ? 'servfail' : 'refused' };
          gaveUp.add(idx);
          continue;
        }
        return { kind: 'reply', packet: a.packet, server };
      }
      if (a.kind === 'timeout') { sawTimeout = true; this.stats.timeouts++; }
      else if (a.kind === 'network') lastNet = a.error;
      else lastMalformed = a.error;
    }
    if (lastRcode) return { kind: 'fail', status: lastRcode.status, error: lastRcode.status === 'servfail' ? 'SERVFAIL' : 'REFUSED', rcode: rcodeOf(lastRcode.packet) };
    if (sawTimeout) return { kind: 'fail', status: 'timeout', error: `timeout (${tried.length} attempt${tried.length === 1 ? '' : 's'}, ${this.opts.timeoutMs} ms each)` };
    if (lastMalformed) return { kind: 'fail', status: 'malformed', error: lastMalformed };
    if (this.closed) return { kind: 'fail', status: 'aborted', error: 'resolver closed' };
    return { kind: 'fail', status: 'network', error: lastNet ?? 'network error' };
  }

  // --- UDP -----------------------------------------------------------------

  private slotFor(family: 4 | 6): Slot {
    const list = this.slots[family];
    // Drop retired slots from the rotation (they close once drained).
    for (let i = list.length - 1; i >= 0; i--) if (list[i].retired) list.splice(i, 1);
    if (list.length < this.opts.socketPoolSize) {
      const slot = this.openSlot(family);
      list.push(slot);
      return slot;
    }
    const slot = list[this.rr[family]++ % list.length];
    return slot;
  }

  private openSlot(family: 4 | 6): Slot {
    const sock = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
    const slot: Slot = { sock, family, sent: 0, pending: new Map(), retired: false, closed: false };
    this.stats.socketsOpened++;
    this.allSlots.add(slot);
    sock.on('message', (buf, rinfo) => this.onMessage(slot, buf, rinfo));
    sock.on('error', (err) => this.closeSlot(slot, { kind: 'network', error: err.message }));
    sock.unref();
    return slot;
  }

  private closeSlot(slot: Slot, why: Attempt): void {
    if (slot.closed) return;
    slot.closed = true;
    slot.retired = true;
    this.allSlots.delete(slot);
    const list = this.slots[slot.family];
    const i = list.indexOf(slot);
    if (i >= 0) list.splice(i, 1);
    for (const p of [...slot.pending.values()]) p.done(why);
    slot.pending.clear();
    try { slot.sock.close(); } catch { /* already closed */ }
  }

  private onMessage(slot: Slot, buf: Buffer, rinfo: dgram.RemoteInfo): void {
    if (buf.length < 12) { this.stats.ignored++; return; }
    const p = slot.pending.get(buf.readUInt16BE(0));
    if (!p || rinfo.port !== p.server.port || canonicalIp(rinfo.address) !== p.server.host) { this.stats.ignored++; return; }
    const packet = acceptReply(buf, p.expect);
    if (!packet) { this.stats.ignored++; this.stats.malformed++; return; }
    this.stats.accepted++;
    p.done({ kind: 'reply', packet });
  }

  private async udp(server: ServerAddr, name: string, type: RRType, timeoutMs: number, edns: boolean): Promise<Attempt> {
    await this.sem.acquire();
    try {
      return await new Promise<Attempt>((resolve) => {
        if (this.closed) { resolve({ kind: 'network', error: 'resolver closed' }); return; }
        const slot = this.slotFor(server.family);
        let id = randomId();
        for (let k = 0; slot.pending.has(id) && k < 100; k++) id = randomId();
        if (slot.pending.has(id)) { resolve({ kind: 'network', error: 'no free query ID' }); return; }
        let timer: NodeJS.Timeout | undefined;
        const pending: Pending = {
          expect: { id, name, type },
          server,
          done: (a) => {
            if (slot.pending.get(id) !== pending) return;
            slot.pending.delete(id);
            if (timer) clearTimeout(timer);
            if (slot.retired && slot.pending.size === 0) this.closeSlot(slot, { kind: 'timeout' });
            resolve(a);
          },
        };
        slot.pending.set(id, pending);
        slot.sent++;
        if (slot.sent >= this.opts.maxQueriesPerSocket) slot.retired = true;
        timer = setTimeout(() => pending.done({ kind: 'timeout' }), timeoutMs);
        let msg: Buffer;
        try {
          msg = buildQuery(id, name, type, edns, this.opts.udpPayloadSize);
        } catch (e) {
          pending.done({ kind: 'malformed', error: `cannot encode query: ${(e as Error).message}` });
          return;
        }
        this.stats.sent++;
        this.stats.udp++;
        try {
          slot.sock.send(msg, server.port, server.host, (err) => {
            if (err) pending.done({ kind: 'network', error: err.message });
          });
        } catch (e) {
          pending.done({ kind: 'network', error: (e as Error).message });
        }
      });
    } finally {
      this.sem.release();
    }
  }

  // --- TCP -----------------------------------------------------------------

  private async tcp(server: ServerAddr, name: string, type: RRType, timeoutMs: number, edns: boolean): Promise<Attempt> {
    await this.sem.acquire();
    try {
      return await new Promise<Attempt>((resolve) => {
        if (this.closed) { resolve({ kind: 'network', error: 'resolver closed' }); return; }
        const id = randomId();
        let msg: Buffer;
        try {
          const q = buildQuery(id, name, type, edns, this.opts.udpPayloadSize);
          msg = Buffer.alloc(q.length + 2);
          msg.writeUInt16BE(q.length, 0);
          q.copy(msg, 2);
        } catch (e) {
          resolve({ kind: 'malformed', error: `cannot encode query: ${(e as Error).message}` });
          return;
        }
        let finished = false;
        const chunks: Buffer[] = [];
        let have = 0;
        const sock = net.connect({ host: server.host, port: server.port, family: server.family });
        this.sockets.add(sock);
        const finish = (a: Attempt) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          this.sockets.delete(sock);
          sock.destroy();
          resolve(a);
        };
        const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
        sock.on('connect', () => {
          this.stats.sent++;
          this.stats.tcp++;
          sock.write(msg);
        });
        sock.on('data', (d: Buffer) => {
          chunks.push(d);
          have += d.length;
          if (have < 2) return;
          const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          chunks.length = 0;
          chunks.push(all);
          const len = all.readUInt16BE(0);
          if (have < len + 2) return;
          const packet = acceptReply(all.subarray(2, 2 + len), { id, name, type });
          if (!packet) {
            this.stats.malformed++;
            finish({ kind: 'malformed', error: 'malformed or mismatched reply over TCP' });
            return;
          }
          this.stats.accepted++;
          finish({ kind: 'reply', packet });
        });
        sock.on('error', (err) => finish({ kind: 'network', error: err.message }));
        sock.on('close', () => finish({ kind: 'network', error: 'TCP connection closed before a full reply' }));
      });
    } finally {
      this.sem.release();
    }
  }
}
