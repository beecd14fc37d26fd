// Imports across files on disk (temporary folders), re-checking importers when
// an imported file changes, closing, files changing on disk, and settings
// applied without a restart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type Hover,
  type Location,
} from 'vscode-languageserver-protocol';
import { startSession, tmpDir, fileUri, codes, posOf, CLIENT_CAPABILITIES, type Session } from './harness';

const A = `import "b.mailtopo"

policy av {
  antivirus clamav
}

domain example.test {
  mx 10 g1
}
`;
const B = `gateway g1 {
  role edge
  hostname g1.example.test
  address 198.51.100.31
  dnsbl zen.spamhaus.org
  accept example.test
  scan av
  route * via=direct
}
`;

describe('protocol: workspaces of files (imports on disk)', function () {
  this.timeout(30000);
  let s: Session;
  let dir: string;
  let aUri: string, bUri: string;

  beforeEach(async () => {
    dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.mailtopo'), A);
    fs.writeFileSync(path.join(dir, 'b.mailtopo'), B);
    aUri = fileUri(path.join(dir, 'a.mailtopo'));
    bUri = fileUri(path.join(dir, 'b.mailtopo'));
    s = await startSession();
  });
  afterEach(async () => {
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads an imported file from disk when it is not open', async () => {
    s.open(aUri, A);
    const d = await s.diagnostics(aUri);
    assert.ok(!codes(d.diagnostics).includes('MT105'), `g1 comes from b.mailtopo: ${codes(d.diagnostics).join(', ')}`);
    const def = await s.conn.sendRequest<Location[]>('textDocument/definition', {
      textDocument: { uri: aUri },
      position: posOf(A, 'g1', 1),
    });
    assert.equal(def[0].uri, bUri);
  });

  it('a change to an imported file re-checks the files importing it', async () => {
    s.open(aUri, A);
    await s.diagnostics(aUri);
    s.open(bUri, B);
    const b1 = await s.diagnostics(bUri);
    assert.ok(
      !codes(b1.diagnostics).includes('MT105'),
      `b.mailtopo sees 'av' through a.mailtopo, its importer: ${codes(b1.diagnostics).join(', ')}`,
    );
    const since = s.published.length;
    s.change(bUri, 2, [{ range: { start: posOf(B, 'g1'), end: posOf(B, 'g1', 2) }, text: 'g2' }]);
    const a2 = await s.diagnostics(aUri, (p) => codes(p.diagnostics).includes('MT105'), 5000, since);
    assert.match(a2.diagnostics.find((d) => d.code === 'MT105')!.message, /'g1' is not declared/);
    // hover in b uses the importer's model: the policy from a.mailtopo
    const h = await s.conn.sendRequest<Hover>('textDocument/hover', {
      textDocument: { uri: bUri },
      position: posOf(B, 'scan av', 6),
    });
    assert.match(JSON.stringify(h.contents), /policy av/);
  });

  it('closing a document clears its diagnostics and its importers read it from disk again', async () => {
    s.open(aUri, A);
    await s.diagnostics(aUri);
    s.open(bUri, B.replace('g1', 'g9').replace('route * via=direct', 'rout * via=direct'));
    await s.diagnostics(aUri, (p) => codes(p.diagnostics).includes('MT105'));
    const b = await s.diagnostics(bUri, (p) => codes(p.diagnostics).includes('MT101'));
    assert.ok(b);
    const since = s.published.length;
    s.close(bUri);
    await s.diagnostics(bUri, (p) => p.diagnostics.length === 0, 5000, since);
    const a = await s.diagnostics(aUri, (p) => !codes(p.diagnostics).includes('MT105'), 5000, since);
    assert.ok(a, 'a.mailtopo is clean again with b.mailtopo from disk');
    await new Promise((r) => setTimeout(r, 200));
    const lastB = s.published.filter((p) => p.uri === bUri).pop()!;
    assert.deepEqual(lastB.diagnostics, [], 'nothing is published for a closed document after its clearing');
  });

  it('a missing import appears on disk: didChangeWatchedFiles re-checks', async () => {
    const text = A.replace('import "b.mailtopo"', 'import "b.mailtopo"\nimport "c.mailtopo"');
    s.open(aUri, text);
    const d = await s.diagnostics(aUri);
    assert.ok(codes(d.diagnostics).includes('MT110'));
    fs.writeFileSync(path.join(dir, 'c.mailtopo'), 'network office {\n  cidr 192.168.0.0/16\n}\n');
    const since = s.published.length;
    await s.conn.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(path.join(dir, 'c.mailtopo')), type: FileChangeType.Created }],
    });
    const d2 = await s.diagnostics(aUri, () => true, 5000, since);
    assert.ok(!codes(d2.diagnostics).includes('MT110'), codes(d2.diagnostics).join(','));
  });

  it('an import cycle between two open documents is one MT110, not a hang', async () => {
    const a = A.replace('import "b.mailtopo"', 'import "b.mailtopo"');
    const b = 'import "a.mailtopo"\n' + B;
    s.open(aUri, a);
    s.open(bUri, b);
    const da = await s.diagnostics(aUri);
    const db = await s.diagnostics(bUri);
    assert.equal([...codes(da.diagnostics), ...codes(db.diagnostics)].filter((c) => c === 'MT110').length, 1);
  });

  it('applies mailtopo.diagnostics.ignore without a restart (workspace/configuration pull)', async () => {
    const text = A.replace('antivirus clamav', 'antivirs clamav');
    s.open(aUri, text);
    assert.ok(codes((await s.diagnostics(aUri)).diagnostics).includes('MT101'));
    s.settings = { liveChecks: { enabled: false }, diagnostics: { ignore: ['MT101'] } };
    const since = s.published.length;
    await s.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const d = await s.diagnostics(aUri, () => true, 5000, since);
    assert.ok(!codes(d.diagnostics).includes('MT101'), codes(d.diagnostics).join(','));
  });
});

describe('protocol: settings pushed by a client without workspace/configuration', function () {
  this.timeout(20000);
  it('takes didChangeConfiguration settings', async () => {
    const caps = { ...CLIENT_CAPABILITIES, workspace: { ...CLIENT_CAPABILITIES.workspace, configuration: false } };
    const s = await startSession({
      capabilities: caps,
      initializationOptions: { settings: { liveChecks: { enabled: false } } },
    });
    try {
      const uri = fileUri(path.resolve('/tmp/mailtopo-push/a.mailtopo'));
      s.open(uri, 'gateway x {\n  rol edge\n}\n');
      assert.ok(codes((await s.diagnostics(uri)).diagnostics).includes('MT101'));
      const since = s.published.length;
      await s.conn.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { mailtopo: { liveChecks: { enabled: false }, diagnostics: { ignore: ['MT101', 'mt103'] } } },
      });
      const d = await s.diagnostics(uri, () => true, 5000, since);
      assert.deepEqual(
        codes(d.diagnostics).filter((c) => c === 'MT101' || c === 'MT103'),
        [],
      );
    } finally {
      await s.stop();
    }
  });
});
