// The diagram webview page that ships in the .vsix: its script compiles, its
// CSP is strict with one nonce, and the embedded state cannot break out of its
// <script> element. (The page is clicked in headless Chromium by test:vscode.)
import { strict as assert } from 'node:assert';
import * as vm from 'node:vm';
import { contentSecurityPolicy, diagramHtml } from '../../client/src/diagramHtml';

describe('diagram webview page', () => {
  const evil = '<svg><title></script><script>alert(1)</script></title></svg>';
  const html = diagramHtml(
    { svg: evil, marks: [{ id: 'a"b', severity: 'error', badges: ['open relay'] }], status: 's', title: '<b>t</b>' },
    'NONCE123',
  );

  it('has a strict CSP with the nonce', () => {
    const csp = contentSecurityPolicy('NONCE123');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-NONCE123'/);
    assert.doesNotMatch(csp, /unsafe|https?:|\*/);
    assert.ok(html.includes(`content="${csp}"`));
  });

  it('its inline script is valid JavaScript', () => {
    const scripts = [...html.matchAll(/<script nonce="NONCE123">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.doesNotThrow(() => new vm.Script(scripts[0])); // compiled, never run
  });

  it('embeds the state as JSON that cannot close its script element', () => {
    const m = /<script type="application\/json" id="initial-state" nonce="NONCE123">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(m);
    assert.ok(!m[1].includes('<'), 'no < inside');
    assert.equal((JSON.parse(m[1]) as { svg: string }).svg, evil);
    assert.ok(html.includes('&lt;b&gt;t&lt;/b&gt;'), 'title escaped');
    assert.equal((html.match(/<script/g) ?? []).length, 2, "only the page's own scripts");
  });
});
