// Show Mail Flow Diagram: a webview beside the editor. The server returns the
// topology's graph as dot text (the same description as `generate --target dot`);
// Graphviz (WASM, in the extension host) renders it to SVG; the page shows it.
// Re-rendered as the document changes and as diagnostics arrive; clicking a
// node reveals its declaration.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  diagramHtml,
  makeNonce,
  type DiagramState,
  type FromWebview,
  type NodeMark,
  type Severity,
  type ToWebview,
} from './diagramHtml';
import { renderSvg } from './graphviz';
import { GraphRequest, type GraphNode, type GraphParams, type GraphResult } from '../../server/src/protocol';

const BADGES: Record<string, string> = {
  MT201: 'open relay',
  MT304: 'single point of failure',
  MT306: 'single point of failure',
};
const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

function severityName(s: vscode.DiagnosticSeverity): Severity {
  return s === vscode.DiagnosticSeverity.Error
    ? 'error'
    : s === vscode.DiagnosticSeverity.Warning
      ? 'warning'
      : s === vscode.DiagnosticSeverity.Information
        ? 'information'
        : 'hint';
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c ?? '');
}

/** Top-level declarations of the document: name -> range of the whole declaration. */
async function declarations(doc: vscode.TextDocument): Promise<Map<string, vscode.Range>> {
  const map = new Map<string, vscode.Range>();
  try {
    const syms = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>(
      'vscode.executeDocumentSymbolProvider',
      doc.uri,
    );
    for (const s of syms ?? []) {
      const range = 'range' in s ? s.range : s.location.range;
      if (!map.has(s.name)) map.set(s.name, range);
    }
  } catch {
    /* no symbol provider yet: fall back to the text below */
  }
  if (map.size === 0) {
    // Fallback: `kind name {` at the start of a line, block to the matching `}`.
    const re = /^[ \t]*(?:network|domain|gateway|pool|server|policy|external)[ \t]+([^\s{};,="#]+)/gm;
    const text = doc.getText();
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = doc.positionAt(m.index);
      map.set(m[1], new vscode.Range(start, doc.lineAt(start.line).range.end));
    }
  }
  return map;
}

export class DiagramPanel implements vscode.Disposable {
  static readonly viewType = 'mailtopo.diagram';
  private static readonly panels = new Map<string, DiagramPanel>();

  static show(client: LanguageClient, output: vscode.OutputChannel, doc: vscode.TextDocument): DiagramPanel {
    const key = doc.uri.toString();
    const existing = DiagramPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.refresh();
      return existing;
    }
    const p = new DiagramPanel(client, output, doc);
    DiagramPanel.panels.set(key, p);
    return p;
  }

  static forUri(uri: vscode.Uri): DiagramPanel | undefined {
    return DiagramPanel.panels.get(uri.toString());
  }

  static disposeAll(): void {
    for (const p of [...DiagramPanel.panels.values()]) p.dispose();
  }

  readonly panel: vscode.WebviewPanel;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nodes: GraphNode[] = [];
  private generation = 0;
  private state: DiagramState;
  /** Resolves after the first render was posted to the page. */
  readonly firstRender: Promise<DiagramState>;
  private resolveFirst!: (s: DiagramState) => void;
  /** Node ids revealed through clicks (for tests and the log). */
  readonly revealed: string[] = [];
  private readonly editorColumn: vscode.ViewColumn | undefined;

  private constructor(
    private readonly client: LanguageClient,
    private readonly output: vscode.OutputChannel,
    private doc: vscode.TextDocument,
  ) {
    this.firstRender = new Promise((r) => {
      this.resolveFirst = r;
    });
    this.editorColumn = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn;
    const title = `Mail Flow: ${vscode.workspace.asRelativePath(doc.uri, false)}`;
    this.panel = vscode.window.createWebviewPanel(
      DiagramPanel.viewType,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableForms: false,
        localResourceRoots: [],
        retainContextWhenHidden: false,
      },
    );
    this.state = { svg: '', marks: [], status: 'drawing…', title };
    this.panel.webview.html = diagramHtml(this.state, makeNonce());
    this.subs.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.doc.uri.toString()) this.schedule(300);
      }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === this.doc.uri.toString())) this.schedule(150);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.toString() === this.doc.uri.toString()) this.doc = d;
      }),
    );
    void this.refresh();
  }

  get current(): DiagramState {
    return this.state;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, ms);
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    try {
      const params: GraphParams = { uri: this.doc.uri.toString() };
      const graph = await this.client.sendRequest<GraphResult | null>(GraphRequest, params);
      if (gen !== this.generation) return;
      if (!graph || graph.nodes.length === 0) {
        this.post({
          ...this.state,
          svg: '',
          marks: [],
          status: 'Nothing to draw: the file declares no mail node yet.',
        });
        return;
      }
      const svg = await renderSvg(graph.dot);
      if (gen !== this.generation) return;
      this.nodes = graph.nodes ?? [];
      const marks = await this.marks();
      const errs = marks.filter((m) => m.severity === 'error').length;
      const status = `updated ${new Date().toLocaleTimeString()}${errs ? ` · ${errs} node${errs === 1 ? '' : 's'} with errors` : ''}`;
      this.post({ ...this.state, svg, marks, status });
    } catch (e) {
      if (gen !== this.generation) return;
      const msg = (e as Error)?.message ?? String(e);
      this.output.appendLine(`[diagram] ${msg}`);
      this.post({ ...this.state, status: `Showing the last diagram that could be drawn (${msg}).` });
    }
  }

  private post(state: DiagramState): void {
    this.state = state;
    const msg: ToWebview = { type: 'update', state };
    void this.panel.webview.postMessage(msg);
    if (state.svg) this.resolveFirst(state);
  }

  /** Each node's worst diagnostic, and badges for open relays and single points of failure. */
  private async marks(): Promise<NodeMark[]> {
    const decls = await declarations(this.doc);
    const idOf = new Map<string, string>();
    for (const n of this.nodes) idOf.set(n.name, n.id);
    const marks = new Map<string, NodeMark>();
    for (const n of this.nodes) if (n.range) marks.set(n.id, { id: n.id, badges: [], messages: [] });
    for (const d of vscode.languages.getDiagnostics(this.doc.uri)) {
      for (const [name, range] of decls) {
        if (!range.contains(d.range.start)) continue;
        const id = idOf.get(name) ?? name;
        const m = marks.get(id) ?? { id, badges: [], messages: [] };
        const sev = severityName(d.severity);
        if (!m.severity || RANK[sev] < RANK[m.severity]) m.severity = sev;
        const badge = BADGES[codeOf(d)];
        if (badge && !m.badges!.includes(badge)) m.badges!.push(badge);
        if (sev === 'error' || sev === 'warning') m.messages!.push(`${codeOf(d)} ${d.message}`);
        marks.set(id, m);
      }
    }
    return [...marks.values()];
  }

  private onMessage(m: FromWebview): void {
    if (m.type === 'ready') {
      if (this.state.svg)
        void this.panel.webview.postMessage({ type: 'update', state: this.state } satisfies ToWebview);
    } else if (m.type === 'reveal' && typeof m.id === 'string') {
      void this.reveal(m.id);
    }
  }

  async reveal(id: string): Promise<vscode.Range | undefined> {
    this.revealed.push(id);
    const node = this.nodes.find((n) => n.id === id) ?? this.nodes.find((n) => n.name === id);
    let uri = this.doc.uri;
    let range: vscode.Range | undefined;
    if (node?.range) {
      if (node.uri) uri = vscode.Uri.parse(node.uri);
      range = new vscode.Range(
        node.range.start.line,
        node.range.start.character,
        node.range.end.line,
        node.range.end.character,
      );
    } else if (!node || (node.kind !== 'internet' && node.kind !== 'host')) {
      const decls = await declarations(this.doc);
      const r = decls.get(node ? node.name : id);
      if (r) range = new vscode.Range(r.start, r.start);
    }
    if (!range) return undefined;
    const doc = await vscode.workspace.openTextDocument(uri);
    const ed = await vscode.window.showTextDocument(doc, {
      viewColumn: this.editorColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
      selection: range,
    });
    ed.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return range;
  }

  dispose(): void {
    DiagramPanel.panels.delete(this.doc.uri.toString());
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subs) d.dispose();
    this.subs.length = 0;
    this.panel.dispose();
  }
}
