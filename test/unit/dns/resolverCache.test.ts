// The resolver's answer cache is bounded (a server open all day asks about
// many names): past maxCacheEntries the oldest answers go first.
import * as assert from 'node:assert/strict';
import { Resolver } from '../../../server/src/core/dns/resolver';
import { startDnsServer, type DnsServer } from '../../support/dnsServer';

const ZONE = `$ORIGIN cache.test.
$TTL 3600
@ IN SOA ns hostmaster 1 3600 600 86400 60
@ IN NS ns
${Array.from({ length: 8 }, (_, i) => `h${i} IN A 192.0.2.${i + 1}`).join('\n')}
`;

describe('dns/resolver: bounded cache', function () {
  let s: DnsServer;
  before(async () => {
    s = await startDnsServer({ zoneTexts: [ZONE] });
  });
  after(async () => {
    await s.stop();
  });

  it('keeps at most maxCacheEntries answers, dropping the oldest', async () => {
    const r = new Resolver({ servers: [s.address], timeoutMs: 500, attempts: 2, maxCacheEntries: 4 });
    try {
      for (let i = 0; i < 8; i++) assert.equal((await r.resolve(`h${i}.cache.test`, 'A')).status, 'ok');
      const q0 = s.queries;
      for (let i = 4; i < 8; i++) assert.ok((await r.resolve(`h${i}.cache.test`, 'A')).fromCache, `h${i} cached`);
      assert.equal(s.queries, q0, 'the newest four came from the cache');
      assert.equal((await r.resolve('h0.cache.test', 'A')).fromCache, false, 'the oldest was dropped');
      assert.equal(s.queries, q0 + 1);
    } finally {
      r.close();
    }
  });
});
