// Never down: failing handlers, stray exceptions, cancellation, bursts of
// edits (only the latest version diagnosed, memory back near its baseline),
// pathological documents; and the same server over Node IPC.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { LSPErrorCodes, ErrorCodes, type CompletionList, type Hover } from 'vscode-languageserver-protocol';
import { startSession, fileUri, codes, posOf, type Session } from './harness';

const GOOD = `network corp {
  cidr 10.0.0.0/8
}

gateway edge1 {
  role edge
  hostname edge1.example.test
  address 198.51.100.11
  dnsbl zen.spamhaus.org
  accept example.test
  relay allow from=corp
  route * via=direct
}

domain example.test {
  mx 10 edge1
}
`;

describe('protocol: never down (stdio)', function () {
  this.timeout(60000);
  let s: Session;
  const uri = fileUri(path.resolve('/tmp/mailtopo-robust/a.mailtopo'));

  before(async () => {
    s = await startSession({ nodeArgs: ['--expose-gc'] });
    s.open(uri, GOOD);
    await s.diagnostics(uri);
  });
  after(async () => {
    await s?.stop();
  });

  const alive = async () => {
    const h = await s.conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: posOf(GOOD, 'role edge', 1),
    });
    assert.ok(h, 'the server still answers');
  };

  it('answers an error for a handler that throws, and stays up', async () => {
    await assert.rejects(
      s.conn.sendRequest('mailtopo/test/fail'),
      (e: { code: number; message: string }) =>
        e.code === ErrorCodes.InternalError && /test-only failure/.test(e.message),
    );
    await assert.rejects(
      s.conn.sendRequest('mailtopo/test/failAsync'),
      (e: { code: number }) => e.code === ErrorCodes.InternalError,
    );
    await alive();
    assert.ok(s.proc.exitCode === null);
  });

  it('survives an uncaught exception and an unhandled rejection', async () => {
    await s.conn.sendRequest('mailtopo/test/crashLater');
    await new Promise((r) => setTimeout(r, 100));
    await alive();
    assert.equal(s.proc.exitCode, null);
    assert.match(s.stderr() + s.logs.join('\n'), /test-only uncaught exception/);
  });

  it('answers an unknown request with MethodNotFound', async () => {
    await assert.rejects(
      s.conn.sendRequest('mailtopo/noSuchThing', {}),
      (e: { code: number }) => e.code === ErrorCodes.MethodNotFound,
    );
    await alive();
  });

  it('cancels a request: RequestCancelled, and the server goes on', async () => {
    const { CancellationTokenSource } = await import('vscode-languageserver-protocol');
    const src = new CancellationTokenSource();
    const p = s.conn.sendRequest('mailtopo/test/slow', { ms: 5000 }, src.token);
    setTimeout(() => src.cancel(), 50);
    const t0 = Date.now();
    await assert.rejects(p, (e: { code: number }) => e.code === LSPErrorCodes.RequestCancelled);
    assert.ok(Date.now() - t0 < 2000, 'cancelled promptly');
    // a completion cancelled before it runs answers RequestCancelled too
    const src2 = new CancellationTokenSource();
    src2.cancel();
    const c = s.conn.sendRequest(
      'textDocument/completion',
      { textDocument: { uri }, position: { line: 5, character: 2 } },
      src2.token,
    );
    await c.then(
      () => undefined,
      (e: { code: number }) => assert.equal(e.code, LSPErrorCodes.RequestCancelled),
    );
    await alive();
  });

  it('1,000 rapid edits: only the latest version is diagnosed, memory returns near its baseline', async () => {
    const u = fileUri(path.resolve('/tmp/mailtopo-robust/burst.mailtopo'));
    s.open(u, '# burst\n' + GOOD, 1);
    await s.diagnostics(u, (p) => p.version === 1);
    const h0 = await s.conn.sendRequest<{ heapUsed: number; gc: boolean }>('mailtopo/test/heap');
    assert.ok(h0.gc, 'the server runs with --expose-gc');
    const since = s.published.length;
    let v = 1;
    for (let i = 0; i < 1000; i++) {
      v++;
      // typing into the comment on line 0; the last edit adds a broken declaration at the top
      const at = { line: 0, character: 7 + i };
      s.change(
        u,
        v,
        i < 999
          ? [{ range: { start: at, end: at }, text: 'x' }]
          : [
              {
                range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
                text: 'gateway broken {\n}\n',
              },
            ],
      );
    }
    const last = await s.diagnostics(u, (p) => p.version === v, 20000, since);
    assert.ok(codes(last.diagnostics).includes('MT103'), 'the last edit is what was checked');
    await new Promise((r) => setTimeout(r, 300));
    const after = s.published.slice(since).filter((p) => p.uri === u);
    const versions = after.map((p) => p.version);
    assert.equal(versions[versions.length - 1], v);
    if (process.env.LSP_VERBOSE)
      console.log(
        versions,
        (await s.conn.sendRequest<{ heapUsed: number }>('mailtopo/test/heap')).heapUsed - h0.heapUsed,
      );
    assert.ok(after.length <= 3, `published for ${after.length} versions during the burst (${versions.join(',')})`);
    const stats = await s.conn.sendRequest<{ analyses: Record<string, number[]> }>('mailtopo/test/stats');
    const analysed = stats.analyses[u].filter((x) => x > 1);
    assert.ok(analysed.length <= 3, `analysed versions ${analysed.join(',')}`);
    const h1 = await s.conn.sendRequest<{ heapUsed: number }>('mailtopo/test/heap');
    assert.ok(
      h1.heapUsed < h0.heapUsed + 8 * 1024 * 1024,
      `heap ${(h0.heapUsed / 1e6).toFixed(1)} MB -> ${(h1.heapUsed / 1e6).toFixed(1)} MB`,
    );
    s.close(u);
  });

  it('a 10 MB document gets a diagnostic, not a crash or a hang', async () => {
    const u = fileUri(path.resolve('/tmp/mailtopo-robust/huge.mailtopo'));
    const big = 'gateway g {\n  role edge\n  hostname a.b.test\n}\n'.repeat(Math.ceil(10e6 / 40));
    const t0 = Date.now();
    s.open(u, big);
    const d = await s.diagnostics(u, () => true, 20000);
    assert.ok(Date.now() - t0 < 10000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(codes(d.diagnostics), ['MT004']);
    assert.match(d.diagnostics[0].message, /million characters/);
    // features answer (empty) instead of failing
    const c = await s.conn.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri: u },
      position: { line: 1, character: 2 },
    });
    assert.ok(Array.isArray(c.items));
    await alive();
    s.close(u);
  });

  it('100,000 nested braces get a diagnostic, not a crash or a hang', async () => {
    const u = fileUri(path.resolve('/tmp/mailtopo-robust/braces.mailtopo'));
    const t0 = Date.now();
    s.open(u, 'gateway x ' + '{'.repeat(100000) + '\n' + '}'.repeat(100000) + '\n');
    const d = await s.diagnostics(u, () => true, 30000);
    assert.ok(Date.now() - t0 < 15000, `took ${Date.now() - t0} ms`);
    assert.ok(d.diagnostics.length > 0 && d.diagnostics.length <= 1000, `${d.diagnostics.length} diagnostics`);
    assert.ok(codes(d.diagnostics).includes('MT001'));
    const syms = await s.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: u } });
    assert.ok(Array.isArray(syms));
    const folds = await s.conn.sendRequest('textDocument/foldingRange', { textDocument: { uri: u } });
    assert.ok(Array.isArray(folds));
    await alive();
    s.close(u);
  });

  it('a document of 100,000 repeated statements publishes at most 1,000 diagnostics', async () => {
    const u = fileUri(path.resolve('/tmp/mailtopo-robust/many.mailtopo'));
    s.open(u, 'gateway x {\n' + '  role edge\n'.repeat(100000) + '}\n');
    const d = await s.diagnostics(u, () => true, 30000);
    assert.equal(d.diagnostics.length, 1000);
    assert.match(d.diagnostics[999].message, /more diagnostics in this file are not shown/);
    await alive();
    s.close(u);
  });

  it('closing a document clears its diagnostics', async () => {
    const u = fileUri(path.resolve('/tmp/mailtopo-robust/close.mailtopo'));
    s.open(u, 'gateway x {\n}\n');
    const d = await s.diagnostics(u);
    assert.ok(d.diagnostics.length > 0);
    const since = s.published.length;
    s.close(u);
    const cleared = await s.diagnostics(u, () => true, 5000, since);
    assert.deepEqual(cleared.diagnostics, []);
  });
});

describe('protocol: over Node IPC', function () {
  this.timeout(30000);
  let s: Session;
  before(async () => {
    s = await startSession({ transport: 'ipc' });
  });
  after(async () => {
    await s?.stop();
  });

  it('initializes, publishes diagnostics and answers requests', async () => {
    assert.ok(s.initializeResult!.capabilities.hoverProvider);
    const uri = fileUri(path.resolve('/tmp/mailtopo-ipc/a.mailtopo'));
    const text = GOOD.replace('role edge', 'rol edge');
    s.open(uri, text);
    const d = await s.diagnostics(uri);
    assert.ok(codes(d.diagnostics).includes('MT101'));
    const c = await s.conn.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: posOf(text, 'rol edge', 3),
    });
    assert.ok(c.items.some((i) => i.label === 'role'));
    await assert.rejects(s.conn.sendRequest('mailtopo/test/fail'));
    const h = await s.conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: posOf(text, 'edge1 {', 1),
    });
    assert.match(JSON.stringify(h.contents), /gateway edge1/);
  });
});

describe('protocol: `mailtopo lsp --stdio` (the CLI bundle)', function () {
  this.timeout(30000);
  it('serves the same server', async () => {
    const s = await startSession({ viaCli: true });
    try {
      assert.equal(s.initializeResult!.serverInfo?.name, 'mailtopo');
      const uri = fileUri(path.resolve('/tmp/mailtopo-cli/a.mailtopo'));
      s.open(uri, GOOD.replace('role edge', 'rol edge'));
      const d = await s.diagnostics(uri);
      assert.ok(codes(d.diagnostics).includes('MT101'));
    } finally {
      await s.stop();
    }
  });
});
