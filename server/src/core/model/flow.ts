// The mail-flow model the analysis rules share (LANGUAGE.md §4): route
// matching (exact > longest *.suffix > *), relay sources as complete address
// sets, what makes a node internet-facing, the inbound flow graph of every
// domain (internet -> MX targets -> pools expanded -> routes -> mailboxes),
// the outbound graph (mailbox servers -> `*` routes -> direct / externals),
// dominators (Lengauer-Tarjan) for single points of failure, and set cuts for
// shared scanner hosts. Everything is linear or near-linear in the size of the
// graph: no path is ever enumerated.
//
// The result is computed once per Model and cached (rule families share it).
import type { Range, RelatedInfo } from '../diagnostic';
import type { Statement } from '../syntax/ast';
import { appended, NONE } from '../arrays';
import {
  AddrSetBuilder,
  anySet,
  covers,
  emptySet,
  hasPublic,
  parseCidr,
  subtract,
  union,
  type AddrSet,
  type Interval,
} from './addr';
import type {
  DomainDecl,
  Model,
  MxRecord,
  NetSource,
  NodeDecl,
  PolicyDecl,
  PoolSource,
  RecipientCheck,
  RouteRule,
} from './types';

// ---------------------------------------------------------------------------
// Small helpers over declarations

/** The first statement with this keyword in a declaration's block. */
export function findStmt(decl: { stmt: Statement }, keyword: string): Statement | undefined {
  return decl.stmt.block?.statements.find((s) => s.keyword.text === keyword);
}

/** Normalize a domain or pattern for comparison. */
export function normDomain(s: string): string {
  const l = s.toLowerCase();
  return l.charCodeAt(l.length - 1) === 46 ? l.slice(0, -1) : l;
}

/** `*` matches everything; `*.example.com` matches `a.example.com` (not `example.com`); otherwise exact. */
export function patternMatches(pattern: string, domain: string): boolean {
  const p = normDomain(pattern);
  const d = normDomain(domain);
  if (p === '*') return true;
  if (p.startsWith('*.')) {
    const suf = p.slice(1);
    return d.length > suf.length && d.endsWith(suf);
  }
  return p === d;
}

export function anyPatternMatches(patterns: string[], domain: string): boolean {
  for (const p of patterns) if (patternMatches(p, domain)) return true;
  return false;
}

/**
 * Patterns compiled for lookup: exact names, `*.suffix` keyed by ".suffix",
 * and `*`. Most nodes have a route or two: their names stay in a short list
 * (a Map is a few hundred bytes, and every node keeps its table); a node with
 * many gets Maps.
 */
interface PatternTable<T> {
  exact: Map<string, T> | Array<string | T>;
  suffix: Map<string, T> | Array<string | T>;
  star?: T;
}

/** Above this many names a list becomes a Map. */
const SHORT = 8;

function getIn<T>(m: Map<string, T> | Array<string | T>, k: string): T | undefined {
  if (!Array.isArray(m)) return m.get(k);
  for (let i = 0; i < m.length; i += 2) if (m[i] === k) return m[i + 1] as T;
  return undefined;
}

/** The first pattern wins: a later duplicate is ignored. */
function putIn<T>(m: Map<string, T> | Array<string | T>, k: string, v: T): Map<string, T> | Array<string | T> {
  if (getIn(m, k) !== undefined) return m;
  if (!Array.isArray(m)) return m.set(k, v);
  if (m.length < 2 * SHORT) return appended(appended(m, k), v);
  const map = new Map<string, T>();
  for (let i = 0; i < m.length; i += 2) map.set(m[i] as string, m[i + 1] as T);
  return map.set(k, v);
}

function newTable<T>(): PatternTable<T> {
  return { exact: NONE, suffix: NONE, star: undefined };
}

function addPattern<T>(t: PatternTable<T>, raw: string, v: T): void {
  const p = normDomain(raw);
  if (p === '*') {
    if (t.star === undefined) t.star = v;
  } else if (p.startsWith('*.')) t.suffix = putIn(t.suffix, p.slice(1), v);
  else t.exact = putIn(t.exact, p, v);
}

/** Best match for a normalized domain: exact, then the longest `*.suffix`, then `*`. */
function lookup<T>(t: PatternTable<T>, d: string): T | undefined {
  const ex = getIn(t.exact, d);
  if (ex !== undefined) return ex;
  if (Array.isArray(t.suffix) ? t.suffix.length : t.suffix.size) {
    // Longest suffix first: the one starting at the first dot.
    for (let i = d.indexOf('.'); i >= 0; i = d.indexOf('.', i + 1)) {
      const r = getIn(t.suffix, d.slice(i));
      if (r !== undefined) return r;
    }
  }
  return t.star;
}

type RouteTable = PatternTable<RouteRule>;
const routeTables = new WeakMap<NodeDecl, RouteTable>();
const mailboxTables = new WeakMap<NodeDecl, PatternTable<true>>();

function routeTable(n: NodeDecl): RouteTable {
  let t = routeTables.get(n);
  if (t) return t;
  t = newTable();
  for (const r of n.routes) for (const raw of r.patterns) addPattern(t, raw, r);
  routeTables.set(n, t);
  return t;
}

/** The node's best-matching route for a recipient domain: exact, then the longest `*.suffix`, then `*`. */
export function bestRoute(n: NodeDecl, domain: string): RouteRule | undefined {
  return n.routes.length ? lookup(routeTable(n), normDomain(domain)) : undefined;
}

/** The `*` route: what outbound mail (a recipient outside the accepted domains) follows. */
export function starRoute(n: NodeDecl): RouteRule | undefined {
  return routeTable(n).star;
}

/** A server whose `mailboxes` cover the domain (final delivery). */
export function deliversTo(n: NodeDecl, domain: string): boolean {
  if (n.kind !== 'server' || !n.mailboxes) return false;
  let t = mailboxTables.get(n);
  if (!t) {
    t = newTable();
    for (const p of n.mailboxes.patterns) addPattern(t, p, true);
    mailboxTables.set(n, t);
  }
  return lookup(t, normDomain(domain)) === true;
}

export function isMailboxServer(n: NodeDecl): boolean {
  return n.kind === 'server' && n.role === 'mailbox';
}

/** The policy a node applies with `scan`, if any. */
export function scanPolicy(n: NodeDecl): PolicyDecl | undefined {
  return n.scan?.policy;
}

/**
 * Every policy a node applies: its own `scan`, and the `scan` of each pool it
 * is a member of (a pool's policy is "a policy every member applies"). For a
 * pool: its own `scan`.
 */
export function appliedPolicies(n: NodeDecl): PolicyDecl[] {
  const out: PolicyDecl[] = [];
  if (n.scan) out.push(n.scan.policy);
  for (const p of n.pools) if (p.scan && !out.includes(p.scan.policy)) out.push(p.scan.policy);
  return out;
}

/** Mail through this node (or reached through this pool) is virus-scanned. */
export function scansForViruses(n: NodeDecl): boolean {
  if (n.scan?.policy.antivirus) return true;
  for (const p of n.pools) if (p.scan?.policy.antivirus) return true;
  return false;
}

/** Scanner hosts (declared, not external) of the policies a node applies. */
function scannersOf(n: NodeDecl): NodeDecl[] {
  const out: NodeDecl[] = [];
  for (const pol of appliedPolicies(n)) {
    const s = pol.scanner?.node;
    if (s && s.kind !== 'external' && !out.includes(s)) out.push(s);
  }
  return out;
}

function policiesScanningOn(nodes: Iterable<NodeDecl | undefined>, s: NodeDecl): PolicyDecl[] {
  const pols = new Set<PolicyDecl>();
  for (const n of nodes) if (n) for (const p of appliedPolicies(n)) if (p.scanner?.node === s) pols.add(p);
  return [...pols];
}

/** A pool that stands for redundancy: two or more (distinct) members. */
export function isRedundantPool(n: NodeDecl): boolean {
  return n.kind === 'pool' && n.members.length >= 2;
}

// ---------------------------------------------------------------------------
// Statements of this round (pool `source`/`snat`, route `auth=yes`, `recipients`)

/** What client address a pool's members see (LANGUAGE.md §3, `source`) [preserved]. */
export function poolSource(p: NodeDecl): PoolSource {
  return p.source;
}
/** The pool's `source` statement, if written. */
export function poolSourceStmt(p: NodeDecl): { file: string; range: Range } | undefined {
  return p.sourceStmt;
}
/** With `source masked`: the addresses the members see every client as (`snat`, else the `vip`). */
export function snatSet(p: NodeDecl): AddrSet {
  return p.snatSet;
}
export function snatText(p: NodeDecl): string {
  return p.snat.join(', ');
}
/** `auth=yes` on a route: the node logs in (SMTP AUTH) to its next hops. */
export function routeAuth(r: RouteRule): boolean {
  return r.auth;
}
/** How recipients are checked at RCPT time [verify; an external: none], and the statement when written. */
export function recipientsOf(n: NodeDecl): { value: RecipientCheck; file?: string; range?: Range } {
  return n.recipientsStmt
    ? { value: n.recipients, file: n.recipientsStmt.file, range: n.recipientsStmt.range }
    : { value: n.recipients };
}
/** Every address a node sends from (an external's `address` may hold ranges). */
export function nodeAddressSet(n: NodeDecl): AddrSet {
  return n.addressSet;
}

// ---------------------------------------------------------------------------
// Address sets of `from=` lists

export interface NetEval {
  set: AddrSet;
  /** Every source was understood (no unresolved network reference). */
  complete: boolean;
  /** Per source, the set of the network it referred to when evaluated (undefined: none). */
  deps: Array<AddrSet | undefined>;
}

// By list. The editor reuses unchanged rules across builds (build/reuse.ts),
// so a cached answer holds while each source still refers to the same
// network set: a network edited or renamed away invalidates it.
const netEvals = new WeakMap<NetSource[], NetEval>();
function stillValid(e: NetEval, sources: NetSource[]): boolean {
  for (let i = 0; i < sources.length; i++) if (sources[i].network?.set !== e.deps[i]) return false;
  return true;
}

/** The full address set of a `from=` list: `any`, CIDRs, addresses and network references. */
export function evalSources(sources: NetSource[]): NetEval {
  const hit = netEvals.get(sources);
  if (hit && stillValid(hit, sources)) return hit;
  // one source (`from=corp`, `from=any`, the default): its set itself, shared (answers cached by set then hit)
  if (sources.length === 1) {
    const one = sources[0];
    const set = one.any ? anySet() : one.network?.set;
    if (set) {
      const r = { set, complete: true, deps: [one.network?.set] };
      netEvals.set(sources, r);
      return r;
    }
  }
  const b = new AddrSetBuilder(); // sorted and merged once (issue 14: a long list was quadratic)
  let complete = true;
  for (const s of sources) {
    if (s.any) {
      b.addAny();
      continue;
    }
    if (s.network) {
      b.addSet(s.network.set);
      continue;
    }
    const c = parseCidr(s.text);
    if (c) {
      b.addCidr(c);
      continue;
    }
    complete = false;
  }
  const r = { set: b.build(), complete, deps: sources.map((x) => x.network?.set) };
  netEvals.set(sources, r);
  return r;
}

// ---------------------------------------------------------------------------
// MX targets and internet-facing nodes

export interface MxUse {
  domain: DomainDecl;
  mx: MxRecord;
}

/** Every node named by an `mx` line, with the lines that name it. */
export function mxTargets(model: Model): Map<NodeDecl, MxUse[]> {
  return analysis(model).mxUses;
}

function buildMxUses(model: Model): Map<NodeDecl, MxUse[]> {
  const m = new Map<NodeDecl, MxUse[]>();
  for (const d of model.domains) {
    for (const mx of d.mx) {
      if (mx.target.kind !== 'ref') continue;
      const list = m.get(mx.target.decl) ?? [];
      list.push({ domain: d, mx });
      m.set(mx.target.decl, list);
    }
  }
  return m;
}

/**
 * What makes each internet-facing node internet-facing (LANGUAGE.md §4): its
 * zone (perimeter or external), being an MX target, being a next hop of an
 * external's route, an explicit `from=` that admits a public range, or being
 * a member of a pool that is. The map holds only internet-facing nodes (pools
 * included).
 */
export function internetFacing(model: Model): Map<NodeDecl, RelatedInfo[]> {
  return analysis(model).exposure;
}

/** Nodes whose explicit `from=` admits public clients beyond your own nodes (internet hosts outside the flows). */
export function admitsPublicClients(model: Model): Set<NodeDecl> {
  return analysis(model).publicFrom;
}

// Per node, from its own statements only: kept while the editor reuses the node (model/build/reuse.ts).
const zoneReasons = new WeakMap<NodeDecl, RelatedInfo | null>();
function zoneReason(n: NodeDecl, keep: boolean): RelatedInfo | undefined {
  if (n.kind === 'pool' || (n.zone !== 'perimeter' && n.zone !== 'external')) return undefined;
  if (!keep) return computeZoneReason(n);
  let r = zoneReasons.get(n);
  if (r === undefined) zoneReasons.set(n, (r = computeZoneReason(n) ?? null));
  return r ?? undefined;
}
function computeZoneReason(n: NodeDecl): RelatedInfo | undefined {
  const zs = n.zoneDeclared ? findStmt(n, 'zone') : undefined;
  const rs = findStmt(n, 'role');
  if (zs) return { file: n.file, range: zs.range, message: `'zone ${n.zone}' makes ${n.name} internet-facing` };
  if (n.kind === 'external') return { file: n.file, range: n.nameRange, message: `${n.name} is an external host` };
  if (rs)
    return {
      file: n.file,
      range: rs.range,
      message: `'role ${n.role}' puts ${n.name} in the ${n.zone} zone (internet-facing)`,
    };
  return { file: n.file, range: n.nameRange, message: `${n.name} sits in the ${n.zone} zone (internet-facing)` };
}

// A network's set is shared by every rule naming it: its answer is computed once.
const publicCache = new WeakMap<AddrSet, boolean>();
/** The set holds a public address (cached by set: `from=` sets are shared by evalSources). */
export function publicIn(set: AddrSet): boolean {
  let r = publicCache.get(set);
  if (r === undefined) publicCache.set(set, (r = hasPublic(set)));
  return r;
}

const V4_ALL: AddrSet = { v4: [{ lo: 0n, hi: (1n << 32n) - 1n }], v6: [] };
const V6_ALL: AddrSet = { v4: [], v6: [{ lo: 0n, hi: (1n << 128n) - 1n }] };
/** Public addresses, but not a whole address family: whether they are more than your own nodes decides. */
const narrowPublic = (set: AddrSet) => publicIn(set) && !covers(set, V4_ALL) && !covers(set, V6_ALL);

/**
 * A node's rules, each followed by its `from=` evaluation. The editor reuses
 * unchanged nodes (build/reuse.ts) and an evaluation is replaced when a
 * network it used changes, so the same objects in the same order mean the
 * same answers: per-node results are kept against this list.
 */
export function ruleEvaluations(n: NodeDecl): object[] {
  const out: object[] = [];
  for (const r of n.relays) out.push(r, evalSources(r.from));
  for (const a of n.accepts) out.push(a, evalSources(a.from));
  return out;
}
export const sameObjects = (a: readonly object[], b: readonly object[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Some accept or allowing relay rule names public addresses short of a whole family (most nodes: none). */
function admitsNarrowPublic(n: NodeDecl): boolean {
  for (const a of n.accepts) if (narrowPublic(evalSources(a.from).set)) return true;
  for (const r of n.relays) if (r.action === 'allow' && narrowPublic(evalSources(r.from).set)) return true;
  return false;
}

// A node that admits no narrow public range has no reasons whatever your own
// addresses are: for the editor, that answer is kept against its rule evaluations.
const noPublicFrom = new WeakMap<NodeDecl, object[]>();

/**
 * An explicit `from=` that admits a public range: internet hosts connect.
 * `any` (or a whole address family) is not read as a statement about the
 * internet: an internal relay "from=any" is a lazy rule, not a published one
 * (docs/decisions.md).
 */
function publicFromReasons(n: NodeDecl, own: () => AddrSet, keep: boolean): RelatedInfo[] {
  if (n.kind !== 'gateway' && n.kind !== 'server') return [];
  let key: object[] | undefined;
  if (keep) {
    key = ruleEvaluations(n);
    const was = noPublicFrom.get(n);
    if (was && sameObjects(was, key)) return [];
  }
  if (!admitsNarrowPublic(n)) {
    if (key) noPublicFrom.set(n, key);
    return [];
  }
  const out: RelatedInfo[] = [];
  const admitsPublic = (set: AddrSet) => narrowPublic(set) && hasPublic(subtract(set, own()));
  for (const a of n.accepts) {
    if (!a.stmt.args.some((x) => x.key?.text === 'from')) continue;
    if (admitsPublic(evalSources(a.from).set))
      out.push({ file: a.file, range: a.range, message: `this 'accept' admits public addresses to ${n.name}` });
  }
  let earlierAll = emptySet();
  let earlierUnauth = emptySet();
  for (const r of n.relays) {
    const set = evalSources(r.from).set;
    if (r.action === 'allow' && admitsPublic(set)) {
      const reach = r.auth === 'none' ? subtract(set, earlierUnauth) : subtract(set, earlierAll);
      if (hasPublic(reach) || hasPublic(subtract(set, earlierAll)))
        out.push({ file: r.file, range: r.range, message: `this 'relay' rule admits public addresses to ${n.name}` });
    }
    earlierAll = union(earlierAll, set);
    if (r.auth === 'none') earlierUnauth = union(earlierUnauth, set);
  }
  return out;
}

/** The addresses of your own nodes (gateways, servers, pools' vip and snat): not "the internet" in a `from=`. */
function ownAddressSet(model: Model): AddrSet {
  // one sort over every interval (a union per node would be quadratic)
  const v4: Interval[] = [];
  const v6: Interval[] = [];
  for (const n of model.nodes) {
    if (n.kind === 'external') continue;
    const s = n.kind === 'pool' ? snatSet(n) : nodeAddressSet(n);
    v4.push(...s.v4);
    v6.push(...s.v6);
  }
  return { v4: mergeIntervals(v4), v6: mergeIntervals(v6) };
}
function mergeIntervals(list: Interval[]): Interval[] {
  list.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Interval[] = [];
  for (const iv of list) {
    const last = out[out.length - 1];
    if (last && iv.lo <= last.hi + 1n) {
      if (iv.hi > last.hi) last.hi = iv.hi;
    } else out.push({ lo: iv.lo, hi: iv.hi });
  }
  return out;
}

function buildExposure(
  model: Model,
  mxUses: Map<NodeDecl, MxUse[]>,
  publicFrom: Set<NodeDecl>,
): Map<NodeDecl, RelatedInfo[]> {
  const out = new Map<NodeDecl, RelatedInfo[]>();
  const keep = !!model.keepAnswers;
  let own: AddrSet | undefined;
  const ownAddresses = () => (own ??= ownAddressSet(model));
  const add = (n: NodeDecl, r: RelatedInfo) => {
    const list = out.get(n);
    if (list) list.push(r);
    else out.set(n, [r]);
  };
  for (const n of model.nodes) {
    const z = zoneReason(n, keep);
    if (z) add(n, z);
    for (const u of mxUses.get(n) ?? [])
      add(n, { file: u.mx.file, range: u.mx.range, message: `${n.name} is an MX target of ${u.domain.name}` });
    if (n.accepts.length || n.relays.length)
      for (const r of publicFromReasons(n, ownAddresses, keep)) {
        add(n, r);
        publicFrom.add(n);
      }
  }
  // next hops of an external's route: the service connects to them from the internet
  for (const e of model.nodes) {
    if (e.kind !== 'external') continue;
    for (const r of e.routes)
      for (const h of r.via)
        if (h.node && h.node.kind !== 'external')
          add(h.node, {
            file: r.file,
            range: r.range,
            message: `external ${e.name} connects to ${h.node.name} from the internet (its route for ${r.patterns.join(', ')})`,
          });
  }
  for (const p of model.nodes) {
    if (p.kind !== 'pool') continue;
    const pr = out.get(p);
    if (!pr) continue;
    for (const m of p.members) {
      if (m.kind === 'pool') continue;
      add(m, {
        file: p.file,
        range: p.membersStmt?.range ?? p.nameRange,
        message: `${m.name} is a member of pool ${p.name}, which is internet-facing`,
      });
      for (const x of pr) add(m, x);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Graphs

/** A directed graph over vertex numbers with the node each vertex stands for. */
export interface FlowGraph {
  /** vertex -> node (undefined for the virtual vertices). */
  node: Array<NodeDecl | undefined>;
  succ: number[][];
  pred: number[][];
  /** First vertex that discovered this one (BFS from the root), -1 for the root. */
  parent: number[];
  /** Names of virtual vertices other than the internet (e.g. "handed off"). */
  label?: Map<number, string>;
}

function newGraph(): FlowGraph {
  return { node: [], succ: [], pred: [], parent: [] };
}
function addVertex(g: FlowGraph, n: NodeDecl | undefined): number {
  g.node.push(n);
  g.succ.push(NONE);
  g.pred.push(NONE);
  g.parent.push(-1);
  return g.node.length - 1;
}
// Adjacency lists start shared and empty and grow by exact copies while
// short: a pushed-to array keeps room for 17, and the analysis keeps a graph
// per domain (10,000 of them in a 100,000-node topology) to the end.
/** Up to this many edges a list is copied to grow; a longer one is pushed to. */
const COPIED_EDGES = 8;
function addTo(list: number[][], at: number, x: number): void {
  const l = list[at];
  if (l.length < COPIED_EDGES) list[at] = appended(l, x);
  else l.push(x);
}
function addEdge(g: FlowGraph, a: number, b: number): void {
  const s = g.succ[a];
  for (let i = 0; i < s.length; i++) if (s[i] === b) return;
  addTo(g.succ, a, b);
  addTo(g.pred, b, a);
}

/**
 * Immediate dominators (Lengauer–Tarjan with path compression, iterative so a
 * 100,000-deep chain cannot overflow the stack). Returns idom per vertex: -1
 * for the root and for vertices the root does not reach.
 */
export function dominators(n: number, succ: ArrayLike<ArrayLike<number>>, root: number): Int32Array {
  const { dfn, vert, par, N } = dfsNumbering(n, succ, root);
  const { pcount, preds } = predecessorsCsr(succ, dfn, vert, N);
  const semi = new Int32Array(N);
  const idom = new Int32Array(N);
  const anc = new Int32Array(N).fill(-1);
  const label = new Int32Array(N);
  const bucketHead = new Int32Array(N).fill(-1);
  const bucketNext = new Int32Array(N).fill(-1);
  for (let i = 0; i < N; i++) {
    semi[i] = i;
    label[i] = i;
  }
  const chain: number[] = [];
  const evalV = (v: number): number => {
    if (anc[v] < 0) return v;
    // compress the path from v to the root of its tree (iteratively)
    chain.length = 0;
    let x = v;
    while (anc[anc[x]] >= 0) {
      chain.push(x);
      x = anc[x];
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const y = chain[k];
      const a = anc[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      anc[y] = anc[a];
    }
    return label[v];
  };
  // semi-dominators in reverse preorder; each bucket settles idom now or defers it to the fix-up pass below
  for (let i = N - 1; i >= 1; i--) {
    for (let k = pcount[i]; k < pcount[i + 1]; k++) {
      const u = evalV(preds[k]);
      if (semi[u] < semi[i]) semi[i] = semi[u];
    }
    bucketNext[i] = bucketHead[semi[i]];
    bucketHead[semi[i]] = i;
    const p = par[i];
    anc[i] = p;
    for (let v = bucketHead[p]; v >= 0; v = bucketNext[v]) {
      const u = evalV(v);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let i = 1; i < N; i++) if (idom[i] !== semi[i]) idom[i] = idom[idom[i]];
  const out = new Int32Array(n).fill(-1);
  for (let i = 1; i < N; i++) out[vert[i]] = vert[idom[i]];
  return out;
}

/** Iterative DFS from the root: preorder numbers (dfn, -1 if unreached), the vertex of each number, its DFS parent's number. */
function dfsNumbering(
  n: number,
  succ: ArrayLike<ArrayLike<number>>,
  root: number,
): { dfn: Int32Array; vert: Int32Array; par: Int32Array; N: number } {
  const dfn = new Int32Array(n).fill(-1);
  const vert = new Int32Array(n);
  const par = new Int32Array(n);
  const stackV = new Int32Array(n);
  const stackI = new Int32Array(n);
  dfn[root] = 0;
  vert[0] = root;
  par[0] = -1;
  let N = 1;
  stackV[0] = root;
  stackI[0] = 0;
  let sp = 1;
  while (sp) {
    const v = stackV[sp - 1];
    const s = succ[v];
    if (stackI[sp - 1] < s.length) {
      const w = s[stackI[sp - 1]++];
      if (dfn[w] < 0) {
        dfn[w] = N;
        vert[N] = w;
        par[N] = dfn[v];
        N++;
        stackV[sp] = w;
        stackI[sp] = 0;
        sp++;
      }
    } else sp--;
  }
  return { dfn, vert, par, N };
}

/** Predecessors in DFS numbers, as CSR (preds[pcount[i]..pcount[i+1]) are i's): flat arrays, no per-vertex lists. */
function predecessorsCsr(
  succ: ArrayLike<ArrayLike<number>>,
  dfn: Int32Array,
  vert: Int32Array,
  N: number,
): { pcount: Int32Array; preds: Int32Array } {
  const pcount = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) {
    const s = succ[vert[i]];
    for (let k = 0; k < s.length; k++) {
      const j = dfn[s[k]];
      if (j >= 0) pcount[j + 1]++;
    }
  }
  for (let i = 0; i < N; i++) pcount[i + 1] += pcount[i];
  const pfill = pcount.slice(0, N);
  const preds = new Int32Array(pcount[N]);
  for (let i = 0; i < N; i++) {
    const s = succ[vert[i]];
    for (let k = 0; k < s.length; k++) {
      const j = dfn[s[k]];
      if (j >= 0) preds[pfill[j]++] = i;
    }
  }
  return { pcount, preds };
}

/** Vertices that can reach `target` (reverse BFS). */
function canReach(g: FlowGraph, target: number): Uint8Array {
  const seen = new Uint8Array(g.node.length);
  const q = [target];
  seen[target] = 1;
  for (let h = 0; h < q.length; h++)
    for (const p of g.pred[q[h]])
      if (!seen[p]) {
        seen[p] = 1;
        q.push(p);
      }
  return seen;
}

/**
 * Which vertices can still reach `target` when every vertex of `cut` fails?
 * Only the part of the graph upstream of the cut is visited, so checking many
 * small disjoint cuts costs about the size of the graph once. `upstream` holds
 * the vertices whose answer the cut can change (those that can reach it);
 * every other vertex keeps its answer from `reach`.
 */
export function avoidingCut(
  g: FlowGraph,
  target: number,
  cut: Set<number>,
  reach: Uint8Array,
): { upstream: Map<number, boolean>; ok(v: number): boolean } {
  const upstream = new Map<number, boolean>(); // vertex -> reaches target avoiding the cut
  const q: number[] = [];
  for (const c of cut)
    for (const p of g.pred[c])
      if (!cut.has(p) && !upstream.has(p)) {
        upstream.set(p, false);
        q.push(p);
      }
  for (let h = 0; h < q.length; h++)
    for (const p of g.pred[q[h]])
      if (!cut.has(p) && !upstream.has(p)) {
        upstream.set(p, false);
        q.push(p);
      }
  const good: number[] = [];
  for (const v of q) {
    for (const w of g.succ[v]) {
      if (w === target || (!cut.has(w) && !upstream.has(w) && reach[w])) {
        upstream.set(v, true);
        good.push(v);
        break;
      }
    }
  }
  for (let h = 0; h < good.length; h++) {
    for (const p of g.pred[good[h]])
      if (upstream.get(p) === false) {
        upstream.set(p, true);
        good.push(p);
      }
  }
  return { upstream, ok: (v: number) => (cut.has(v) ? false : upstream.has(v) ? upstream.get(v)! : !!reach[v]) };
}

/** "internet -> edge-nlb -> edge1 -> hub1" from the BFS parents. */
export function pathText(g: FlowGraph, v: number): string {
  const parts: string[] = [];
  for (let x = v, guard = 0; x >= 0 && guard <= g.node.length; x = g.parent[x], guard++) parts.push(vertexName(g, x));
  return parts.reverse().join(' -> ');
}

// ---------------------------------------------------------------------------
// Inbound flow of a domain

export const INTERNET = 0;
export const SINK = 1;

export interface InboundFlow {
  domain: DomainDecl;
  g: FlowGraph;
  vertexOf: Map<NodeDecl, number>;
  /** Vertices that deliver the domain into a mailbox database. */
  delivering: number[];
  /** Gateways/servers reached with no matching route and no mailbox. */
  blackHoles: number[];
  /** Vertices whose route for the domain says `direct`: back to the domain's own MX. */
  directLoops: Array<{ v: number; route: RouteRule }>;
  /** The route each vertex used. */
  routeAt: Map<number, RouteRule>;
  /** A mailbox server is reachable (handed-off paths do not count). */
  delivers: boolean;
  /**
   * Paths that leave the topology (LANGUAGE.md §4 "Handed-off paths"): at an
   * external without a route for the domain (v), or at an MX target written as
   * a literal hostname (mx). They end at the virtual vertex `handoff`.
   */
  handedOff: Array<{ v: number; mx?: MxRecord }>;
  handoff: number;
}

export function vertexName(g: FlowGraph, v: number): string {
  if (v === INTERNET) return 'internet';
  return g.node[v]?.name ?? g.label?.get(v) ?? '?';
}

/** The vertex of a node, added (and queued) the first time it is reached. */
function reachVertex(
  g: FlowGraph,
  vertexOf: Map<NodeDecl, number>,
  queue: number[],
  n: NodeDecl,
  from: number,
): number {
  let v = vertexOf.get(n);
  if (v === undefined) {
    v = addVertex(g, n);
    vertexOf.set(n, v);
    g.parent[v] = from;
    queue.push(v);
  }
  return v;
}

function buildInbound(d: DomainDecl): InboundFlow | undefined {
  const refs = d.mx.filter((m) => m.target.kind !== 'unresolved');
  if (!refs.length) return undefined;
  const g = newGraph();
  addVertex(g, undefined); // internet
  addVertex(g, undefined); // sink: delivered, or handed to a host outside the model
  const vertexOf = new Map<NodeDecl, number>();
  const flow: InboundFlow = {
    domain: d,
    g,
    vertexOf,
    delivering: [],
    blackHoles: [],
    directLoops: [],
    routeAt: new Map(),
    delivers: false,
    handedOff: [],
    handoff: -1,
  };
  const queue: number[] = [];
  const mxs = [...refs].sort((a, b) => a.preference - b.preference);
  for (const m of mxs) {
    if (m.target.kind === 'ref') addEdge(g, INTERNET, reachVertex(g, vertexOf, queue, m.target.decl, INTERNET));
    else flow.handedOff.push({ v: INTERNET, mx: m }); // a literal hostname: a host outside the topology
  }
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h];
    const n = g.node[v]!;
    if (deliversTo(n, d.name)) {
      addEdge(g, v, SINK);
      flow.delivering.push(v);
      continue;
    }
    if (n.kind === 'pool') {
      for (const m of n.members) addEdge(g, v, reachVertex(g, vertexOf, queue, m, v));
      continue;
    }
    const r = bestRoute(n, d.name);
    if (!r) {
      if (n.kind === 'external')
        flow.handedOff.push({ v }); // leaves your control: no black hole, no delivery into your mailboxes
      else flow.blackHoles.push(v);
      continue;
    }
    flow.routeAt.set(v, r);
    let loop = false;
    for (const hop of r.via) {
      if (hop.direct) loop = true;
      else if (hop.node) addEdge(g, v, reachVertex(g, vertexOf, queue, hop.node, v));
    }
    if (loop) flow.directLoops.push({ v, route: r });
  }
  if (flow.handedOff.length) {
    flow.handoff = addVertex(g, undefined);
    (g.label ??= new Map()).set(flow.handoff, 'handed off');
    for (const h of flow.handedOff) addEdge(g, h.v, flow.handoff);
  }
  flow.delivers = g.pred[SINK].length > 0 && canReach(g, SINK)[INTERNET] === 1;
  return flow;
}

// ---------------------------------------------------------------------------
// Outbound graph (every node's `*` route)

export interface OutboundGraph {
  g: FlowGraph;
  /** vertex 0: the internet (reached by `direct` or an external smart host). */
  vertexOf: Map<NodeDecl, number>;
  mailboxServers: NodeDecl[];
}

function buildOutbound(model: Model): OutboundGraph {
  const g = newGraph();
  addVertex(g, undefined); // 0: internet reached
  const vertexOf = new Map<NodeDecl, number>();
  for (const n of model.nodes) vertexOf.set(n, addVertex(g, n));
  for (const n of model.nodes) {
    const v = vertexOf.get(n)!;
    if (n.kind === 'external') {
      addEdge(g, v, 0);
      continue;
    }
    if (n.kind === 'pool') {
      for (const m of n.members) {
        const w = vertexOf.get(m);
        if (w !== undefined) addEdge(g, v, w);
      }
      continue;
    }
    const r = starRoute(n);
    if (!r) continue;
    for (const hop of r.via) {
      if (hop.direct) addEdge(g, v, 0);
      else if (hop.node) {
        const w = vertexOf.get(hop.node);
        if (w !== undefined) addEdge(g, v, w);
      }
    }
  }
  return { g, vertexOf, mailboxServers: model.nodes.filter(isMailboxServer) };
}

// ---------------------------------------------------------------------------
// Analyses the rules report

export interface Cycle {
  /** The nodes around the loop, starting at the earliest declared. */
  nodes: NodeDecl[];
  /** Domains whose inbound mail loops here. */
  domains: DomainDecl[];
  /** Outbound mail loops here. */
  outbound: boolean;
}

export interface Spof {
  node: NodeDecl;
  /** Set when the node counts because it scans for nodes on every path. */
  scannerFor?: PolicyDecl[];
}

export interface OutboundFacts {
  /** Mailbox servers that reach the internet. */
  reaches: Set<NodeDecl>;
  /** Dead ends on outbound paths (gateways/servers with no `*` route), with the path that reaches them. */
  blackHoles: Array<{ node: NodeDecl; path: string; from: NodeDecl }>;
  spof: Map<NodeDecl, Spof[]>;
}

export interface Analysis {
  mxUses: Map<NodeDecl, MxUse[]>;
  exposure: Map<NodeDecl, RelatedInfo[]>;
  publicFrom: Set<NodeDecl>;
  inbound: InboundFlow[];
  cycles: Cycle[];
  inboundSpof: Map<InboundFlow, Spof[]>;
  /** First unscanned path to a mailbox per domain. */
  unscanned: Map<InboundFlow, { path: string; mailbox: NodeDecl }>;
  /** Unscanned paths per MX line they enter through (MT303). */
  unscannedByMx: Map<InboundFlow, UnscannedEntry[]>;
  outbound: OutboundFacts;
  outboundGraph: OutboundGraph;
}

const cache = new WeakMap<Model, Analysis>();

export function analysis(model: Model): Analysis {
  let a = cache.get(model);
  if (!a) {
    a = analyze(model);
    cache.set(model, a);
  }
  return a;
}

/** May this node be reported as a single point of failure? */
function spofCandidate(n: NodeDecl | undefined): n is NodeDecl {
  if (!n) return false;
  if (n.kind === 'external') return false;
  if (n.kind === 'pool') return n.members.length < 2;
  return true;
}

const MAX_CYCLES = 50;

/** Loops found so far, keyed by their rotated node names (one entry per loop, whatever node it was entered at). */
type CycleSet = Map<string, Cycle>;

/** Record a loop, rotated to start at its earliest declared node, so that each loop is reported once. */
function addCycle(cycles: CycleSet, nodes: NodeDecl[], domain: DomainDecl | undefined): void {
  let k = 0;
  for (let i = 1; i < nodes.length; i++) if (nodes[i].order < nodes[k].order) k = i;
  const rot = [...nodes.slice(k), ...nodes.slice(0, k)];
  const key = rot.map((n) => n.name).join('\u0000');
  let c = cycles.get(key);
  if (!c) {
    if (cycles.size >= MAX_CYCLES) return;
    c = { nodes: rot, domains: [], outbound: false };
    cycles.set(key, c);
  }
  if (domain) {
    if (!c.domains.includes(domain)) c.domains.push(domain);
  } else c.outbound = true;
}

/** Add vertex v to the group of every scanner n hands its mail to (one group per scanner, for the cut test). */
function addToScannerGroups(groups: Map<NodeDecl, Set<number>>, n: NodeDecl, v: number): void {
  for (const s of scannersOf(n)) {
    let set = groups.get(s);
    if (!set) {
      set = new Set();
      groups.set(s, set);
    }
    set.add(v);
  }
}

function analyze(model: Model): Analysis {
  const mxUses = buildMxUses(model);
  const publicFrom = new Set<NodeDecl>();
  const exposure = buildExposure(model, mxUses, publicFrom);
  const inbound = buildInboundFlows(model);
  const cycles: CycleSet = new Map();
  const inboundSpof = new Map<InboundFlow, Spof[]>();
  const unscanned = new Map<InboundFlow, { path: string; mailbox: NodeDecl }>();
  const unscannedByMx = new Map<InboundFlow, UnscannedEntry[]>();
  for (const f of inbound) {
    // loops: back edges of a DFS from the internet
    const g = f.g;
    findBackEdgeCycles(g, [INTERNET], (cyc) =>
      addCycle(
        cycles,
        cyc.map((v) => g.node[v]!),
        f.domain,
      ),
    );
    // unscanned paths, per MX target they enter through
    const perMx = unscannedPaths(f);
    if (perMx.length) {
      unscannedByMx.set(f, perMx);
      unscanned.set(f, { path: perMx[0].path, mailbox: perMx[0].mailbox });
    }
    if (!f.delivers) continue;
    const spofs = inboundSpofs(f);
    if (spofs.length) inboundSpof.set(f, spofs);
  }
  const ob = buildOutbound(model);
  const outbound = analyzeOutbound(ob, cycles);
  return {
    mxUses,
    exposure,
    publicFrom,
    inbound,
    cycles: [...cycles.values()],
    inboundSpof,
    unscanned,
    unscannedByMx,
    outbound,
    outboundGraph: ob,
  };
}

/** One inbound flow per domain name: a domain declared twice is analysed once (its first declaration). */
function buildInboundFlows(model: Model): InboundFlow[] {
  const inbound: InboundFlow[] = [];
  const seenDomain = new Set<string>();
  for (const d of model.domains) {
    if (seenDomain.has(d.name)) continue;
    seenDomain.add(d.name);
    const f = buildInbound(d);
    if (f) inbound.push(f);
  }
  return inbound;
}

/** Single points of failure for a delivering domain: dominators of the mailbox, then scanners every path needs. */
function inboundSpofs(f: InboundFlow): Spof[] {
  const g = f.g;
  const spofs: Spof[] = [];
  const idom = dominators(g.node.length, g.succ, INTERNET);
  for (let x = idom[SINK]; x > INTERNET; x = idom[x]) {
    const n = g.node[x];
    if (spofCandidate(n) && !deliversTo(n, f.domain.name)) spofs.push({ node: n });
  }
  spofs.reverse(); // in path order, from the internet
  inboundScannerSpofs(f, spofs);
  return spofs;
}

/** A scanner is a SPOF when the vertices relying on it (plus itself) cut the internet from the mailbox. */
function inboundScannerSpofs(f: InboundFlow, spofs: Spof[]): void {
  const g = f.g;
  const nv = g.node.length;
  const groups = new Map<NodeDecl, Set<number>>();
  for (let v = 2; v < nv; v++) {
    const n = g.node[v];
    if (!n || (!n.scan && !n.pools.length)) continue;
    addToScannerGroups(groups, n, v);
  }
  if (!groups.size) return;
  const reach = canReach(g, SINK);
  for (const [s, set] of groups) {
    if (deliversTo(s, f.domain.name) || spofs.some((x) => x.node === s)) continue;
    const sv = f.vertexOf.get(s);
    if (sv !== undefined) set.add(sv);
    if (!avoidingCut(g, SINK, set, reach).ok(INTERNET)) {
      spofs.push({
        node: s,
        scannerFor: policiesScanningOn(
          [...set].map((v) => g.node[v]),
          s,
        ),
      });
    }
  }
}

/** Outbound facts: loops and dead ends from the mailbox servers, who reaches the internet, and through what SPOFs. */
function analyzeOutbound(ob: OutboundGraph, cycles: CycleSet): OutboundFacts {
  const outbound: OutboundFacts = { reaches: new Set(), blackHoles: [], spof: new Map() };
  const g = ob.g;
  const starts = ob.mailboxServers.map((m) => ob.vertexOf.get(m)!);
  findBackEdgeCycles(g, starts, (cyc) =>
    addCycle(
      cycles,
      cyc.map((v) => g.node[v]!),
      undefined,
    ),
  );
  outboundBlackHoles(g, starts, outbound.blackHoles);
  const reach = canReach(g, 0);
  const groups = new Map<NodeDecl, Set<number>>();
  for (const [n, v] of ob.vertexOf) {
    if (!n.scan && !n.pools.length) continue;
    addToScannerGroups(groups, n, v);
  }
  outboundDominatorSpofs(ob, reach, outbound);
  outboundScannerSpofs(ob, groups, reach, outbound);
  return outbound;
}

/** Dead ends reachable from a mailbox server (one BFS from all of them), each with the path that reaches it. */
function outboundBlackHoles(g: FlowGraph, starts: number[], out: OutboundFacts['blackHoles']): void {
  const par = new Int32Array(g.node.length).fill(-2);
  const q: number[] = [];
  for (const s of starts)
    if (par[s] === -2) {
      par[s] = -1;
      q.push(s);
    }
  for (let h = 0; h < q.length; h++) {
    const v = q[h];
    const n = g.node[v]!;
    if (n.kind !== 'pool' && n.kind !== 'external' && !starRoute(n) && !isMailboxServer(n)) {
      const parts: string[] = [];
      let x = v;
      for (; par[x] >= 0; x = par[x]) parts.push(g.node[x]!.name);
      parts.push(g.node[x]!.name);
      out.push({ node: n, path: parts.reverse().join(' -> '), from: g.node[x]! });
    }
    for (const w of g.succ[v])
      if (w !== 0 && par[w] === -2) {
        par[w] = v;
        q.push(w);
      }
  }
}

/** Mailbox servers that reach the internet, and the nodes every one of their outbound paths crosses. */
function outboundDominatorSpofs(ob: OutboundGraph, reach: Uint8Array, outbound: OutboundFacts): void {
  const g = ob.g;
  const idomR = dominators(g.node.length, g.pred, 0);
  for (const m of ob.mailboxServers) {
    const v = ob.vertexOf.get(m)!;
    if (!reach[v]) continue;
    outbound.reaches.add(m);
    const list: Spof[] = [];
    for (let x = idomR[v]; x > 0; x = idomR[x]) {
      const n = g.node[x];
      if (spofCandidate(n) && n !== m) list.push({ node: n });
    }
    if (list.length) outbound.spof.set(m, list);
  }
}

/** Scanners whose users (plus themselves) cut a mailbox server off from the internet. */
function outboundScannerSpofs(
  ob: OutboundGraph,
  groups: Map<NodeDecl, Set<number>>,
  reach: Uint8Array,
  outbound: OutboundFacts,
): void {
  const g = ob.g;
  for (const [s, set] of groups) {
    const sv = ob.vertexOf.get(s);
    if (sv !== undefined) set.add(sv);
    const cutView = avoidingCut(g, 0, set, reach);
    // only mailbox servers in the cut or upstream of it can lose their way out
    const affected = [...set, ...cutView.upstream.keys()];
    let pols: PolicyDecl[] | undefined;
    for (const v of affected) {
      const m = g.node[v];
      if (!m || !isMailboxServer(m) || !reach[v] || m === s || cutView.ok(v)) continue;
      const list = outbound.spof.get(m) ?? [];
      if (list.some((x) => x.node === s)) continue;
      pols ??= policiesScanningOn(
        [...set].map((u) => g.node[u]),
        s,
      );
      list.push({ node: s, scannerFor: pols });
      outbound.spof.set(m, list);
    }
  }
}

export interface UnscannedEntry {
  /** The first `mx` line naming the target the paths enter through. */
  mx: MxRecord;
  target: NodeDecl;
  /** How many paths from that target reach a mailbox with no virus scan (back edges not followed). */
  count: bigint;
  /** One such path, from the internet. */
  path: string;
  mailbox: NodeDecl;
}

/**
 * Inbound paths that reach a mailbox with no virus scan, grouped by the MX
 * target they enter through: a path count by dynamic programming over the
 * non-scanning part of the graph (10^10 paths are never walked), and one
 * example path by BFS. Handed-off paths say nothing about scanning.
 */
function unscannedPaths(f: InboundFlow): UnscannedEntry[] {
  const g = f.g;
  const domain = f.domain.name;
  const nv = g.node.length;
  const open = (w: number) => {
    const n = g.node[w];
    return !!n && !scansForViruses(n);
  };
  const count: Array<bigint | undefined> = new Array<bigint | undefined>(nv);
  const onStack = new Uint8Array(nv);
  /** Paths from v to a delivering vertex through open vertices (iterative post-order DFS). */
  const countFrom = (start: number): bigint => {
    const stack: number[] = [start];
    const idx: number[] = [0];
    onStack[start] = 1;
    while (stack.length) {
      const top = stack.length - 1;
      const v = stack[top];
      const n = g.node[v]!;
      if (deliversTo(n, domain)) {
        count[v] = 1n;
      } else if (idx[top] < g.succ[v].length) {
        const w = g.succ[v][idx[top]++];
        if (count[w] === undefined && !onStack[w] && open(w)) {
          onStack[w] = 1;
          stack.push(w);
          idx.push(0);
        }
        continue;
      } else {
        let c = 0n;
        for (const w of g.succ[v]) if (!onStack[w] && open(w)) c += count[w] ?? 0n;
        count[v] = c;
      }
      onStack[v] = 0;
      stack.pop();
      idx.pop();
    }
    return count[start]!;
  };
  const out: UnscannedEntry[] = [];
  const seen = new Set<NodeDecl>();
  for (const m of f.domain.mx) {
    if (m.target.kind !== 'ref' || seen.has(m.target.decl)) continue;
    seen.add(m.target.decl);
    const t = f.vertexOf.get(m.target.decl);
    if (t === undefined || !open(t)) continue;
    const c = count[t] ?? countFrom(t);
    if (c === 0n) continue;
    // one example: BFS from the target through open vertices
    const par = new Int32Array(nv).fill(-2);
    par[t] = INTERNET;
    const q = [t];
    let found = deliversTo(g.node[t]!, domain) ? t : -1;
    for (let h = 0; h < q.length && found < 0; h++) {
      for (const w of g.succ[q[h]]) {
        if (par[w] !== -2 || !open(w)) continue;
        par[w] = q[h];
        if (deliversTo(g.node[w]!, domain)) {
          found = w;
          break;
        }
        q.push(w);
      }
    }
    if (found < 0) continue;
    const parts: string[] = [];
    for (let x = found; x !== INTERNET; x = par[x]) parts.push(vertexName(g, x));
    parts.push('internet');
    out.push({ mx: m, target: m.target.decl, count: c, path: parts.reverse().join(' -> '), mailbox: g.node[found]! });
  }
  return out;
}

/** Iterative DFS from the starts; every back edge closes a cycle (given as vertices in order). */
function findBackEdgeCycles(g: FlowGraph, starts: number[], onCycle: (cycle: number[]) => void): void {
  const n = g.node.length;
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stackV: number[] = [];
  const stackI: number[] = [];
  let found = 0;
  for (const s of starts) {
    if (color[s]) continue;
    color[s] = 1;
    stackV.push(s);
    stackI.push(0);
    while (stackV.length) {
      const top = stackV.length - 1;
      const v = stackV[top];
      const succ = g.succ[v];
      if (stackI[top] < succ.length) {
        const w = succ[stackI[top]++];
        if (color[w] === 0) {
          color[w] = 1;
          stackV.push(w);
          stackI.push(0);
        } else if (color[w] === 1 && g.node[w] && found < MAX_CYCLES) {
          found++;
          const at = stackV.lastIndexOf(w);
          onCycle(stackV.slice(at));
        }
      } else {
        color[v] = 2;
        stackV.pop();
        stackI.pop();
      }
    }
  }
}

/** The range where a cycle closes: the last node's route (or the pool's members line) that points back to the first. */
export function cycleEdgeSource(from: NodeDecl, domain: DomainDecl | undefined): { file: string; range: Range } {
  if (from.kind === 'pool') return { file: from.file, range: from.membersStmt?.range ?? from.nameRange };
  const r = domain ? bestRoute(from, domain.name) : starRoute(from);
  return r ? { file: r.file, range: r.range } : { file: from.file, range: from.nameRange };
}

// ---------------------------------------------------------------------------
// Hops of every flow (LANGUAGE.md §4 Admission)

/** One hop A -> B of a flow, as B sees it: B is a gateway or server, reached directly or through a pool. */
export interface FlowHop {
  /** The inbound flow, or undefined for outbound mail. */
  flow?: InboundFlow;
  /** The sending node; undefined: the internet (the first hop of inbound mail). */
  sender?: NodeDecl;
  receiver: NodeDecl;
  /** The pool B was reached through. */
  pool?: NodeDecl;
  /** The sender's route that names B (or its pool); undefined for the internet's hop. */
  route?: RouteRule;
  /** The internet's hop: the first `mx` line naming B (or its pool). */
  mx?: MxRecord;
  /** B delivers the flow's domain into its mailboxes. */
  delivers: boolean;
}

/**
 * Every hop of every inbound flow and of the outbound flow (from the mailbox
 * servers), once per flow. Hops into an `external` are not yours to check;
 * a pool stands for its members (each is a receiver, reached through it);
 * trips to a policy's scanner are not hops. The callback gets one reused hop
 * object (copy what you keep): a topology has tens of hops per node, and
 * keeping them all only fed the garbage collector.
 */
export function forEachHop(model: Model, cb: (h: FlowHop) => void): void {
  const a = analysis(model);
  // the first enumeration of a model also records who connects to each node (hopsIn): one pass, not two
  let record: HopsInTable | undefined;
  if (!hopsInCache.has(model)) {
    const rec = (record = new HopsInTable(model));
    const inner = cb;
    cb = (h) => {
      noteHopIn(rec, h);
      inner(h);
    };
  }
  // every field set up front: one object shape for every hop
  const e: HopEmitter = {
    cb,
    h: {
      flow: undefined,
      sender: undefined,
      receiver: model.nodes[0],
      pool: undefined,
      route: undefined,
      mx: undefined,
      delivers: false,
    },
  };
  for (const f of a.inbound) inboundHops(e, f);
  outboundHops(e, a.outboundGraph);
  if (record) hopsInCache.set(model, record);
}

/** The reused hop object and the callback it goes to: passed down instead of a closure per call. */
interface HopEmitter {
  h: FlowHop;
  cb: (h: FlowHop) => void;
}

/** Call back for the hop to `to`, or to each gateway/server member when `to` is a pool. */
function emitHop(
  e: HopEmitter,
  flow: InboundFlow | undefined,
  sender: NodeDecl | undefined,
  route: RouteRule | undefined,
  mx: MxRecord | undefined,
  to: NodeDecl,
): void {
  const h = e.h;
  h.flow = flow;
  h.sender = sender;
  h.route = route;
  h.mx = mx;
  if (to.kind === 'pool') {
    h.pool = to;
    for (const m of to.members)
      if (m.kind === 'gateway' || m.kind === 'server') {
        h.receiver = m;
        h.delivers = isAt(flow, m);
        e.cb(h);
      }
  } else if (to.kind === 'gateway' || to.kind === 'server') {
    h.pool = undefined;
    h.receiver = to;
    h.delivers = isAt(flow, to);
    e.cb(h);
  }
}

/** The internet's hops (each with the first `mx` line naming its target), then every routed node's hops. */
function inboundHops(e: HopEmitter, f: InboundFlow): void {
  const g = f.g;
  for (const w of g.succ[INTERNET]) {
    const to = g.node[w];
    if (to) emitHop(e, f, undefined, undefined, firstMxOf(f.domain, to), to);
  }
  for (let v = 2; v < g.node.length; v++) {
    const n = g.node[v];
    const route = f.routeAt.get(v);
    if (!n || n.kind === 'pool' || !route) continue;
    for (const w of g.succ[v]) {
      const to = g.node[w];
      if (to) emitHop(e, f, n, route, undefined, to);
    }
  }
}

/** Outbound hops in BFS order from the mailbox servers, each along its sender's `*` route. */
function outboundHops(e: HopEmitter, ob: OutboundGraph): void {
  const seen = new Uint8Array(ob.g.node.length);
  const q: number[] = [];
  for (const m of ob.mailboxServers) {
    const v = ob.vertexOf.get(m)!;
    if (!seen[v]) {
      seen[v] = 1;
      q.push(v);
    }
  }
  for (let h = 0; h < q.length; h++) {
    const v = q[h];
    const n = ob.g.node[v]!;
    const route = n.kind === 'pool' || n.kind === 'external' ? undefined : starRoute(n);
    for (const w of ob.g.succ[v]) {
      if (w === 0) continue;
      if (!seen[w]) {
        seen[w] = 1;
        q.push(w);
      }
      if (route) emitHop(e, undefined, n, route, undefined, ob.g.node[w]!);
    }
  }
}

/** The node delivers the flow's domain (one of the flow's delivering vertices: a short list, scanned). */
function isAt(flow: InboundFlow | undefined, n: NodeDecl): boolean {
  if (!flow) return false;
  const d = flow.delivering;
  for (let i = 0; i < d.length; i++) if (flow.g.node[d[i]] === n) return true;
  return false;
}

/** The first `mx` line of the domain naming `to` (a domain has a few). */
function firstMxOf(d: DomainDecl, to: NodeDecl): MxRecord | undefined {
  for (const m of d.mx) if (m.target.kind === 'ref' && m.target.decl === to) return m;
  return undefined;
}

/** Who connects to a node in the flows: an internet client (the internet or an external, not through a masking pool)? */
export interface HopsIn {
  internet: boolean;
  /** A `source masked` pool some hop comes through. */
  masked?: NodeDecl;
}
/**
 * Who connects to each node, recorded by the first hop enumeration: flags
 * per node `order` (a dense number per build) rather than a Map entry and an
 * object per node, since every hop of every flow notes one.
 */
export class HopsInTable {
  /** The nodes some hop reaches, in the order first reached. */
  readonly nodes: NodeDecl[] = [];
  /** By node order: REACHED, and INTERNET_CLIENT when an internet client's address gets to it. */
  readonly flags: Uint8Array;
  /** The first masking pool a hop into the node comes through. */
  readonly masked = new Map<NodeDecl, NodeDecl>();
  constructor(model: Model) {
    // every hop's receiver is one of the model's nodes
    let size = 0;
    for (const n of model.nodes) if (n.order >= size) size = n.order + 1;
    this.flags = new Uint8Array(size);
  }
  get(n: NodeDecl): HopsIn | undefined {
    const f = this.flags[n.order];
    return f ? { internet: (f & INTERNET_CLIENT) !== 0, masked: this.masked.get(n) } : undefined;
  }
}
const REACHED = 1;
const INTERNET_CLIENT = 2;
const hopsInCache = new WeakMap<Model, HopsInTable>();
/** For every node some flow hop reaches: whether an internet client's address ever gets to it. */
export function hopsIn(model: Model): HopsInTable {
  if (!hopsInCache.has(model)) forEachHop(model, () => undefined); // records them
  return hopsInCache.get(model)!;
}
function noteHopIn(t: HopsInTable, h: FlowHop): void {
  const masked = h.pool !== undefined && h.pool.source === 'masked';
  const fromInternet = !masked && (!h.sender || h.sender.kind === 'external');
  const n = h.receiver;
  const f = t.flags[n.order];
  if (!f) t.nodes.push(n);
  t.flags[n.order] = f | REACHED | (fromInternet ? INTERNET_CLIENT : 0);
  if (masked && !t.masked.has(n)) t.masked.set(n, h.pool!);
}

/** Reached in the flows only by your own nodes (or through a masking pool), and admitting no public clients of its own. */
export function neverSeesInternet(model: Model, n: NodeDecl): HopsIn | undefined {
  const t = hopsIn(model);
  if ((t.flags[n.order] & (REACHED | INTERNET_CLIENT)) !== REACHED || analysis(model).publicFrom.has(n))
    return undefined;
  return t.get(n);
}
