// A language server open all day: 1,000 distinct edits (a suffix typed into
// one of 500 hostnames, then deleted), each waited for like a user who reads
// the diagnostics, must leave the retained heap (after a full GC) within
// +20 MB of where it started. Nothing may keep a document version alive once a
// newer one is checked (issue 16: a reused parse chunk kept the whole text of
// the version it was parsed in, ~0.2 MB per distinct edit).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { startSession, fileUri, type Session } from './harness';

const GATEWAYS = 500;

/** A topology of GATEWAYS gateways (~14 lines each) and the line of each gateway's hostname. */
function topology(): { text: string; hostLines: number[] } {
  const out = [
    'network corp {',
    '  cidr 10.0.0.0/8',
    '}',
    '',
    'domain example.com {',
    '  mx 10 gw0',
    '}',
    '',
    'server mbx {',
    '  role mailbox',
    '  hostname mbx.example.com',
    '  address 10.0.0.5',
    '  mailboxes example.com',
    '  route * via=gw0',
    '}',
    '',
  ];
  const hostLines: number[] = [];
  for (let i = 0; i < GATEWAYS; i++) {
    out.push(`# gateway number ${i}`, `gateway gw${i} {`, '  role edge');
    hostLines.push(out.length);
    out.push(
      `  hostname gw${i}.example.com`,
      `  address 198.51.${(i >> 8) & 255}.${i & 255}`,
      '  tls required',
      '  accept example.com',
      '  relay allow from=corp',
      '  route example.com via=mbx',
      '  route * via=direct',
      '}',
    );
  }
  return { text: out.join('\n') + '\n', hostLines };
}

describe('protocol: retained heap across distinct edits (stdio, --expose-gc)', function () {
  this.timeout(600000);
  let s: Session | undefined;
  after(async () => {
    await s?.stop();
  });

  it('1,000 distinct edits over 500 hostnames: the heap after a full GC stays within +20 MB', async () => {
    s = await startSession({ nodeArgs: ['--expose-gc'], initializationOptions: { debounceMs: 0 } });
    const uri = fileUri(path.resolve('/tmp/mailtopo-memory/topology.mailtopo'));
    const { text, hostLines } = topology();
    s.open(uri, text, 1);
    await s.diagnostics(uri, (p) => p.version === 1, 60000);
    const heap = () => s!.conn.sendRequest<{ heapUsed: number; gc: boolean }>('mailtopo/test/heap');
    const h0 = await heap();
    assert.ok(h0.gc, 'the server runs with --expose-gc');
    const readings: string[] = [];
    let version = 1;
    for (let i = 0; i < 1000; i++) {
      const k = i >> 1; // edits 2k and 2k+1 go to hostname k: type a suffix, then delete it
      const line = hostLines[k % hostLines.length];
      const at = `  hostname gw${k % GATEWAYS}`.length;
      const suffix = `-${i}`;
      const range =
        i % 2 === 0
          ? { start: { line, character: at }, end: { line, character: at } }
          : { start: { line, character: at }, end: { line, character: at + `-${i - 1}`.length } };
      version++;
      const since = s.published.length;
      s.change(uri, version, [{ range, text: i % 2 === 0 ? suffix : '' }]);
      const v = version;
      await s.diagnostics(uri, (p) => p.version === v, 20000, since);
      if (i % 250 === 249) readings.push(`${i + 1}: ${((await heap()).heapUsed / 1e6).toFixed(1)} MB`);
    }
    const h1 = await heap();
    const grew = (h1.heapUsed - h0.heapUsed) / 1024 / 1024;
    assert.ok(
      grew < 20,
      `retained heap ${(h0.heapUsed / 1e6).toFixed(1)} MB -> ${(h1.heapUsed / 1e6).toFixed(1)} ` +
        `MB (+${grew.toFixed(1)} MiB; ${readings.join(', ')})`,
    );
    const stats = await s.conn.sendRequest<{ analyses: Record<string, number[]> }>('mailtopo/test/stats');
    assert.ok(stats.analyses[uri].length >= 1000, `every edit was checked (${stats.analyses[uri].length} analyses)`);
  });
});
