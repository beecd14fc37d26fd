// Fuzz: random and mutated packets fed to the resolver's decode path never
// throw out of it and never hang, in the pure functions and over the wire.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import * as dnsPacket from 'dns-packet';
import { Resolver, acceptReply, decodeReply, interpretReply, type RRType } from '../../../server/src/core/dns/resolver';
import { startDnsServer, zoneFilesIn, type DnsServer } from '../../support/dnsServer';

const ZONES = path.join(__dirname, '../../fixtures/zones');

const TEMPLATES: Array<{ name: string; type: RRType; packet: dnsPacket.Packet }> = [
  {
    name: 'a.test',
    type: 'A',
    packet: { answers: [{ name: 'a.test', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.1' }] },
  },
  {
    name: 'a.test',
    type: 'AAAA',
    packet: { answers: [{ name: 'a.test', type: 'AAAA', ttl: 60, class: 'IN', data: '2001:db8::1' }] },
  },
  {
    name: 'good.test',
    type: 'MX',
    packet: {
      answers: [
        { name: 'good.test', type: 'MX', ttl: 60, class: 'IN', data: { preference: 10, exchange: 'mx1.good.test' } },
        { name: 'good.test', type: 'MX', ttl: 60, class: 'IN', data: { preference: 0, exchange: '.' } },
      ],
    },
  },
  {
    name: 'good.test',
    type: 'TXT',
    packet: {
      answers: [{ name: 'good.test', type: 'TXT', ttl: 60, class: 'IN', data: ['v=spf1 ', 'ip4:192.0.2.0/24 -all'] }],
    },
  },
  {
    name: 'chain1.test',
    type: 'A',
    packet: {
      answers: [
        { name: 'chain1.test', type: 'CNAME', ttl: 60, class: 'IN', data: 'chain2.test' },
        { name: 'chain2.test', type: 'CNAME', ttl: 60, class: 'IN', data: 'chain1.test' },
        { name: 'chain2.test', type: 'A', ttl: 60, class: 'IN', data: '192.0.2.3' },
      ],
    },
  },
  {
    name: 'gone.test',
    type: 'A',
    packet: {
      flags: 3,
      authorities: [
        {
          name: 'test',
          type: 'SOA',
          ttl: 60,
          class: 'IN',
          data: { mname: 'ns.test', rname: 'h.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 },
        },
      ],
    },
  },
  {
    name: '11.113.0.203.in-addr.arpa',
    type: 'PTR',
    packet: {
      answers: [{ name: '11.113.0.203.in-addr.arpa', type: 'PTR', ttl: 60, class: 'IN', data: 'mx1.good.test' }],
    },
  },
];

function encodeTemplate(i: number, id: number): Buffer {
  const t = TEMPLATES[i];
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (t.packet.flags ?? 0),
    questions: [{ name: t.name, type: t.type, class: 'IN' }],
    answers: t.packet.answers ?? [],
    authorities: t.packet.authorities ?? [],
    additionals: [
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
    ],
  });
}

type Mutation =
  | { op: 'flip'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'pointer'; at: number; target: number }
  | { op: 'count'; field: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('pointer' as const), at: fc.nat(), target: fc.nat({ max: 0x3fff }) }),
  fc.record({
    op: fc.constant('count' as const),
    field: fc.integer({ min: 0, max: 3 }),
    value: fc.integer({ min: 0, max: 0xffff }),
  }),
);

function mutate(buf: Buffer, muts: Mutation[], keepId: boolean): Buffer {
  let b = Buffer.from(buf);
  const id = b.readUInt16BE(0);
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.op) {
      case 'flip':
        b[m.at % b.length] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, m.at % (b.length + 1));
        break;
      case 'insert': {
        const at = m.at % (b.length + 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      }
      case 'pointer':
        if (b.length >= 2) {
          const at = m.at % (b.length - 1);
          b.writeUInt16BE(0xc000 | m.target, at);
        }
        break;
      case 'count':
        if (b.length >= 12) b.writeUInt16BE(m.value, 4 + 2 * m.field);
        break;
    }
  }
  if (keepId && b.length >= 2) b.writeUInt16BE(id, 0);
  return b;
}

/** Everything the resolver does with a datagram, as one call: must never throw. */
function decodePath(buf: Buffer, expect: { id: number; name: string; type: RRType }): void {
  decodeReply(buf);
  const p = acceptReply(buf, expect);
  if (p) {
    const it = interpretReply(p, expect.name, expect.type, new Set([expect.name]));
    for (const r of it.records) assert.ok(r.type === expect.type);
  }
}

/** A reply with one question and `count` records of random type/class/rdata. */
function randomRecords(
  id: number,
  records: Array<{ type: number; klass: number; ttl: number; rdata: Uint8Array; pointer: boolean }>,
): Buffer {
  const q = dnsPacket.encode({
    type: 'response',
    id,
    flags: 0x8400,
    questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
  });
  const parts: Buffer[] = [q];
  for (const r of records) {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(r.pointer ? 0xc00c : 0, 0); // owner: the question name, or garbage
    h.writeUInt16BE(r.type, 2);
    h.writeUInt16BE(r.klass, 4);
    h.writeUInt32BE(r.ttl, 6);
    h.writeUInt16BE(r.rdata.length, 10);
    parts.push(r.pointer ? h : h.subarray(1), Buffer.from(r.rdata));
  }
  const b = Buffer.concat(parts);
  b.writeUInt16BE(records.length, 6);
  return b;
}

describe('dns/fuzz', function () {
  this.timeout(30000);

  it('random bytes never throw out of the decode path', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
        (bytes, ti) => {
          const buf = Buffer.from(bytes);
          const t = TEMPLATES[ti];
          const id = buf.length >= 2 ? buf.readUInt16BE(0) : 0;
          const t0 = performance.now();
          decodePath(buf, { id, name: t.name, type: t.type });
          assert.ok(performance.now() - t0 < 1000, 'decode took too long (a hang?)');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated valid replies (flips, truncation, insertions, compression pointers, huge counts) never throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (ti, muts, keepId) => {
          const id = 0x1234;
          const buf = mutate(encodeTemplate(ti, id), muts, keepId);
          const t0 = performance.now();
          decodePath(buf, { id, name: TEMPLATES[ti].name, type: TEMPLATES[ti].type });
          assert.ok(performance.now() - t0 < 1000, 'decode took too long (a hang?)');
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('records of every type we read, with random rdata, never throw', () => {
    const rr = fc.record({
      type: fc.constantFrom(1, 2, 5, 6, 12, 15, 16, 28, 41, 99, 65535),
      klass: fc.constantFrom(1, 1, 1, 3, 255),
      ttl: fc.nat({ max: 0xffffffff }),
      rdata: fc.uint8Array({ maxLength: 40 }),
      pointer: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(rr, { maxLength: 8 }), (records) => {
        const buf = randomRecords(7, records);
        const r = decodeReply(buf);
        if (r) for (const a of r.answers) assert.ok(a.ttl >= 0 && a.ttl <= 0x7fffffff);
        decodePath(buf, { id: 7, name: 'a.test', type: 'A' });
      }),
      { numRuns: 3000 },
    );
  });

  describe('over the wire', () => {
    let s: DnsServer;
    before(async () => {
      s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES), log: false });
    });
    after(async () => {
      await s.stop();
    });

    it('a resolver fed mutated replies always settles, with a status, before its deadline', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: TEMPLATES.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          async (ti, muts, keepId, thenAnswer, overTcp) => {
            s.clearFaults();
            s.setFault({
              kind: 'custom',
              respond: (_q, decoded, proto, normal) => {
                if (overTcp && proto === 'udp') {
                  // force TCP, then feed the mutation there
                  const t = dnsPacket.decode(normal);
                  return [
                    dnsPacket.encode({
                      ...t,
                      flags: (t.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
                      answers: [],
                      authorities: [],
                    }),
                  ];
                }
                const bad = mutate(encodeTemplate(ti, decoded.id ?? 0), muts, keepId);
                return thenAnswer ? [bad, normal] : [bad];
              },
            });
            const t = TEMPLATES[ti];
            const r = new Resolver({ servers: [s.address], timeoutMs: 80, attempts: 1, cache: false });
            const t0 = Date.now();
            try {
              const res = await r.resolve(t.name, t.type);
              assert.ok(
                [
                  'ok',
                  'nxdomain',
                  'nodata',
                  'servfail',
                  'refused',
                  'timeout',
                  'malformed',
                  'cname-loop',
                  'network',
                ].includes(res.status),
                res.status,
              );
              assert.ok(Date.now() - t0 < 500, `took ${Date.now() - t0} ms`);
            } finally {
              r.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
