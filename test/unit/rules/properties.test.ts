// Property tests: the analysis agrees with brute force on random topologies.
//  - relay: MT201/MT202/MT203 verdicts against first-match evaluation of the
//    rules at sampled addresses (every interval boundary +-1, so exact);
//  - SPOF: MT304/MT306 against removing each node in turn and re-checking
//    reachability with an independent flow evaluator;
//  - dominators against vertex removal on random graphs.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../../server/src/core/check';
import { parseCidr } from '../../../server/src/core/model/addr';
import { dominators } from '../../../server/src/core/model/flow';
import type { Model, NodeDecl } from '../../../server/src/core/model/types';

// ---------------------------------------------------------------------------
// relay

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;
const PRIVATE = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];
interface Iv {
  fam: 4 | 6;
  lo: bigint;
  hi: bigint;
}
const ivOf = (c: string): Iv[] => {
  if (c === 'any')
    return [
      { fam: 4, lo: 0n, hi: V4_MAX },
      { fam: 6, lo: 0n, hi: V6_MAX },
    ];
  const p = parseCidr(c)!;
  return [{ fam: p.family, lo: p.lo, hi: p.hi }];
};
const inAny = (ivs: Iv[], fam: 4 | 6, a: bigint) => ivs.some((i) => i.fam === fam && i.lo <= a && a <= i.hi);
const PRIV_IVS = PRIVATE.flatMap(ivOf);

const FIXED_SOURCES = [
  'any',
  '0.0.0.0/0',
  '0.0.0.0/1',
  '128.0.0.0/1',
  '10.0.0.0/8',
  '192.168.0.0/16',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '::/0',
  '::/1',
  '8000::/1',
  'fc00::/7',
  '2001:db8::/32',
  '0.0.0.0/2',
  '64.0.0.0/2',
  '192.0.0.0/2',
  '10.1.2.3',
  'netA',
];
const v4Cidr = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, p]) => {
  const c = `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${p}`;
  const parsed = parseCidr(c)!;
  const lo = parsed.lo;
  return `${Number((lo >> 24n) & 255n)}.${Number((lo >> 16n) & 255n)}.${Number((lo >> 8n) & 255n)}.${Number(lo & 255n)}/${p}`;
});
const source = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIXED_SOURCES) }, { weight: 2, arbitrary: v4Cidr });
const relayRule = fc.record({
  action: fc.constantFrom('allow', 'deny'),
  auth: fc.constantFrom('none', 'none', 'required'),
  from: fc.array(source, { minLength: 1, maxLength: 3 }),
});
const relayCase = fc.record({
  rules: fc.array(relayRule, { minLength: 1, maxLength: 6 }),
  netA: fc.array(
    fc.oneof(fc.constantFrom('0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8', '::/1', '8000::/1', '203.0.113.0/24'), v4Cidr),
    { minLength: 1, maxLength: 3 },
  ),
  acceptStar: fc.option(fc.array(source, { minLength: 1, maxLength: 2 }), { nil: undefined }),
});

function relayText(c: {
  rules: Array<{ action: string; auth: string; from: string[] }>;
  netA: string[];
  acceptStar?: string[];
}): { text: string; ruleLine: number[]; acceptLine: number } {
  const lines = [
    'network netA {',
    `  cidr ${c.netA.join(', ')}`,
    '}',
    'gateway g {',
    '  role edge',
    '  dnsbl zen.spamhaus.org',
  ];
  const ruleLine: number[] = [];
  for (const r of c.rules) {
    ruleLine.push(lines.length);
    lines.push(`  relay ${r.action} from=${r.from.join(', ')}${r.auth === 'required' ? ' auth=required' : ''}`);
  }
  let acceptLine = -1;
  if (c.acceptStar) {
    acceptLine = lines.length;
    lines.push(`  accept * from=${c.acceptStar.join(', ')}`);
  }
  lines.push('}');
  return { text: lines.join('\n') + '\n', ruleLine, acceptLine };
}

function bruteRelay(c: {
  rules: Array<{ action: string; auth: string; from: string[] }>;
  netA: string[];
  acceptStar?: string[];
}) {
  const expand = (from: string[]) => from.flatMap((s) => (s === 'netA' ? c.netA.flatMap(ivOf) : ivOf(s)));
  const rules = c.rules.map((r) => ({ ...r, ivs: expand(r.from) }));
  const acc = c.acceptStar ? expand(c.acceptStar) : undefined;
  const samples: Array<{ fam: 4 | 6; a: bigint }> = [];
  const seen = new Set<string>();
  const add = (fam: 4 | 6, a: bigint) => {
    const max = fam === 4 ? V4_MAX : V6_MAX;
    if (a < 0n || a > max) return;
    const k = `${fam}:${a}`;
    if (!seen.has(k)) {
      seen.add(k);
      samples.push({ fam, a });
    }
  };
  for (const fam of [4, 6] as const) {
    add(fam, 0n);
    add(fam, fam === 4 ? V4_MAX : V6_MAX);
  }
  for (const iv of [...rules.flatMap((r) => r.ivs), ...PRIV_IVS, ...(acc ?? [])])
    for (const a of [iv.lo - 1n, iv.lo, iv.hi, iv.hi + 1n]) add(iv.fam, a);
  const isPublic = (s: { fam: 4 | 6; a: bigint }) => !inAny(PRIV_IVS, s.fam, s.a);
  const full = (ivs: Iv[]) =>
    ([4, 6] as const).some((fam) => samples.filter((s) => s.fam === fam).every((s) => inAny(ivs, fam, s.a)));
  const open = new Set<number>();
  const pub = new Set<number>();
  for (const s of samples) {
    if (!isPublic(s)) continue;
    const i = rules.findIndex((r) => r.auth === 'none' && inAny(r.ivs, s.fam, s.a));
    if (i < 0 || rules[i].action !== 'allow') continue;
    if (full(rules[i].ivs)) open.add(i);
    else pub.add(i);
  }
  const openAccept = !!acc && full(acc);
  const pubAccept = !!acc && !openAccept && samples.some((s) => isPublic(s) && inAny(acc, s.fam, s.a));
  const unreachable = new Set<number>();
  rules.forEach((r, j) => {
    const canMatch = samples.some(
      (s) =>
        inAny(r.ivs, s.fam, s.a) &&
        !rules.slice(0, j).some((e) => (r.auth === 'required' || e.auth === 'none') && inAny(e.ivs, s.fam, s.a)),
    );
    if (!canMatch) unreachable.add(j);
  });
  const isOpen = open.size > 0 || openAccept;
  return { open, pub: isOpen ? new Set<number>() : pub, pubAccept: !isOpen && pubAccept, openAccept, unreachable };
}

// ---------------------------------------------------------------------------
// SPOF

interface NodeSpec {
  kind: 'gateway' | 'server' | 'pool' | 'external';
  mailbox: boolean;
  route: 'exact' | 'star' | 'suffix' | 'none';
  via: number[];
  direct: boolean;
  outVia: number[];
  outDirect: boolean;
  members: number[];
  scan: 0 | 1 | 2;
}
const nodeSpec = (k: number): fc.Arbitrary<NodeSpec> =>
  fc.record({
    kind: fc.constantFrom('gateway', 'gateway', 'server', 'server', 'pool', 'external'),
    mailbox: fc.boolean(),
    route: fc.constantFrom('exact', 'exact', 'star', 'suffix', 'none'),
    via: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 1, maxLength: 3 }),
    direct: fc.constantFrom(false, false, false, true),
    outVia: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 0, maxLength: 2 }),
    outDirect: fc.boolean(),
    members: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 1, maxLength: 3 }),
    scan: fc.constantFrom(0, 0, 1, 2),
  });
const topoCase = fc.integer({ min: 2, max: 9 }).chain((k) =>
  fc.record({
    nodes: fc.array(nodeSpec(k), { minLength: k, maxLength: k }),
    mx: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: 1, maxLength: 2 }),
    literalMx: fc.constantFrom(false, false, false, false, true),
    scanner: fc.integer({ min: 0, max: k - 1 }),
  }),
);

function topoText(c: { nodes: NodeSpec[]; mx: number[]; literalMx: boolean; scanner: number }): string | undefined {
  const name = (i: number) => `n${i}`;
  const isGS = (i: number) => c.nodes[i].kind === 'gateway' || c.nodes[i].kind === 'server';
  const mx = [...new Set(c.mx)].filter((i) => c.nodes[i].kind !== 'server');
  if (!mx.length && !c.literalMx) return undefined;
  const out: string[] = ['domain example.com {'];
  mx.forEach((i, k) => out.push(`  mx ${10 * (k + 1)} ${name(i)}`));
  if (c.literalMx) out.push('  mx 90 backup.isp.example');
  out.push('}');
  out.push('policy pav {', '  antivirus clamav', '}');
  const scannerOk = isGS(c.scanner);
  out.push(
    'policy pscan {',
    '  antivirus clamav',
    scannerOk ? `  scanner ${name(c.scanner)}` : '  scanner scan.example.net',
    '}',
  );
  c.nodes.forEach((n, i) => {
    const hops = (via: number[], direct: boolean) => [...new Set(via)].map(name).concat(direct ? ['direct'] : []);
    if (n.kind === 'pool') {
      const members = [...new Set(n.members)].filter(isGS);
      out.push(`pool ${name(i)} {`, '  mode round-robin');
      if (members.length) out.push(`  members ${members.map(name).join(', ')}`);
      if (n.scan) out.push(`  scan ${n.scan === 1 ? 'pav' : 'pscan'}`);
      out.push('}');
      return;
    }
    out.push(`${n.kind} ${name(i)} {`);
    if (n.kind === 'external') out.push(`  hostname ${name(i)}.ext.example`);
    else out.push(`  role ${n.kind === 'gateway' ? 'relay' : n.mailbox ? 'mailbox' : 'hub'}`);
    if (n.kind === 'server' && n.mailbox) out.push('  mailboxes example.com');
    const h = hops(n.via, n.direct);
    if (n.route === 'exact') out.push(`  route example.com via=${h.join(', ')}`);
    if (n.route === 'suffix') out.push(`  route *.com via=${h.join(', ')}`);
    if (n.route === 'star') out.push(`  route * via=${h.join(', ')}`);
    else {
      const oh = hops(n.outVia, n.outDirect);
      if (oh.length) out.push(`  route * via=${oh.join(', ')}`);
    }
    if (n.scan && n.kind !== 'external') out.push(`  scan ${n.scan === 1 ? 'pav' : 'pscan'}`);
    out.push('}');
  });
  return out.join('\n') + '\n';
}

// An independent flow evaluator over the model, for brute force.
function matchRoute(n: NodeDecl, domain: string) {
  let best: { r: NodeDecl['routes'][number]; score: number } | undefined;
  for (const r of n.routes)
    for (const p of r.patterns) {
      let score = -1;
      if (p === domain) score = 1e9;
      else if (p === '*') score = 0;
      else if (p.startsWith('*.') && domain.endsWith(p.slice(1)) && domain.length > p.length - 1) score = p.length;
      if (score >= 0 && (!best || score > best.score)) best = { r, score };
    }
  return best?.r;
}
function inboundDelivered(model: Model, killed: Set<NodeDecl>): boolean {
  const d = model.domains[0];
  const seen = new Set<NodeDecl>();
  const stack: NodeDecl[] = [];
  for (const m of d.mx) {
    if (m.target.kind === 'host') continue; // handed off (LANGUAGE.md §4): delivers nothing into your mailboxes
    if (m.target.kind === 'ref' && !killed.has(m.target.decl)) stack.push(m.target.decl);
  }
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.kind === 'server' && n.mailboxes?.patterns.includes('example.com')) return true;
    let next: NodeDecl[];
    if (n.kind === 'pool') next = n.members;
    else {
      const r = matchRoute(n, 'example.com');
      if (!r) continue; // a black hole, or an external that hands the mail off: no delivery into your mailboxes
      next = r.via.filter((h) => h.node).map((h) => h.node!);
    }
    for (const x of next) if (!killed.has(x)) stack.push(x);
  }
  return false;
}
function outboundReaches(start: NodeDecl, killed: Set<NodeDecl>): boolean {
  if (killed.has(start)) return false;
  const seen = new Set<NodeDecl>();
  const stack = [start];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.kind === 'external') return true;
    let next: NodeDecl[];
    if (n.kind === 'pool') next = n.members;
    else {
      const r = n.routes.find((x) => x.patterns.includes('*'));
      if (!r) continue;
      if (r.via.some((h) => h.direct)) return true;
      next = r.via.filter((h) => h.node).map((h) => h.node!);
    }
    for (const x of next) if (!killed.has(x)) stack.push(x);
  }
  return false;
}
/** What fails when this node fails: itself, and every node that applies a policy scanning on it (its own, or its pool's). */
function failureOf(model: Model, x: NodeDecl): Set<NodeDecl> {
  const s = new Set([x]);
  for (const n of model.nodes) {
    const applied = [n.scan?.policy, ...n.pools.map((p) => p.scan?.policy)];
    if (applied.some((p) => p?.scanner?.node === x)) s.add(n);
  }
  return s;
}
const candidate = (n: NodeDecl) => n.kind !== 'external' && (n.kind !== 'pool' || n.members.length < 2);

describe('rules: properties (fast-check)', () => {
  it('open relay / public relay / unreachable rule agree with brute-force first-match evaluation', () => {
    fc.assert(
      fc.property(relayCase, (c) => {
        const { text, ruleLine, acceptLine } = relayText(c);
        const ds = checkText(text, 'p.mailtopo').diagnostics;
        assert.ok(
          !ds.some((d) => d.severity === 'error' && !['MT201'].includes(d.code)),
          ds.map((d) => d.code + d.message).join('\n'),
        );
        const lines = (code: string) => new Set(ds.filter((d) => d.code === code).map((d) => d.range.start.line));
        const b = bruteRelay(c);
        const want201 = new Set([...b.open].map((i) => ruleLine[i]));
        if (b.openAccept) want201.add(acceptLine);
        const want202 = new Set([...b.pub].map((i) => ruleLine[i]));
        if (b.pubAccept) want202.add(acceptLine);
        const want203 = new Set([...b.unreachable].map((i) => ruleLine[i]));
        assert.deepEqual(lines('MT201'), want201, `MT201\n${text}`);
        assert.deepEqual(lines('MT202'), want202, `MT202\n${text}`);
        assert.deepEqual(lines('MT203'), want203, `MT203\n${text}`);
      }),
      { numRuns: 400 },
    );
  });

  it('the relay examples of the issue: "allow from=any" and "allow from=0.0.0.0/1, 128.0.0.0/1" are both open', () => {
    for (const from of [['any'], ['0.0.0.0/1', '128.0.0.0/1']]) {
      const c = { rules: [{ action: 'allow', auth: 'none', from }], netA: ['10.0.0.0/8'] };
      const ds = checkText(relayText(c).text).diagnostics;
      assert.ok(ds.some((d) => d.code === 'MT201'));
      assert.equal(bruteRelay(c).open.size, 1);
    }
  });

  it('single points of failure agree with removing each node in turn (inbound and outbound)', () => {
    let nonTrivial = 0;
    fc.assert(
      fc.property(topoCase, (c) => {
        const text = topoText(c);
        fc.pre(!!text);
        const { model, diagnostics } = checkText(text, 't.mailtopo');
        // inbound
        const got304 = new Set<string>();
        for (const d of diagnostics)
          if (d.code === 'MT304' && d.data?.nodes) for (const n of d.data.nodes as string[]) got304.add(n);
        const want304 = new Set<string>();
        if (inboundDelivered(model, new Set())) {
          for (const x of model.nodes) {
            if (!candidate(x) || (x.kind === 'server' && x.mailboxes?.patterns.includes('example.com'))) continue;
            if (!inboundDelivered(model, failureOf(model, x))) want304.add(x.name);
          }
        }
        assert.deepEqual([...got304].sort(), [...want304].sort(), `MT304\n${text}`);
        // outbound
        for (const m of model.nodes.filter((n) => n.kind === 'server' && n.role === 'mailbox')) {
          const d = diagnostics.find((x) => x.code === 'MT306' && x.range.start.line === m.nameRange.start.line);
          const got = new Set((d?.data?.nodes as string[] | undefined) ?? []);
          const want = new Set<string>();
          if (outboundReaches(m, new Set())) {
            for (const x of model.nodes)
              if (x !== m && candidate(x) && !outboundReaches(m, failureOf(model, x))) want.add(x.name);
          }
          assert.deepEqual([...got].sort(), [...want].sort(), `MT306 of ${m.name}\n${text}`);
          const noPath = diagnostics.some((x) => x.code === 'MT305' && x.range.start.line === m.nameRange.start.line);
          assert.equal(noPath, !outboundReaches(m, new Set()), `MT305 of ${m.name}\n${text}`);
        }
        if (want304.size) nonTrivial++;
      }),
      { numRuns: 400 },
    );
    assert.ok(nonTrivial > 20, `only ${nonTrivial} runs had an inbound SPOF`);
  });

  it('dominators agree with vertex removal on random graphs', () => {
    const graph = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
          maxLength: 30,
        }),
      }),
    );
    fc.assert(
      fc.property(graph, ({ n, edges }) => {
        const succ: number[][] = Array.from({ length: n }, () => []);
        for (const [a, b] of edges) if (!succ[a].includes(b)) succ[a].push(b);
        const reach = (removed: number) => {
          const seen = new Set<number>();
          if (removed === 0) return seen;
          const st = [0];
          seen.add(0);
          while (st.length)
            for (const w of succ[st.pop()!])
              if (w !== removed && !seen.has(w)) {
                seen.add(w);
                st.push(w);
              }
          return seen;
        };
        const all = reach(-1);
        const idom = dominators(n, succ, 0);
        for (let v = 1; v < n; v++) {
          const doms = new Set<number>();
          for (let x = idom[v]; x >= 0; x = idom[x]) doms.add(x);
          if (!all.has(v)) {
            assert.equal(idom[v], -1);
            continue;
          }
          for (let d = 0; d < n; d++) {
            if (d === v) continue;
            const dominates = d === 0 || !reach(d).has(v);
            assert.equal(doms.has(d), dominates, `vertex ${d} dominates ${v}? edges ${JSON.stringify(edges)}`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('rules: robustness', () => {
  it('no rule family fails on broken topologies (random lines of a sample removed or duplicated)', () => {
    const base = `options {
  dnsbl zen.spamhaus.org
}
network corp {
  cidr 10.0.0.0/8
}
domain example.com {
  mx 10 edge-nlb
  mx 20 edge1
  mx none
}
policy av {
  antivirus clamav
  scanner edge2
  licenses 1
  attachments allow exe
}
pool edge-nlb {
  mode balanced
  vip 198.51.100.10
  hostname mail.example.com
  members edge1, edge2, mb1
  scan av
}
gateway edge1 {
  role edge
  accept *.example.com from=corp, undeclared
  relay allow from=corp, missing
  relay deny from=any auth=required
  route example.com via=mb1, nowhere, direct
  route *.example.com via=edge-nlb
  route * via=direct
}
gateway edge2 {
  role relay
  route * via=edge1
}
server mb1 {
  role mailbox
  mailboxes example.com, *.example.com
  route * via=edge-nlb
}
external isp {
  hostname smtp.isp.example
  route example.com via=edge1
}
`;
    const lines = base.split('\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(lines.length - 1), fc.boolean()), { maxLength: 8 }), (ops) => {
        const ls = [...lines];
        for (const [i, dup] of ops) {
          const k = i % ls.length;
          if (dup) ls.splice(k, 0, ls[k]);
          else ls.splice(k, 1);
        }
        const ds = checkText(ls.join('\n'), 'r.mailtopo').diagnostics;
        assert.deepEqual(
          ds.filter((d) => d.code === 'MT000').map((d) => d.message),
          [],
        );
      }),
      { numRuns: 300 },
    );
  });
});
