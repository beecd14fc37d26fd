// The model objects the builder makes: each says where it came from (file,
// statement; the range is computed only when asked for, most never are).
import type { Range } from '../../diagnostic';
import type { Scalar, Statement } from '../../syntax/ast';
import { AddrSetBuilder, parseCidr, type AddrSet } from '../addr';
import type {
  AcceptRule,
  Decl,
  Hop,
  MxRecord,
  NetSource,
  NetworkDecl,
  NodeDecl,
  PolicyDecl,
  PoolSource,
  RecipientCheck,
  Reference,
  RelayRule,
  RouteRule,
  Software,
  Sourced,
  Zone,
} from '../types';

// Model objects say where they came from; the range is computed only when
// asked for (most never are). Their fields are `declare`d and set by plain
// assignment in each class's own constructor: one shape per class, and no
// base-class field initializer running on many shapes (that was a slow,
// megamorphic define per object), no out-of-object properties.
// (10,000-line files are rebuilt on every keystroke: these objects are the model.)
interface HasRange {
  range: Range;
}
export class SourceAt implements NetSource {
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
export class HopAt implements Hop {
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
export class RefAt implements Reference {
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
export class LazySourced<T> extends FromStmt implements Sourced<T> {
  declare value: T;
  constructor(value: T, file: string, stmt: Statement) {
    super();
    this.value = value;
    this.file = file;
    this.stmt = stmt;
  }
}
export class AcceptAt extends FromStmt implements AcceptRule {
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
export class RelayAt extends FromStmt implements RelayRule {
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
export class RouteAt extends FromStmt implements RouteRule {
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
export class ScanAt extends FromStmt {
  declare policy: PolicyDecl;
  constructor(file: string, stmt: Statement, policy: PolicyDecl) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.policy = policy;
  }
}
export class PatternsAt extends FromStmt {
  declare patterns: string[];
  constructor(file: string, stmt: Statement, patterns: string[]) {
    super();
    this.file = file;
    this.stmt = stmt;
    this.patterns = patterns;
  }
}
export class MxAt extends FromStmt implements MxRecord {
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
export const NO_NODES = Object.freeze([]) as unknown as NodeDecl[];
export const NO_STRINGS = Object.freeze([]) as unknown as string[];
const PORT_25 = Object.freeze([25]) as unknown as number[];
const NO_PORTS = Object.freeze([]) as unknown as number[];
const DEFAULT_HEALTH: NodeDecl['health'] = Object.freeze({
  check: 'smtp',
  intervalSeconds: 10,
  interval: '10s',
});
export const NO_RULES = Object.freeze([]) as unknown as never[];

export class NodeAt implements NodeDecl {
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
  #nameRange: Range | undefined;
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
    this.#nameRange = undefined;
  }
  get nameRange(): Range {
    // made once: every diagnostic and related entry about a node names it (a parser word makes a new range per call)
    return (this.#nameRange ??= this.#name.range);
  }
  get addressSet(): AddrSet {
    if (!this.#addressSet) {
      const set = new AddrSetBuilder(); // sorted and merged once
      if (this.kind !== 'pool') {
        for (const a of this.addresses) addTo(set, a);
        for (const a of this.addressRanges) addTo(set, a);
      }
      this.#addressSet = set.build();
    }
    return this.#addressSet;
  }
  get snatSet(): AddrSet {
    if (!this.#snatSet) {
      const set = new AddrSetBuilder();
      for (const a of this.snat) addTo(set, a);
      this.#snatSet = set.build();
    }
    return this.#snatSet;
  }
}

function addTo(set: AddrSetBuilder, text: string): void {
  const c = parseCidr(text);
  if (c) set.addCidr(c);
}

/** Append to a list that may still be a shared (frozen, empty) default. */
export function add<T>(list: T[], x: T): T[] {
  if (list.length === 0) return [x];
  list.push(x);
  return list;
}
