// MT315-MT317: admission (LANGUAGE.md §4). Every hop A -> B of every flow
// must be admitted by B: B sees A's addresses (the internet: every public
// address; through a `source masked` pool: the pool's snat), and decides by
// its `accept ... from=` for a domain it takes (a mailbox server takes its
// own domains from anyone unless an accept narrows it), otherwise by its
// relay rules, first match, where `auth=required` rules match only when A's
// route logs in (`auth=yes`). Everything is computed on address-interval
// sets: a rule's part of the sender's set, never one address at a time.
import type { MtDiagnostic, RelatedInfo } from '../diagnostic';
import { detached } from '../strings';
import {
  anySet,
  emptySet,
  isEmpty,
  privateAddrSet,
  subtract,
  union,
  formatIp,
  type AddrSet,
  type Interval,
} from '../model/addr';
import {
  deliversTo,
  evalSources,
  forEachHop,
  nodeAddressSet,
  patternMatches,
  poolSource,
  poolSourceStmt,
  routeAuth,
  snatSet,
  snatText,
  type FlowHop,
} from '../model/flow';
import type { AcceptRule, NodeDecl, RelayRule } from '../model/types';
import type { RuleContext, RuleFamily } from './rule';
import { relayText } from './relay';
import { appended, NONE } from '../arrays';

/** One deciding part of a receiver's answer: the rule (undefined: the implicit `relay deny from=any`) and what it decides. */
export interface DecidingPart {
  rule?: AcceptRule | RelayRule;
  set: AddrSet;
  allow: boolean;
}

export interface Decision {
  /** What decided: the node's `accept` statements for the domain, its mailboxes, or its relay rules. */
  by: 'accept' | 'mailbox' | 'relay';
  admitted: AddrSet;
  refused: AddrSet;
  /** The parts of the presented set, each with the rule that decided it, in rule order. */
  parts: DecidingPart[];
  /** Every source was understood (no unresolved network): otherwise nothing is reported. */
  complete: boolean;
}

// Set operations by one merge of two sorted interval lists (O(n + m)): a
// hop's decision is a handful of them, and a topology has one per hop.
function interList(a: Interval[], b: Interval[]): Interval[] {
  if (!a.length || !b.length) return EMPTY_LIST;
  // one side inside a single interval of the other (`from=any`, one network): that side, shared, not copied
  if (a === b || (b.length === 1 && b[0].lo <= a[0].lo && b[0].hi >= a[a.length - 1].hi)) return a;
  if (a.length === 1 && a[0].lo <= b[0].lo && a[0].hi >= b[b.length - 1].hi) return b;
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
    const hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;
    if (lo <= hi) out.push(lo === a[i].lo && hi === a[i].hi ? a[i] : { lo, hi });
    if (a[i].hi < b[j].hi) i++;
    else j++;
  }
  return out;
}
function minusList(a: Interval[], b: Interval[]): Interval[] {
  if (!a.length || !b.length) return a;
  if (a === b) return EMPTY_LIST; // everything presented was admitted
  const out: Interval[] = [];
  let j = 0;
  for (const iv of a) {
    let lo = iv.lo;
    while (j < b.length && b[j].hi < lo) j++;
    let k = j;
    while (k < b.length && b[k].lo <= iv.hi) {
      if (b[k].lo > lo) out.push({ lo, hi: b[k].lo - 1n });
      if (b[k].hi >= iv.hi) {
        lo = iv.hi + 1n;
        break;
      }
      lo = b[k].hi + 1n;
      k++;
    }
    if (lo <= iv.hi) out.push(lo === iv.lo ? iv : { lo, hi: iv.hi });
  }
  return out;
}
const EMPTY_LIST: Interval[] = [];
export function inter(a: AddrSet, b: AddrSet): AddrSet {
  const v4 = interList(a.v4, b.v4);
  const v6 = interList(a.v6, b.v6);
  if (v4 === a.v4 && v6 === a.v6) return a; // nothing cut: the same set (minus() of it is then one identity test)
  if (v4 === b.v4 && v6 === b.v6) return b;
  return { v4, v6 };
}
export function minus(a: AddrSet, b: AddrSet): AddrSet {
  if (a === b) return emptySet();
  return { v4: minusList(a.v4, b.v4), v6: minusList(a.v6, b.v6) };
}

let publicSet: AddrSet | undefined;
/** Every public address (LANGUAGE.md §4): what the internet presents. */
export function publicAddrSet(): AddrSet {
  return (publicSet ??= subtract(anySet(), privateAddrSet()));
}

/**
 * B's `accept` statements that cover the recipient domain; for outbound mail
 * (domain undefined: a recipient outside your domains) only `accept *` does.
 */
export function acceptsFor(b: NodeDecl, domain: string | undefined): AcceptRule[] {
  if (!b.accepts.length) return NO_ACCEPTS;
  const out: AcceptRule[] = [];
  for (const a of b.accepts)
    if (domain === undefined ? a.patterns.includes('*') : a.patterns.some((p) => patternMatches(p, domain)))
      out.push(a);
  return out;
}
const NO_ACCEPTS: AcceptRule[] = [];

/** B's decision for mail to `domain` (undefined: outbound) from a client presenting `presented`. */
export function decide(
  b: NodeDecl,
  domain: string | undefined,
  presented: AddrSet,
  auth: boolean,
  delivers = domain !== undefined && deliversTo(b, domain),
): Decision {
  const accepts = acceptsFor(b, domain);
  if (accepts.length) {
    let from = emptySet();
    let complete = true;
    for (const a of accepts) {
      const e = evalSources(a.from);
      from = union(from, e.set);
      complete &&= e.complete;
    }
    const admitted = inter(presented, from);
    const refused = minus(presented, admitted);
    const parts: DecidingPart[] = accepts.map((a) => ({ rule: a, set: inter(presented, a.fromSet), allow: true }));
    return { by: 'accept', admitted, refused, parts, complete };
  }
  if (delivers) return { by: 'mailbox', admitted: presented, refused: emptySet(), parts: [], complete: true };
  return relayDecision(b, presented, auth);
}

/** First match over sets: each rule decides the part of what is left that its `from=` covers. */
function relayDecision(b: NodeDecl, presented: AddrSet, auth: boolean): Decision {
  if (!b.relays.length)
    return {
      by: 'relay',
      admitted: emptySet(),
      refused: presented,
      parts: [{ set: presented, allow: false }],
      complete: true,
    };
  const parts: DecidingPart[] = [];
  let rest = presented;
  let admitted = emptySet();
  let complete = true;
  for (const r of b.relays) {
    if (isEmpty(rest)) break;
    if (r.auth === 'required' && !auth) continue; // an unauthenticated client falls through
    const e = evalSources(r.from);
    complete &&= e.complete;
    let part = inter(rest, e.set);
    if (isEmpty(part)) continue;
    if (part === presented) part = { v4: part.v4, v6: part.v6 }; // partText() names only the unsplit set as written
    parts.push({ rule: r, set: part, allow: r.action === 'allow' });
    if (r.action === 'allow') admitted = union(admitted, part);
    rest = minus(rest, part);
  }
  if (!isEmpty(rest)) parts.push({ set: rest, allow: false });
  return { by: 'relay', admitted, refused: minus(presented, admitted), parts, complete };
}

// ---------------------------------------------------------------------------
// Address sets as text

/** An interval as the fewest CIDR blocks (largest aligned block first). */
function cidrBlocks(iv: Interval, bits: number, max: number): { blocks: string[]; more: boolean } {
  const blocks: string[] = [];
  let lo = iv.lo;
  const family = bits === 32 ? 4 : 6;
  while (lo <= iv.hi) {
    if (blocks.length >= max) return { blocks, more: true };
    // the largest aligned block: limited by lo's trailing zero bits and by what is left
    const align = lo === 0n ? bits : (lo & -lo).toString(2).length - 1;
    const fit = (iv.hi - lo + 1n).toString(2).length - 1;
    const size = Math.min(align, fit, bits);
    const text = formatIp({ family, value: lo });
    blocks.push(size === 0 ? text : `${text}/${bits - size}`);
    lo += 1n << BigInt(size);
  }
  return { blocks, more: false };
}

/** CIDRs (or single addresses) of a set, at most `max`, with "more" when cut. */
export function setCidrs(s: AddrSet, max = 4): { items: string[]; more: boolean } {
  const items: string[] = [];
  for (const [list, bits] of [
    [s.v4, 32],
    [s.v6, 128],
  ] as const)
    for (const iv of list) {
      if (items.length >= max) return { items, more: true };
      const r = cidrBlocks(iv, bits, max - items.length);
      items.push(...r.blocks);
      if (r.more) return { items, more: true };
    }
  return { items, more: false };
}

export function setText(s: AddrSet, max = 4): string {
  const { items, more } = setCidrs(s, max);
  return items.join(', ') + (more ? ', …' : '');
}

// ---------------------------------------------------------------------------
// The rule family

function ruleText(r: AcceptRule | RelayRule): string {
  if ('action' in r) return relayText(r);
  const hasFrom = r.stmt.args.some((x) => x.key?.text === 'from');
  return `accept ${r.patterns.join(', ')}${hasFrom ? ` from=${r.from.map((s) => s.text).join(', ')}` : ''}`;
}

/** What one route line (or mx line) gets wrong: its first hop's fields, and who else gives the same answer. */
interface Problem extends FlowHop {
  code: 'MT315' | 'MT316';
  decision: Decision;
  presented: AddrSet;
  flows: string[];
  outbound: boolean;
  /** The sender declares no address: the receiver refuses every address. */
  anyAddress: boolean;
  /** Every receiver of this route line that gives the same answer (the first is `receiver`). */
  receivers: Array<{ node: NodeDecl; decision: Decision }>;
  /** Another answer given on the same route line (most lines give one). */
  next: Problem | undefined;
}

/**
 * The first `max` items' texts, then "and N more". (A loop, not map/join: one
 * message per problem, 80,000 of them at 100,000 nodes.)
 */
function firstAndMore<T>(items: readonly T[], max: number, text: (x: T) => string): string {
  let s = '';
  for (let i = 0; i < items.length && i < max; i++) s += (i ? ', ' : '') + text(items[i]);
  return items.length > max ? `${s} and ${items.length - max} more` : s;
}
const nodeName = (r: { node: NodeDecl }) => r.node.name;
const itself = (x: string) => x;
const declName = (n: NodeDecl) => n.name;

/** The receivers' names: the first four, then "and N more". */
const names = (p: Problem) => firstAndMore(p.receivers, 4, nodeName);
const plural = (p: Problem, one: string, many: string) => (p.receivers.length === 1 ? one : many);

const flowName = (h: FlowHop) => (h.flow ? h.flow.domain.name : '');

function flowsText(p: Problem): string {
  if (!p.flows.length) return p.outbound ? 'outbound mail' : '';
  const inbound = `inbound mail for ${firstAndMore(p.flows, 3, itself)}`;
  return p.outbound ? `${inbound} and outbound mail` : inbound;
}

function senderText(p: Problem): string {
  const who = p.sender ? p.sender.name : 'the internet';
  let what: string;
  if (p.pool && poolSource(p.pool) === 'masked') what = `seen as ${snatText(p.pool)}, the snat of pool ${p.pool.name}`;
  else if (!p.sender) what = 'every public address';
  else if (p.anyAddress) what = 'no declared address';
  else what = literalText(p.sender);
  const via = p.pool ? ` through pool ${p.pool.name}` : '';
  return `${who}${via} (${what})`;
}

/** The sender's addresses as written (cheaper and truer than re-formatting its set). */
function literalText(n: NodeDecl): string {
  const all = n.addressRanges.length ? [...n.addresses, ...n.addressRanges] : n.addresses;
  return all.length <= 4 ? all.join(', ') : `${all.slice(0, 4).join(', ')}, …`;
}

/** A part of the presented set as text: the whole of it is named as the sender's addresses. */
function partText(p: Problem, set: AddrSet): string {
  if (set === p.presented || (isEmpty(p.decision.admitted) && p.decision.parts.length === 1)) {
    if (p.anyAddress) return 'any address';
    if (p.sender && !(p.pool && poolSource(p.pool) === 'masked')) return literalText(p.sender);
  }
  return setText(set, 3);
}

function decidingText(p: Problem, to: string): string {
  const d = p.decision;
  const b = p.receiver;
  const domain = p.flow?.domain.name;
  if (d.by === 'accept') {
    const rules = d.parts.map((x) => `'${ruleText(x.rule!)}'`);
    return `${rules.join(' and ')} decide${rules.length === 1 ? 's' : ''}`;
  }
  let text = domain
    ? `${to} ${plural(p, 'does', 'do')} not accept ${domain}, so ${plural(p, 'its', 'their')} relay rules decide: `
    : `${plural(p, 'its', 'their')} relay rules decide: `;
  // each refusing part, in rule order (loops, not filter/map: one message per problem, 80,000 at 100k nodes)
  let first = true;
  for (const x of d.parts) {
    if (x.allow) continue;
    if (!first) text += '; ';
    first = false;
    text += x.rule
      ? `'${ruleText(x.rule)}' refuses ${partText(p, x.set)}`
      : `no relay rule matches ${partText(p, x.set)} (the implicit 'relay deny from=any')`;
  }
  if (!(p.route && routeAuth(p.route)))
    for (const r of b.relays)
      if (r.auth === 'required' && r.action === 'allow' && !isEmpty(inter(d.refused, r.fromSet)))
        return text + `; an 'auth=required' rule would admit it if the route had 'auth=yes'`;
  return text;
}

// A receiver's or a rule's related entry is the same in every diagnostic
// that names it (a hub is named by every route line into it): made once per
// run and shared, as ranges already are. Nothing edits a diagnostic after it
// is made. (Maps per run, not module WeakMaps: tens of thousands of weak
// entries are slow to collect.)
interface Shared {
  denies: Map<NodeDecl, RelatedInfo>;
  decides: Map<AcceptRule | RelayRule, RelatedInfo>;
  admitsSome: Map<NodeDecl, RelatedInfo>;
}

/** The entry of `key` in `m`, made the first time it is asked for. */
function sharedEntry<K>(m: Map<K, RelatedInfo>, key: K, make: () => RelatedInfo): RelatedInfo {
  let e = m.get(key);
  if (!e) m.set(key, (e = make()));
  return e;
}

const implicitDeny = (b: NodeDecl, shared: Shared): RelatedInfo =>
  sharedEntry(shared.denies, b, () => ({
    file: b.file,
    range: b.nameRange,
    message: `no relay rule of ${b.name} matches: the implicit 'relay deny from=any' refuses`,
  }));

/** "'rule' of node decides" (a rule is one node's). */
const ruleDecides = (r: AcceptRule | RelayRule, b: NodeDecl, shared: Shared): RelatedInfo =>
  sharedEntry(shared.decides, r, () => ({
    file: r.file,
    range: r.range,
    message: `'${ruleText(r)}' of ${b.name} decides`,
  }));

const admitsSome = (r: NodeDecl, shared: Shared): RelatedInfo =>
  sharedEntry(shared.admitsSome, r, () => ({
    file: r.file,
    range: r.nameRange,
    message: `${r.name} admits only some addresses`,
  }));

function relatedOf(p: Problem, shared: Shared): RelatedInfo[] {
  const out: RelatedInfo[] = [];
  for (let i = 0; i < p.receivers.length && i < 10; i++) {
    const { node: b, decision: d } = p.receivers[i];
    for (const x of d.parts) {
      if (x.allow && d.by !== 'accept') continue; // the deciding parts: every accept, the refusing relay parts
      out.push(x.rule ? ruleDecides(x.rule, b, shared) : implicitDeny(b, shared));
    }
  }
  const src = p.pool && poolSource(p.pool) === 'masked' ? poolSourceStmt(p.pool) : undefined;
  if (src && p.pool)
    out.push({
      file: src.file,
      range: src.range,
      message: `pool ${p.pool.name} hides every client behind its snat`,
    });
  // exact size: a pushed-to array keeps room for 16 more, and this one lives as long as the diagnostic
  return out.slice();
}

function message(p: Problem): string {
  const flows = flowsText(p);
  const to = names(p); // once: the message names the receivers three times
  if (p.code === 'MT315') {
    const none = p.anyAddress ? 'no address at all' : 'none of those addresses';
    return cap(
      `hop refused: ${flows} from ${senderText(p)} to ${to}: ` +
        `${to} ${plural(p, 'admits', 'admit')} ${none}; ${decidingText(p, to)}`,
    );
  }
  const refused =
    p.sender || (p.pool && poolSource(p.pool) === 'masked')
      ? setText(p.decision.refused)
      : `every public address outside ${setText(p.decision.admitted)}`;
  return cap(
    `hop partly refused: ${flows} from ${senderText(p)} to ${to}: ` +
      `${to} ${plural(p, 'refuses', 'refuse')} ${refused}; ${decidingText(p, to)}`,
  );
}

const sameList = (a: Interval[], b: Interval[]) =>
  a.length === b.length && a.every((x, i) => x.lo === b[i].lo && x.hi === b[i].hi);

/** Two hops of one route line get the same answer (compared without building keys: most lines have one). */
function sameAnswer(p: Problem, code: string, d: Decision, pool: NodeDecl | undefined, anyAddress: boolean): boolean {
  if (p.code !== code || p.decision.by !== d.by || p.pool !== pool || p.anyAddress !== anyAddress) return false;
  if (p.decision === d) return true; // one memoized answer
  // the deciding parts (every accept part, the refusing relay parts) pairwise, by rule text
  const every = d.by === 'accept';
  const a = p.decision.parts;
  const b = d.parts;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && a[i].allow && !every) i++;
    while (j < b.length && b[j].allow && !every) j++;
    if (i === a.length || j === b.length) {
      if (i !== a.length || j !== b.length) return false;
      break;
    }
    const ra = a[i++].rule;
    const rb = b[j++].rule;
    if (ra !== rb && (!ra || !rb || ruleText(ra) !== ruleText(rb))) return false;
  }
  if (isEmpty(p.decision.admitted) && isEmpty(d.admitted)) return true;
  return sameList(p.decision.refused.v4, d.refused.v4) && sameList(p.decision.refused.v6, d.refused.v6);
}
const cap = (s: string) => (s.length <= 480 ? s : `${s.slice(0, 478)}…`);

interface Memo {
  /** The node's other questions (most nodes are asked one). */
  next: Memo | undefined;
  presented: AddrSet;
  domain: string | undefined;
  auth: boolean;
  delivers: boolean;
  /** undefined: nothing to report (an unresolved source, or nothing refused). */
  d: Decision | undefined;
}

/** It has a rule for logged-in clients (the login then splits decideOnce's key). */
function hasAuthRequired(b: NodeDecl): boolean {
  for (const r of b.relays) if (r.auth === 'required') return true;
  return false;
}

/**
 * decide(), once per receiver and question: a route line to a pool of ten,
 * and every flow through a hub, ask the same receiver the same thing. A node
 * without accept statements answers every domain alike, and one without an
 * `auth=required` rule every login alike, so those do not split the key.
 */
function decisionMemo() {
  // a chain per node, not an array: a pushed-to array keeps room for 16, and the memo lives the whole run
  const byNode = new Map<NodeDecl, Memo>();
  return (b: NodeDecl, domain: string | undefined, presented: AddrSet, auth: boolean, delivers: boolean) => {
    const dk = b.accepts.length ? domain : undefined;
    const ak = auth && hasAuthRequired(b);
    const first = byNode.get(b);
    for (let m = first; m; m = m.next)
      if (m.presented === presented && m.domain === dk && m.auth === ak && m.delivers === delivers) return m.d;
    const d = decide(b, domain, presented, ak, delivers);
    const fresh = d.complete && !isEmpty(d.refused) ? d : undefined;
    byNode.set(b, { next: first, presented, domain: dk, auth: ak, delivers, d: fresh });
    return fresh;
  };
}

/** What one run collects across the hops; one object, so the per-hop phases need no closures. */
interface Collected {
  /** Per anchor (route line, mx line or receiver): the first answer given there, the others chained to it. */
  problems: Map<object, Problem>;
  /** Senders with no address, and the receivers that admit only some addresses (MT317). */
  unchecked: Map<NodeDecl, NodeDecl[]>;
  decideOnce: ReturnType<typeof decisionMemo>;
  /** Set by presentedBy: the sender declares no address, so any address was asked about. */
  anyAddress: boolean;
}

/** The source addresses a receiver sees on this hop: the pool's SNAT, the internet, or the sender's own. */
function presentedBy(c: Collected, h: FlowHop, masked: boolean): AddrSet {
  c.anyAddress = false;
  if (masked) return snatSet(h.pool!);
  if (!h.sender) return publicAddrSet();
  const presented = nodeAddressSet(h.sender);
  if (!isEmpty(presented)) return presented;
  c.anyAddress = true;
  return anySet(); // what would any address get?
}

/** Decide one hop and file what it refuses under its anchor (or as an unchecked sender). */
function collectHop(c: Collected, h: FlowHop): void {
  // a mailbox server without accept statements takes its own domains from anyone: nothing to decide
  if (h.delivers && !h.receiver.accepts.length) return;
  const masked = !!h.pool && poolSource(h.pool) === 'masked';
  const presented = presentedBy(c, h, masked);
  const anyAddress = c.anyAddress;
  if (isEmpty(presented)) return;
  const d = c.decideOnce(h.receiver, h.flow?.domain.name, presented, !!h.route && routeAuth(h.route), h.delivers);
  if (!d) return;
  let code: 'MT315' | 'MT316';
  if (isEmpty(d.admitted)) {
    // the internet refused outright by an MX target: MT207 says it on the same line
    if (!h.sender && !masked) return;
    code = 'MT315';
  } else if (anyAddress) {
    const list = c.unchecked.get(h.sender!);
    if (!list) c.unchecked.set(h.sender!, [h.receiver]);
    else if (!list.includes(h.receiver)) c.unchecked.set(h.sender!, appended(list, h.receiver));
    return;
  } else code = 'MT316';
  addProblem(c, h, code, d, presented, anyAddress);
}

/** One problem per route line and answer, naming every receiver and flow that gets it. */
function addProblem(
  c: Collected,
  h: FlowHop,
  code: 'MT315' | 'MT316',
  d: Decision,
  presented: AddrSet,
  anyAddress: boolean,
): void {
  const anchor: object = h.route ?? h.mx ?? h.receiver;
  const first = c.problems.get(anchor);
  let p = first;
  let last: Problem | undefined;
  for (; p; p = p.next) {
    if (sameAnswer(p, code, d, h.pool, anyAddress)) break;
    last = p;
  }
  // the lists grow by exact-size copies: a problem lives the whole run
  if (p) {
    if (h.flow && !p.flows.includes(flowName(h))) p.flows = appended(p.flows, flowName(h));
    if (!h.flow) p.outbound = true;
    if (!p.receivers.some((r) => r.node === h.receiver))
      p.receivers = appended(p.receivers, { node: h.receiver, decision: d });
    return;
  }
  const fresh: Problem = {
    code,
    // forEachHop reuses its hop object: its fields copied, one by one (one shape, no spread)
    flow: h.flow,
    sender: h.sender,
    receiver: h.receiver,
    pool: h.pool,
    route: h.route,
    mx: h.mx,
    delivers: h.delivers,
    decision: d,
    presented,
    flows: h.flow ? [flowName(h)] : NONE, // found on outbound mail only: no inbound flows yet
    outbound: !h.flow,
    anyAddress,
    receivers: [{ node: h.receiver, decision: d }],
    next: undefined,
  };
  if (last) last.next = fresh;
  else c.problems.set(anchor, fresh);
}

/** MT315/MT316 on the route (or mx) line the problem was found on; undefined when it has no line. */
function problemDiagnostic(p: Problem, shared: Shared): MtDiagnostic | undefined {
  const at = p.route ?? p.mx;
  if (!at) return undefined;
  return {
    code: p.code,
    severity: p.code === 'MT315' ? 'error' : 'warning',
    file: at.file,
    range: at.range,
    related: relatedOf(p, shared),
    // one flat string: a message is a dozen concatenated pieces, and 80,000 of them at 100,000
    // nodes outlive the run (promoted 95-108 MB instead of 129-175 MB, --trace-gc-nvp)
    message: detached(message(p)),
    data: {
      receiver: p.receiver.name,
      receivers: p.receivers.map((r) => r.node.name),
      by: p.decision.by,
      domain: p.flow?.domain.name,
      addresses: p.anyAddress
        ? NONE
        : isEmpty(p.decision.admitted) && p.sender && !(p.pool && poolSource(p.pool) === 'masked')
          ? p.sender.addressRanges.length
            ? [...p.sender.addresses, ...p.sender.addressRanges]
            : p.sender.addresses // shared: nothing edits a diagnostic after it is made
          : setCidrs(p.decision.refused, 16).items,
    },
  };
}

/** MT317 on a sender with no address whose receivers admit only some addresses. */
function uncheckedDiagnostic(s: NodeDecl, receivers: NodeDecl[], shared: Shared): MtDiagnostic {
  return {
    code: 'MT317',
    severity: 'hint',
    file: s.file,
    range: s.nameRange,
    related: receivers.slice(0, 10).map((r) => admitsSome(r, shared)),
    message: detached(
      `admission of mail from ${s.name} to ${firstAndMore(receivers, 5, declName)} ` +
        `cannot be checked: ${s.name} declares no 'address'`,
    ),
  };
}

export const admissionFamily: RuleFamily = {
  id: 'admission',
  run(ctx: RuleContext): MtDiagnostic[] {
    const c: Collected = { problems: new Map(), unchecked: new Map(), decideOnce: decisionMemo(), anyAddress: false };
    forEachHop(ctx.model, (h) => collectHop(c, h));
    const out: MtDiagnostic[] = [];
    const shared: Shared = { denies: new Map(), decides: new Map(), admitsSome: new Map() };
    // forEach, not for-of: no iterator results or entry pairs for tens of thousands of anchors
    c.problems.forEach((first) => {
      for (let p: Problem | undefined = first; p; p = p.next) {
        const diag = problemDiagnostic(p, shared);
        if (diag) out.push(diag);
      }
    });
    c.unchecked.forEach((receivers, s) => out.push(uncheckedDiagnostic(s, receivers, shared)));
    return out;
  },
};
