// An authoritative test DNS server: dns-packet over UDP and TCP on 127.0.0.1,
// a random port, zones from BIND master files (test/fixtures/zones), a query
// counter, fault modes settable per test or per name, and an optional hook for
// answers computed from the question. Loopback only.
//
//   const s = await startDnsServer({ zoneFiles: ['test/fixtures/zones/test.zone'] });
//   s.port; s.queries; s.setFault({ kind: 'drop' }, { name: 'a.test' }); await s.stop();
//
// Also runnable: `node --import tsx test/support/dnsServer.ts [--delay MS] ZONEFILE...`
// prints {"port":N} on stdout and serves until killed (bench, manual tries).
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as dnsPacket from 'dns-packet';

export interface ZoneRecord {
  name: string; // absolute, lower case, no trailing dot
  type: string;
  ttl: number;
  data: unknown; // dns-packet answer data
}

export interface Zone {
  origin: string;
  records: ZoneRecord[];
}

// ---------------------------------------------------------------------------
// BIND master-file parser (the subset fixtures use: $ORIGIN, $TTL, @, relative
// names, ( ) continuation, ; comments, quoted strings with escapes; types A,
// AAAA, MX, TXT, CNAME, PTR, NS, SOA).

function parseTtl(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+)([smhdw])/gi;
  if (!/^(\d+[smhdw])+$/i.test(s)) return undefined;
  const mult: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) total += Number(m[1]) * mult[m[2].toLowerCase()];
  return total;
}

interface Tok {
  text: string;
  quoted: boolean;
}

function tokenize(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ';') break;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) {
          const d = /^\d{3}/.exec(line.slice(i + 1));
          if (d) {
            s += String.fromCharCode(Number(d[0]));
            i += 4;
            continue;
          }
          s += line[i + 1];
          i += 2;
          continue;
        }
        s += line[i++];
      }
      i++;
      out.push({ text: s, quoted: true });
      continue;
    }
    let s = '';
    while (i < line.length && !' \t;"'.includes(line[i])) s += line[i++];
    out.push({ text: s, quoted: false });
  }
  return out;
}

const TYPES = new Set(['A', 'AAAA', 'MX', 'TXT', 'CNAME', 'PTR', 'NS', 'SOA']);

export function parseZoneText(text: string, defaultOrigin?: string): Zone {
  let origin = (defaultOrigin ?? '').toLowerCase().replace(/\.$/, '');
  let defaultTtl = 3600;
  let lastOwner = origin;
  const records: ZoneRecord[] = [];
  const abs = (n: string): string => {
    if (n === '@') return origin;
    if (n.endsWith('.')) return n.slice(0, -1).toLowerCase();
    return (origin ? `${n}.${origin}` : n).toLowerCase();
  };
  // Join parenthesised continuations into logical lines.
  const logical: string[] = [];
  let acc = '';
  let depth = 0;
  for (const raw of text.split(/\r?\n/)) {
    let line = '';
    let inQ = false;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i];
      if (c === '\\' && inQ) {
        line += c + (raw[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inQ = !inQ;
      if (!inQ && c === ';') break;
      if (!inQ && c === '(') {
        depth++;
        line += ' ';
        continue;
      }
      if (!inQ && c === ')') {
        depth--;
        line += ' ';
        continue;
      }
      line += c;
    }
    if (depth > 0) {
      acc += (acc ? ' ' : '') + line;
      continue;
    }
    logical.push(acc ? acc + ' ' + line : line);
    acc = '';
  }
  for (const line of logical) {
    if (!line.trim()) continue;
    const toks = tokenize(line);
    if (!toks.length) continue;
    if (toks[0].text === '$ORIGIN') {
      origin = toks[1].text.toLowerCase().replace(/\.$/, '');
      continue;
    }
    if (toks[0].text === '$TTL') {
      defaultTtl = parseTtl(toks[1].text) ?? defaultTtl;
      continue;
    }
    let k = 0;
    let owner: string;
    if (/^[ \t]/.test(line)) owner = lastOwner;
    else {
      owner = abs(toks[0].text);
      k = 1;
    }
    lastOwner = owner;
    let ttl = defaultTtl;
    for (let guard = 0; guard < 2; guard++) {
      const t = toks[k]?.text;
      if (t === undefined) break;
      const asTtl = parseTtl(t);
      if (asTtl !== undefined && !TYPES.has(t.toUpperCase())) {
        ttl = asTtl;
        k++;
        continue;
      }
      if (['IN', 'CH', 'HS'].includes(t.toUpperCase())) {
        k++;
        continue;
      }
    }
    const type = toks[k]?.text.toUpperCase();
    if (!type || !TYPES.has(type)) throw new Error(`zone parse: unsupported record '${line.trim()}'`);
    const rd = toks.slice(k + 1);
    let data: unknown;
    switch (type) {
      case 'A':
      case 'AAAA':
        data = rd[0].text;
        break;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        data = abs(rd[0].text);
        break;
      case 'MX':
        data = { preference: Number(rd[0].text), exchange: rd[1].text === '.' ? '.' : abs(rd[1].text) };
        break;
      case 'TXT':
        data = rd.map((t) => Buffer.from(t.text, 'latin1'));
        break;
      case 'SOA':
        data = {
          mname: abs(rd[0].text),
          rname: abs(rd[1].text),
          serial: Number(rd[2].text),
          refresh: parseTtl(rd[3].text),
          retry: parseTtl(rd[4].text),
          expire: parseTtl(rd[5].text),
          minimum: parseTtl(rd[6].text),
        };
        break;
    }
    records.push({ name: owner, type, ttl, data });
  }
  if (!origin) throw new Error('zone parse: no $ORIGIN');
  return { origin, records };
}

export function loadZoneFile(file: string): Zone {
  const base = path
    .basename(file)
    .replace(/\.zone$/, '')
    .replace(/^db\./, '');
  return parseZoneText(readFileSync(file, 'utf8'), base);
}

/** Every *.zone file of a directory. */
export function zoneFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.zone'))
    .sort()
    .map((f) => path.join(dir, f));
}

// ---------------------------------------------------------------------------
// Faults

export type Fault =
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  /** UDP replies carry TC and no answers; TCP gets the full answer. */
  | { kind: 'truncate' }
  /** Random bytes (starting with the query's ID), then the real reply when thenAnswer. */
  | { kind: 'garbage'; thenAnswer?: boolean }
  /** A reply whose names are compression pointers that loop. */
  | { kind: 'pointerLoop'; thenAnswer?: boolean }
  /** A reply with another ID first, then the right one [thenAnswer true]. */
  | { kind: 'wrongId'; thenAnswer?: boolean }
  /** A reply with the right ID for another question first. */
  | { kind: 'wrongQuestion'; thenAnswer?: boolean }
  /** The reply comes from another source port (then, when thenAnswer, from the right one too). */
  | { kind: 'otherPort'; thenAnswer?: boolean }
  | { kind: 'rcode'; rcode: 'SERVFAIL' | 'REFUSED' | 'NXDOMAIN' | 'FORMERR' | 'NOTIMP' }
  /** An answer of ~64 KB (A records): truncated over UDP, whole over TCP. */
  | { kind: 'big' }
  /** TCP replies written in chunks of this many bytes with pauses (partial reads). */
  | { kind: 'tcpChunks'; size: number }
  /** Anything: return the datagrams to send (raw). */
  | {
      kind: 'custom';
      respond: (query: Buffer, decoded: dnsPacket.DecodedPacket, proto: 'udp' | 'tcp', normal: Buffer) => Buffer[];
    };

export interface FaultMatch {
  name?: string;
  type?: string;
  proto?: 'udp' | 'tcp';
  /** Apply this many times, then fall through [forever]. */
  times?: number;
}

interface FaultEntry {
  fault: Fault;
  match: FaultMatch;
  left: number;
}

export interface QueryLogEntry {
  name: string;
  type: string;
  proto: 'udp' | 'tcp';
  /** Source port of the query (UDP). */
  port: number;
  id: number;
  /** Carried an EDNS0 OPT record. */
  edns: boolean;
}

export interface DnsServerOptions {
  zones?: Zone[];
  zoneFiles?: string[];
  /** Inline zone texts (BIND format, each with $ORIGIN). */
  zoneTexts?: string[];
  /** Delay every answer by this many ms. */
  delayMs?: number;
  /** Keep the query log (off for benches) [true]. */
  log?: boolean;
  /**
   * Answers computed from the question, asked before the zones: records (owned by
   * the query name) give NOERROR ([] is NODATA); undefined lets the zones answer.
   * For data too large or unbounded to write out (an endless include fan-out).
   */
  answer?: (name: string, type: string) => ZoneRecord[] | undefined;
  /** Listen on this port (UDP and TCP) instead of a random one (53 inside a network namespace). */
  port?: number;
}

export interface DnsServer {
  port: number;
  host: '127.0.0.1';
  /** 'HOST:PORT' for the resolver. */
  address: string;
  /** Queries received (UDP + TCP). */
  readonly queries: number;
  readonly log: QueryLogEntry[];
  /** Queries received for name (and type). */
  count(name: string, type?: string): number;
  setFault(fault: Fault, match?: FaultMatch): void;
  clearFaults(): void;
  setDelay(ms: number): void;
  resetLog(): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Authoritative answers

class ZoneDb {
  private readonly byName = new Map<string, ZoneRecord[]>();
  private readonly exists = new Set<string>();
  private readonly origins: string[];
  private readonly soa = new Map<string, ZoneRecord>();

  constructor(zones: Zone[]) {
    this.origins = zones.map((z) => z.origin).sort((a, b) => b.length - a.length);
    for (const z of zones) {
      for (const r of z.records) {
        const list = this.byName.get(r.name) ?? [];
        list.push(r);
        this.byName.set(r.name, list);
        if (r.type === 'SOA' && r.name === z.origin) this.soa.set(z.origin, r);
        // the name and its ancestors down to the origin exist (empty non-terminals)
        for (let n = r.name; ; n = n.slice(n.indexOf('.') + 1)) {
          this.exists.add(n);
          if (n === z.origin || !n.includes('.')) break;
        }
      }
    }
  }

  zoneOf(name: string): string | undefined {
    return this.origins.find((o) => name === o || name.endsWith('.' + o) || o === '');
  }

  private node(name: string, zone: string): ZoneRecord[] | undefined {
    const rrs = this.byName.get(name);
    if (rrs) return rrs;
    if (this.exists.has(name)) return [];
    // wildcard at the closest encloser
    for (let n = name; n !== zone && n.includes('.');) {
      n = n.slice(n.indexOf('.') + 1);
      if (this.exists.has(n)) {
        const wild = this.byName.get('*.' + n);
        return wild ? wild.map((r) => ({ ...r, name })) : undefined;
      }
    }
    return undefined;
  }

  answer(
    qname: string,
    qtype: string,
  ): { rcode: string; answers: ZoneRecord[]; authorities: ZoneRecord[] } | undefined {
    const zone = this.zoneOf(qname);
    if (zone === undefined) return undefined;
    const answers: ZoneRecord[] = [];
    const soa = this.soa.get(zone);
    const neg = soa ? [soa] : [];
    let name = qname;
    for (let hops = 0; hops < 9; hops++) {
      const rrs = this.node(name, zone);
      if (!rrs) return { rcode: 'NXDOMAIN', answers, authorities: neg };
      const match = rrs.filter((r) => r.type === qtype);
      if (match.length) return { rcode: 'NOERROR', answers: [...answers, ...match], authorities: [] };
      const cname = rrs.find((r) => r.type === 'CNAME');
      if (!cname || qtype === 'CNAME') return { rcode: 'NOERROR', answers, authorities: neg };
      answers.push(cname);
      name = cname.data as string;
      if (this.zoneOf(name) !== zone) return { rcode: 'NOERROR', answers, authorities: [] }; // leaves the zone
    }
    return { rcode: 'NOERROR', answers, authorities: [] };
  }
}

function toAnswer(r: ZoneRecord): dnsPacket.Answer {
  return { name: r.name, type: r.type, ttl: r.ttl, class: 'IN', data: r.data } as dnsPacket.Answer;
}

function bigRecords(name: string): ZoneRecord[] {
  // fill a response up to just under 65535 bytes with A records
  const perRecord = name.length + 2 + 10 + 4;
  const n = Math.floor((65535 - 12 - (name.length + 2 + 4) - 11 - 16) / perRecord);
  const out: ZoneRecord[] = [];
  for (let i = 0; i < n; i++)
    out.push({ name, type: 'A', ttl: 60, data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
  return out;
}

function pointerLoopReply(id: number): Buffer {
  // header: response, 1 question, 1 answer; question name = pointer to itself
  const b = Buffer.alloc(12 + 2 + 4 + 2 + 10 + 4);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(0x8400, 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(1, 6);
  b.writeUInt16BE(0xc00c, 12); // points at offset 12: itself
  b.writeUInt16BE(1, 14);
  b.writeUInt16BE(1, 16);
  b.writeUInt16BE(0xc012, 18); // answer name points forward to itself
  b.writeUInt16BE(1, 20);
  b.writeUInt16BE(1, 22);
  b.writeUInt32BE(60, 24);
  b.writeUInt16BE(4, 28);
  b.writeUInt32BE(0x7f000001, 30);
  return b;
}

const RCODES: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const zones: Zone[] = [...(options.zones ?? [])];
  for (const f of options.zoneFiles ?? []) zones.push(loadZoneFile(f));
  for (const t of options.zoneTexts ?? []) zones.push(parseZoneText(t));
  const db = new ZoneDb(zones);
  const keepLog = options.log ?? true;
  let delayMs = options.delayMs ?? 0;
  let faults: FaultEntry[] = [];
  let queries = 0;
  const log: QueryLogEntry[] = [];
  const counts = new Map<string, number>();

  let udpSock = dgram.createSocket('udp4');
  const other = dgram.createSocket('udp4');
  let tcp: net.Server | undefined;
  const conns = new Set<net.Socket>();
  await new Promise<void>((res) => other.bind(0, '127.0.0.1', () => res()));
  // UDP and TCP on the same random port
  let port = 0;
  for (let tries = 0; tries < 20 && !tcp; tries++) {
    const u = tries === 0 ? udpSock : dgram.createSocket('udp4');
    await new Promise<void>((res, rej) => {
      u.once('error', rej);
      u.bind(options.port ?? 0, '127.0.0.1', () => {
        u.off('error', rej);
        res();
      });
    });
    const p = u.address().port;
    const t = net.createServer();
    const ok = await new Promise<boolean>((res) => {
      t.once('error', () => res(false));
      t.listen(p, '127.0.0.1', () => res(true));
    });
    if (ok) {
      port = p;
      tcp = t;
      if (u !== udpSock) {
        udpSock.close();
        udpSock = u;
      }
    } else if (u !== udpSock) u.close();
  }
  const udp = udpSock;
  if (!tcp) throw new Error('could not bind UDP and TCP on one port');

  const findFault = (name: string, type: string, proto: 'udp' | 'tcp'): Fault | undefined => {
    for (const e of faults) {
      const m = e.match;
      if (m.name !== undefined && m.name.toLowerCase().replace(/\.$/, '') !== name) continue;
      if (m.type !== undefined && m.type !== type) continue;
      if (m.proto !== undefined && m.proto !== proto) continue;
      if (e.left <= 0) continue;
      e.left--;
      return e.fault;
    }
    return undefined;
  };

  const build = (q: dnsPacket.DecodedPacket, proto: 'udp' | 'tcp', forceRcode?: string, big = false): Buffer => {
    const question = q.questions![0];
    const qname = question.name.toLowerCase().replace(/\.$/, '');
    const opt = (q.additionals ?? []).find((a): a is dnsPacket.OptAnswer => a.type === 'OPT');
    const computed = big ? bigRecords(qname) : options.answer?.(qname, question.type);
    let res = computed
      ? { rcode: 'NOERROR', answers: computed, authorities: [] as ZoneRecord[] }
      : db.answer(qname, question.type);
    let rcode = res ? res.rcode : 'REFUSED';
    if (forceRcode) {
      rcode = forceRcode;
      res = undefined;
    }
    const flags =
      (rcode === 'REFUSED' && !forceRcode ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) |
      ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
      (RCODES[rcode] ?? 2);
    const packet: dnsPacket.Packet = {
      type: 'response',
      id: q.id,
      flags,
      questions: [question],
      answers: (res?.answers ?? []).map(toAnswer),
      authorities: (res?.authorities ?? []).map(toAnswer),
      additionals: opt
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ]
        : [],
    };
    let buf = dnsPacket.encode(packet);
    const limit = opt ? Math.max(512, Math.min(opt.udpPayloadSize, 4096)) : 512;
    if (proto === 'udp' && buf.length > limit) {
      buf = dnsPacket.encode({ ...packet, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
    }
    return buf;
  };

  /** Replies (each with an optional socket override) for one query. */
  const handle = async (
    msg: Buffer,
    proto: 'udp' | 'tcp',
    send: (b: Buffer, via?: 'other') => void,
    srcPort = 0,
  ): Promise<void> => {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    if (!q.questions || q.questions.length !== 1 || q.type === 'response') return;
    queries++;
    const qname = q.questions[0].name.toLowerCase().replace(/\.$/, '');
    const qtype = q.questions[0].type;
    const key = `${qname} ${qtype}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (keepLog)
      log.push({
        name: qname,
        type: qtype,
        proto,
        port: srcPort,
        id: q.id ?? 0,
        edns: (q.additionals ?? []).some((a) => a.type === 'OPT'),
      });
    const fault = findFault(qname, qtype, proto);
    if (delayMs > 0) await sleep(delayMs);
    if (!fault) {
      send(build(q, proto));
      return;
    }
    const normal = () => build(q, proto);
    const id = q.id ?? 0;
    switch (fault.kind) {
      case 'drop':
        return;
      case 'delay':
        await sleep(fault.ms);
        send(normal());
        return;
      case 'truncate': {
        if (proto === 'tcp') {
          send(normal());
          return;
        }
        const t = dnsPacket.decode(normal());
        send(
          dnsPacket.encode({
            ...t,
            flags: (t.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
            answers: [],
            authorities: [],
          }),
        );
        return;
      }
      case 'garbage': {
        const g = randomBytes(20 + Math.floor(Math.random() * 80));
        g.writeUInt16BE(id, 0);
        send(g);
        if (fault.thenAnswer) send(normal());
        return;
      }
      case 'pointerLoop':
        send(pointerLoopReply(id));
        if (fault.thenAnswer) send(normal());
        return;
      case 'wrongId': {
        const b = Buffer.from(normal());
        b.writeUInt16BE((id + 1 + Math.floor(Math.random() * 65534)) & 0xffff, 0);
        send(b);
        if (fault.thenAnswer ?? true) send(normal());
        return;
      }
      case 'wrongQuestion': {
        const other = dnsPacket.encode({
          type: 'response',
          id,
          flags: dnsPacket.AUTHORITATIVE_ANSWER,
          questions: [{ name: 'evil.' + qname, type: qtype, class: 'IN' }],
          answers: [{ name: 'evil.' + qname, type: 'A', ttl: 60, class: 'IN', data: '192.0.2.66' }],
        });
        send(other);
        if (fault.thenAnswer ?? true) send(normal());
        return;
      }
      case 'otherPort':
        send(normal(), 'other');
        if (fault.thenAnswer) send(normal());
        return;
      case 'rcode':
        send(build(q, proto, fault.rcode));
        return;
      case 'big':
        send(build(q, proto, undefined, true));
        return;
      case 'tcpChunks':
        send(normal());
        return; // chunking is applied by the TCP writer
      case 'custom':
        for (const b of fault.respond(msg, q, proto, normal())) send(b);
        return;
    }
  };

  udp.on('message', (msg, rinfo) => {
    void handle(
      msg,
      'udp',
      (b, via) => {
        const s = via === 'other' ? other : udp;
        s.send(b, rinfo.port, rinfo.address, () => {
          /* ignore */
        });
      },
      rinfo.port,
    ).catch(() => {
      /* never crash the server */
    });
  });
  other.on('message', () => {
    /* not a server socket */
  });

  tcp.on('connection', (c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => {
      /* client went away */
    });
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < len + 2) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let chunk = 0;
        try {
          const q = dnsPacket.decode(msg);
          const qn = q.questions?.[0]?.name.toLowerCase().replace(/\.$/, '') ?? '';
          const f = faults.find(
            (e) => e.fault.kind === 'tcpChunks' && (e.match.name === undefined || e.match.name === qn),
          );
          if (f && f.fault.kind === 'tcpChunks') chunk = f.fault.size;
        } catch {
          /* handle() ignores it */
        }
        void handle(Buffer.from(msg), 'tcp', (b) => {
          if (c.destroyed) return;
          const framed = Buffer.alloc(b.length + 2);
          framed.writeUInt16BE(b.length, 0);
          b.copy(framed, 2);
          if (!chunk) {
            c.write(framed);
            return;
          }
          void (async () => {
            for (let i = 0; i < framed.length && !c.destroyed; i += chunk) {
              c.write(framed.subarray(i, i + chunk));
              await sleep(2);
            }
          })();
        }).catch(() => {
          /* never crash */
        });
      }
    });
  });

  const server: DnsServer = {
    port,
    host: '127.0.0.1',
    address: `127.0.0.1:${port}`,
    get queries() {
      return queries;
    },
    log,
    count(name: string, type?: string): number {
      const n = name.toLowerCase().replace(/\.$/, '');
      if (type) return counts.get(`${n} ${type}`) ?? 0;
      let total = 0;
      for (const [k, v] of counts) if (k.slice(0, k.lastIndexOf(' ')) === n) total += v;
      return total;
    },
    setFault(fault: Fault, match: FaultMatch = {}) {
      faults.push({ fault, match, left: match.times ?? Infinity });
    },
    clearFaults() {
      faults = [];
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    resetLog() {
      log.length = 0;
      counts.clear();
      queries = 0;
    },
    async stop() {
      for (const c of conns) c.destroy();
      await Promise.all([
        new Promise<void>((r) => tcp.close(() => r())),
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => other.close(() => r())),
      ]);
    },
  };
  return server;
}

// ---------------------------------------------------------------------------
// Standalone: node --import tsx test/support/dnsServer.ts [--delay MS] [--no-log] ZONEFILE|DIR...
if (/dnsServer\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const args = process.argv.slice(2);
  const files: string[] = [];
  let delay = 0;
  let keepLog = true;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--delay') delay = Number(args[++i]);
    else if (args[i] === '--no-log') keepLog = false;
    else if (args[i].endsWith('.zone')) files.push(args[i]);
    else files.push(...zoneFilesIn(args[i]));
  }
  void startDnsServer({ zoneFiles: files, delayMs: delay, log: keepLog }).then((s) => {
    process.stdout.write(JSON.stringify({ port: s.port }) + '\n');
    process.on('SIGTERM', () => {
      void s.stop().then(() => process.exit(0));
    });
  });
}
