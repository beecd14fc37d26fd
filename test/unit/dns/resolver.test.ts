import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import * as dnsPacket from 'dns-packet';
import {
  Resolver,
  parseServer,
  parseResolvConf,
  systemResolvers,
  describeResult,
} from '../../../server/src/core/dns/resolver';
import { startDnsServer, zoneFilesIn, parseZoneText, type DnsServer } from '../../support/dnsServer';

const ZONES = path.join(__dirname, '../../fixtures/zones');

describe('dns/resolver', function () {
  let s: DnsServer;
  let r: Resolver;
  const mk = (o: Partial<ConstructorParameters<typeof Resolver>[0]> = {}) =>
    new Resolver({ servers: [s.address], timeoutMs: 200, attempts: 2, ...o });

  before(async () => {
    s = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES) });
  });
  after(async () => {
    await s.stop();
  });
  beforeEach(() => {
    s.clearFaults();
    s.resetLog();
    s.setDelay(0);
    r = mk();
  });
  afterEach(() => r.close());

  describe('answers', () => {
    it('resolves A, AAAA, MX, TXT, PTR from the fixtures', async () => {
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'ok');
      assert.deepEqual(
        a.records.map((x) => x.data),
        ['192.0.2.1'],
      );
      assert.equal(a.server, s.address);
      const aaaa = await r.resolve('A.TEST.', 'AAAA');
      assert.deepEqual(
        aaaa.records.map((x) => x.data),
        ['2001:db8::1'],
      );
      const mx = await r.resolve('good.test', 'MX');
      assert.deepEqual(
        mx.records.map((x) => x.data),
        [
          { preference: 10, exchange: 'mx1.good.test' },
          { preference: 20, exchange: 'mx2.good.test' },
        ],
      );
      const txt = await r.resolve('multi.test', 'TXT');
      assert.deepEqual(txt.records.map((x) => x.data).sort(), [['first', 'second'], ['other']]);
      const ptr = await r.resolve('11.113.0.203.in-addr.arpa', 'PTR');
      assert.deepEqual(
        ptr.records.map((x) => x.data),
        ['mx1.good.test'],
      );
      assert.equal(r.stats.sent, 5);
    });

    it('distinguishes NXDOMAIN and NODATA, with the SOA minimum as negative TTL', async () => {
      const nx = await r.resolve('gone.test', 'MX');
      assert.equal(nx.status, 'nxdomain');
      assert.equal(nx.ttl, 60);
      const nodata = await r.resolve('a.test', 'MX');
      assert.equal(nodata.status, 'nodata');
      const ent = await r.resolve('hosts.test', 'A'); // empty non-terminal
      assert.equal(ent.status, 'nodata');
    });

    it('follows CNAME chains, within a reply and across zones, and stops loops', async () => {
      const c = await r.resolve('chain1.test', 'A');
      assert.equal(c.status, 'ok');
      assert.deepEqual(c.cnameChain, ['chain2.test', 'chain3.test']);
      assert.equal(c.canonicalName, 'chain3.test');
      assert.deepEqual(
        c.records.map((x) => x.data),
        ['192.0.2.3'],
      );
      s.resetLog();
      const out = await r.resolve('outzone.test', 'A');
      assert.equal(out.status, 'ok');
      assert.deepEqual(
        out.records.map((x) => x.data),
        ['203.0.113.11'],
      );
      assert.equal(s.queries, 2, 'the target in another zone is asked for');
      const loop = await r.resolve('cnloop1.test', 'A');
      assert.equal(loop.status, 'cname-loop');
    });

    it('bounds CNAME chasing', async () => {
      const lines = ['$ORIGIN long.example.', '@ SOA ns. h. 1 1 1 1 60'];
      for (let i = 0; i < 12; i++) lines.push(`c${i} CNAME c${i + 1}.long.example.`); // out of zone chain step by step
      const other = await startDnsServer({ zones: [parseZoneText(lines.join('\n'))] });
      const rr = new Resolver({ servers: [other.address], timeoutMs: 200, maxCnameChain: 8 });
      try {
        const res = await rr.resolve('c0.long.example', 'A');
        assert.equal(res.status, 'cname-loop');
        assert.match(res.error ?? '', /CNAME/);
      } finally {
        rr.close();
        await other.stop();
      }
    });

    it('sends EDNS0 with a random ID and, over many queries, from several random ports', async () => {
      const rr = mk({ maxQueriesPerSocket: 4, socketPoolSize: 2, cache: false });
      try {
        for (let i = 0; i < 40; i++) await rr.resolve('a.test', 'A');
      } finally {
        rr.close();
      }
      assert.ok(s.log.every((e) => e.edns));
      const ids = new Set(s.log.map((e) => e.id));
      assert.ok(ids.size >= 38, `IDs repeat: ${ids.size} distinct of 40`);
      const ports = new Set(s.log.map((e) => e.port));
      assert.ok(ports.size >= 10, `only ${ports.size} source ports for 40 queries`);
    });

    it('retries without EDNS after FORMERR', async () => {
      s.setFault({ kind: 'rcode', rcode: 'FORMERR' }, { name: 'a.test', times: 1 });
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'ok');
      assert.deepEqual(
        s.log.map((e) => e.edns),
        [true, false],
      );
    });
  });

  describe('fault modes', () => {
    it('drop: times out after its attempts, naming the resolver', async () => {
      s.setFault({ kind: 'drop' }, { name: 'a.test' });
      const t0 = Date.now();
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'timeout');
      assert.equal(s.count('a.test', 'A'), 2);
      assert.ok(Date.now() - t0 < 1000);
      assert.match(describeResult(a), new RegExp(`A a\\.test via ${s.address.replace(/\./g, '\\.')}: timeout`));
    });

    it('delay past the timeout: timeout; delay within it: answer', async () => {
      s.setFault({ kind: 'delay', ms: 400 }, { name: 'a.test' });
      assert.equal((await r.resolve('a.test', 'A')).status, 'timeout');
      s.clearFaults();
      s.setFault({ kind: 'delay', ms: 50 }, { name: 'a.test', type: 'AAAA' });
      assert.equal((await r.resolve('a.test', 'AAAA')).status, 'ok');
    });

    it('one overall deadline bounds all attempts', async () => {
      s.setFault({ kind: 'drop' });
      const rr = mk({ timeoutMs: 100, attempts: 10, deadlineMs: 250 });
      const t0 = Date.now();
      try {
        assert.equal((await rr.resolve('a.test', 'A')).status, 'timeout');
      } finally {
        rr.close();
      }
      const ms = Date.now() - t0;
      assert.ok(ms >= 240 && ms < 450, `took ${ms} ms`);
      assert.ok(s.queries <= 3);
    });

    it('truncate: retries over TCP', async () => {
      s.setFault({ kind: 'truncate' }, { name: 'good.test' });
      const mx = await r.resolve('good.test', 'MX');
      assert.equal(mx.status, 'ok');
      assert.equal(mx.records.length, 2);
      assert.deepEqual(
        s.log.map((e) => e.proto),
        ['udp', 'tcp'],
      );
      assert.equal(r.stats.tcp, 1);
    });

    it('64 KB answer: truncated over UDP, read whole over TCP', async () => {
      s.setFault({ kind: 'big' }, { name: 'big.test' });
      const big = await r.resolve('big.test', 'A');
      assert.equal(big.status, 'ok');
      assert.ok(big.records.length > 2500, `${big.records.length} records`);
      assert.equal(r.stats.tcp, 1);
    });

    it('TCP replies in small pieces (partial reads, even of the length prefix)', async () => {
      s.setFault({ kind: 'truncate' }, { name: 'good.test' });
      s.setFault({ kind: 'tcpChunks', size: 1 }, { name: 'good.test' });
      r.close();
      r = mk({ timeoutMs: 3000 });
      const mx = await r.resolve('good.test', 'MX');
      assert.equal(mx.status, 'ok');
      assert.equal(mx.records.length, 2);
      s.clearFaults();
      s.setFault({ kind: 'big' }, { name: 'big2.test' });
      s.setFault({ kind: 'tcpChunks', size: 4000 }, { name: 'big2.test' });
      const big = await r.resolve('big2.test', 'A');
      assert.equal(big.status, 'ok');
      assert.ok(big.records.length > 2500);
    });

    it('garbage bytes are ignored while waiting for the real reply', async () => {
      s.setFault({ kind: 'garbage', thenAnswer: true }, { name: 'a.test' });
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'ok');
      assert.ok(r.stats.ignored >= 1);
      s.clearFaults();
      s.setFault({ kind: 'garbage' }, { name: 'a.test', type: 'AAAA' });
      assert.equal((await r.resolve('a.test', 'AAAA')).status, 'timeout');
    });

    it('compression-pointer loop: ignored, never thrown', async () => {
      s.setFault({ kind: 'pointerLoop', thenAnswer: true }, { name: 'a.test' });
      assert.equal((await r.resolve('a.test', 'A')).status, 'ok');
      assert.ok(r.stats.ignored >= 1);
      s.clearFaults();
      s.setFault({ kind: 'pointerLoop' }, { name: 'a.test', type: 'AAAA' });
      assert.equal((await r.resolve('a.test', 'AAAA')).status, 'timeout');
    });

    it('wrong ID then the right one: the right one is taken', async () => {
      s.setFault({ kind: 'wrongId' }, { name: 'a.test' });
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'ok');
      assert.ok(r.stats.ignored >= 1);
      assert.equal(s.queries, 1);
    });

    it('the right ID for another question is ignored', async () => {
      s.setFault({ kind: 'wrongQuestion' }, { name: 'a.test' });
      const a = await r.resolve('a.test', 'A');
      assert.equal(a.status, 'ok');
      assert.deepEqual(
        a.records.map((x) => x.data),
        ['192.0.2.1'],
      );
      assert.ok(r.stats.ignored >= 1);
    });

    it('a reply from a different port is ignored', async () => {
      // (the sockets are connected: the kernel already drops it; onMessage checks again)
      s.setFault({ kind: 'otherPort' }, { name: 'a.test' });
      assert.equal((await r.resolve('a.test', 'A')).status, 'timeout');
      assert.equal(r.stats.accepted, 0);
      s.clearFaults();
      s.setFault({ kind: 'otherPort', thenAnswer: true }, { name: 'a.test', type: 'AAAA' });
      assert.equal((await r.resolve('a.test', 'AAAA')).status, 'ok');
    });

    it('SERVFAIL, REFUSED, NXDOMAIN', async () => {
      s.setFault({ kind: 'rcode', rcode: 'SERVFAIL' }, { name: 'a.test', type: 'A' });
      s.setFault({ kind: 'rcode', rcode: 'REFUSED' }, { name: 'a.test', type: 'AAAA' });
      s.setFault({ kind: 'rcode', rcode: 'NXDOMAIN' }, { name: 'good.test', type: 'MX' });
      const sf = await r.resolve('a.test', 'A');
      assert.equal(sf.status, 'servfail');
      assert.equal(s.count('a.test', 'A'), 1, 'a server that said SERVFAIL is not asked again');
      assert.match(describeResult(sf), /SERVFAIL/);
      assert.equal((await r.resolve('a.test', 'AAAA')).status, 'refused');
      assert.equal((await r.resolve('good.test', 'MX')).status, 'nxdomain');
      assert.equal((await r.resolve('outside.example', 'A')).status, 'refused', 'a zone the server does not serve');
    });

    it('moves on to the next resolver after SERVFAIL or a timeout', async () => {
      const s2 = await startDnsServer({ zoneFiles: zoneFilesIn(ZONES) });
      s.setFault({ kind: 'rcode', rcode: 'SERVFAIL' }, { name: 'a.test', type: 'A' });
      s.setFault({ kind: 'drop' }, { name: 'a.test', type: 'AAAA' });
      const rr = new Resolver({ servers: [s.address, s2.address], timeoutMs: 150 });
      try {
        const a = await rr.resolve('a.test', 'A');
        assert.equal(a.status, 'ok');
        assert.equal(a.server, s2.address);
        assert.deepEqual(a.tried, [s.address, s2.address]);
        const aaaa = await rr.resolve('a.test', 'AAAA');
        assert.equal(aaaa.status, 'ok');
        assert.equal(aaaa.server, s2.address);
      } finally {
        rr.close();
        await s2.stop();
      }
    });

    it('a closed port: a network status (ECONNREFUSED), at once, not a timeout', async () => {
      const u = dgram.createSocket('udp4');
      await new Promise<void>((res) => u.bind(0, '127.0.0.1', () => res()));
      const port = u.address().port;
      await new Promise<void>((res) => u.close(() => res()));
      const rr = new Resolver({ servers: [`127.0.0.1:${port}`], timeoutMs: 1000, attempts: 2 });
      const t0 = Date.now();
      try {
        const a = await rr.resolve('a.test', 'A');
        assert.equal(a.status, 'network');
        assert.match(a.error ?? '', /ECONNREFUSED/);
        assert.ok(Date.now() - t0 < 900, `took ${Date.now() - t0} ms`);
      } finally {
        rr.close();
      }
    });

    it('talks to an IPv6 resolver ([::1]:PORT) when the host has IPv6', async function () {
      const u = dgram.createSocket('udp6');
      const ok = await new Promise<boolean>((res) => {
        u.once('error', () => res(false));
        u.bind(0, '::1', () => res(true));
      });
      if (!ok) {
        this.skip();
        return;
      }
      u.on('message', (msg, rinfo) => {
        const q = dnsPacket.decode(msg);
        u.send(
          dnsPacket.encode({
            type: 'response',
            id: q.id,
            flags: 0x8400,
            questions: q.questions,
            answers: [{ name: q.questions![0].name, type: 'A', ttl: 5, class: 'IN', data: '192.0.2.77' }],
          }),
          rinfo.port,
          rinfo.address,
        );
      });
      const rr = new Resolver({ servers: [`[::1]:${u.address().port}`], timeoutMs: 500 });
      try {
        const a = await rr.resolve('v6.example', 'A');
        assert.equal(a.status, 'ok');
        assert.deepEqual(
          a.records.map((x) => x.data),
          ['192.0.2.77'],
        );
        assert.equal(a.server, `[::1]:${u.address().port}`);
      } finally {
        rr.close();
        u.close();
      }
    });

    it('a network error over TCP is a network status', async () => {
      // a UDP-only server that always truncates: the TCP retry is refused
      const u = dgram.createSocket('udp4');
      await new Promise<void>((res) => u.bind(0, '127.0.0.1', () => res()));
      u.on('message', (msg, rinfo) => {
        const q = dnsPacket.decode(msg);
        u.send(
          dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.TRUNCATED_RESPONSE, questions: q.questions }),
          rinfo.port,
          rinfo.address,
        );
      });
      const rr = new Resolver({ servers: [`127.0.0.1:${u.address().port}`], timeoutMs: 300, attempts: 1 });
      try {
        const a = await rr.resolve('a.test', 'A');
        assert.equal(a.status, 'network');
        assert.match(a.error ?? '', /ECONNREFUSED|closed/);
      } finally {
        rr.close();
        u.close();
      }
    });
  });

  describe('cache', () => {
    it('never asks a fresh (name, type) twice: positive, NXDOMAIN and NODATA', async () => {
      for (let i = 0; i < 3; i++) {
        await r.resolve('a.test', 'A');
        await r.resolve('gone.test', 'MX');
        await r.resolve('a.test', 'MX');
      }
      assert.equal(s.count('a.test', 'A'), 1);
      assert.equal(s.count('gone.test', 'MX'), 1);
      assert.equal(s.count('a.test', 'MX'), 1);
      const again = await r.resolve('A.Test.', 'A');
      assert.ok(again.fromCache);
      assert.equal(r.stats.cacheHits, 7);
    });

    it('shares one in-flight query between concurrent identical lookups', async () => {
      s.setDelay(30);
      const all = await Promise.all(Array.from({ length: 10 }, () => r.resolve('good.test', 'MX')));
      assert.ok(all.every((x) => x.status === 'ok'));
      assert.equal(s.count('good.test', 'MX'), 1);
      assert.equal(r.stats.shared, 9);
    });

    it('respects TTLs: asks again once expired, never caches TTL 0 or failures', async () => {
      let now = 1_000_000;
      const rr = mk({ now: () => now });
      try {
        await rr.resolve('a.test', 'A'); // TTL 300
        now += 299_000;
        await rr.resolve('a.test', 'A');
        assert.equal(s.count('a.test', 'A'), 1);
        now += 2_000;
        await rr.resolve('a.test', 'A');
        assert.equal(s.count('a.test', 'A'), 2);
        await rr.resolve('gone.test', 'A'); // negative TTL 60 (SOA minimum)
        now += 59_000;
        await rr.resolve('gone.test', 'A');
        assert.equal(s.count('gone.test', 'A'), 1);
        now += 2_000;
        await rr.resolve('gone.test', 'A');
        assert.equal(s.count('gone.test', 'A'), 2);
        await rr.resolve('ttl0.test', 'A');
        await rr.resolve('ttl0.test', 'A');
        assert.equal(s.count('ttl0.test', 'A'), 2);
        s.setFault({ kind: 'rcode', rcode: 'SERVFAIL' }, { name: 'a.test', type: 'AAAA' });
        await rr.resolve('a.test', 'AAAA');
        await rr.resolve('a.test', 'AAAA');
        assert.equal(s.count('a.test', 'AAAA'), 2);
      } finally {
        rr.close();
      }
    });

    it('can be turned off', async () => {
      const rr = mk({ cache: false });
      try {
        await rr.resolve('a.test', 'A');
        await rr.resolve('a.test', 'A');
      } finally {
        rr.close();
      }
      assert.equal(s.count('a.test', 'A'), 2);
    });
  });

  describe('limits', () => {
    it('caps queries in flight', async () => {
      s.setDelay(40);
      const rr = mk({ maxInFlight: 3, timeoutMs: 1000 });
      const t0 = Date.now();
      try {
        const names = [
          'a.test',
          'good.test',
          'chain3.test',
          'mx1.good.test',
          'mx2.good.test',
          'out.good.test',
          'ns1.good.test',
          'host.cname.test',
          'web.hosts.test',
        ];
        const res = await Promise.all(names.map((n) => rr.resolve(n, 'A')));
        assert.ok(res.every((x) => x.status === 'ok' || x.status === 'nodata'));
      } finally {
        rr.close();
      }
      const ms = Date.now() - t0;
      assert.ok(ms >= 110, `9 queries of 40 ms, 3 at a time, took only ${ms} ms`);
    });

    it('an aborted lookup returns at once, and close() ends everything', async () => {
      s.setFault({ kind: 'drop' });
      const ac = new AbortController();
      const p = r.resolve('a.test', 'A', { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      const t0 = Date.now();
      assert.equal((await p).status, 'aborted');
      assert.ok(Date.now() - t0 < 150);
      const q = r.resolve('a.test', 'AAAA');
      setTimeout(() => r.close(), 20);
      const res = await q;
      assert.ok(['aborted', 'network'].includes(res.status), res.status);
    });
  });

  describe('configuration', () => {
    it('parses HOST[:PORT] resolver specs', () => {
      assert.deepEqual(parseServer('127.0.0.1'), { host: '127.0.0.1', port: 53, family: 4, text: '127.0.0.1:53' });
      assert.deepEqual(parseServer('127.0.0.1:5353'), {
        host: '127.0.0.1',
        port: 5353,
        family: 4,
        text: '127.0.0.1:5353',
      });
      assert.deepEqual(parseServer('[::1]:5353'), { host: '::1', port: 5353, family: 6, text: '[::1]:5353' });
      assert.deepEqual(parseServer('::1'), { host: '::1', port: 53, family: 6, text: '[::1]:53' });
      assert.equal(parseServer('[2001:DB8:0::1]').text, '[2001:db8::1]:53');
      assert.throws(() => parseServer('dns.example.com'), /IP address/);
      assert.throws(() => parseServer('127.0.0.1:0'), /port/);
      assert.throws(() => parseServer('127.0.0.1:70000'), /port/);
      assert.throws(() => new Resolver({ servers: [] }), /no resolvers/);
    });

    it('reads nameservers from resolv.conf text', () => {
      const text =
        '# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver  2001:db8::53 ' +
        '# v6\nnameserver fe80::1%eth0\noptions ndots:2\nnameserver bogus\n';
      assert.deepEqual(parseResolvConf(text), ['192.0.2.53:53', '[2001:db8::53]:53']);
      assert.deepEqual(systemResolvers('/nonexistent/resolv.conf'), ['127.0.0.1:53']);
    });
  });
});
