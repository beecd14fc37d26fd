// The Mail Flow Diagram webview page. Pure (no `vscode` import) so the page can
// be rendered and clicked in headless Chromium without VS Code.
//
// The extension host renders the topology's dot text to SVG with Graphviz (WASM)
// and posts it here; the page sanitizes it, shows it, marks nodes by their
// worst diagnostic, and posts {type:'reveal', id} when a node is clicked.
// Content-Security-Policy: nothing may load; only this page's nonce'd script
// and style run. Works offline.

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface NodeMark {
  /** The node's id in the dot text (the SVG node's <title>). Every declared node has a mark; no severity = no finding. */
  id: string;
  severity?: Severity;
  /** Short badges: 'open relay', 'single point of failure'. */
  badges?: string[];
  /** Tooltip lines (diagnostic messages). */
  messages?: string[];
}

export interface DiagramState {
  svg: string;
  marks: NodeMark[];
  /** One line under the diagram: 'updated 12:03:04', or why it is stale. */
  status: string;
  title: string;
}

/** Messages the page posts to the extension. */
export type FromWebview = { type: 'ready' } | { type: 'reveal'; id: string };
/** Messages the extension posts to the page. */
export type ToWebview = { type: 'update'; state: DiagramState };

export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** JSON that is safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    'img-src data:',
    "font-src 'none'",
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

// The page's style: VS Code's theme variables where it has them, fixed colours
// for the severity marks (the diagram paper stays white in every theme).
const STYLE = `  :root { color-scheme: light dark; }
  body { margin: 0; padding: 8px 12px; font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: var(--vscode-font-size, 13px);
         color: var(--vscode-foreground, #333); background: var(--vscode-editor-background, #fff); }
  header { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; margin-bottom: 6px; }
  header h1 { font-size: 1.1em; margin: 0; font-weight: 600; }
  #status { opacity: 0.8; }
  #legend { display: flex; gap: 10px; font-size: 0.9em; opacity: 0.9; }
  #legend span::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
  #legend .l-error::before { background: #e51400; }
  #legend .l-warning::before { background: #bf8803; }
  #legend .l-ok::before { background: #388a34; }
  #paper { background: #fff; border-radius: 6px; padding: 8px; overflow: auto; }
  #paper svg { display: block; margin: 0 auto; }
  #paper.fit svg { max-width: 100%; height: auto; }
  #zoom { margin-left: auto; font: inherit; color: var(--vscode-button-secondaryForeground, #333); background: var(--vscode-button-secondaryBackground, #e5e5e5);
          border: none; border-radius: 3px; padding: 2px 8px; cursor: pointer; }
  #zoom:hover { background: var(--vscode-button-secondaryHoverBackground, #d5d5d5); }
  #paper svg g.graph > polygon { fill: #fff; }
  #paper g.node { cursor: pointer; }
  #paper g.node:hover polygon, #paper g.node:hover ellipse, #paper g.node:hover path { stroke-width: 2.5px; }
  #paper g.node:focus { outline: none; }
  #paper g.node:focus polygon, #paper g.node:focus ellipse, #paper g.node:focus path { stroke: #007acc; stroke-width: 3px; }
  #paper g.node.sev-error > polygon, #paper g.node.sev-error > ellipse, #paper g.node.sev-error > path { stroke: #e51400; stroke-width: 3px; }
  #paper g.node.sev-warning > polygon, #paper g.node.sev-warning > ellipse, #paper g.node.sev-warning > path { stroke: #bf8803; stroke-width: 3px; }
  #paper g.node.sev-ok > polygon, #paper g.node.sev-ok > ellipse, #paper g.node.sev-ok > path { stroke: #388a34; stroke-width: 1.5px; }
  #paper g.node text.badge { font: bold 9px sans-serif; fill: #e51400; }
  #empty { padding: 24px; opacity: 0.8; }
`;

// The page's script (plain ES5, no modules: it runs as the webview's inline
// script): sanitize the SVG, mark nodes by severity, post reveal on click.
const PAGE_SCRIPT = `(function () {
  'use strict';
  var vscode = acquireVsCodeApi();
  var paper = document.getElementById('paper');
  var statusEl = document.getElementById('status');
  var titleEl = document.getElementById('title');
  var SVG_NS = 'http://www.w3.org/2000/svg';

  function sanitize(root) {
    var bad = root.querySelectorAll('script, foreignObject, iframe, object, embed, use');
    for (var i = 0; i < bad.length; i++) bad[i].parentNode.removeChild(bad[i]);
    var all = [root].concat(Array.prototype.slice.call(root.querySelectorAll('*')));
    for (var j = 0; j < all.length; j++) {
      var attrs = Array.prototype.slice.call(all[j].attributes);
      for (var k = 0; k < attrs.length; k++) {
        var n = attrs[k].name.toLowerCase();
        if (n.indexOf('on') === 0 || n === 'href' || n === 'xlink:href' || n === 'style') all[j].removeAttribute(attrs[k].name);
      }
    }
  }

  function nodeId(g) {
    var t = g.querySelector('title');
    return t ? t.textContent : '';
  }

  function applyMarks(svg, marks) {
    var byId = {};
    for (var i = 0; i < marks.length; i++) byId[marks[i].id] = marks[i];
    var nodes = svg.querySelectorAll('g.node');
    for (var j = 0; j < nodes.length; j++) {
      var g = nodes[j];
      var id = nodeId(g);
      var m = byId[id];
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('data-node', id);
      // Declared nodes get a mark (built-ins such as the internet get none).
      if (m) g.classList.add(m.severity === 'error' ? 'sev-error' : m.severity === 'warning' ? 'sev-warning' : 'sev-ok');
      var label = id;
      if (m && m.badges && m.badges.length) {
        label += ' (' + m.badges.join(', ') + ')';
        var box = g.getBBox ? g.getBBox() : null;
        var tx = document.createElementNS(SVG_NS, 'text');
        tx.setAttribute('class', 'badge');
        tx.setAttribute('text-anchor', 'middle');
        if (box) { tx.setAttribute('x', String(box.x + box.width / 2)); tx.setAttribute('y', String(box.y - 3)); }
        tx.textContent = '\\u26a0 ' + m.badges.join(', ');
        g.appendChild(tx);
      }
      if (m && m.messages && m.messages.length) label += ': ' + m.messages.join('; ');
      g.setAttribute('aria-label', label);
      var title = g.querySelector('title');
      if (title && m && m.messages && m.messages.length) title.textContent = id + '\\n' + m.messages.join('\\n');
      if (title) title.setAttribute('data-id', id);
    }
  }

  function show(state) {
    titleEl.textContent = state.title;
    statusEl.textContent = state.status || '';
    if (!state.svg) { paper.innerHTML = '<div id="empty">Nothing to draw yet.</div>'; return; }
    var doc = new DOMParser().parseFromString(state.svg, 'image/svg+xml');
    var svg = doc.documentElement;
    if (!svg || svg.nodeName.toLowerCase() !== 'svg' || doc.getElementsByTagName('parsererror').length) {
      statusEl.textContent = 'The diagram could not be drawn.';
      return;
    }
    sanitize(svg);
    var node = document.importNode(svg, true);
    paper.replaceChildren(node);
    applyMarks(node, state.marks || []);
    vscode.setState(state);
  }

  function reveal(target) {
    var g = target && target.closest ? target.closest('g.node') : null;
    if (!g) return;
    var id = g.getAttribute('data-node') || nodeId(g);
    vscode.postMessage({ type: 'reveal', id: id });
  }

  var zoom = document.getElementById('zoom');
  zoom.addEventListener('click', function () {
    var fit = paper.classList.toggle('fit');
    zoom.textContent = fit ? 'Actual size' : 'Fit to panel';
  });
  paper.addEventListener('click', function (e) { reveal(e.target); });
  paper.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); reveal(e.target); } });
  window.addEventListener('message', function (e) {
    var m = e.data;
    if (m && m.type === 'update' && m.state) show(m.state);
  });

  var initial = JSON.parse(document.getElementById('initial-state').textContent);
  show(vscode.getState() && !initial.svg ? vscode.getState() : initial);
  vscode.postMessage({ type: 'ready' });
})();
`;

/** The title bar: the title, a live status line, the legend and the zoom toggle. */
function headerHtml(title: string): string {
  return `<header>
  <h1 id="title">${escapeHtml(title)}</h1>
  <span id="status" role="status" aria-live="polite"></span>
  <span id="legend"><span class="l-error">error</span><span class="l-warning">warning</span><span class="l-ok">no finding</span></span>
  <button id="zoom" type="button" title="Switch between fitting the diagram to the panel and its actual size">Actual size</button>
</header>
`;
}

export function diagramHtml(state: DiagramState, nonce: string = makeNonce()): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(state.title)}</title>
<style nonce="${nonce}">
${STYLE}</style>
</head>
<body>
${headerHtml(state.title)}<div id="paper" class="fit" role="img" aria-label="Mail flow diagram"></div>
<script type="application/json" id="initial-state" nonce="${nonce}">${scriptJson(state)}</script>
<script nonce="${nonce}">
${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
