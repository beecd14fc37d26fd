// Live DNS checks through the protocol, against the local test DNS server
// (127.0.0.1 only): static diagnostics first, live ones merged in after the
// pause; hover, inlay hints and code lenses from the answers; cancellation on
// change; a slow resolver never delays static results; untrusted sends no
// packet; toggle, re-run and the status notifications.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CodeLens, Hover, InlayHint, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startDnsServer, zoneFilesIn, type DnsServer } from '../support/dnsServer';
import { startSession, fileUri, codes, posOf, ROOT, type Session } from './harness';

const TOPO = `options {
  dnsbl zen.spamhaus.org
}

# the correct twin: published exactly as declared
domain good.test {
  mx 10 mx1
  mx 20 mx2
  spf "v=spf1 ip4:203.0.113.0/28 include:_spf.good.test -all"
  dmarc "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"
}

# published with other MX records than these
domain mxdiff.test {
  mx 10 mx1
}

gateway mx1 {
  role edge
  hostname mx1.good.test
  address 203.0.113.11
  accept good.test, mxdiff.test
  route good.test, mxdiff.test via=mbx
  route * via=direct
}

gateway mx2 {
  role edge
  hostname mx2.good.test
  address 203.0.113.12, 2001:db8::12
  accept good.test
  route good.test via=mbx
  route * via=direct
}

server mbx {
  role mailbox
  hostname mbx.good.test
  address 10.0.0.5
  mailboxes good.test, mxdiff.test
  route * via=mx1, mx2
}
`;

const isLive = (c: string) => /^MT5\d\d$/.test(c);
const liveCodes = (p: PublishDiagnosticsParams) => codes(p.diagnostics).filter(isLive);

describe('protocol: live DNS checks (local test DNS server)', function () {
  this.timeout(30000);
  let dns: DnsServer;
  let s: Session | undefined;
  const uri = fileUri(path.resolve('/tmp/mailtopo-live/topo.mailtopo'));
  const settings = (timeoutMs = 1500) => ({ liveChecks: { enabled: true, resolvers: [dns.address], timeoutMs } });
  const start = (extra: Record<string, unknown> = {}, timeoutMs = 1500) =>
    startSession({
      settings: settings(timeoutMs),
      initializationOptions: { settings: settings(timeoutMs), livePauseMs: 300, ...extra },
    });

  before(async () => {
    dns = await startDnsServer({ zoneFiles: zoneFilesIn(path.join(ROOT, 'test', 'fixtures', 'zones')) });
  });
  after(async () => {
    await dns?.stop();
  });
  beforeEach(() => {
    dns.clearFaults();
    dns.setDelay(0);
    dns.resetLog();
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('publishes static diagnostics first, then merges the live ones in', async () => {
    s = await start();
    const q0 = dns.queries;
    s.open(uri, TOPO);
    const first = await s.diagnostics(uri);
    assert.deepEqual(liveCodes(first), [], 'the first publish is the static one');
    const live = await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    assert.deepEqual(
      liveCodes(live).filter((c) => c === 'MT502'),
      ['MT502', 'MT502'],
      liveCodes(live).join(','),
    );
    assert.ok(s.published.indexOf(live) > s.published.indexOf(first));
    assert.equal(live.version, 1);
    assert.ok(dns.queries > q0, 'queries went to the local server');
    for (const e of dns.log)
      assert.ok(
        e.name.endsWith('.test') || e.name.includes('spamhaus') || e.name.includes('arpa'),
        `only the topology's names: ${e.name}`,
      );
    const mt502 = live.diagnostics.find((d) => d.code === 'MT502')!;
    assert.match(mt502.codeDescription!.href, /rules\.md#mt5xx-live-dns/, 'the live-DNS section of docs/rules.md');
    // the status bar saw it
    await new Promise((r) => setTimeout(r, 50));
    const states = s.statuses.map((x) => x.state);
    assert.ok(states.includes('checking') && states[states.length - 1] === 'done', states.join(','));
  });

  it('hover, inlay hints and code lenses show the last live answers', async () => {
    s = await start();
    s.open(uri, TOPO);
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    assert.ok(
      s.refreshes.includes('codeLens') && s.refreshes.includes('inlayHint'),
      'the client is asked to fetch lenses and hints again',
    );
    const req = <R>(m: string, p: unknown) => s!.conn.sendRequest<R>(m, p);
    const h = await req<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: posOf(TOPO, 'mx2.good.test', 2),
    });
    assert.match(JSON.stringify(h.contents), /203\.0\.113\.12/);
    assert.match(JSON.stringify(h.contents), /2001:db8::12/);
    const spf = await req<Hover>('textDocument/hover', { textDocument: { uri }, position: posOf(TOPO, 'spf "', 1) });
    const spfText = (spf.contents as { value: string }).value;
    assert.match(spfText, /include:_spf\.good\.test/, spfText);
    assert.match(spfText, /lookups/);
    const hints = await req<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } },
    });
    const mx1 = hints.find((x) => x.position.line === posOf(TOPO, 'hostname mx1.good.test').line);
    assert.equal(mx1?.label, '→ 203.0.113.11');
    const lenses = await req<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const good = lenses.find((l) => l.range.start.line === posOf(TOPO, 'domain good.test').line)!;
    assert.match(good.command!.title, /live MX: 10 mx1\.good\.test, 20 mx2\.good\.test ✓/);
    const diff = lenses.find((l) => l.range.start.line === posOf(TOPO, 'domain mxdiff.test').line)!;
    assert.match(diff.command!.title, /✗ differs/);
  });

  it('a change cancels the live run; a slow resolver never delays static results', async () => {
    s = await start({}, 6000); // each query may take 3 s per attempt
    s.open(uri, TOPO);
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    await s.conn.sendRequest('mailtopo/rerunLiveChecks', {});
    dns.setDelay(1200); // every answer now takes 1.2 s
    const since = s.published.length;
    const edited = TOPO.replace('domain mxdiff.test {', '# edited\ndomain mxdiff.test {');
    const t0 = Date.now();
    s.change(uri, 2, [{ text: edited }]);
    const stat = await s.diagnostics(uri, (p) => p.version === 2, 5000, since);
    assert.ok(Date.now() - t0 < 1000, `static diagnostics after ${Date.now() - t0} ms`);
    assert.deepEqual(liveCodes(stat), [], 'live results of the old text are not kept');
    const live = await s.diagnostics(uri, (p) => p.version === 2 && liveCodes(p).length > 0, 15000, since);
    assert.equal(
      live.diagnostics.find((d) => d.code === 'MT502')!.range.start.line,
      posOf(edited, 'mxdiff.test {').line,
      'ranges of the new text',
    );
  });

  it('untrusted: no DNS query is sent; trusted again: the checks run; untrusted again: they stop', async () => {
    s = await start({ trusted: false });
    const q0 = dns.queries;
    s.open(uri, TOPO);
    await s.diagnostics(uri);
    await new Promise((r) => setTimeout(r, 1200)); // well past the live pause
    assert.equal(dns.queries, q0, 'untrusted: not one packet');
    assert.deepEqual(s.statuses[s.statuses.length - 1], { state: 'off', reason: 'untrusted' });
    const lens = await s.conn.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.match(lens[0].command!.title, /off/);
    const rerun = await s.conn.sendRequest<{ queued: number; reason?: string }>('mailtopo/rerunLiveChecks', {});
    assert.deepEqual(rerun, { queued: 0, reason: 'untrusted' });
    assert.equal(dns.queries, q0);
    await s.conn.sendNotification('mailtopo/setTrusted', { trusted: true });
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    assert.ok(dns.queries > q0);
    const since = s.published.length;
    await s.conn.sendNotification('mailtopo/setTrusted', { trusted: false });
    const cleared = await s.diagnostics(uri, (p) => liveCodes(p).length === 0, 5000, since);
    assert.ok(cleared);
    const q1 = dns.queries;
    s.change(uri, 2, [{ text: TOPO + '\n' }]);
    await s.diagnostics(uri, (p) => p.version === 2, 5000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(dns.queries, q1, 'untrusted again: no more packets');
  });

  it('toggleLiveChecks turns them off and on; the status follows', async () => {
    s = await start();
    s.open(uri, TOPO);
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    const off = await s.conn.sendRequest<{ enabled: boolean }>('mailtopo/toggleLiveChecks', {});
    assert.deepEqual(off, { enabled: false });
    await s.diagnostics(uri, (p) => liveCodes(p).length === 0, 5000, s.published.length - 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(s.statuses[s.statuses.length - 1], { state: 'off', reason: 'disabled' });
    const on = await s.conn.sendRequest<{ enabled: boolean }>('mailtopo/toggleLiveChecks', { enabled: true });
    assert.deepEqual(on, { enabled: true });
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000, s.published.length);
  });

  it('rerunLiveChecks asks the DNS again (the cache is dropped)', async () => {
    s = await start();
    s.open(uri, TOPO);
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000);
    const q0 = dns.queries;
    const since = s.published.length;
    const r = await s.conn.sendRequest<{ queued: number }>('mailtopo/rerunLiveChecks', { uri });
    assert.equal(r.queued, 1);
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000, since);
    assert.ok(dns.queries > q0, `${dns.queries} > ${q0}`);
    // the lens command does the same
    const q1 = dns.queries;
    await s.conn.sendRequest('workspace/executeCommand', { command: 'mailtopo.server.rerunLiveChecks', arguments: [] });
    await s.diagnostics(uri, (p) => liveCodes(p).length > 0, 10000, s.published.length);
    assert.ok(dns.queries > q1);
  });

  it('a resolver that does not answer: MT590 information and an offline status, never an error', async () => {
    dns.setFault({ kind: 'drop' });
    s = await start();
    s.settings = { liveChecks: { enabled: true, resolvers: [dns.address], timeoutMs: 300 } };
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    s.open(uri, TOPO);
    const p = await s.diagnostics(uri, (x) => liveCodes(x).length > 0, 15000);
    assert.ok(
      p.diagnostics.filter((d) => isLive(String(d.code))).every((d) => d.code === 'MT590' && d.severity === 3),
      JSON.stringify(liveCodes(p)),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.statuses[s.statuses.length - 1].state, 'offline');
  });
});
