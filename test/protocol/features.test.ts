// Every language feature of the bundled server, asserted through the protocol
// on real documents (a main file importing a file on disk, and a file of
// mistakes for the quick fixes).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InlayHint,
  Location,
  PrepareRenameResult,
  SemanticTokens,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
  Diagnostic,
} from 'vscode-languageserver-protocol';
import { startSession, tmpDir, fileUri, posOf, applyEdits, codes, ROOT, type Session } from './harness';

const FIXTURES = path.join(ROOT, 'test', 'protocol', 'fixtures');

describe('protocol: language features (stdio)', function () {
  this.timeout(30000);
  let s: Session;
  let dir: string;
  let main: string, nodes: string, fixme: string;
  let mainText: string, nodesText: string, fixmeText: string;
  let mainUri: string, nodesUri: string, fixmeUri: string;
  let fixDiags: Diagnostic[];

  before(async () => {
    dir = tmpDir();
    for (const f of ['main.mailtopo', 'nodes.mailtopo', 'fixme.mailtopo'])
      fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    main = path.join(dir, 'main.mailtopo');
    nodes = path.join(dir, 'nodes.mailtopo');
    fixme = path.join(dir, 'fixme.mailtopo');
    mainText = fs.readFileSync(main, 'utf8');
    nodesText = fs.readFileSync(nodes, 'utf8');
    fixmeText = fs.readFileSync(fixme, 'utf8');
    mainUri = fileUri(main);
    nodesUri = fileUri(nodes);
    fixmeUri = fileUri(fixme);
    s = await startSession();
    s.open(mainUri, mainText);
    s.open(fixmeUri, fixmeText);
    fixDiags = (await s.diagnostics(fixmeUri)).diagnostics;
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const req = <R>(method: string, params: unknown) => s.conn.sendRequest<R>(method, params);
  const at = (uri: string, position: { line: number; character: number }) => ({ textDocument: { uri }, position });

  it('advertises every capability', () => {
    const c = s.initializeResult!.capabilities;
    assert.deepEqual(
      c.textDocumentSync,
      { openClose: true, change: 2, save: { includeText: false } },
      'incremental sync',
    );
    for (const k of [
      'completionProvider',
      'hoverProvider',
      'definitionProvider',
      'referencesProvider',
      'renameProvider',
      'documentSymbolProvider',
      'workspaceSymbolProvider',
      'semanticTokensProvider',
      'documentFormattingProvider',
      'foldingRangeProvider',
      'documentLinkProvider',
      'inlayHintProvider',
      'codeLensProvider',
      'codeActionProvider',
      'executeCommandProvider',
    ] as const)
      assert.ok(c[k], k);
    assert.deepEqual(c.renameProvider, { prepareProvider: true });
    assert.deepEqual(s.initializeResult!.serverInfo?.name, 'mailtopo');
  });

  it('publishes diagnostics with code, codeDescription, related information, tags and data', async () => {
    const d = await s.diagnostics(mainUri);
    assert.deepEqual(codes(d.diagnostics), [], `main.mailtopo is clean: ${JSON.stringify(d.diagnostics)}`);
    assert.equal(d.version, 1);
    assert.ok(codes(fixDiags).includes('MT101'));
    const mt101 = fixDiags.find((x) => x.code === 'MT101')!;
    assert.match(
      mt101.codeDescription!.href,
      /^file:\/\/.*\/docs\/rules\.md#mt101--unknown-statement-error$/,
      'the heading of MT101 in docs/rules.md',
    );
    assert.equal(mt101.source, 'mailtopo');
    assert.deepEqual(mt101.data, { suggestion: 'hostname' });
    const mt201 = fixDiags.find((x) => x.code === 'MT201')!;
    assert.ok(mt201.relatedInformation?.length, 'MT201 names what makes the node internet-facing');
    assert.equal(mt201.relatedInformation[0].location.uri, fixmeUri);
    const mt203 = fixDiags.find((x) => x.code === 'MT203')!;
    assert.ok(mt203);
    const mt111 = fixDiags.find((x) => x.code === 'MT111');
    assert.deepEqual(mt111?.tags, [1], 'MT111 is tagged unnecessary');
  });

  it('completes statements valid in the block, with schema docs, not ones already there', async () => {
    const text = mainText.replace('  mode balanced\n', '  mode balanced\n  \n');
    s.change(mainUri, 2, [{ text }]);
    const pos = posOf(text, '  \n  vip', 2);
    const list = await req<CompletionList>('textDocument/completion', at(mainUri, pos));
    const labels = list.items.map((i) => i.label);
    for (const l of ['ports', 'health', 'peak-load', 'scan'])
      assert.ok(labels.includes(l), `${l} in ${labels.join(', ')}`);
    assert.ok(
      !labels.includes('mode') && !labels.includes('members'),
      'mode and members are already there and may appear once',
    );
    assert.ok(!labels.includes('role'), 'role is not a pool statement');
    const health = list.items.find((i) => i.label === 'health')!;
    assert.match(JSON.stringify(health.documentation), /failed members/);
    // top level: declarations
    const top = await req<CompletionList>('textDocument/completion', at(mainUri, { line: 1, character: 0 }));
    const tl = top.items.map((i) => i.label);
    for (const l of ['gateway', 'pool', 'server', 'domain', 'policy', 'network', 'external', 'import'])
      assert.ok(tl.includes(l), `${l} at top level`);
    const gw = top.items.find((i) => i.label === 'gateway')!;
    assert.match(
      gw.textEdit!.newText,
      /^gateway \$\{1:name\} \{\n\trole \$\{2\|edge,proxy,relay\|\}/,
      'a snippet with the required statements',
    );
    s.change(mainUri, 3, [{ text: mainText }]);
  });

  it('completes enum values, option keys, references of the right kinds and declared domains', async () => {
    const text = mainText
      .replace('  mode balanced\n', '  mode \n')
      .replace('  route * via=edge-pool\n', '  route * via=\n  accept \n  relay allow \n');
    s.change(mainUri, 4, [{ text }]);
    const labels = async (needle: string, delta: number) =>
      (await req<CompletionList>('textDocument/completion', at(mainUri, posOf(text, needle, delta)))).items.map(
        (i) => i.label,
      );
    assert.deepEqual(await labels('  mode \n', 7), ['balanced', 'failover', 'round-robin']);
    const via = await labels('via=\n', 4);
    assert.ok(via.includes('edge1') && via.includes('edge-pool') && via.includes('direct'), `via: ${via.join(', ')}`);
    assert.ok(!via.includes('corp') && !via.includes('av-standard'), 'no network or policy as a next hop');
    assert.ok(!via.includes('ex1'), 'not the node itself');
    const accept = await labels('  accept \n', 9);
    assert.ok(accept.includes('example.test') && accept.includes('*'), `accept: ${accept.join(', ')}`);
    const relay = await labels('  relay allow \n', 14);
    assert.ok(relay.includes('from=') && relay.includes('auth='), `relay options: ${relay.join(', ')}`);
    // members: gateways and servers only
    const members = (
      await req<CompletionList>(
        'textDocument/completion',
        at(mainUri, posOf(text, 'members edge1, edge2', 'members edge1, edge2'.length)),
      )
    ).items.map((i) => i.label);
    void members;
    const mem2 = mainText.replace('members edge1, edge2', 'members edge1, ');
    s.change(mainUri, 5, [{ text: mem2 }]);
    const m = (await req<CompletionList>('textDocument/completion', at(mainUri, posOf(mem2, 'members edge1, ', 15))))
      .items;
    const ml = m.map((i) => i.label);
    assert.ok(ml.includes('edge2') && ml.includes('ex1'), `members: ${ml.join(', ')}`);
    assert.ok(!ml.includes('edge1'), 'not one already in the list');
    assert.ok(!ml.includes('edge-pool') && !ml.includes('corp'), 'only gateways and servers');
    // resolve fills the target's documentation
    const item = m.find((i) => i.label === 'edge2')!;
    const resolved = await req<CompletionItem>('completionItem/resolve', item);
    assert.match(JSON.stringify(resolved.documentation), /edge2\.example\.test/);
    s.change(mainUri, 6, [{ text: mainText }]);
  });

  it("hovers: statement docs with leading comments, a reference's target, a declaration", async () => {
    const kw = await req<Hover>('textDocument/hover', at(mainUri, posOf(mainText, 'mode balanced', 1)));
    assert.match(JSON.stringify(kw.contents), /balanced/);
    const decl = await req<Hover>('textDocument/hover', at(mainUri, posOf(mainText, 'pool edge-pool', 1)));
    assert.match(JSON.stringify(decl.contents), /NLB in front of the edges/, 'the leading comment');
    const ref = await req<Hover>('textDocument/hover', at(mainUri, posOf(mainText, 'edge1,', 2)));
    assert.match(JSON.stringify(ref.contents), /gateway edge1.*edge1\.example\.test/);
    assert.match(JSON.stringify(ref.contents), /nodes\.mailtopo/);
    assert.deepEqual(ref.range, { start: posOf(mainText, 'edge1,'), end: posOf(mainText, 'edge1,', 5) });
    const opt = await req<Hover>('textDocument/hover', at(nodesUri, posOf(nodesText, 'mode=realtime', 1))).catch(
      () => null,
    );
    void opt; // nodes.mailtopo is not open: no hover there
    const none = await req<Hover | null>('textDocument/hover', at(mainUri, { line: 2, character: 0 }));
    assert.equal(none, null);
  });

  it('goes to the definition in an imported file on disk, and from an import to the file', async () => {
    const defs = await req<Location[]>('textDocument/definition', at(mainUri, posOf(mainText, 'edge2', 1)));
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, nodesUri);
    assert.deepEqual(defs[0].range.start, posOf(nodesText, 'gateway edge2', 8));
    const imp = await req<Location[]>('textDocument/definition', at(mainUri, posOf(mainText, 'nodes.mailtopo', 2)));
    assert.equal(imp[0].uri, nodesUri);
  });

  it('finds references across files', async () => {
    const refs = await req<Location[]>('textDocument/references', {
      ...at(mainUri, posOf(mainText, 'server ex1', 8)),
      context: { includeDeclaration: true },
    });
    const where = refs.map((r) => `${path.basename(r.uri)}:${r.range.start.line}`).sort();
    assert.deepEqual(
      where,
      [
        `main.mailtopo:${posOf(mainText, 'server ex1').line}`,
        `nodes.mailtopo:${posOf(nodesText, 'via=ex1').line}`,
        `nodes.mailtopo:${posOf(nodesText, 'via=ex1', 0, 1).line}`,
      ].sort(),
    );
    const noDecl = await req<Location[]>('textDocument/references', {
      ...at(mainUri, posOf(mainText, 'server ex1', 8)),
      context: { includeDeclaration: false },
    });
    assert.equal(noDecl.length, 2);
  });

  it('renames a name across files, refuses keywords and built-ins', async () => {
    const prep = await req<PrepareRenameResult>(
      'textDocument/prepareRename',
      at(mainUri, posOf(mainText, 'edge-pool', 2)),
    );
    assert.deepEqual(prep, {
      range: { start: posOf(mainText, 'edge-pool'), end: posOf(mainText, 'edge-pool', 9) },
      placeholder: 'edge-pool',
    });
    await assert.rejects(
      req('textDocument/prepareRename', at(mainUri, posOf(mainText, 'mode balanced', 1))),
      /keyword/,
    );
    await assert.rejects(
      req('textDocument/prepareRename', at(mainUri, posOf(mainText, 'mode balanced', 6))),
      /not a declared name/,
    );
    await assert.rejects(
      req('textDocument/prepareRename', at(mainUri, posOf(mainText, 'domain example.test', 9))),
      /DNS name/,
    );
    await assert.rejects(
      req('textDocument/rename', { ...at(mainUri, posOf(mainText, 'ex1', 1)), newName: 'edge1' }),
      /already declared/,
    );
    await assert.rejects(
      req('textDocument/rename', { ...at(mainUri, posOf(mainText, 'ex1', 1)), newName: 'a.b' }),
      /not a valid name/,
    );
    const edit = await req<WorkspaceEdit>('textDocument/rename', {
      ...at(mainUri, posOf(mainText, 'server ex1', 8)),
      newName: 'mbx1',
    });
    assert.deepEqual(Object.keys(edit.changes!).sort(), [mainUri, nodesUri].sort());
    const newMain = applyEdits(mainText, edit.changes![mainUri]);
    const newNodes = applyEdits(nodesText, edit.changes![nodesUri]);
    assert.match(newMain, /server mbx1 \{/);
    assert.equal((newNodes.match(/via=mbx1/g) ?? []).length, 2);
  });

  it('gives hierarchical document symbols and workspace symbols', async () => {
    const syms = await req<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: mainUri } });
    assert.deepEqual(
      syms.map((x) => x.name),
      ['import "nodes.mailtopo"', 'example.test', 'edge-pool', 'ex1'],
    );
    const pool = syms.find((x) => x.name === 'edge-pool')!;
    assert.ok(pool.children!.some((c) => c.name === 'members edge1, edge2'));
    assert.match(pool.detail!, /^pool/);
    const ws = await req<SymbolInformation[]>('workspace/symbol', { query: 'edg' });
    const names = ws.map((x) => `${x.name}@${path.basename(x.location.uri)}`).sort();
    assert.deepEqual(
      names.filter((n) => !n.includes('fixme')),
      ['edge-pool@main.mailtopo', 'edge1@nodes.mailtopo', 'edge2@nodes.mailtopo'],
    );
  });

  it('gives semantic tokens for keywords, option keys, enum values and names by kind', async () => {
    const legend = s.initializeResult!.capabilities.semanticTokensProvider!.legend;
    const toks = await req<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: mainUri } });
    const lines = mainText.split('\n');
    const decoded: Array<{ text: string; type: string; mods: string[] }> = [];
    let line = 0,
      ch = 0;
    for (let i = 0; i < toks.data.length; i += 5) {
      const [dl, dc, len, type, mods] = toks.data.slice(i, i + 5);
      line += dl;
      ch = dl ? dc : ch + dc;
      decoded.push({
        text: lines[line].slice(ch, ch + len),
        type: legend.tokenTypes[type],
        mods: legend.tokenModifiers.filter((_, b) => mods & (1 << b)),
      });
    }
    const find = (t: string) => decoded.find((d) => d.text === t);
    assert.equal(find('pool')?.type, 'keyword');
    assert.equal(find('balanced')?.type, 'enumMember');
    assert.deepEqual(
      decoded.filter((d) => d.text === 'edge-pool'),
      [
        { text: 'edge-pool', type: 'class', mods: [] }, // mx 10 edge-pool
        { text: 'edge-pool', type: 'class', mods: ['declaration'] },
        { text: 'edge-pool', type: 'class', mods: [] }, // via=edge-pool
      ],
    );
    assert.equal(find('edge1')?.type, 'class');
    assert.equal(find('example.test')?.type, 'namespace');
    assert.equal(find('"nodes.mailtopo"')?.type, 'string');
    const range = await req<SemanticTokens>('textDocument/semanticTokens/range', {
      textDocument: { uri: mainUri },
      range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } },
    });
    assert.ok(range.data.length > 0 && range.data.length < toks.data.length);
  });

  it("formats to the canonical layout (the formatter's output, as a minimal edit)", async () => {
    const messy = 'network   corp{\n     cidr 10.0.0.0/8 ,172.16.0.0/12\n}\n';
    const uri = fileUri(path.join(dir, 'messy.mailtopo'));
    s.open(uri, messy);
    const edits = await req<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    const out = applyEdits(messy, edits);
    assert.equal(out, 'network corp {\n  cidr 10.0.0.0/8, 172.16.0.0/12\n}\n');
    const again = await req<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri: mainUri },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.deepEqual(again, [], 'an already formatted file needs no edit');
    s.close(uri);
  });

  it('folds blocks and comment runs', async () => {
    const folds = await req<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: mainUri } });
    const pool = posOf(mainText, 'pool edge-pool').line;
    assert.ok(
      folds.some((f) => f.startLine === pool && f.endLine === posOf(mainText, '  members edge1').line),
      JSON.stringify(folds),
    );
  });

  it('links imports to their files', async () => {
    const links = await req<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: mainUri } });
    assert.equal(links.length, 1);
    assert.equal(links[0].target, nodesUri);
    assert.deepEqual(links[0].range, {
      start: posOf(mainText, 'nodes.mailtopo'),
      end: posOf(mainText, 'nodes.mailtopo', 14),
    });
  });

  it('offers inlay hints and code lenses (live off: lenses say so, no hints)', async () => {
    const hints = await req<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: mainUri },
      range: { start: { line: 0, character: 0 }, end: { line: 30, character: 0 } },
    });
    assert.deepEqual(hints, []);
    const lenses = await req<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: mainUri } });
    assert.equal(lenses.length, 1);
    assert.deepEqual(lenses[0].range.start, posOf(mainText, 'example.test {'));
    assert.match(lenses[0].command!.title, /live checks off/);
    assert.equal(lenses[0].command!.command, 'mailtopo.server.rerunLiveChecks');
  });

  describe('quick fixes', () => {
    const fixFor = async (code: string): Promise<CodeAction[]> => {
      const d = fixDiags.find((x) => x.code === code);
      assert.ok(d, `a ${code} diagnostic: ${codes(fixDiags).join(', ')}`);
      return req<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri: fixmeUri },
        range: d.range,
        context: { diagnostics: [d], only: ['quickfix'] },
      });
    };
    const applied = (a: CodeAction) => applyEdits(fixmeText, a.edit!.changes![fixmeUri]);

    it('MT101: did you mean', async () => {
      const [a] = await fixFor('MT101');
      assert.equal(a.title, "Change to 'hostname'");
      assert.equal(a.isPreferred, true);
      assert.match(applied(a), /\n {2}hostname open1\.fix\.test\n/);
    });
    it('MT105: did you mean', async () => {
      const [a] = await fixFor('MT105');
      assert.match(applied(a), /\n {2}scan av-standard\n/);
    });
    it('MT103: insert the missing statement', async () => {
      const [a] = await fixFor('MT103');
      assert.equal(a.title, "Add 'role edge'");
      assert.match(applied(a), /gateway norole \{\n {2}role edge\n {2}address 198\.51\.100\.22\n\}/);
    });
    it('MT201: require auth, or restrict from=', async () => {
      const acts = await fixFor('MT201');
      const titles = acts.map((a) => a.title);
      assert.ok(titles[0].includes('auth=required'), titles.join(' | '));
      assert.match(applied(acts[0]), /relay allow from=any auth=required\n/);
      const restrict = acts.find((a) => a.title.includes('corp'))!;
      assert.match(applied(restrict), /relay allow from=corp\n {2}relay allow from=corp\n/);
    });
    it('MT203: remove the unreachable rule', async () => {
      const [a] = await fixFor('MT203');
      const out = applied(a);
      assert.ok(!out.includes('relay allow from=corp'), out);
      assert.match(out, /relay allow from=any\n {2}scan av-standrd\n/);
    });
    it('MT408: remove the extension from the allow list', async () => {
      const [a] = await fixFor('MT408');
      assert.equal(a.title, "Remove 'exe' from the allow list");
      assert.match(applied(a), /attachments allow pdf, docx\n {2}attachments block exe\n/);
    });
    it('every fix leaves a file whose diagnostic is gone', async () => {
      const acts = await fixFor('MT101');
      const out = applied(acts[0]);
      const uri = fileUri(path.join(dir, 'fixed.mailtopo'));
      s.open(uri, out);
      const d = await s.diagnostics(uri);
      assert.ok(!codes(d.diagnostics).includes('MT101'));
      s.close(uri);
    });
  });

  it('answers mailtopo/graph with nodes, edges, clusters and DOT', async () => {
    const g = await req<{
      nodes: Array<{ id: string; uri?: string }>;
      edges: Array<{ from: string; to: string; kind: string }>;
      dot: string;
      version: number;
    }>('mailtopo/graph', { uri: mainUri });
    const ids = g.nodes.map((n) => n.id);
    for (const id of ['edge1', 'edge2', 'edge-pool', 'ex1', 'domain:example.test'])
      assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.ok(g.edges.some((e) => e.kind === 'mx' && e.from === 'domain:example.test' && e.to === 'edge-pool'));
    assert.equal(g.nodes.find((n) => n.id === 'edge1')!.uri, nodesUri);
    assert.match(g.dot, /^digraph/m);
  });
});
