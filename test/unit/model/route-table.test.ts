// A node's route table keeps a few patterns in a short list and many in Maps
// (model/flow.ts): either way the best route for a domain is the exact name,
// then the longest `*.suffix`, then `*`, and the first route to name a
// pattern wins. Checked against a plain scan of the routes as written.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkText } from '../../../server/src/core/check';
import { bestRoute, deliversTo, starRoute } from '../../../server/src/core/model/flow';
import type { RouteRule } from '../../../server/src/core/model/types';

const LABELS = ['a', 'b', 'c', 'mail', 'corp'];
const label = fc.constantFrom(...LABELS);
const name = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => `${l.join('.')}.example`);
const pattern = fc.oneof(
  name,
  name.map((n) => `*.${n}`),
  fc.constant('*'),
);

/** What LANGUAGE.md says, scanned from the routes as written. */
function reference(routes: RouteRule[], domain: string): RouteRule | undefined {
  const first = (p: string) => routes.find((r) => r.patterns.includes(p));
  const exact = first(domain);
  if (exact) return exact;
  for (let i = domain.indexOf('.'); i >= 0; i = domain.indexOf('.', i + 1)) {
    const r = first(`*${domain.slice(i)}`);
    if (r) return r;
  }
  return first('*');
}

describe('route and mailbox tables: short lists and Maps answer alike', () => {
  it('bestRoute and starRoute equal a scan of the routes, for 1 to 40 patterns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(pattern, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.array(name, { minLength: 1, maxLength: 10 }),
        (routes, domains) => {
          const lines = routes.map((ps, i) => `  route ${ps.join(', ')} via=h${i % 2}`);
          const text = ['server s {', ...lines, '}', 'server h0 {', '}', 'server h1 {', '}', ''].join('\n');
          const s = checkText(text, 't.mailtopo').model.nodes.find((n) => n.name === 's')!;
          assert.equal(s.routes.length, routes.length);
          const star = reference(s.routes, 'no-such-label-anywhere');
          assert.equal(starRoute(s), star, 'read off the routes (no table yet)');
          for (const d of domains) assert.equal(bestRoute(s, d), reference(s.routes, d), `${d} in\n${text}`);
          assert.equal(starRoute(s), star, 'from the table');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('deliversTo follows the same order for mailboxes', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 30 }), fc.array(name, { maxLength: 10 }), (ps, ds) => {
        const text = `server m {\n  role mailbox\n  mailboxes ${ps.join(', ')}\n}\n`;
        const m = checkText(text, 't.mailtopo').model.nodes[0];
        const matches = (d: string) =>
          ps.includes(d) || ps.includes('*') || ps.some((p) => p.startsWith('*.') && d.endsWith(p.slice(1)));
        for (const d of ds) assert.equal(deliversTo(m, d), matches(d), `${d} in ${ps.join(', ')}`);
      }),
      { numRuns: 200 },
    );
  });
});
