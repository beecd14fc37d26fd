// Property: admission computed on interval sets (rules/admission.ts) equals a
// brute-force first-match evaluation that tries sample addresses at every
// interval boundary (lo, hi, lo-1, hi+1 of every range involved), on random
// topologies (a gateway or an external with address ranges handing mail to a
// receiver) with random accept and relay rules, with and without auth=yes.
// Between two boundaries every address gets the same answer, so the samples
// decide the whole space exactly.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../../server/src/core/check';
import { parseCidr } from '../../../server/src/core/model/addr';
import { decide } from '../../../server/src/core/rules/admission';
import type { NodeDecl } from '../../../server/src/core/model/types';

const RANGES = [
  'any',
  '0.0.0.0/0',
  '10.0.0.0/8',
  '10.1.0.0/16',
  '10.1.2.0/24',
  '10.1.2.3',
  '10.1.2.4/31',
  '192.168.0.0/16',
  '198.51.100.0/24',
  '198.51.100.7',
  '2001:db8::/32',
  '2001:db8::25',
  'fd00::/8',
  '::/0',
];
const ADDRESSES = ['10.1.2.3', '10.1.2.4', '10.2.0.1', '192.168.1.1', '198.51.100.7', '2001:db8::25', 'fd00::1'];
const EXT_RANGES = ['10.1.2.0/28', '198.51.100.0/25', '2001:db8::/64', '192.168.0.0/24', '10.1.2.3'];

interface Rule {
  action: 'allow' | 'deny';
  auth: 'none' | 'required';
  from: string[];
}
interface Accept {
  pattern: 'example.com' | '*' | '*.example.com' | 'other.example';
  from?: string[];
}
interface Case {
  external: boolean;
  sender: string[];
  auth: boolean;
  accepts: Accept[];
  rules: Rule[];
}

const fromList = fc.uniqueArray(fc.constantFrom(...RANGES), { minLength: 1, maxLength: 3 });
const caseArb: fc.Arbitrary<Case> = fc.boolean().chain((external) =>
  fc.record({
    external: fc.constant(external),
    sender: fc.uniqueArray(fc.constantFrom(...(external ? [...EXT_RANGES, ...ADDRESSES] : ADDRESSES)), {
      minLength: 1,
      maxLength: 3,
    }),
    auth: external ? fc.constant(false) : fc.boolean(),
    accepts: fc.array(
      fc.record({
        pattern: fc.constantFrom(
          'example.com' as const,
          '*' as const,
          '*.example.com' as const,
          'other.example' as const,
        ),
        from: fc.option(fromList, { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
    rules: fc.array(
      fc.record({
        action: fc.constantFrom('allow' as const, 'deny' as const),
        auth: fc.constantFrom('none' as const, 'required' as const),
        from: fromList,
      }),
      { maxLength: 4 },
    ),
  }),
);

function topology(c: Case): string {
  const out = ['domain example.com {', '  mx 10 s', '}'];
  const route = `  route example.com via=rx${c.auth ? ' auth=yes' : ''}`;
  if (c.external)
    out.push('external s {', '  hostname s.partner.example', `  address ${c.sender.join(', ')}`, route, '}');
  else
    out.push(
      'gateway s {',
      '  role relay',
      '  hostname s.example.com',
      `  address ${c.sender.join(', ')}`,
      '  accept example.com',
      route,
      '}',
    );
  out.push('gateway rx {', '  role relay');
  for (const a of c.accepts) out.push(`  accept ${a.pattern}${a.from ? ` from=${a.from.join(', ')}` : ''}`);
  for (const r of c.rules)
    out.push(`  relay ${r.action} from=${r.from.join(', ')}${r.auth === 'required' ? ' auth=required' : ''}`);
  out.push('  route example.com via=mb', '}');
  out.push('server mb {', '  role mailbox', '  address 10.255.0.1', '  mailboxes example.com', '}');
  return out.join('\n') + '\n';
}

interface Range {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
}
const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };
function ranges(text: string): Range[] {
  if (text === 'any')
    return [
      { family: 4, lo: 0n, hi: MAX[4] },
      { family: 6, lo: 0n, hi: MAX[6] },
    ];
  const c = parseCidr(text)!;
  return [{ family: c.family, lo: c.lo, hi: c.hi }];
}
const inList = (list: string[], f: 4 | 6, a: bigint) =>
  list.some((t) => ranges(t).some((r) => r.family === f && r.lo <= a && a <= r.hi));
const matchesDomain = (p: Accept['pattern']) => p === 'example.com' || p === '*';

/** Brute force: the receiver's answer for one address. */
function admits(c: Case, f: 4 | 6, a: bigint): boolean {
  const acc = c.accepts.filter((x) => matchesDomain(x.pattern));
  if (acc.length) return acc.some((x) => inList(x.from ?? ['any'], f, a));
  for (const r of c.rules) {
    if (r.auth === 'required' && !c.auth) continue;
    if (inList(r.from, f, a)) return r.action === 'allow';
  }
  return false;
}

/** Every boundary (and its neighbours) of every range involved, inside the sender's addresses. */
function samples(c: Case): Array<[4 | 6, bigint]> {
  const all = [...c.sender, ...c.accepts.flatMap((x) => x.from ?? ['any']), ...c.rules.flatMap((r) => r.from)];
  const pts = new Map<string, [4 | 6, bigint]>();
  for (const t of all)
    for (const r of ranges(t))
      for (const p of [r.lo - 1n, r.lo, r.hi, r.hi + 1n])
        if (p >= 0n && p <= MAX[r.family] && inList(c.sender, r.family, p)) pts.set(`${r.family}:${p}`, [r.family, p]);
  return [...pts.values()];
}

const contains = (s: { v4: { lo: bigint; hi: bigint }[]; v6: { lo: bigint; hi: bigint }[] }, f: 4 | 6, a: bigint) =>
  (f === 4 ? s.v4 : s.v6).some((iv) => iv.lo <= a && a <= iv.hi);

describe('rules: admission on interval sets equals brute force (fast-check)', () => {
  it('MT315/MT316 and the admitted set agree with first-match evaluation at every boundary', () => {
    let refusedSome = 0;
    let partial = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const text = topology(c);
        const { model, diagnostics } = checkText(text, 'adm.mailtopo');
        const rx = model.byName.get('rx') as NodeDecl;
        const s = model.byName.get('s') as NodeDecl;
        const d = decide(rx, 'example.com', s.addressSet, c.auth);
        let yes = 0;
        let no = 0;
        for (const [f, a] of samples(c)) {
          const want = admits(c, f, a);
          assert.equal(contains(d.admitted, f, a), want, `admitted ${f}:${a}\n${text}`);
          assert.equal(contains(d.refused, f, a), !want, `refused ${f}:${a}\n${text}`);
          if (want) yes++;
          else no++;
        }
        const routeLine = text.split('\n').findIndex((l) => l.startsWith('  route example.com via=rx'));
        const got = diagnostics
          .filter((x) => (x.code === 'MT315' || x.code === 'MT316') && x.range.start.line === routeLine)
          .map((x) => x.code);
        const want = no === 0 ? [] : yes === 0 ? ['MT315'] : ['MT316'];
        assert.deepEqual(got, want, text);
        if (no) refusedSome++;
        if (no && yes) partial++;
      }),
      { numRuns: 400 },
    );
    assert.ok(
      refusedSome > 20 && partial > 10,
      `too few interesting cases: ${refusedSome} refused, ${partial} partial`,
    );
  });
});
