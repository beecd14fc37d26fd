// Extension tests that run inside a real VS Code (the VS Code server shipped in
// the code-server package, driven by headless Chromium; see ../run.ts). They use
// the real `vscode` API against the extension under development.
//
// The workspace opens in Restricted Mode (untrusted). The tests check what must
// and must not happen there, then ask the runner to click "Trust" in the
// Workspace Trust editor and check that live checks start without a reload.
//
// Talking to the runner: events appended to $MAILTOPO_VSCODE_TEST_DIR/events.jsonl
// (results, timings, "take a screenshot", "click Trust"); the runner answers
// with ack files in the same folder.
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MailtopoApi } from '../../../client/src/extension';
import type { GenerateResult } from '../../../client/src/generate';

const DIR = process.env.MAILTOPO_VSCODE_TEST_DIR ?? '';
const EXT_ID = 'mailtopo.mailtopo';

function emit(ev: Record<string, unknown>): void {
  const line = JSON.stringify({ t: Date.now(), ...ev });
  console.log(`[mailtopo-test] ${line}`);
  if (DIR) fs.appendFileSync(path.join(DIR, 'events.jsonl'), line + '\n');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll until fn returns a truthy value; never a fixed sleep. */
async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await sleep(100);
  }
}

/** Ask the runner for something (screenshot, click) and wait for its ack. */
async function askRunner(what: string, extra: Record<string, unknown> = {}, timeoutMs = 30000): Promise<string> {
  const id = `${what}-${Date.now()}`;
  emit({ event: 'ask', what, id, ...extra });
  if (!DIR) return 'no-runner';
  const ack = path.join(DIR, `ack-${id}`);
  await until(() => fs.existsSync(ack), `the runner's answer to '${what}'`, timeoutMs);
  return fs.readFileSync(ack, 'utf8');
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? '');
}

function diags(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri);
}

const isLive = (d: vscode.Diagnostic) => /^MT5\d\d$/.test(codeOf(d));

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}
const results: Result[] = [];

async function test(name: string, fn: () => void | Promise<void>): Promise<boolean> {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - t0 });
    emit({ event: 'result', name, ok: true, ms: Date.now() - t0 });
    return true;
  } catch (e) {
    const error = (e as Error)?.stack ?? String(e);
    results.push({ name, ok: false, ms: Date.now() - t0, error });
    emit({ event: 'result', name, ok: false, ms: Date.now() - t0, error });
    return false;
  }
}

function textLine(doc: vscode.TextDocument, re: RegExp): number {
  for (let i = 0; i < doc.lineCount; i++) if (re.test(doc.lineAt(i).text)) return i;
  throw new Error(`no line matching ${re} in ${doc.uri.fsPath}`);
}

export async function run(): Promise<void> {
  const ws = vscode.workspace.workspaceFolders?.[0];
  assert(ws, 'a workspace folder is open');
  const relayUri = vscode.Uri.joinPath(ws.uri, 'relay.mailtopo');
  const sampleUri = vscode.Uri.joinPath(ws.uri, 'companyabc.mailtopo');
  const ext = vscode.extensions.getExtension<MailtopoApi>(EXT_ID);
  let api: MailtopoApi | undefined;
  let relayDoc: vscode.TextDocument | undefined;

  emit({ event: 'start', vscode: vscode.version, trusted: vscode.workspace.isTrusted });

  await test('the extension is installed and not active before a mailtopo file opens', () => {
    assert(ext, `extension ${EXT_ID} is loaded`);
    assert(!ext.isActive, 'not activated on start-up');
    assert(!vscode.workspace.isTrusted, 'the workspace opens in Restricted Mode');
  });
  if (!ext) throw new Error('extension missing');

  await test('opening a .mailtopo file activates it and starts the server over IPC', async () => {
    relayDoc = await vscode.workspace.openTextDocument(relayUri);
    await vscode.window.showTextDocument(relayDoc, vscode.ViewColumn.One);
    assert(relayDoc.languageId === 'mailtopo', `language is mailtopo (got ${relayDoc.languageId})`);
    await until(() => ext.isActive, 'activation', 30000);
    api = ext.exports;
    assert(
      api && typeof api.activationMs === 'number',
      'activate() returns the API (if not, activation failed: see the mailtopo output)',
    );
    emit({ event: 'activation', ms: api.activationMs });
  });
  if (!api || !relayDoc) throw new Error(`cannot go on: ${JSON.stringify(results)}`);
  const doc = relayDoc;

  await test('static diagnostics arrive in Restricted Mode (MT201 open relay)', async () => {
    const d = await until(() => diags(relayUri).find((x) => codeOf(x) === 'MT201'), 'MT201 on relay.mailtopo');
    assert(d.severity === vscode.DiagnosticSeverity.Error, 'MT201 is an error');
    const line = textLine(doc, /relay allow from=any/);
    assert(d.range.start.line === line, `MT201 on the relay line ${line + 1} (got ${d.range.start.line + 1})`);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await askRunner('screenshot', { name: 'diagnostics' });
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  });

  await test('completion offers the statements of a gateway block', async () => {
    const line = textLine(doc, /^ {2}$/);
    const pos = new vscode.Position(line, 2);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      relayUri,
      pos,
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    // Statements not yet in the block (hostname is there already, and may appear once).
    for (const want of ['listen', 'capacity', 'zone'])
      assert(labels.includes(want), `completion has '${want}' (got ${labels.slice(0, 30).join(', ')})`);
    const ed = vscode.window.activeTextEditor;
    if (ed) {
      ed.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await askRunner('screenshot', { name: 'completion' });
      await vscode.commands.executeCommand('hideSuggestWidget');
    }
  });

  await test('hover documents a statement', async () => {
    const line = textLine(doc, /^\s*relay allow/);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      relayUri,
      new vscode.Position(line, 4),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert(text.length > 20, `hover has text (got '${text}')`);
    assert(/relay/i.test(text), `hover is about relay (got '${text.slice(0, 200)}')`);
  });

  await test('Generate Configuration refuses in Restricted Mode and writes nothing', async () => {
    const outDir = path.join(ws.uri.fsPath, 'generated-untrusted');
    const r = await vscode.commands.executeCommand<GenerateResult>('mailtopo.generateConfiguration', {
      uri: sampleUri.fsPath,
      targets: ['postfix'],
      outDir,
      quiet: true,
    });
    assert(r && r.refused === 'untrusted', `refused as untrusted (got ${JSON.stringify(r)})`);
    assert(!fs.existsSync(outDir), 'no output folder was created');
  });

  await test('live-check commands refuse and the status bar says off in Restricted Mode', async () => {
    const r = await vscode.commands.executeCommand<{ refused?: string }>('mailtopo.rerunLiveChecks');
    assert(r?.refused === 'untrusted', `re-run refused (got ${JSON.stringify(r)})`);
    const t = await vscode.commands.executeCommand<{ refused?: string }>('mailtopo.toggleLiveChecks');
    assert(t?.refused === 'untrusted', `toggle refused (got ${JSON.stringify(t)})`);
    assert(/off/.test(api!.statusBar.text), `status bar shows off (got '${api!.statusBar.text}')`);
  });

  await test('no live diagnostic appears while untrusted', async () => {
    // Absence needs a window: watch for 3 s after the static diagnostics settled.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const live = [...diags(relayUri), ...diags(sampleUri)].filter(isLive);
      assert(
        live.length === 0,
        `no MT5xx while untrusted (got ${live.map((d) => `${codeOf(d)} ${d.message}`).join('; ')})`,
      );
      await sleep(200);
    }
    const dns = await askRunner('dns-count');
    assert(dns === '0', `the test DNS server got no query while untrusted (got ${dns})`);
  });

  await test('granting trust turns live checks on without a reload (MT504 from the test DNS)', async () => {
    const granted = new Promise<void>((resolve) => {
      const d = vscode.workspace.onDidGrantWorkspaceTrust(() => {
        d.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('workbench.trust.manage');
    const answer = await askRunner('click-trust', {}, 60000);
    assert(answer === 'clicked', `the runner clicked Trust (${answer})`);
    await Promise.race([
      granted,
      sleep(15000).then(() => {
        throw new Error('onDidGrantWorkspaceTrust did not fire');
      }),
    ]);
    assert(vscode.workspace.isTrusted, 'the workspace is trusted');
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const live = await until(
      () => diags(relayUri).find((d) => codeOf(d) === 'MT504'),
      'live MT504 on relay.mailtopo',
      30000,
    );
    assert(/mx1\.vs\.test/.test(live.message), `MT504 names mx1.vs.test (got '${live.message}')`);
    assert(
      diags(relayUri).some((d) => codeOf(d) === 'MT201'),
      'static diagnostics are still there',
    );
    await until(() => !/off/.test(api!.statusBar.text) && api!.statusBar.text, 'the status bar to leave off', 15000);
    emit({ event: 'status-bar', text: api!.statusBar.text });
  });

  await test('Toggle Live Checks turns them off and on; Re-run Live Checks queues a run', async () => {
    const off = await vscode.commands.executeCommand<{ enabled: boolean }>('mailtopo.toggleLiveChecks');
    assert(off && off.enabled === false, `toggled off (got ${JSON.stringify(off)})`);
    await until(() => /off/.test(api!.statusBar.text), 'the status bar to say off', 10000);
    const on = await vscode.commands.executeCommand<{ enabled: boolean }>('mailtopo.toggleLiveChecks');
    assert(on && on.enabled === true, `toggled on (got ${JSON.stringify(on)})`);
    const r = await vscode.commands.executeCommand<{ queued: number; reason?: string }>('mailtopo.rerunLiveChecks');
    assert(r && r.queued > 0, `a live run was queued (got ${JSON.stringify(r)})`);
    await until(() => /done|checking/.test(api!.statusBar.text), 'the status bar to show the run', 15000);
    await until(() => diags(relayUri).some((d) => codeOf(d) === 'MT504'), 'MT504 back after the re-run', 20000);
  });

  await test('the MT201 quick fix applies and the diagnostic goes away', async () => {
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const d = await until(() => diags(relayUri).find((x) => codeOf(x) === 'MT201'), 'MT201');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      relayUri,
      d.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix =
      actions.find((a) => a.diagnostics?.some((x) => codeOf(x) === 'MT201')) ??
      actions.find((a) => /relay|auth/i.test(a.title));
    assert(fix, `a quick fix for MT201 (got ${actions.map((a) => a.title).join('; ') || 'none'})`);
    emit({ event: 'quickfix', title: fix.title });
    if (fix.edit) assert(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
    if (fix.command)
      await vscode.commands.executeCommand(fix.command.command, ...((fix.command.arguments ?? []) as unknown[]));
    await until(() => !diags(relayUri).some((x) => codeOf(x) === 'MT201'), 'MT201 to go away');
    await doc.save();
  });

  await test('Generate Configuration writes files in a trusted folder', async () => {
    const outDir = path.join(ws.uri.fsPath, 'generated');
    const r = await vscode.commands.executeCommand<GenerateResult>('mailtopo.generateConfiguration', {
      uri: sampleUri.fsPath,
      targets: ['postfix', 'bind'],
      outDir,
      quiet: true,
    });
    assert(r && !r.refused, `not refused (got ${JSON.stringify(r?.refused)}: ${r?.output ?? ''})`);
    assert(r.exitCode === 0, `exit code 0 (got ${r.exitCode}: ${r.output ?? ''})`);
    assert(r.files && r.files.length > 0, 'some files were written');
    for (const f of r.files) assert(fs.existsSync(path.join(outDir, f)), `${f} exists`);
    assert(
      r.files.some((f) => f.startsWith('postfix/')) && r.files.some((f) => f.startsWith('bind/')),
      `postfix and bind output (got ${r.files.join(', ')})`,
    );
    emit({ event: 'generated', files: r.files });
  });

  await test('the Mail Flow Diagram webview opens, draws every node, and reveals a clicked node', async () => {
    const sample = await vscode.workspace.openTextDocument(sampleUri);
    await vscode.window.showTextDocument(sample, vscode.ViewColumn.One);
    await until(() => ext.exports.client.isRunning(), 'client running');
    const panel = await vscode.commands.executeCommand<
      { panel: vscode.WebviewPanel; firstRender: Promise<{ svg: string }> } | undefined
    >('mailtopo.showDiagram');
    assert(panel, 'the command returns the panel');
    const state = await Promise.race([
      panel.firstRender,
      sleep(30000).then(() => {
        throw new Error('no render within 30 s');
      }),
    ]);
    assert(panel.panel.visible, 'the webview is visible');
    assert(panel.panel.viewColumn !== vscode.ViewColumn.One, 'beside the editor');
    const svgText = state.svg
      .replace(/&#45;/g, '-')
      .replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
    for (const n of ['edge1', 'edge2', 'edge3', 'edge-nlb', 'ex1', 'ex2'])
      assert(svgText.includes(`>${n}<`), `the SVG shows ${n}`);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await askRunner('screenshot', { name: 'diagram' });
    const p = api!.diagramFor(sampleUri);
    assert(p, 'diagramFor finds the panel');
    // A real click in the webview (the runner clicks the node in Chromium).
    const answer = await askRunner('click-node', { node: 'ex2' });
    assert(answer === 'clicked', `the runner clicked node ex2 (${answer})`);
    const ed = await until(
      () => {
        const e = vscode.window.activeTextEditor;
        return e &&
          e.document.uri.toString() === sampleUri.toString() &&
          /^server ex2\b/.test(e.document.lineAt(e.selection.active.line).text)
          ? e
          : undefined;
      },
      "the click to reveal 'server ex2'",
      10000,
    );
    assert(p.revealed.includes('ex2'), 'the reveal message came from the webview');
    assert(ed.viewColumn !== p.panel.viewColumn, 'revealed in the editor, not over the diagram');
  });

  await test('the diagram follows the document as it changes', async () => {
    const p = api!.diagramFor(sampleUri);
    assert(p, 'the panel is open');
    const sample = await vscode.workspace.openTextDocument(sampleUri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(
      sampleUri,
      new vscode.Position(sample.lineCount, 0),
      '\ngateway edge9 {\n  role relay\n  route * via=edge-nlb\n}\n',
    );
    assert(await vscode.workspace.applyEdit(edit), 'the edit applies');
    await until(() => p.current.svg.includes('>edge9<'), 'edge9 in the diagram', 15000);
    await vscode.commands.executeCommand('undo');
  });

  await test('Restart Language Server: a warm start (compile cache filled)', async () => {
    const ms = await vscode.commands.executeCommand<number>('mailtopo.restartServer');
    assert(typeof ms === 'number' && ms > 0, `restart returns its time (got ${ms})`);
    emit({ event: 'warm-start', ms });
    await until(() => diags(relayUri).length > 0, 'diagnostics again after the restart');
    assert(!diags(relayUri).some((d) => codeOf(d) === 'MT201'), 'the fixed file stays fixed');
  });

  const failed = results.filter((r) => !r.ok);
  emit({ event: 'done', passed: results.length - failed.length, failed: failed.length });
  if (failed.length) throw new Error(`${failed.length} test(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}
