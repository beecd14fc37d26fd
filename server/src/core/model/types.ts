// The resolved model: declarations with their statements read into typed
// fields and references resolved across imports. Analysis rules, generators,
// live checks and editor features read this, never the raw syntax.
import type { Range } from '../diagnostic';
import type { Statement, Scalar } from '../syntax/ast';
import type { DeclKind } from '../schema/schema';
import type { AddrSet } from './addr';

export interface Loc {
  file: string;
  range: Range;
}

/** Where a typed field came from: the statement's location (for ranges and related info). */
export interface Sourced<T> {
  value: T;
  file: string;
  range: Range;
  stmt: Statement;
}

export type Zone = 'perimeter' | 'internal' | 'external';
export type Software = 'postfix' | 'exchange' | 'other';
export type RecipientCheck = 'verify' | 'list' | 'none';
export type PoolSource = 'preserved' | 'proxy-protocol' | 'masked';
export type ScanMethod = 'milter' | 'content-filter' | 'proxy';

export interface DeclBase {
  kind: DeclKind;
  /** Name (or the domain name, lower-cased, for domains). */
  name: string;
  file: string;
  /** The name's range (for domains: the domain name). */
  nameRange: Range;
  /** The whole declaration statement. */
  stmt: Statement;
  /** Position in workspace order (imports count at the import line). */
  order: number;
  /** Leading comment lines (hover docs). */
  doc: string[];
}

/** One source in a `from=` list. */
export interface NetSource {
  text: string;
  range: Range;
  network?: NetworkDecl;
  any?: boolean;
}

export interface NetworkDecl extends DeclBase {
  kind: 'network';
  cidrs: string[];
  set: AddrSet;
}

export type MxTarget =
  | { kind: 'ref'; decl: NodeDecl; scalar: Scalar }
  | { kind: 'host'; hostname: string; scalar: Scalar }
  | { kind: 'ip'; ip: string; scalar: Scalar }
  | { kind: 'unresolved'; scalar: Scalar };

export interface MxRecord {
  preference: number;
  target: MxTarget;
  file: string;
  range: Range;
  stmt: Statement;
}

export interface DomainDecl extends DeclBase {
  kind: 'domain';
  mx: MxRecord[];
  /** The `mx none` statement, if any. */
  mxNone?: Sourced<true>;
  spf?: Sourced<string>;
  dmarc?: Sourced<string>;
  mtaSts?: Sourced<string>;
  tlsRpt?: Sourced<string>;
}

export interface AcceptRule {
  patterns: string[];
  from: NetSource[];
  fromSet: AddrSet;
  file: string;
  range: Range;
  stmt: Statement;
}
export interface RelayRule {
  action: 'allow' | 'deny';
  from: NetSource[];
  fromSet: AddrSet;
  auth: 'required' | 'none';
  file: string;
  range: Range;
  stmt: Statement;
  index: number;
}
/** One next hop: a node, or `direct`. */
export interface Hop {
  direct?: true;
  node?: NodeDecl;
  text: string;
  range: Range;
}
export interface RouteRule {
  patterns: string[];
  via: Hop[];
  /** `auth=yes`: this node logs in (SMTP AUTH) to the hops. */
  auth: boolean;
  file: string;
  range: Range;
  stmt: Statement;
}

/** gateway, server, pool and external share one shape; fields a kind lacks stay empty. */
export interface NodeDecl extends DeclBase {
  kind: 'gateway' | 'server' | 'pool' | 'external';
  role?: string;
  zone: Zone;
  /** Zone was written (not the default). */
  zoneDeclared: boolean;
  /** Lower-cased, without a trailing dot. */
  hostname?: Sourced<string>;
  /** Single addresses of `address` lines, as written (an external's ranges are in `addressRanges`). */
  addresses: string[];
  /** An external's `address` ranges (CIDRs), as written; empty for other kinds. */
  addressRanges: string[];
  /** Every address and range of the `address` lines as one set (pools: empty; see `vip`, `snatSet`). */
  readonly addressSet: AddrSet;
  /** The `address` line (or `vip` for pools). */
  addressStmt?: Sourced<string[]>;
  domainJoined: boolean;
  domainJoinedStmt?: Sourced<boolean>;
  listen: number[];
  listenStmt?: Sourced<number[]>;
  /** Message-submission ports (`submission`); [] when none. */
  submission: number[];
  submissionStmt?: Sourced<number[]>;
  /** What runs on it [gateway: postfix; server: exchange; pool, external: other (you configure neither)]. */
  software: Software;
  softwareStmt?: Sourced<Software>;
  /** RCPT-time recipient check [verify; external: none]. */
  recipients: RecipientCheck;
  recipientsStmt?: Sourced<RecipientCheck>;
  tls: 'required' | 'optional' | 'off';
  tlsStmt?: Sourced<string>;
  /** Own `dnsbl` statement: zones, or [] with none=true for `dnsbl none`. */
  dnsbl?: { zones: string[]; none: boolean; file: string; range: Range };
  accepts: AcceptRule[];
  relays: RelayRule[];
  scan?: { policy: PolicyDecl; file: string; range: Range; stmt: Statement };
  routes: RouteRule[];
  capacity?: number;
  mailboxes?: { patterns: string[]; file: string; range: Range; stmt: Statement };
  // pool
  mode?: 'balanced' | 'failover' | 'round-robin';
  members: NodeDecl[];
  membersStmt?: Statement;
  vip?: Sourced<string>;
  ports: number[];
  portsStmt?: Sourced<number[]>;
  health: { check: 'smtp' | 'tcp'; intervalSeconds: number; interval: string; stmt?: Statement };
  peakLoad?: number;
  /** A pool's client-address handling [preserved]. */
  source: PoolSource;
  sourceStmt?: Sourced<PoolSource>;
  /** A pool's effective SNAT addresses: the `snat` line, else the `vip` (else none). */
  snat: string[];
  snatStmt?: Sourced<string[]>;
  /** `snat` as an address set. */
  readonly snatSet: AddrSet;
  /** Pools this node is a member of. */
  pools: NodeDecl[];
}

export interface PolicyDecl extends DeclBase {
  kind: 'policy';
  antivirus?: { engine: string; mode: string; stmt: Statement };
  antispam?: { engine: string; threshold?: number; stmt: Statement };
  /** The effective method: the `method` line, else content-filter when an engine is amavis, else milter. */
  method: ScanMethod;
  methodStmt?: Sourced<ScanMethod>;
  attachments: { action: 'allow' | 'block'; extensions: Scalar[]; stmt: Statement }[];
  maxSize?: { text: string; bytes: number; stmt: Statement };
  onVirus: string;
  onVirusStmt?: Statement;
  licenses?: number;
  licensesStmt?: Statement;
  scanner?: { node?: NodeDecl; hostname?: string; scalar: Scalar; stmt: Statement };
}

export type Decl = NetworkDecl | DomainDecl | NodeDecl | PolicyDecl;

/** Hostnames, domains, patterns, DNSBL zones and nameservers are stored lower-cased without a trailing dot. */
export interface Options {
  dnsbl: string[];
  dnsblStmt?: Loc;
  ttl: string;
  ttlSeconds: number;
  nameservers?: string[];
  contact?: string;
}

/** A reference from a place in a file to a declaration (for definition, references, rename). */
export interface Reference {
  file: string;
  range: Range;
  target: Decl;
  kindsAllowed: string[];
}

export interface Model {
  /** Named declarations (networks, gateways, pools, servers, policies, externals) by name. */
  byName: Map<string, Decl>;
  domains: DomainDecl[];
  networks: NetworkDecl[];
  nodes: NodeDecl[];
  policies: PolicyDecl[];
  options: Options;
  references: Reference[];
  /** All declarations in workspace order. */
  decls: Decl[];
  /**
   * Built by the editor with a build cache: the next build reuses unchanged
   * declarations, so answers computed per node are worth keeping for it.
   */
  keepAnswers?: boolean;
}

export function isNode(d: Decl | undefined): d is NodeDecl {
  return !!d && (d.kind === 'gateway' || d.kind === 'server' || d.kind === 'pool' || d.kind === 'external');
}
