// From a workspace to the resolved model, with the schema diagnostics
// (MT101-MT113). Each statement is checked against the schema table once; the
// typed fields are read only from statements that passed.
import type { MtDiagnostic, Range, Severity } from '../diagnostic';
import type { Arg, Scalar, Statement } from '../syntax/ast';
import { argAt, argCount, itemAt, itemCount, keywordOf } from '../syntax/parser';
import {
  SCHEMA,
  TOP_LEVEL_KEYWORDS,
  DECL_KINDS,
  describeType,
  type BlockKind,
  type DeclKind,
  type StatementSpec,
  type ValueType,
} from '../schema/schema';
import { checkValue, isReference, durationSeconds, sizeBytes } from '../schema/values';
import { didYouMean, nearest } from '../schema/suggest';
import { AddrSetBuilder, addCidr, emptySet, anySet, parseCidr, parseIp, union, withSetsOf, canonicalIp, type AddrSet } from './addr';
import { normalizeHost } from './names';
import type { Workspace, LoadedFile } from './workspace';
import type {
  Sourced,
  Decl,
  DomainDecl,
  NetworkDecl,
  NodeDecl,
  PolicyDecl,
  Model,
  NetSource,
  Hop,
  Reference,
  Zone,
  MxRecord,
  AcceptRule,
  RelayRule,
  RouteRule,
  Software,
  RecipientCheck,
  PoolSource,
  ScanMethod,
} from './types';

/** What a resolved reference is written into (a code, not a closure per reference). */
const enum Into {
  Network,
  MxTarget,
  Scanner,
  Scan,
  Hop,
  Member,
}

/** A reference to resolve once every file's declarations are known. */
class Pending {
  declare scalar: Scalar;
  declare file: string;
  declare kinds: DeclKind[];
  /** "an MX target", "a pool member" … for MT106 messages. */
  declare role: string;
  declare into: Into;
  /** The object the declaration is written into. */
  declare obj: object;
  declare stmt: Statement | undefined;
  constructor(
    scalar: Scalar,
    file: string,
    kinds: DeclKind[],
    role: string,
    into: Into,
    obj: object,
    stmt?: Statement,
  ) {
    this.scalar = scalar;
    this.file = file;
    this.kinds = kinds;
    this.role = role;
    this.into = into;
    this.obj = obj;
    this.stmt = stmt;
  }
  resolve(d: Decl): void {
    switch (this.into) {
      case Into.Network:
        (this.obj as NetSource).network = d as NetworkDecl;
        return;
      case Into.MxTarget:
        (this.obj as MxRecord).target = { kind: 'ref', decl: d as NodeDecl, scalar: this.scalar };
        return;
      case Into.Scanner:
        (this.obj as NonNullable<PolicyDecl['scanner']>).node = d as NodeDecl;
        return;
      case Into.Scan:
        (this.obj as NodeDecl).scan = new ScanAt(this.file, this.stmt!, d as PolicyDecl);
        return;
      case Into.Hop:
        (this.obj as Hop).node = d as NodeDecl;
        return;
      case Into.Member: {
        const n = this.obj as NodeDecl,
          m = d as NodeDecl;
        if (!n.members.includes(m)) n.members = add(n.members, m);
        m.pools = add(m.pools, n);
        return;
      }
    }
  }
}

export interface BuildResult {
  model: Model;
  diagnostics: MtDiagnostic[];
}

const KIND_LIST = (k: string[]) => (k.length > 1 ? `${k.slice(0, -1).join(', ')} or ${k[k.length - 1]}` : k[0]);
const article = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

/** The first `key=` option before argument index `before` (a repeat is MT107 on the later one). */
function firstOption(st: Statement, key: string, before: number): Arg | undefined {
  for (let i = 0; i < before; i++) {
    const a = argAt(st, i);
    if (a.key?.text === key) return a;
  }
  return undefined;
}

// Model objects say where they came from; the range is computed only when
// asked for (most never are). Their fields are `declare`d and set by plain
// assignment in each class's own constructor: one shape per class, and no
// base-class field initializer running on many shapes (that was a slow,
// megamorphic define per object), no out-of-object properties.
interface HasRange {
  range: Range;
}
class SourceAt implements NetSource {
  declare text: string;
  declare network?: NetworkDecl;
  declare any?: boolean;
  #of: HasRange;
  constructor(text: string, of: HasRange, any?: boolean) {
    this.text = text;
    this.#of = of;
    this.network = undefined;
    this.any = any ? true : undefined;
  }
  get range(): Range {
    return this.#of.range;
  }
}
class HopAt implements Hop {
  declare text: string;
  declare direct?: true;
  declare node?: NodeDecl;
  #of: HasRange;
  constructor(text: string, of: HasRange, direct?: boolean) {
    this.text = text;
    this.#of = of;
    this.direct = direct ? true : undefined;
    this.node = undefined;
  }
  get range(): Range {
    return this.#of.range;
  }
}
class RefAt implements Reference {
  declare file: string;
  declare target: Decl;
  declare kindsAllowed: string[];
  #of: HasRange;
  constructor(file: string, of: HasRange, target: Decl, kindsAllowed: string[]) {
    this.file = file;
    this.#of = of;
    this.target = target;
    this.kindsAllowed = kindsAllowed;
  }
  get range(): Range {
    return this.#of.range;
  }
}
/** A model object read from one statement: its file, the statement, and the statement's range when asked for. */
class FromStmt {
  declare file: string;
  declare stmt: Statement;
  get range(): Range {
    return this.stmt.range;
  }
}
/** A typed field with its statement. */
class LazySourced<T> extends FromStmt implements Sourced<T> {
  declare value: T;
  constructor(value: T, file: string, stmt: Statement) {
    super();
    this.value = value;
    this.file = file;
    this.stmt = stmt;
  }
}
class AcceptAt extends FromStmt implements AcceptRule {
  declare patterns: string[];
  declare from: NetSource[];
  declare fromSet: AddrSet;
  constructor(file: string, stmt: Statement, patterns: string[], from: NetSource[], fromSet: AddrSet) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.patterns = patterns;
    this.from = from;
    this.fromSet = fromSet;
  }
}
class RelayAt extends FromStmt implements RelayRule {
  declare action: 'allow' | 'deny';
  declare from: NetSource[];
  declare fromSet: AddrSet;
  declare auth: 'required' | 'none';
  declare index: number;
  constructor(
    file: string,
    stmt: Statement,
    action: 'allow' | 'deny',
    from: NetSource[],
    fromSet: AddrSet,
    auth: 'required' | 'none',
    index: number,
  ) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.action = action;
    this.from = from;
    this.fromSet = fromSet;
    this.auth = auth;
    this.index = index;
  }
}
class RouteAt extends FromStmt implements RouteRule {
  declare patterns: string[];
  declare via: Hop[];
  declare auth: boolean;
  constructor(file: string, stmt: Statement, patterns: string[], via: Hop[], auth: boolean) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.patterns = patterns;
    this.via = via;
    this.auth = auth;
  }
}
class ScanAt extends FromStmt {
  declare policy: PolicyDecl;
  constructor(file: string, stmt: Statement, policy: PolicyDecl) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.policy = policy;
  }
}
class PatternsAt extends FromStmt {
  declare patterns: string[];
  constructor(file: string, stmt: Statement, patterns: string[]) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.patterns = patterns;
  }
}
class MxAt extends FromStmt implements MxRecord {
  declare preference: number;
  declare target: MxRecord['target'];
  constructor(file: string, stmt: Statement, preference: number, target: MxRecord['target']) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.preference = preference;
    this.target = target;
  }
}

// Defaults shared by every node until a statement sets its own (frozen: a
// stray push fails loudly instead of changing every node).
const NO_NODES = Object.freeze([]) as unknown as NodeDecl[];
const NO_STRINGS = Object.freeze([]) as unknown as string[];
const PORT_25 = Object.freeze([25]) as unknown as number[];
const NO_PORTS = Object.freeze([]) as unknown as number[];
const DEFAULT_HEALTH: NodeDecl['health'] = Object.freeze({
  check: 'smtp',
  intervalSeconds: 10,
  interval: '10s',
});
const NO_RULES = Object.freeze([]) as unknown as never[];

class NodeAt implements NodeDecl {
  declare kind: NodeDecl['kind'];
  declare name: string;
  declare file: string;
  declare stmt: Statement;
  declare order: number;
  declare doc: string[];
  declare role?: string;
  declare zone: Zone;
  declare zoneDeclared: boolean;
  declare hostname?: Sourced<string>;
  declare addresses: string[];
  declare addressRanges: string[];
  declare addressStmt?: Sourced<string[]>;
  declare domainJoined: boolean;
  declare domainJoinedStmt?: Sourced<boolean>;
  declare listen: number[];
  declare listenStmt?: Sourced<number[]>;
  declare submission: number[];
  declare submissionStmt?: Sourced<number[]>;
  declare software: Software;
  declare softwareStmt?: Sourced<Software>;
  declare recipients: RecipientCheck;
  declare recipientsStmt?: Sourced<RecipientCheck>;
  declare tls: NodeDecl['tls'];
  declare tlsStmt?: Sourced<string>;
  declare dnsbl?: NodeDecl['dnsbl'];
  declare accepts: AcceptRule[];
  declare relays: RelayRule[];
  declare scan?: NodeDecl['scan'];
  declare routes: RouteRule[];
  declare capacity?: number;
  declare mailboxes?: NodeDecl['mailboxes'];
  declare mode?: NodeDecl['mode'];
  declare members: NodeDecl[];
  declare membersStmt?: Statement;
  declare vip?: Sourced<string>;
  declare ports: number[];
  declare portsStmt?: Sourced<number[]>;
  declare health: NodeDecl['health'];
  declare peakLoad?: number;
  declare source: PoolSource;
  declare sourceStmt?: Sourced<PoolSource>;
  declare snat: string[];
  declare snatStmt?: Sourced<string[]>;
  declare pools: NodeDecl[];
  #name: Scalar;
  // address sets are built when a rule first asks (most nodes are never asked)
  #addressSet: AddrSet | undefined;
  #snatSet: AddrSet | undefined;
  constructor(
    kind: NodeDecl['kind'],
    name: string,
    file: string,
    nameScalar: Scalar,
    stmt: Statement,
    order: number,
    doc: string[],
  ) {
    this.kind = kind;
    this.name = name;
    this.file = file;
    this.#name = nameScalar;
    this.stmt = stmt;
    this.order = order;
    this.doc = doc;
    this.role = undefined;
    this.zone = kind === 'external' ? 'external' : 'internal';
    this.zoneDeclared = false;
    this.hostname = undefined;
    this.addresses = NO_STRINGS;
    this.addressRanges = NO_STRINGS;
    this.addressStmt = undefined;
    this.domainJoined = kind === 'server';
    this.domainJoinedStmt = undefined;
    this.listen = PORT_25;
    this.listenStmt = undefined;
    this.submission = NO_PORTS;
    this.submissionStmt = undefined;
    // you configure neither a pool's nor an external's software
    this.software = kind === 'gateway' ? 'postfix' : kind === 'server' ? 'exchange' : 'other';
    this.softwareStmt = undefined;
    this.recipients = kind === 'external' ? 'none' : 'verify';
    this.recipientsStmt = undefined;
    this.tls = 'optional';
    this.tlsStmt = undefined;
    this.dnsbl = undefined;
    this.accepts = NO_RULES;
    this.relays = NO_RULES;
    this.scan = undefined;
    this.routes = NO_RULES;
    this.capacity = undefined;
    this.mailboxes = undefined;
    this.mode = undefined;
    this.members = NO_NODES;
    this.membersStmt = undefined;
    this.vip = undefined;
    this.ports = PORT_25;
    this.portsStmt = undefined;
    this.health = DEFAULT_HEALTH;
    this.peakLoad = undefined;
    this.source = 'preserved';
    this.sourceStmt = undefined;
    this.snat = NO_STRINGS;
    this.snatStmt = undefined;
    this.pools = NO_NODES;
    this.#addressSet = undefined;
    this.#snatSet = undefined;
  }
  get nameRange(): Range {
    return this.#name.range;
  }
  get addressSet(): AddrSet {
    if (!this.#addressSet) {
      let set = emptySet();
      if (this.kind !== 'pool') {
        for (const a of this.addresses) set = addTo(set, a);
        for (const a of this.addressRanges) set = addTo(set, a);
      }
      this.#addressSet = set;
    }
    return this.#addressSet;
  }
  get snatSet(): AddrSet {
    if (!this.#snatSet) {
      let set = emptySet();
      for (const a of this.snat) set = addTo(set, a);
      this.#snatSet = set;
    }
    return this.#snatSet;
  }
}

function addTo(set: AddrSet, text: string): AddrSet {
  const c = parseCidr(text);
  return c ? addCidr(set, c) : set;
}

/** Append to a list that may still be a shared (frozen, empty) default. */
function add<T>(list: T[], x: T): T[] {
  if (list.length === 0) return [x];
  list.push(x);
  return list;
}

/** The statements seen once in a block, by keyword (at most one per kind of statement: a few dozen). */
class SeenList {
  readonly keys: string[] = [];
  readonly vals: Statement[] = [];
  n = 0;
  clear(): void {
    this.n = 0;
  }
  get(k: string): Statement | undefined {
    for (let i = 0; i < this.n; i++) if (this.keys[i] === k) return this.vals[i];
    return undefined;
  }
  has(k: string): boolean {
    return this.get(k) !== undefined;
  }
  set(k: string, v: Statement): void {
    this.keys[this.n] = k;
    this.vals[this.n++] = v;
  }
}

/** Statement `a` stands before `b` in the file. */
function before(a: Statement, b: Statement): boolean {
  const x = a.range.start,
    y = b.range.start;
  return x.line < y.line || (x.line === y.line && x.character < y.character);
}
const isAmavis = (engine: string | undefined) => engine?.toLowerCase() === 'amavis';

const NAME_TYPE: ValueType = { t: 'name' };
const DOMAIN_TYPE: ValueType = { t: 'domain' };

const KINDS_NETWORK: DeclKind[] = ['network'];
const KINDS_MX: DeclKind[] = ['gateway', 'pool', 'external'];
const KINDS_SCANNER: DeclKind[] = ['gateway', 'server', 'external'];
const KINDS_POLICY: DeclKind[] = ['policy'];
const KINDS_HOP: DeclKind[] = ['gateway', 'pool', 'server', 'external'];
const KINDS_MEMBER: DeclKind[] = ['gateway', 'server'];

const REQUIRED = new Map<BlockKind, string[]>();
function requiredOf(kind: BlockKind): string[] {
  let r = REQUIRED.get(kind);
  if (!r) {
    r = Object.entries(SCHEMA[kind].statements)
      .filter(([, ss]) => ss.required)
      .map(([n]) => n);
    REQUIRED.set(kind, r);
  }
  return r;
}

export function buildModel(ws: Workspace): BuildResult {
  const diags: MtDiagnostic[] = [];
  const report = (
    code: string,
    severity: Severity,
    file: string,
    range: Range,
    message: string,
    extra: Partial<MtDiagnostic> = {},
  ) => {
    diags.push({ code, severity, message, file, range, ...extra });
  };
  const model: Model = {
    byName: new Map(),
    domains: [],
    networks: [],
    nodes: [],
    policies: [],
    references: [],
    decls: [],
    options: { dnsbl: [], ttl: '1h', ttlSeconds: 3600 },
  };
  const pending: Pending[] = [];
  const domainByName = new Map<string, DomainDecl>();
  let optionsSeen: { file: string; range: Range } | undefined;
  let order = 0;
  /** Externals without a hostname: MT103 unless an MX target (MT308 says it then). */
  const requiredHostname: NodeDecl[] = [];

  /** Check a statement's arguments and options against its spec. Returns false when unusable. */
  // Runs for every statement: no per-statement arrays or maps (options are few, a scan finds a repeat).
  const checkStatement = (st: Statement, spec: StatementSpec, file: string): boolean => {
    let ok = true;
    const nargs = argCount(st);
    let npos = 0;
    let firstExtra: Arg | undefined;
    let lastPos: Arg | undefined;
    if (st.block) {
      report('MT113', 'error', file, st.block.open, `'${spec.name}' takes no block`);
    }
    for (let ai = 0; ai < nargs; ai++) {
      const o = argAt(st, ai);
      const k = o.key;
      if (!k) {
        // positional: checked below once the count is known
        if (npos === spec.args.length) firstExtra = o;
        lastPos = o;
        npos++;
        continue;
      }
      const key = k.text;
      const os = spec.options && Object.hasOwn(spec.options, key) ? spec.options[key] : undefined; // never a prototype member ('__proto__=')
      if (!spec.options) {
        report('MT108', 'error', file, k.range, `'${spec.name}' takes no options (got '${key}=')`);
        ok = false;
        continue;
      }
      if (!os) {
        report(
          'MT108',
          'error',
          file,
          k.range,
          `unknown option '${key}=' on '${spec.name}'${didYouMean(key, Object.keys(spec.options))}`,
          { data: { suggestion: nearest(key, Object.keys(spec.options)) } },
        );
        ok = false;
        continue;
      }
      const prev = firstOption(st, key, ai);
      if (prev) {
        report('MT107', 'error', file, k.range, `option '${key}=' appears twice on '${spec.name}'`, {
          related: [{ file, range: prev.range, message: 'first given here' }],
        });
        ok = false;
        continue;
      }
      const n = itemCount(o);
      if (!n) {
        ok = false;
        continue;
      } // MT001 already
      if (!os.list && n > 1) {
        report('MT102', 'error', file, o.value.range, `option '${key}=' takes one value, got ${n}`);
        ok = false;
        continue;
      }
      for (let j = 0; j < n; j++) ok = checkScalar(itemAt(o, j)!, os.type, file) && ok;
    }
    if (spec.options)
      for (const key in spec.options) {
        const os = spec.options[key];
        if (os.required && !firstOption(st, key, nargs)) {
          report('MT102', 'error', file, st.keyword.range, `'${spec.name}' needs ${key}=… (${describeType(os.type)})`);
          ok = false;
        }
      }
    // `mx none`, `dnsbl none`
    if (spec.noneForm && npos === 1 && itemCount(lastPos!) === 1) {
      const only = itemAt(lastPos!, 0)!;
      if (only.text === 'none' && !only.quoted) return ok;
    }
    for (let ai = 0, i = 0; ai < nargs && i < spec.args.length; ai++) {
      const arg = argAt(st, ai);
      if (arg.key) continue;
      const a = spec.args[i++];
      const n = itemCount(arg);
      if (!a.list && n > 1) {
        report('MT102', 'error', file, arg.value.range, `'${spec.name}' takes one ${a.label} here, got a list of ${n}`);
        ok = false;
        continue;
      }
      for (let j = 0; j < n; j++) ok = checkScalar(itemAt(arg, j)!, a.type, file) && ok;
    }
    if (firstExtra) {
      report(
        'MT102',
        'error',
        file,
        { start: firstExtra.range.start, end: lastPos!.range.end },
        `'${spec.name}' takes ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'} (${spec.args.map((a) => a.label).join(', ')}), got ${npos}`,
      );
      ok = false;
    } else if (npos < spec.args.length && !spec.args[npos].optional) {
      const missing = spec.args[npos];
      report(
        'MT102',
        'error',
        file,
        st.keyword.range,
        `'${spec.name}' needs ${missing.label === spec.args[0].label && npos === 0 ? '' : 'a '}${missing.label}: expected ${describeType(missing.type)}${spec.noneForm ? " or 'none'" : ''}`,
      );
      ok = false;
    }
    return ok;
  };

  const checkScalar = (s: Scalar, t: ValueType, file: string): boolean => {
    const p = checkValue(s, t);
    if (p) {
      const data = t.t === 'enum' ? { suggestion: nearest(s.text, t.values) } : undefined;
      if (!s.unterminated) report(p.code, 'error', file, s.range, p.message, data ? { data } : {}); // MT002 says it
      return false;
    }
    return true;
  };

  /** Net list sources (`any`, CIDRs, IPs, network references resolved later) into `sources` (of the list's length); returns their address set. */
  const readNetList = (from: Arg, file: string, sources: NetSource[], role: string): AddrSet => {
    const set = new AddrSetBuilder(); // sorted and merged once, at the end
    for (let i = 0, n = itemCount(from); i < n; i++) {
      const s = itemAt(from, i)!;
      if (s.text === 'any') {
        sources[i] = new SourceAt('any', s, true);
        set.addAny();
        continue;
      }
      const c = parseCidr(s.text);
      if (c) {
        sources[i] = new SourceAt(s.text, s);
        set.addCidr(c);
        continue;
      }
      const src = new SourceAt(s.text, s);
      sources[i] = src;
      pending.push(new Pending(s, file, KINDS_NETWORK, role, Into.Network, src));
    }
    return set.build();
  };

  // Plain loops: these run for every statement of every file.
  const NONE: Scalar[] = [];
  const firstPositional = (st: Statement): Arg | undefined => {
    for (let i = 0, n = argCount(st); i < n; i++) {
      const a = argAt(st, i);
      if (!a.key) return a;
    }
    return undefined;
  };
  const first = (st: Statement): Scalar | undefined => {
    const a = firstPositional(st);
    return a ? itemAt(a, 0) : undefined;
  };
  const firstList = (st: Statement): Scalar[] => firstPositional(st)?.value.items ?? NONE;
  // Lists read from statements are shared between equal lists (frozen):
  // thousands of rules say `route * …` or `listen 25, 587`.
  const sharedStrings = new Map<string, string[]>();
  const sharedNumbers = new Map<string | number, number[]>();
  const shared = <K, T>(map: Map<K, T[]>, key: K, l: T[]): T[] => {
    const had = map.get(key);
    if (had) return had;
    map.set(key, Object.freeze(l) as T[]);
    return l;
  };
  /** The first argument's items, lower-cased (domain patterns). */
  const lowerList = (st: Statement): string[] => {
    const a = firstPositional(st);
    if (!a) return NO_STRINGS;
    const n = itemCount(a);
    if (n === 1) {
      const t = normalizeHost(itemAt(a, 0)!.text);
      return sharedStrings.get(t) ?? shared(sharedStrings, t, [t]);
    }
    const l = a.value.items.map((x) => normalizeHost(x.text));
    return shared(sharedStrings, l.join('\n') + '\n', l); // (a one-item key has no line break)
  };
  const numberList = (st: Statement): number[] => {
    const a = firstPositional(st);
    if (!a) return [];
    if (itemCount(a) === 1) {
      const v = Number(itemAt(a, 0)!.text);
      return sharedNumbers.get(v) ?? shared(sharedNumbers, v, [v]);
    }
    const l = a.value.items.map((x) => Number(x.text));
    return shared(sharedNumbers, l.join(','), l);
  };
  const optArg = (st: Statement, key: string): Arg | undefined => firstOption(st, key, argCount(st));
  const optFirst = (st: Statement, key: string): Scalar | undefined => {
    const a = optArg(st, key);
    return a ? itemAt(a, 0) : undefined;
  };

  // Reused for every block (cleared per block: blocks do not nest). The
  // once-statements are a small list reused by count: a Map cleared per block
  // reallocates its table each time.
  const seenOnce = new SeenList();
  /** Routes by domain pattern (a block may hold thousands: a map). */
  const seenRoutes = new Map<string, Statement>();

  // ---- declarations ----------------------------------------------------------
  const declare = (d: Decl, lf: LoadedFile) => {
    model.decls.push(d);
    if (d.kind === 'domain') {
      const prev = domainByName.get(d.name);
      if (prev)
        report('MT104', 'error', lf.display, d.nameRange, `domain '${d.name}' is declared twice`, {
          related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }],
        });
      else domainByName.set(d.name, d);
      model.domains.push(d);
      return;
    }
    const prev = model.byName.get(d.name);
    if (prev) {
      report('MT104', 'error', lf.display, d.nameRange, `'${d.name}' is already declared as ${article(prev.kind)}`, {
        related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }],
      });
      return;
    }
    model.byName.set(d.name, d);
    if (d.kind === 'network') model.networks.push(d);
    else if (d.kind === 'policy') model.policies.push(d);
    else model.nodes.push(d);
  };

  /** The file whose last declaration had no block (its `{` forgotten): the statements after it are its contents. */
  let blockless: LoadedFile | undefined;
  for (const { file: lf, stmt } of ws.entries) {
    const file = lf.display;
    const kw = keywordOf(stmt);
    if (TOP_LEVEL_KEYWORDS.includes(kw)) blockless = undefined;
    if (kw === 'import') {
      const a = stmt.args;
      if (a.length !== 1 || a[0].key || a[0].value.items.length !== 1 || !a[0].value.items[0].quoted)
        report(
          'MT102',
          'error',
          file,
          a.length ? { start: a[0].range.start, end: a[a.length - 1].range.end } : stmt.keyword.range,
          `'import' takes one quoted path, e.g. import "domains.mailtopo"`,
        );
      if (stmt.block) report('MT113', 'error', file, stmt.block.open, "'import' takes no block");
      continue;
    }
    if (!TOP_LEVEL_KEYWORDS.includes(kw)) {
      const inBlock = Object.entries(SCHEMA)
        .filter(([, b]) => Object.hasOwn(b.statements, kw))
        .map(([k]) => k);
      const msg = inBlock.length
        ? `'${kw}' is not a declaration: it belongs inside ${KIND_LIST(inBlock.map((k) => (k === 'options' ? "an 'options' block" : article(k))))}`
        : `unknown declaration '${kw}'${didYouMean(kw, TOP_LEVEL_KEYWORDS)}`;
      if (inBlock.length && blockless === lf) continue; // MT113 on the declaration above says it
      report('MT101', 'error', file, stmt.keyword.range, msg, {
        data: { suggestion: nearest(kw, TOP_LEVEL_KEYWORDS) },
      });
      continue;
    }
    if (kw === 'options') {
      if (stmt.args.length) report('MT102', 'error', file, stmt.args[0].range, "'options' takes no arguments");
      if (!stmt.block) {
        report('MT113', 'error', file, stmt.keyword.range, "'options' needs a block: options { … }");
        blockless = lf;
        continue;
      }
      if (optionsSeen) {
        report('MT107', 'error', file, stmt.keyword.range, "a second 'options' block: a workspace has one", {
          related: [{ file: optionsSeen.file, range: optionsSeen.range, message: 'first options block' }],
        });
      } else optionsSeen = { file, range: stmt.keyword.range };
      readBlock(stmt, 'options', file, undefined);
      continue;
    }
    const kind = kw as DeclKind;
    const pos = stmt.args.filter((a) => !a.key);
    const nameScalar = pos[0]?.value.items[0];
    for (const o of stmt.args.filter((a) => a.key))
      report('MT108', 'error', file, o.key!.range, `a '${kind}' declaration takes no options`);
    if (!nameScalar) {
      report(
        'MT102',
        'error',
        file,
        stmt.keyword.range,
        `'${kind}' needs a ${kind === 'domain' ? 'domain name' : 'name'}`,
      );
      if (stmt.block) readBlock(stmt, kind, file, undefined);
      continue;
    }
    let nameOk = true;
    if (pos.length > 1 || pos[0].value.items.length > 1) {
      report(
        'MT102',
        'error',
        file,
        { start: (pos[1] ?? pos[0]).range.start, end: pos[pos.length - 1].range.end },
        `'${kind}' takes one ${kind === 'domain' ? 'domain name' : 'name'}`,
      );
    }
    const p = checkValue(nameScalar, kind === 'domain' ? DOMAIN_TYPE : NAME_TYPE);
    if (p) {
      if (!nameScalar.unterminated) report(p.code, 'error', file, nameScalar.range, p.message);
      nameOk = false;
    }
    if (!stmt.block) {
      report(
        'MT113',
        'error',
        file,
        stmt.keyword.range,
        `'${kind} ${nameScalar.text}' needs a block: ${kind} ${nameScalar.text} { … }`,
      );
      blockless = lf;
    }
    let decl: Decl;
    if (kind === 'gateway' || kind === 'server' || kind === 'pool' || kind === 'external')
      decl = new NodeAt(kind, nameScalar.text, file, nameScalar, stmt, order++, stmt.leadingComments);
    else {
      const base = {
        name: kind === 'domain' ? normalizeHost(nameScalar.text) : nameScalar.text,
        file,
        nameRange: nameScalar.range,
        stmt,
        order: order++,
        doc: stmt.leadingComments,
      };
      switch (kind) {
        case 'network':
          decl = { ...base, kind, cidrs: [], set: emptySet() };
          break;
        case 'domain':
          decl = { ...base, kind, mx: [] };
          break;
        default:
          decl = { ...base, kind, attachments: [], onVirus: 'reject', method: 'milter' };
          break;
      }
    }
    if (nameOk) declare(decl, lf);
    if (stmt.block) readBlock(stmt, kind, file, decl);
  }

  // ---- block contents ----------------------------------------------------------
  function readBlock(decl: Statement, kind: BlockKind, file: string, d: Decl | undefined): void {
    const spec = SCHEMA[kind];
    const ownerName = d ? `${kind} '${d.name}'` : kind === 'options' ? "'options'" : kind;
    seenOnce.clear();
    if (seenRoutes.size) seenRoutes.clear();
    for (const st of decl.block!.statements) {
      const kw = keywordOf(st);
      const ss = Object.hasOwn(spec.statements, kw) ? spec.statements[kw] : undefined; // never a prototype member ('__proto__', 'constructor')
      if (!ss) {
        const elsewhere = TOP_LEVEL_KEYWORDS.includes(kw)
          ? ` ('${kw}' is a top-level declaration: is a '}' missing above?)`
          : (() => {
              const ks = DECL_KINDS.filter((k) => Object.hasOwn(SCHEMA[k].statements, kw));
              return ks.length ? ` ('${kw}' belongs in ${KIND_LIST(ks.map(article))})` : '';
            })();
        const sugg = nearest(kw, Object.keys(spec.statements));
        report(
          'MT101',
          'error',
          file,
          st.keyword.range,
          `unknown statement '${kw}' in ${ownerName}${sugg && !elsewhere ? `: did you mean '${sugg}'?` : elsewhere}`,
          { data: sugg ? { suggestion: sugg } : undefined },
        );
        continue;
      }
      if (!ss.repeatable) {
        const prev = seenOnce.get(kw);
        if (prev) {
          report('MT107', 'error', file, st.keyword.range, `'${kw}' may appear once in ${ownerName}`, {
            related: [{ file, range: prev.range, message: 'first given here' }],
          });
          continue;
        }
        seenOnce.set(kw, st);
      }
      if (!checkStatement(st, ss, file)) continue;
      if (kw === 'route') {
        const a = firstPositional(st)!;
        for (let i = 0, k = itemCount(a); i < k; i++) {
          const s = itemAt(a, i)!;
          const key = normalizeHost(s.text);
          const prev = seenRoutes.get(key);
          if (prev)
            report('MT107', 'error', file, s.range, `a second route for '${s.text}' in ${ownerName}`, {
              related: [{ file, range: prev.range, message: 'first route for it' }],
            });
          else seenRoutes.set(key, st);
        }
      }
      readStatement(st, kind, file, d);
    }
    // statements only some roles take (a server's `mailboxes`: role mailbox)
    if (d && (d.kind === 'server' || d.kind === 'gateway') && d.role) {
      const n = d;
      for (let i = 0; i < seenOnce.n; i++) {
        const name = seenOnce.keys[i],
          st = seenOnce.vals[i];
        const roles = spec.statements[name].roles;
        if (!roles || roles.includes(n.role!)) continue;
        report(
          'MT101',
          'error',
          file,
          st.keyword.range,
          `'${name}' is only for ${article(kind)} with role ${roles.join(' or ')}; ${ownerName} has role ${n.role}`,
        );
        if (name === 'mailboxes') n.mailboxes = undefined;
      }
    }
    // required statements
    if (d) {
      for (const name of requiredOf(kind)) {
        const ss = spec.statements[name];
        if (seenOnce.has(name)) continue;
        if (name === 'hostname' && kind === 'external') {
          requiredHostname.push(d as NodeDecl);
          continue;
        } // MT308 replaces it for MX targets
        report('MT103', 'error', file, d.nameRange, `${ownerName} has no '${name}' (required): ${ss.doc}`, {
          data: { missing: name },
        });
      }
      if (kind === 'pool') {
        const pool = d as NodeDecl;
        if (!seenOnce.has('vip') && pool.mode !== 'round-robin' && seenOnce.has('mode'))
          report('MT103', 'error', file, d.nameRange, `${ownerName} has no 'vip' (required unless mode round-robin)`, {
            data: { missing: 'vip' },
          });
      }
      finishDecl(d, file, ownerName);
    }
  }

  /** Defaults that depend on several statements, and MT114 (a port twice on a node). */
  function finishDecl(d: Decl, file: string, ownerName: string): void {
    if (d.kind === 'policy') {
      if (!d.methodStmt && (isAmavis(d.antivirus?.engine) || isAmavis(d.antispam?.engine))) d.method = 'content-filter';
      return;
    }
    if (d.kind === 'pool') {
      if (!d.snatStmt && d.vip) d.snat = [d.vip.value];
      if (d.portsStmt) duplicatePorts(file, ownerName, d.portsStmt.stmt, undefined, undefined);
      return;
    }
    if (d.kind === 'gateway' || d.kind === 'server') {
      const l = d.listenStmt?.stmt,
        sub = d.submissionStmt?.stmt;
      if (l && sub && before(sub, l)) duplicatePorts(file, ownerName, sub, l, undefined);
      else if (l || sub)
        duplicatePorts(file, ownerName, (l ?? sub)!, l ? sub : undefined, l || seenOnce.has('listen') ? undefined : d);
    }
  }

  /**
   * MT114 on every repeated port of `a` then `b` (in text order), related to its first occurrence.
   * `defaultListen`: `a` is a `submission` of a node whose `listen` is the default 25.
   */
  function duplicatePorts(file: string, owner: string, a: Statement, b?: Statement, defaultListen?: NodeDecl): void {
    const items = (firstPositional(a)?.value.items ?? NONE).concat(
      b ? (firstPositional(b)?.value.items ?? NONE) : NONE,
    );
    const na = firstPositional(a)?.value.items.length ?? 0;
    const kwOf = (i: number) => keywordOf(i < na ? a : b!);
    for (let i = 0; i < items.length; i++) {
      const port = Number(items[i].text);
      if (defaultListen && port === 25) {
        report(
          'MT114',
          'error',
          file,
          items[i].range,
          `port 25 is both a 'submission' port and the default 'listen 25' of ${owner}`,
          {
            related: [{ file, range: defaultListen.nameRange, message: `${owner} listens on 25 (no 'listen' line)` }],
          },
        );
        continue;
      }
      let j = 0;
      while (j < i && Number(items[j].text) !== port) j++;
      if (j === i) continue;
      const where = kwOf(i) === kwOf(j) ? `twice in '${kwOf(i)}'` : `in both '${kwOf(j)}' and '${kwOf(i)}'`;
      report('MT114', 'error', file, items[i].range, `port ${port} is ${where} of ${owner}`, {
        related: [{ file, range: items[j].range, message: `port ${port} first given here` }],
      });
    }
  }

  function readStatement(st: Statement, kind: BlockKind, file: string, d: Decl | undefined): void {
    const kw = keywordOf(st);
    const v = first(st)?.text ?? '';
    if (kind === 'options') {
      const o = model.options;
      if (kw === 'dnsbl') {
        o.dnsbl = firstList(st).map((s) => normalizeHost(s.text));
        o.dnsblStmt = { file, range: st.range };
      } else if (kw === 'ttl') {
        o.ttl = v;
        o.ttlSeconds = durationSeconds(v) ?? 3600;
      } else if (kw === 'nameservers') o.nameservers = firstList(st).map((s) => normalizeHost(s.text));
      else if (kw === 'contact') o.contact = v;
      return;
    }
    if (!d) return;
    if (d.kind === 'network') {
      if (kw === 'cidr') {
        const set = new AddrSetBuilder().addSet(d.set);
        for (const s of firstList(st)) {
          d.cidrs.push(s.text);
          set.addCidr(parseCidr(s.text)!);
        }
        d.set = set.build();
      }
      return;
    }
    if (d.kind === 'domain') {
      switch (kw) {
        case 'mx': {
          const pos = st.args.filter((a) => !a.key);
          if (pos.length === 1 && v === 'none') {
            d.mxNone = new LazySourced(true as const, file, st);
            return;
          }
          const pref = Number(v);
          const ts = pos[1].value.items[0];
          const rec: MxRecord = new MxAt(file, st, pref, { kind: 'unresolved', scalar: ts });
          const t: ValueType = SCHEMA.domain.statements.mx.args[1].type;
          if (canonicalIp(ts.text)) rec.target = { kind: 'ip', ip: ts.text, scalar: ts };
          else if (isReference(ts, t))
            pending.push(new Pending(ts, file, KINDS_MX, 'an MX target', Into.MxTarget, rec));
          else rec.target = { kind: 'host', hostname: normalizeHost(ts.text), scalar: ts };
          d.mx.push(rec);
          return;
        }
        case 'spf':
          d.spf = new LazySourced(v, file, st);
          return;
        case 'dmarc':
          d.dmarc = new LazySourced(v, file, st);
          return;
        case 'mta-sts':
          d.mtaSts = new LazySourced(v, file, st);
          return;
        case 'tls-rpt':
          d.tlsRpt = new LazySourced(v, file, st);
          return;
      }
      return;
    }
    if (d.kind === 'policy') {
      switch (kw) {
        case 'antivirus':
          d.antivirus = { engine: v, mode: optFirst(st, 'mode')?.text ?? 'realtime', stmt: st };
          return;
        case 'antispam': {
          const t = optFirst(st, 'threshold');
          d.antispam = { engine: v, threshold: t ? Number(t.text) : undefined, stmt: st };
          return;
        }
        case 'attachments': {
          const pos = st.args.filter((a) => !a.key);
          d.attachments.push({ action: v as 'allow' | 'block', extensions: pos[1]?.value.items ?? [], stmt: st });
          return;
        }
        case 'method':
          d.method = v as ScanMethod;
          d.methodStmt = new LazySourced(d.method, file, st);
          return;
        case 'max-size':
          d.maxSize = { text: v, bytes: sizeBytes(v) ?? 0, stmt: st };
          return;
        case 'on-virus':
          d.onVirus = v;
          d.onVirusStmt = st;
          return;
        case 'licenses':
          d.licenses = Number(v);
          d.licensesStmt = st;
          return;
        case 'scanner': {
          const s = first(st)!;
          const sc: PolicyDecl['scanner'] = { scalar: s, stmt: st };
          d.scanner = sc;
          if (isReference(s, SCHEMA.policy.statements.scanner.args[0].type))
            pending.push(new Pending(s, file, KINDS_SCANNER, 'a scanner', Into.Scanner, sc));
          else sc.hostname = normalizeHost(s.text);
          return;
        }
      }
      return;
    }
    const n = d;
    switch (kw) {
      case 'role':
        n.role = v;
        if (n.kind === 'gateway' && !n.zoneDeclared) n.zone = v === 'relay' ? 'internal' : 'perimeter';
        return;
      case 'zone':
        n.zone = v as Zone;
        n.zoneDeclared = true;
        return;
      case 'hostname':
        n.hostname = new LazySourced(normalizeHost(v), file, st);
        return;
      case 'address': {
        const list = firstList(st).map((s) => s.text);
        n.addressStmt = new LazySourced(list, file, st);
        if (n.kind === 'external' && !list.every((a) => parseIp(a))) {
          // an external's published ranges: single addresses stay in `addresses`
          const ips = list.filter((a) => parseIp(a)),
            ranges = list.filter((a) => !parseIp(a));
          n.addresses = n.addresses.length ? n.addresses.concat(ips) : ips;
          n.addressRanges = n.addressRanges.length ? n.addressRanges.concat(ranges) : ranges;
          return;
        }
        n.addresses = n.addresses.length ? n.addresses.concat(list) : list;
        return;
      }
      case 'domain-joined':
        n.domainJoined = v === 'yes';
        n.domainJoinedStmt = new LazySourced(v === 'yes', file, st);
        return;
      case 'listen':
        n.listen = numberList(st);
        n.listenStmt = new LazySourced(n.listen, file, st);
        return;
      case 'submission':
        n.submission = numberList(st);
        n.submissionStmt = new LazySourced(n.submission, file, st);
        return;
      case 'software':
        n.software = v as Software;
        n.softwareStmt = new LazySourced(n.software, file, st);
        return;
      case 'recipients':
        n.recipients = v as RecipientCheck;
        n.recipientsStmt = new LazySourced(n.recipients, file, st);
        return;
      case 'source':
        n.source = v as PoolSource;
        n.sourceStmt = new LazySourced(n.source, file, st);
        return;
      case 'snat': {
        const list = firstList(st).map((s) => s.text);
        n.snat = list;
        n.snatStmt = new LazySourced(list, file, st);
        return;
      }
      case 'ports':
        n.ports = firstList(st).map((s) => Number(s.text));
        n.portsStmt = new LazySourced(n.ports, file, st);
        return;
      case 'tls':
        n.tls = v as NodeDecl['tls'];
        n.tlsStmt = new LazySourced(v, file, st);
        return;
      case 'dnsbl':
        n.dnsbl =
          v === 'none' && firstList(st).length === 1
            ? { zones: [], none: true, file, range: st.range }
            : { zones: firstList(st).map((s) => normalizeHost(s.text)), none: false, file, range: st.range };
        return;
      case 'accept': {
        const from = optArg(st, 'from');
        let sources: NetSource[];
        let set: AddrSet;
        if (from && itemCount(from)) {
          sources = new Array(itemCount(from));
          set = readNetList(from, file, sources, 'an accept source');
        } else {
          sources = [new SourceAt('any', st, true)];
          set = anySet();
        }
        n.accepts = add(n.accepts, new AcceptAt(file, st, lowerList(st), sources, set));
        return;
      }
      case 'relay': {
        const from = optArg(st, 'from');
        const sources: NetSource[] = from ? new Array(itemCount(from)) : [];
        const set = from ? readNetList(from, file, sources, 'a relay source') : emptySet();
        n.relays = add(
          n.relays,
          new RelayAt(
            file,
            st,
            v as 'allow' | 'deny',
            sources,
            set,
            (optFirst(st, 'auth')?.text ?? 'none') as 'required' | 'none',
            n.relays.length,
          ),
        );
        return;
      }
      case 'scan': {
        const s = first(st)!;
        pending.push(new Pending(s, file, KINDS_POLICY, 'a scan policy', Into.Scan, n, st));
        return;
      }
      case 'route': {
        const arg = optArg(st, 'via');
        const via: Hop[] = new Array(arg ? itemCount(arg) : 0); // exact size
        for (let i = 0; i < via.length; i++) {
          const s = itemAt(arg!, i)!;
          if (s.text === 'direct') {
            via[i] = new HopAt('direct', s, true);
            continue;
          }
          const hop: Hop = new HopAt(s.text, s);
          via[i] = hop;
          pending.push(new Pending(s, file, KINDS_HOP, 'a next hop', Into.Hop, hop));
        }
        n.routes = add(n.routes, new RouteAt(file, st, lowerList(st), via, optFirst(st, 'auth')?.text === 'yes'));
        return;
      }
      case 'capacity':
        n.capacity = Number(v);
        return;
      case 'mailboxes':
        n.mailboxes = new PatternsAt(file, st, lowerList(st));
        return;
      case 'mode':
        n.mode = v as NodeDecl['mode'];
        return;
      case 'members':
        n.membersStmt = st;
        for (const s of firstList(st))
          pending.push(new Pending(s, file, KINDS_MEMBER, 'a pool member', Into.Member, n));
        return;
      case 'vip':
        n.vip = new LazySourced(v, file, st);
        n.addressStmt = new LazySourced([v], file, st);
        return;
      case 'health': {
        const iv = optFirst(st, 'interval')?.text ?? '10s';
        n.health = { check: v as 'smtp' | 'tcp', interval: iv, intervalSeconds: durationSeconds(iv) ?? 10, stmt: st };
        return;
      }
      case 'peak-load':
        n.peakLoad = Number(v);
        return;
    }
  }

  // ---- references ----------------------------------------------------------------
  const used = new Set<Decl>();
  for (const p of pending) {
    const d = model.byName.get(p.scalar.text);
    if (!d) {
      const cands = [...model.byName.values()].filter((x) => p.kinds.includes(x.kind)).map((x) => x.name);
      const sugg = nearest(p.scalar.text, cands);
      report(
        'MT105',
        'error',
        p.file,
        p.scalar.range,
        `'${p.scalar.text}' is not declared${sugg ? `: did you mean '${sugg}'?` : ''} (expected ${article(KIND_LIST(p.kinds))})`,
        { data: sugg ? { suggestion: sugg } : { kinds: p.kinds } },
      );
      continue;
    }
    used.add(d);
    const sc = p.scalar;
    model.references.push(new RefAt(p.file, sc, d, p.kinds));
    if (!p.kinds.includes(d.kind)) {
      report(
        'MT106',
        'error',
        p.file,
        p.scalar.range,
        `'${d.name}' is ${article(d.kind)}; ${p.role} must be ${article(KIND_LIST(p.kinds))}`,
        { related: [{ file: d.file, range: d.nameRange, message: `'${d.name}' is declared here` }] },
      );
      continue;
    }
    p.resolve(d);
  }
  pending.length = 0; // nothing of the pass stays reachable through it

  // `from=` sets: add the ranges of the networks now that they are resolved
  for (const n of model.nodes) {
    for (const r of n.accepts) r.fromSet = withSetsOf(r.fromSet, r.from, (s) => s.network?.set);
    for (const r of n.relays) r.fromSet = withSetsOf(r.fromSet, r.from, (s) => s.network?.set);
    // exact-size arrays: a pushed-to array keeps room for 16 more, per node (rule lists: sliced when made)
    if (n.accepts.length > 1) n.accepts = n.accepts.slice();
    if (n.relays.length > 1) n.relays = n.relays.slice();
    if (n.routes.length > 1) n.routes = n.routes.slice();
    if (n.pools.length > 1) n.pools = n.pools.slice();
    if (n.members.length > 1) n.members = n.members.slice();
  }

  // external hostname: MT103 unless an MX target (then MT308 says it)
  for (const n of requiredHostname) {
    const isMx = model.domains.some((dm) => dm.mx.some((m) => m.target.kind === 'ref' && m.target.decl === n));
    if (!isMx)
      report(
        'MT103',
        'error',
        n.file,
        n.nameRange,
        `external '${n.name}' has no 'hostname' (required): ${SCHEMA.external.statements.hostname.doc}`,
        { data: { missing: 'hostname' } },
      );
  }

  // MT111: declared but never referenced
  for (const d of model.decls) {
    if (
      (d.kind === 'network' || d.kind === 'policy' || d.kind === 'external') &&
      !used.has(d) &&
      model.byName.get(d.name) === d
    ) {
      report('MT111', 'hint', d.file, d.nameRange, `${d.kind} '${d.name}' is never referenced`, {
        tags: ['unnecessary'],
      });
    }
  }

  // MT112: the same address on two nodes (a pool's vip included; a pool's own member is MT403)
  const seenAddr = new Map<string, NodeDecl>();
  /** The address itself on the node's `address` (or `vip`) line, so only it is marked. */
  const addrRange = (node: NodeDecl, canon: string): Range => {
    const items = node.addressStmt?.stmt.args.find((x) => !x.key)?.value.items ?? [];
    return items.find((i) => canonicalIp(i.text) === canon)?.range ?? node.addressStmt?.range ?? node.nameRange;
  };
  for (const n of model.nodes) {
    const list = n.kind === 'pool' ? (n.vip ? [n.vip.value] : []) : n.addresses;
    // (a repeat within the node's own list counts once: compared by scan, most nodes have one address)
    const canon = list.length > 1 ? list.map(canonicalIp) : undefined;
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      const c = canon ? canon[i] : canonicalIp(a);
      if (!c || (canon && canon.indexOf(c) < i)) continue;
      const prev = seenAddr.get(c);
      if (prev && prev !== n) {
        const poolMember = (p: NodeDecl, m: NodeDecl) => p.kind === 'pool' && p.members.includes(m);
        if (!poolMember(prev, n) && !poolMember(n, prev)) {
          report(
            'MT112',
            'warning',
            n.file,
            addrRange(n, c),
            `address ${a} is also used by ${prev.kind} '${prev.name}'`,
            { related: [{ file: prev.file, range: addrRange(prev, c), message: `${prev.name} has ${a}` }] },
          );
        }
      } else if (!prev) seenAddr.set(c, n);
    }
  }

  return { model, diagnostics: diags };
}

export { union };
