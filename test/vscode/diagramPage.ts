// The diagram webview page, without VS Code: the bundled language server
// (over stdio) gives a sample's graph, Graphviz (WASM) renders it in Node, the
// page from client/src/diagramHtml.ts is loaded in headless Chromium with a
// stand-in for acquireVsCodeApi. Asserts every node and edge of the sample is in
// the DOM, nodes carry their marks, a click and Enter post the reveal message,
// and the strict CSP blocks nothing the page needs. Keeps a PNG screenshot.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { diagramHtml, makeNonce, type DiagramState, type NodeMark } from '../../client/src/diagramHtml';
import { graphElements, renderSvg } from '../../client/src/graphviz';
import { GraphRequest, type GraphResult } from '../../server/src/protocol';
import type { Browser, Page } from './browser';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface PageResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** A document's graph from the bundled language server, over stdio. */
export async function graphFromServer(file: string): Promise<GraphResult> {
  const server = path.join(ROOT, 'dist', 'server.cjs');
  if (!existsSync(server))
    throw new Error('dist/server.cjs is missing: run `node esbuild.mjs` (the language server must exist)');
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  conn.onNotification(() => {
    /* diagnostics, status: not needed here */
  });
  conn.onRequest(() => null); // workspace/configuration, registerCapability, ...
  conn.listen();
  // Never hang: a server that exits or stalls fails the request.
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    child.on('exit', (code, sig) => reject(new Error(`the language server exited (${code ?? sig}) before answering`)));
    child.on('error', reject);
    timer = setTimeout(() => {
      reject(new Error('the language server did not answer within 30 s'));
      child.kill('SIGKILL');
    }, 30000);
  });
  failed.catch(() => undefined);
  const req = <T>(method: string, params?: unknown): Promise<T> =>
    Promise.race([conn.sendRequest<T>(method, params), failed]);
  try {
    const uri = pathToFileURL(file).href;
    await req('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(path.dirname(file)).href,
      capabilities: {},
      workspaceFolders: [{ uri: pathToFileURL(path.dirname(file)).href, name: 'samples' }],
      initializationOptions: { trusted: false },
    });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'mailtopo', version: 1, text: readFileSync(file, 'utf8') },
    });
    const g = await req<GraphResult | null>(GraphRequest, { uri });
    if (!g) throw new Error(`no graph for ${file}`);
    await Promise.race([req('shutdown'), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
    await conn.sendNotification('exit').catch(() => undefined);
    return g;
  } catch (e) {
    throw new Error(`${(e as Error).message}${stderr ? `\nserver stderr: ${stderr.slice(0, 2000)}` : ''}`, {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
    conn.dispose();
    setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    }, 2000).unref();
  }
}

const STUB = `window.__posted = [];
window.acquireVsCodeApi = function () {
  var state;
  return { postMessage: function (m) { window.__posted.push(m); }, getState: function () { return state; }, setState: function (s) { state = s; } };
};`;

async function loadPage(
  browser: Browser,
  state: DiagramState,
): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text()))
      problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(STUB);
  await page.goto('about:blank'); // init scripts run on navigation; setContent then writes into this document
  await page.setContent(diagramHtml(state, makeNonce()), { waitUntil: 'load' });
  try {
    await page.locator('#paper svg').waitFor({ state: 'attached', timeout: 10000 });
  } catch (e) {
    await ctx.close();
    throw new Error(`${(e as Error).message.split('\n')[0]}; page problems: ${problems.join(' | ') || 'none'}`, {
      cause: e,
    });
  }
  return { page, problems, close: () => ctx.close() };
}

async function check(name: string, results: PageResult[], fn: () => Promise<void>, timeoutMs = 60000): Promise<void> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    results.push({ name, ok: true, ms: Date.now() - t0 });
  } catch (e) {
    results.push({ name, ok: false, ms: Date.now() - t0, error: (e as Error)?.stack ?? String(e) });
  } finally {
    clearTimeout(timer);
  }
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

export async function runDiagramPageTests(
  browser: Browser,
  opts: { sample: string; artifacts: string; images?: string },
): Promise<PageResult[]> {
  const results: PageResult[] = [];
  mkdirSync(opts.artifacts, { recursive: true });
  let graph: GraphResult | undefined;
  await check(`the language server answers mailtopo/graph for ${path.basename(opts.sample)}`, results, async () => {
    graph = await graphFromServer(opts.sample);
    assert(graph.nodes.length > 0, 'the graph has nodes');
    assert(graph.edges.length > 0, 'the graph has edges');
  });
  if (!graph) return results;
  const g = graph;
  const dot = g.dot;
  const svg = await renderSvg(dot);
  const laidOut = await graphElements(dot);
  writeFileSync(path.join(opts.artifacts, 'diagram.dot'), dot);
  const firstMember = g.nodes.find((n) => n.kind === 'gateway') ?? g.nodes[0];
  const declared = g.nodes.filter((n) => n.range);
  const marks: NodeMark[] = declared.map((n) =>
    n.id === firstMember.id
      ? { id: n.id, severity: 'error', badges: ['open relay'], messages: ['MT201 open relay (test mark)'] }
      : { id: n.id },
  );
  const state: DiagramState = {
    svg,
    marks,
    status: 'updated (test)',
    title: `Mail Flow: ${path.basename(opts.sample)}`,
  };
  let loaded: Awaited<ReturnType<typeof loadPage>> | undefined;
  await check('the diagram page loads under its CSP and draws the SVG', results, async () => {
    loaded = await loadPage(browser, state);
  });
  if (!loaded) return results;
  const { page, problems, close } = loaded;
  try {
    await check('every node and edge of the sample is in the diagram page DOM', results, async () => {
      // Browser-side code as strings: the project's type-check has no DOM library.
      const dom = await page.evaluate<{ nodes: string[]; edges: string[]; texts: string[] }>(`({
        nodes: Array.from(document.querySelectorAll('#paper g.node')).map((e) => e.getAttribute('data-node') || ''),
        edges: Array.from(document.querySelectorAll('#paper g.edge > title')).map((e) => e.textContent || ''),
        texts: Array.from(document.querySelectorAll('#paper g.node text')).map((e) => e.textContent || ''),
      })`);
      for (const n of laidOut.nodes)
        assert(dom.nodes.includes(n), `node ${n} in the DOM (have ${dom.nodes.join(', ')})`);
      for (const e of laidOut.edges) assert(dom.edges.includes(e), `edge ${e} in the DOM`);
      assert(
        dom.edges.length === laidOut.edges.length,
        `as many edges in the DOM (${dom.edges.length}) as laid out (${laidOut.edges.length})`,
      );
      for (const n of g.nodes) {
        assert(dom.nodes.includes(n.id), `graph node ${n.id} is drawn`);
        assert(
          dom.texts.some((t) => t === n.lines[0]),
          `its label '${n.lines[0]}' is shown`,
        );
      }
      assert(
        dom.edges.length >= g.edges.length,
        `every graph edge is drawn (${dom.edges.length} >= ${g.edges.length})`,
      );
    });

    await check('nodes carry their worst-diagnostic mark and badges', results, async () => {
      const cls = await page.evaluate<{ cls: string | null; badge: string; label: string | null } | null>(`(() => {
        const el = document.querySelector('#paper g.node[data-node="' + CSS.escape(${JSON.stringify(firstMember.id)}) + '"]');
        return el ? { cls: el.getAttribute('class'), badge: (el.querySelector('text.badge') || {}).textContent || '', label: el.getAttribute('aria-label') } : null;
      })()`);
      assert(cls, `node ${firstMember.id} found`);
      assert(/sev-error/.test(cls.cls ?? ''), `class sev-error (got ${cls.cls})`);
      assert(/open relay/.test(cls.badge), `badge 'open relay' (got '${cls.badge}')`);
      const others = await page.evaluate<number>(`document.querySelectorAll('#paper g.node.sev-ok').length`);
      assert(
        others === declared.length - 1,
        `the other declared nodes are marked ok (${others} of ${declared.length - 1})`,
      );
      const unmarked = await page.evaluate<number>(
        `document.querySelectorAll('#paper g.node:not(.sev-ok):not(.sev-error):not(.sev-warning)').length`,
      );
      assert(unmarked === laidOut.nodes.length - declared.length, `built-in nodes carry no mark (${unmarked})`);
    });

    await check('clicking a node posts the reveal message; Enter on a focused node too', results, async () => {
      const target = g.nodes.find((n) => n.kind === 'server') ?? g.nodes[g.nodes.length - 1];
      const sel = `#paper g.node[data-node="${target.id.replace(/"/g, '\\"')}"]`;
      await page.locator(sel).click({ timeout: 5000 });
      let posted = await page.evaluate<unknown[]>('window.__posted');
      assert(
        posted.some((m) => JSON.stringify(m) === JSON.stringify({ type: 'reveal', id: target.id })),
        `reveal ${target.id} posted (got ${JSON.stringify(posted)})`,
      );
      const other = g.nodes.find((n) => n.id !== target.id && n.range) ?? g.nodes[0];
      const loc = page.locator(`#paper g.node[data-node="${other.id.replace(/"/g, '\\"')}"]`);
      await loc.focus();
      await loc.press('Enter');
      posted = await page.evaluate<unknown[]>('window.__posted');
      assert(
        posted.some((m) => JSON.stringify(m) === JSON.stringify({ type: 'reveal', id: other.id })),
        `Enter posts reveal ${other.id}`,
      );
      assert(posted[0] && JSON.stringify(posted[0]) === JSON.stringify({ type: 'ready' }), 'the page said ready first');
    });

    await check('an update message redraws the page; the strict CSP blocks nothing it needs', results, async () => {
      const small = await renderSvg('digraph { "only" -> "two" }');
      const post = (st: DiagramState) =>
        page.evaluate(`window.postMessage(${JSON.stringify({ type: 'update', state: st })}, '*')`);
      await post({ ...state, svg: small, marks: [], status: 'redrawn' });
      await page.locator('#paper g.node[data-node="only"]').waitFor({ state: 'attached', timeout: 5000 });
      const status = await page.evaluate<string>(`document.getElementById('status').textContent`);
      assert(status === 'redrawn', `status line updated (got ${status})`);
      const csp = await page.evaluate<string>(
        `document.querySelector('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')`,
      );
      assert(/default-src 'none'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `strict CSP (${csp})`);
      assert(problems.length === 0, `no console error or CSP violation (got ${problems.join(' | ')})`);
      // Put the sample back, without the test mark, for the screenshot.
      await post({ ...state, marks: declared.map((n) => ({ id: n.id })), status: '' });
      await page
        .locator(`#paper g.node[data-node="${firstMember.id.replace(/"/g, '\\"')}"]`)
        .waitFor({ state: 'attached', timeout: 5000 });
    });

    const shot = path.join(opts.artifacts, 'diagram-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (opts.images) {
      mkdirSync(opts.images, { recursive: true });
      copyFileSync(shot, path.join(opts.images, 'diagram.png'));
    }
  } finally {
    await close();
  }
  return results;
}
