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
import { canonicalIp, formatIp, parseIp, normalizeName } from './ip';

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

export interface MxData {
  preference: number;
  exchange: string;
}
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

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
  /** Answers cached at most; the oldest go first [10000]. */
  maxCacheEntries?: number;
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
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    /* no file: default */
  }
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
// Decoding (guarded). Names go through dns-packet's name codec (bounds checks,
// backward-only compression pointers, so no pointer loop); the fixed fields are
// read here directly, which keeps the per-reply cost low. Only the answer and
// authority sections are read; records of other types or classes are skipped.

const dnsName = (
  dnsPacket as unknown as { name: { decode(buf: Buffer, offset: number): string & {} } & { decode: { bytes: number } } }
).name;

const T_A = 1,
  T_NS = 2,
  T_CNAME = 5,
  T_SOA = 6,
  T_PTR = 12,
  T_MX = 15,
  T_TXT = 16,
  T_AAAA = 28;
const TYPE_CODE: Record<RRType, number> = {
  A: T_A,
  NS: T_NS,
  CNAME: T_CNAME,
  SOA: T_SOA,
  PTR: T_PTR,
  MX: T_MX,
  TXT: T_TXT,
  AAAA: T_AAAA,
};
const RCODE_NAMES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
];

export interface Reply {
  id: number;
  /** QR bit: a response. */
  qr: boolean;
  opcode: number;
  /** TC bit: truncated, retry over TCP. */
  tc: boolean;
  rcode: string;
  qdcount: number;
  question?: { name: string; type: number; class: number };
  /** Answer-section records of the types we use, class IN. */
  answers: DnsRecord[];
  /** The SOA of the authority section (negative caching). */
  soa?: Extract<DnsRecord, { type: 'SOA' }>;
}

function readName(buf: Buffer, off: number): [string, number] {
  const n = dnsName.decode(buf, off);
  return [n, dnsName.decode.bytes];
}

/** Decode one resource record at `off`; returns [record or undefined (skipped), next offset]. Throws on malformed data. */
function readRecord(buf: Buffer, off: number): [DnsRecord | undefined, number] {
  const [rawName, nlen] = readName(buf, off);
  off += nlen;
  if (off + 10 > buf.length) throw new Error('truncated record');
  const type = buf.readUInt16BE(off);
  const klass = buf.readUInt16BE(off + 2);
  let ttl = buf.readUInt32BE(off + 4);
  if (ttl > 0x7fffffff) ttl = 0; // RFC 2181 §8
  const rdlen = buf.readUInt16BE(off + 8);
  const start = off + 10;
  const end = start + rdlen;
  if (end > buf.length) throw new Error('truncated rdata');
  if (klass !== 1) return [undefined, end];
  const name = normalizeName(rawName);
  switch (type) {
    case T_A:
      if (rdlen !== 4) throw new Error('bad A');
      return [
        { type: 'A', name, ttl, data: `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}` },
        end,
      ];
    case T_AAAA: {
      if (rdlen !== 16) throw new Error('bad AAAA');
      const bytes: number[] = new Array<number>(16);
      for (let i = 0; i < 16; i++) bytes[i] = buf[start + i];
      return [{ type: 'AAAA', name, ttl, data: formatIp({ family: 6, bytes }) }, end];
    }
    case T_CNAME:
    case T_PTR:
    case T_NS: {
      const [target, tl] = readName(buf, start);
      if (tl > rdlen) throw new Error('name overruns rdata');
      return [
        { type: type === T_CNAME ? 'CNAME' : type === T_PTR ? 'PTR' : 'NS', name, ttl, data: normalizeName(target) },
        end,
      ];
    }
    case T_MX: {
      if (rdlen < 3) throw new Error('bad MX');
      const preference = buf.readUInt16BE(start);
      const [ex, el] = readName(buf, start + 2);
      if (el + 2 > rdlen) throw new Error('name overruns rdata');
      return [{ type: 'MX', name, ttl, data: { preference, exchange: ex === '.' ? '.' : normalizeName(ex) } }, end];
    }
    case T_TXT: {
      const parts: string[] = [];
      let o = start;
      while (o < end) {
        const l = buf[o];
        if (o + 1 + l > end) throw new Error('bad TXT');
        parts.push(buf.toString('utf8', o + 1, o + 1 + l));
        o += 1 + l;
      }
      return [{ type: 'TXT', name, ttl, data: parts }, end];
    }
    case T_SOA: {
      const [mname, ml] = readName(buf, start);
      const [rname, rl] = readName(buf, start + ml);
      const o = start + ml + rl;
      if (o + 20 > end) throw new Error('bad SOA');
      return [
        {
          type: 'SOA',
          name,
          ttl,
          data: {
            mname: normalizeName(mname),
            rname: normalizeName(rname),
            serial: buf.readUInt32BE(o),
            refresh: buf.readUInt32BE(o + 4),
            retry: buf.readUInt32BE(o + 8),
            expire: buf.readUInt32BE(o + 12),
            minimum: buf.readUInt32BE(o + 16),
          },
        },
        end,
      ];
    }
    default:
      return [undefined, end];
  }
}

/** Decode a reply; undefined for anything malformed. Never throws. */
export function decodeReply(buf: Buffer): Reply | undefined {
  try {
    if (!Buffer.isBuffer(buf) || buf.length < 12) return undefined;
    const flags = buf.readUInt16BE(2);
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    const ns = buf.readUInt16BE(8);
    const rcodeNum = flags & 0xf;
    const reply: Reply = {
      id: buf.readUInt16BE(0),
      qr: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      tc: (flags & 0x0200) !== 0,
      rcode: RCODE_NAMES[rcodeNum] ?? `RCODE_${rcodeNum}`,
      qdcount: qd,
      answers: [],
    };
    let off = 12;
    for (let i = 0; i < qd; i++) {
      const [qname, ql] = readName(buf, off);
      off += ql;
      if (off + 4 > buf.length) return undefined;
      if (i === 0) reply.question = { name: qname, type: buf.readUInt16BE(off), class: buf.readUInt16BE(off + 2) };
      off += 4;
    }
    for (let i = 0; i < an; i++) {
      const [r, next] = readRecord(buf, off);
      off = next;
      if (r) reply.answers.push(r);
    }
    for (let i = 0; i < ns; i++) {
      const [r, next] = readRecord(buf, off);
      off = next;
      if (r && r.type === 'SOA' && !reply.soa) reply.soa = r;
    }
    return reply;
  } catch {
    return undefined;
  }
}

interface Expect {
  id: number;
  name: string;
  type: RRType;
}

/**
 * Is `buf` an acceptable reply to the query `q` (same ID, a response to a
 * standard query, one question with the same name, case-insensitively, type
 * and class IN)? The decoded reply, or undefined: ignore it. Never throws.
 */
export function acceptReply(buf: Buffer, q: Expect): Reply | undefined {
  if (!Buffer.isBuffer(buf) || buf.length < 12 || buf.readUInt16BE(0) !== q.id) return undefined;
  const r = decodeReply(buf);
  if (!r || !r.qr || r.opcode !== 0 || r.qdcount !== 1 || !r.question) return undefined;
  if (r.question.type !== TYPE_CODE[q.type] || r.question.class !== 1) return undefined;
  if (normalizeName(r.question.name) !== q.name) return undefined;
  return r;
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
 * left this reply without a conclusion (ask again for finalName). `seen` holds
 * the names already passed (loop detection across replies). Never throws.
 */
export function interpretReply(
  p: Reply,
  qname: string,
  type: RRType,
  seen?: Set<string>,
  negativeTtlNoSoa = 30,
): Interpretation {
  const rcode = p.rcode;
  const answers = p.answers;
  const chain: string[] = [];
  let current = qname;
  let minTtl = Infinity;
  for (let hops = 0; hops <= 64; hops++) {
    let here: DnsRecord[] | undefined;
    let cname: DnsRecord | undefined;
    for (let i = 0; i < answers.length; i++) {
      const r = answers[i];
      if (r.name !== current) continue;
      if (r.type === type) {
        (here ??= []).push(r);
        if (r.ttl < minTtl) minTtl = r.ttl;
      } else if (r.type === 'CNAME' && !cname) cname = r;
    }
    if (here) return { status: 'ok', records: here, chain, finalName: current, rcode, ttl: minTtl };
    if (!cname || type === 'CNAME') break;
    if (cname.ttl < minTtl) minTtl = cname.ttl;
    const target = cname.data as string;
    if (target === qname || chain.includes(target) || seen?.has(target)) {
      return { status: 'cname-loop', records: [], chain: [...chain, target], finalName: target, rcode, ttl: 0 };
    }
    chain.push(target);
    current = target;
  }
  const soa = p.soa;
  const negTtl = soa ? Math.min(soa.ttl, soa.data.minimum) : negativeTtlNoSoa;
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
// Encoding

/**
 * Encode a query (RD set, one question, class IN, optional EDNS0 OPT).
 * Throws on a name that cannot be encoded (empty or over-long labels).
 */
export function buildQuery(id: number, name: string, type: RRType, edns: boolean, payload: number): Buffer {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  // qname: one length byte per label plus the bytes, plus the root byte
  const ascii = /^[\x21-\x7e]*$/.test(n);
  const nameLen = n === '' ? 1 : (ascii ? n.length : Buffer.byteLength(n)) + 2;
  if (nameLen > 255) throw new Error(`name too long: '${name}'`);
  const size = 12 + nameLen + 4 + (edns ? 11 : 0);
  const buf = Buffer.allocUnsafe(size);
  buf.fill(0, 0, 12);
  buf.writeUInt16BE(id, 0);
  buf[2] = 0x01; // RD
  buf[5] = 1; // one question
  if (edns) buf[11] = 1; // one additional: OPT
  let o = 12;
  if (n !== '') {
    if (ascii) {
      let lenAt = o++;
      for (let i = 0; i < n.length; i++) {
        const c = n.charCodeAt(i);
        if (c === 46) {
          const l = o - lenAt - 1;
          if (l === 0 || l > 63) throw new Error(`bad label in '${name}'`);
          buf[lenAt] = l;
          lenAt = o++;
        } else {
          buf[o++] = c;
        }
      }
      const l = o - lenAt - 1;
      if (l === 0 || l > 63) throw new Error(`bad label in '${name}'`);
      buf[lenAt] = l;
    } else {
      for (const label of n.split('.')) {
        const w = buf.write(label, o + 1);
        if (w === 0 || w > 63) throw new Error(`bad label in '${name}'`);
        buf[o] = w;
        o += w + 1;
      }
    }
  }
  buf[o++] = 0;
  buf.writeUInt16BE(TYPE_CODE[type], o);
  buf.writeUInt16BE(1, o + 2);
  o += 4;
  if (edns) {
    buf[o] = 0; // root owner
    buf.writeUInt16BE(41, o + 1); // OPT
    buf.writeUInt16BE(payload, o + 3); // UDP payload size
    buf.fill(0, o + 5, o + 11); // extended rcode, version, flags, RDLEN
  }
  return buf;
}

// ---------------------------------------------------------------------------
// Random IDs from a crypto-filled pool

const idPool = Buffer.alloc(4096);
let idPos = idPool.length;
function randomId(): number {
  if (idPos + 2 > idPool.length) {
    randomFillSync(idPool);
    idPos = 0;
  }
  const v = idPool.readUInt16BE(idPos);
  idPos += 2;
  return v;
}

// ---------------------------------------------------------------------------
// Transport

type Attempt =
  | { kind: 'reply'; reply: Reply }
  | { kind: 'timeout' }
  | { kind: 'network'; error: string }
  | { kind: 'malformed'; error: string };

const TIMEOUT: Attempt = Object.freeze({ kind: 'timeout' });
/** An attempt is sent only with at least this long left before the lookup's deadline. */
const MIN_ATTEMPT_MS = 5;

class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];
  constructor(private readonly max: number) {}
  /** Take a slot now if one is free. */
  tryAcquire(): boolean {
    if (this.active < this.max) {
      this.active++;
      return true;
    }
    return false;
  }
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) =>
      this.queue.push(() => {
        this.active++;
        resolve();
      }),
    );
  }
  release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) next();
  }
}

/**
 * One UDP socket, connected to one server (the kernel then delivers only that
 * server's datagrams, and send() needs no address lookup), bound by the kernel
 * to a random ephemeral port, retired after `maxQueriesPerSocket` queries.
 */
class Slot {
  sent = 0;
  readonly pending = new Map<number, UdpQuery>();
  retired = false;
  closed = false;
  connected = false;
  /** Datagrams waiting for connect() to finish. */
  queue: UdpQuery[] = [];
  constructor(
    readonly sock: dgram.Socket,
    readonly server: ServerAddr,
  ) {}
}

function onUdpTimeout(q: UdpQuery): void {
  q.finish(TIMEOUT);
}

/** One UDP attempt: written as a class so the hot path allocates no closures. */
class UdpQuery {
  timer: NodeJS.Timeout | undefined;
  resolve!: (a: Attempt) => void;
  settled = false;
  constructor(
    readonly owner: Resolver,
    readonly slot: Slot,
    readonly expect: Expect,
    readonly msg: Buffer,
  ) {}
  finish(a: Attempt): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    const slot = this.slot;
    if (slot.pending.get(this.expect.id) === this) slot.pending.delete(this.expect.id);
    this.owner.attemptDone(slot);
    this.resolve(a);
  }
}

function cacheKey(name: string, type: RRType): string {
  return `${type} ${name}`;
}

type Exchange =
  | { kind: 'reply'; reply: Reply; server: ServerAddr }
  | { kind: 'fail'; status: DnsStatus; error: string; rcode?: string };

export class Resolver {
  readonly servers: ServerAddr[];
  readonly stats: ResolverStats = {
    sent: 0,
    udp: 0,
    tcp: 0,
    accepted: 0,
    ignored: 0,
    malformed: 0,
    timeouts: 0,
    cacheHits: 0,
    shared: 0,
    socketsOpened: 0,
  };
  private readonly opts: Required<Omit<ResolverOptions, 'servers' | 'now'>>;
  private readonly now: () => number;
  private readonly sem: Semaphore;
  private readonly cache = new Map<string, { result: DnsResult; expires: number }>();
  private readonly inflight = new Map<string, Promise<DnsResult>>();
  /** Active (not retired) sockets per server. */
  private readonly slots = new Map<string, Slot[]>();
  private rr = 0;
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
      socketPoolSize: options.socketPoolSize ?? 4,
      maxQueriesPerSocket: options.maxQueriesPerSocket ?? 128,
      maxCacheEntries: options.maxCacheEntries ?? 10000,
    };
    this.now = options.now ?? Date.now;
    this.sem = new Semaphore(this.opts.maxInFlight);
  }

  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

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
      p = this.lookup(qname, type, key);
      this.inflight.set(key, p);
    }
    const signal = opts?.signal;
    if (!signal) return p;
    if (signal.aborted) return Promise.resolve(this.failure(qname, type, 'aborted', [], 'aborted'));
    const shared = p;
    return new Promise<DnsResult>((resolve) => {
      const onAbort = () => resolve(this.failure(qname, type, 'aborted', [], 'aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      void shared.then((r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      });
    });
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** Close every socket; pending lookups finish as 'aborted'/'network'. */
  close(): void {
    this.closed = true;
    for (const s of [...this.allSlots]) this.closeSlot(s, { kind: 'network', error: 'resolver closed' });
    this.slots.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private failure(
    name: string,
    type: RRType,
    status: DnsStatus,
    tried: string[],
    error: string,
    rcode?: string,
  ): DnsResult {
    return {
      name,
      type,
      status,
      records: [],
      cnameChain: [],
      canonicalName: name,
      server: tried[tried.length - 1],
      tried,
      rcode,
      error,
      fromCache: false,
      ttl: 0,
    };
  }

  private async lookup(qname: string, type: RRType, key: string): Promise<DnsResult> {
    const r = await this.chase(qname, type);
    this.inflight.delete(key);
    if (this.opts.cache && r.ttl > 0 && (r.status === 'ok' || r.status === 'nxdomain' || r.status === 'nodata')) {
      this.cache.set(key, { result: r, expires: this.now() + Math.min(r.ttl, this.opts.maxTtl) * 1000 });
      if (this.cache.size > this.opts.maxCacheEntries) this.cache.delete(this.cache.keys().next().value!);
    }
    return r;
  }

  /** Ask, following CNAMEs that leave a reply, within one deadline. */
  private async chase(qname: string, type: RRType): Promise<DnsResult> {
    const deadline = this.now() + this.opts.deadlineMs;
    const tried: string[] = [];
    let chain: string[] = [];
    let seen: Set<string> | undefined;
    let current = qname;
    let ttl = Infinity;
    for (;;) {
      const ex = await this.exchange(current, type, deadline, tried);
      if (ex.kind !== 'reply') {
        const r = this.failure(qname, type, ex.status, tried, ex.error, ex.rcode);
        r.cnameChain = chain;
        return r;
      }
      const it = interpretReply(ex.reply, current, type, seen, this.opts.negativeTtlNoSoa);
      if (it.chain.length) chain = chain.length ? chain.concat(it.chain) : it.chain;
      if (it.ttl < ttl) ttl = it.ttl;
      let status: DnsStatus = it.status === 'follow' ? 'ok' : it.status;
      let error: string | undefined;
      if (chain.length > this.opts.maxCnameChain) {
        status = 'cname-loop';
        error = `CNAME chain longer than ${this.opts.maxCnameChain}`;
      } else if (it.status === 'follow') {
        seen ??= new Set([qname]);
        for (const c of it.chain) seen.add(c);
        current = it.finalName;
        continue;
      } else if (status === 'cname-loop') error = 'CNAME loop';
      else if (status === 'malformed') error = `rcode ${it.rcode}`;
      else if (status === 'servfail') error = 'SERVFAIL';
      else if (status === 'refused') error = 'REFUSED';
      return {
        name: qname,
        type,
        status,
        records: it.records,
        cnameChain: chain,
        canonicalName: it.finalName,
        server: ex.server.text,
        tried,
        rcode: it.rcode,
        error,
        fromCache: false,
        ttl: status === 'cname-loop' || !Number.isFinite(ttl) ? 0 : ttl,
      };
    }
  }

  /**
   * Ask the servers in turn until one gives a usable reply. SERVFAIL/REFUSED
   * move on to the next server (a server that said so is not asked again);
   * timeouts and network errors retry across servers within the attempts.
   */
  private async exchange(name: string, type: RRType, deadline: number, tried: string[]): Promise<Exchange> {
    const n = this.servers.length;
    let gaveUp: Set<number> | undefined;
    let lastRcode: { reply: Reply; status: 'servfail' | 'refused' } | undefined;
    let sawTimeout = false;
    let lastNet: string | undefined;
    let lastMalformed: string | undefined;
    let edns = this.opts.edns;
    for (let i = 0; i < this.opts.attempts; i++) {
      if (this.closed) return { kind: 'fail', status: 'aborted', error: 'resolver closed' };
      if (gaveUp && gaveUp.size === n) break;
      let idx = i % n;
      while (gaveUp?.has(idx)) idx = (idx + 1) % n;
      const server = this.servers[idx];
      // a few ms left is none: timers fire on the event loop's cached clock, so the last
      // attempt can end a millisecond or two before the deadline by this clock, and a
      // query sent then would only time out (one more packet to a server that is not answering)
      const remaining = deadline - this.now();
      if (remaining < MIN_ATTEMPT_MS) {
        sawTimeout = true;
        break;
      }
      tried.push(server.text);
      let a = await this.udp(server, name, type, this.opts.timeoutMs, edns, deadline);
      if (a.kind === 'reply' && a.reply.tc) {
        a = await this.tcp(server, name, type, Math.max(1, Math.min(this.opts.timeoutMs, deadline - this.now())), edns);
      }
      if (a.kind === 'reply') {
        const rcode = a.reply.rcode;
        if (rcode === 'FORMERR' && edns) {
          edns = false;
          i--;
          tried.pop();
          continue;
        }
        if (rcode === 'SERVFAIL' || rcode === 'REFUSED') {
          lastRcode = { reply: a.reply, status: rcode === 'SERVFAIL' ? 'servfail' : 'refused' };
          (gaveUp ??= new Set()).add(idx);
          continue;
        }
        return { kind: 'reply', reply: a.reply, server };
      }
      if (a.kind === 'timeout') {
        sawTimeout = true;
        this.stats.timeouts++;
      } else if (a.kind === 'network') lastNet = a.error;
      else lastMalformed = a.error;
    }
    if (lastRcode)
      return {
        kind: 'fail',
        status: lastRcode.status,
        error: lastRcode.status === 'servfail' ? 'SERVFAIL' : 'REFUSED',
        rcode: lastRcode.reply.rcode,
      };
    if (sawTimeout)
      return {
        kind: 'fail',
        status: 'timeout',
        error: `timeout (${tried.length} attempt${tried.length === 1 ? '' : 's'}, ${this.opts.timeoutMs} ms each)`,
      };
    if (lastMalformed) return { kind: 'fail', status: 'malformed', error: lastMalformed };
    if (this.closed) return { kind: 'fail', status: 'aborted', error: 'resolver closed' };
    return { kind: 'fail', status: 'network', error: lastNet ?? 'network error' };
  }

  // --- UDP -----------------------------------------------------------------

  private slotFor(server: ServerAddr): Slot {
    let list = this.slots.get(server.text);
    if (!list) {
      list = [];
      this.slots.set(server.text, list);
    }
    // Retired slots leave the rotation (they close once drained).
    for (let i = list.length - 1; i >= 0; i--) if (list[i].retired) list.splice(i, 1);
    if (list.length < this.opts.socketPoolSize) {
      const slot = this.openSlot(server);
      list.push(slot);
      return slot;
    }
    return list[this.rr++ % list.length];
  }

  private openSlot(server: ServerAddr): Slot {
    const sock = dgram.createSocket({ type: server.family === 4 ? 'udp4' : 'udp6' });
    const slot = new Slot(sock, server);
    this.stats.socketsOpened++;
    this.allSlots.add(slot);
    sock.on('message', (buf, rinfo) => this.onMessage(slot, buf, rinfo));
    sock.on('error', (err) => this.closeSlot(slot, { kind: 'network', error: err.message }));
    sock.unref();
    try {
      sock.connect(server.port, server.host, () => {
        if (slot.closed) return;
        slot.connected = true;
        const q = slot.queue;
        slot.queue = [];
        for (const item of q) if (!item.settled) this.sendOn(slot, item);
      });
    } catch (e) {
      queueMicrotask(() => this.closeSlot(slot, { kind: 'network', error: (e as Error).message }));
    }
    return slot;
  }

  private closeSlot(slot: Slot, why: Attempt): void {
    if (slot.closed) return;
    slot.closed = true;
    slot.retired = true;
    this.allSlots.delete(slot);
    const list = this.slots.get(slot.server.text);
    const i = list ? list.indexOf(slot) : -1;
    if (i >= 0) list!.splice(i, 1);
    slot.queue = [];
    for (const q of [...slot.pending.values()]) q.finish(why);
    slot.pending.clear();
    try {
      slot.sock.close();
    } catch {
      /* already closed */
    }
  }

  /** @internal An attempt on `slot` settled: release its in-flight slot, close a drained retired socket. */
  attemptDone(slot: Slot): void {
    this.sem.release();
    if (slot.retired && !slot.closed && slot.pending.size === 0) this.closeSlot(slot, TIMEOUT);
  }

  private onMessage(slot: Slot, buf: Buffer, rinfo: dgram.RemoteInfo): void {
    if (buf.length < 12) {
      this.stats.ignored++;
      return;
    }
    const q = slot.pending.get(buf.readUInt16BE(0));
    // The socket is connected, so the kernel already filters by source; check anyway.
    const server = slot.server;
    if (
      !q ||
      rinfo.port !== server.port ||
      (rinfo.address !== server.host && canonicalIp(rinfo.address) !== server.host)
    ) {
      this.stats.ignored++;
      return;
    }
    const reply = acceptReply(buf, q.expect);
    if (!reply) {
      this.stats.ignored++;
      this.stats.malformed++;
      return;
    }
    this.stats.accepted++;
    q.finish({ kind: 'reply', reply });
  }

  private sendOn(slot: Slot, q: UdpQuery): void {
    this.stats.sent++;
    this.stats.udp++;
    try {
      // No completion callback: Node can then send at once without a request
      // object. Send errors on a connected socket arrive as 'error' events,
      // which fail the slot's pending queries (closeSlot).
      slot.sock.send(q.msg);
    } catch (e) {
      q.finish({ kind: 'network', error: (e as Error).message });
    }
  }

  /**
   * One UDP attempt of at most `timeoutMs`, never past the lookup's `deadline`:
   * the time spent waiting for an in-flight slot counts (issue 14: 967 queued
   * queries each waited their turn and then their full timeout, 24.8 s for a
   * 3 s run), and a lookup whose deadline passed in the queue is not sent.
   */
  private udp(
    server: ServerAddr,
    name: string,
    type: RRType,
    timeoutMs: number,
    edns: boolean,
    deadline: number,
  ): Promise<Attempt> {
    const send = (): Promise<Attempt> => {
      const left = Math.min(timeoutMs, deadline - this.now());
      if (left <= 0) {
        this.sem.release();
        return Promise.resolve(TIMEOUT);
      }
      return this.udpNow(server, name, type, left, edns);
    };
    if (this.sem.tryAcquire()) return send();
    return this.sem.acquire().then(send);
  }

  /** One UDP exchange; the caller holds an in-flight slot, released when it settles. */
  private udpNow(server: ServerAddr, name: string, type: RRType, timeoutMs: number, edns: boolean): Promise<Attempt> {
    if (this.closed) {
      this.sem.release();
      return Promise.resolve({ kind: 'network', error: 'resolver closed' });
    }
    let msg: Buffer;
    let id = 0;
    const slot = this.slotFor(server);
    for (let k = 0; k < 100; k++) {
      id = randomId();
      if (!slot.pending.has(id)) break;
    }
    if (slot.pending.has(id)) {
      this.sem.release();
      return Promise.resolve({ kind: 'network', error: 'no free query ID' });
    }
    try {
      msg = buildQuery(id, name, type, edns, this.opts.udpPayloadSize);
    } catch (e) {
      this.sem.release();
      return Promise.resolve({ kind: 'malformed', error: `cannot encode query: ${(e as Error).message}` });
    }
    const q = new UdpQuery(this, slot, { id, name, type }, msg);
    const p = new Promise<Attempt>((resolve) => {
      q.resolve = resolve;
    });
    slot.pending.set(id, q);
    slot.sent++;
    if (slot.sent >= this.opts.maxQueriesPerSocket) slot.retired = true;
    q.timer = setTimeout(onUdpTimeout, timeoutMs, q);
    if (slot.connected) this.sendOn(slot, q);
    else slot.queue.push(q);
    return p;
  }

  // --- TCP -----------------------------------------------------------------

  private async tcp(
    server: ServerAddr,
    name: string,
    type: RRType,
    timeoutMs: number,
    edns: boolean,
  ): Promise<Attempt> {
    await this.sem.acquire();
    try {
      return await new Promise<Attempt>((resolve) => {
        if (this.closed) {
          resolve({ kind: 'network', error: 'resolver closed' });
          return;
        }
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
        const timer = setTimeout(() => finish(TIMEOUT), timeoutMs);
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
          const reply = acceptReply(all.subarray(2, 2 + len), { id, name, type });
          if (!reply) {
            this.stats.malformed++;
            finish({ kind: 'malformed', error: 'malformed or mismatched reply over TCP' });
            return;
          }
          this.stats.accepted++;
          finish({ kind: 'reply', reply });
        });
        sock.on('error', (err) => finish({ kind: 'network', error: err.message }));
        sock.on('close', () => finish({ kind: 'network', error: 'TCP connection closed before a full reply' }));
      });
    } finally {
      this.sem.release();
    }
  }
}
