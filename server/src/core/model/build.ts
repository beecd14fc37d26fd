// From a workspace to the resolved model, with the schema diagnostics
// (MT101-MT113). Each statement is checked against the schema table once; the
// typed fields are read only from statements that passed.
import type { MtDiagnostic, Range, Severity } from '../diagnostic';
import type { Arg, Scalar, Statement } from '../syntax/ast';
import { SCHEMA, TOP_LEVEL_KEYWORDS, DECL_KINDS, describeType, type BlockKind, type DeclKind, type StatementSpec, type ValueType } from '../schema/schema';
import { checkValue, isReference, durationSeconds, sizeBytes } from '../schema/values';
import { didYouMean, nearest } from '../schema/suggest';
import { addCidr, emptySet, anySet, parseCidr, union, canonicalIp, type AddrSet } from './addr';
import type { Workspace, LoadedFile } from './workspace';
import type {
  Sourced, Decl, DomainDecl, NetworkDecl, NodeDecl, PolicyDecl, Model, NetSource, Hop, Reference, Zone, MxRecord,
} from './types';

interface Pending {
  scalar: Scalar;
  file: string;
  kinds: DeclKind[];
  /** "an MX target", "a pool member" … for MT106 messages. */
  role: string;
  resolve: (d: Decl) => void;
}

export interface BuildResult { model: Model; diagnostics: MtDiagnostic[] }

const KIND_LIST = (k: string[]) => (k.length > 1 ? `${k.slice(0, -1).join(', ')} or ${k[k.length - 1]}` : k[0]);
const article = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

/** The first `key=` option before index `before` (a repeat is MT107 on the later one). */
function firstOption(args: Arg[], key: string, before: number): Arg | undefined {
  for (let i = 0; i < before; i++) if (args[i].key?.text === key) return args[i];
  return undefined;
}

/** A required option is there when some `key=` names it (the MT102 for a missing one). */
function validOption(st: Statement, _spec: StatementSpec, key: string): boolean {
  for (const a of st.args) if (a.key?.text === key) return true;
  return false;
}

/** Where a model object came from: its range is computed only when asked for (most never are). */
interface HasRange { range: Range }
class At { #of: HasRange; constructor(of: HasRange) { this.#of = of; } get range(): Range { return this.#of.range; } }
class SourceAt extends At implements NetSource {
  network?: NetworkDecl;
  any?: boolean;
  constructor(public text: string, of: HasRange, any?: boolean) { super(of); if (any) this.any = true; }
}
class HopAt extends At implements Hop {
  direct?: true;
  node?: NodeDecl;
  constructor(public text: string, of: HasRange, direct?: boolean) { super(of); if (direct) this.direct = true; }
}
class RuleAt extends At { constructor(public file: string, public stmt: Statement) { super(stmt); } }
class RefAt extends At implements Reference { constructor(public file: string, of: HasRange, public target: Decl, public kindsAllowed: string[]) { super(of); } }

/** A typed field with its statement; the range is computed when asked for. */
class LazySourced<T> extends RuleAt implements Sourced<T> {
  constructor(public value: T, file: string, stmt: Statement) { super(file, stmt); }
}
const REQUIRED = new Map<BlockKind, string[]>();
function requiredOf(kind: BlockKind): string[] {
  let r = REQUIRED.get(kind);
  if (!r) { r = Object.entries(SCHEMA[kind].statements).filter(([, ss]) => ss.required).map(([n]) => n); REQUIRED.set(kind, r); }
  return r;
}

export function buildModel(ws: Workspace): BuildResult {
  const diags: MtDiagnostic[] = [];
  const report = (code: string, severity: Severity, file: string, range: Range, message: string, extra: Partial<MtDiagnostic> = {}) => {
    diags.push({ code, severity, message, file, range, ...extra });
  };
  const model: Model = {
    byName: new Map(), domains: [], networks: [], nodes: [], policies: [], references: [], decls: [],
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
    const args = st.args;
    let npos = 0;
    let firstExtra: Arg | undefined;
    let lastPos: Arg | undefined;
    if (st.block) { report('MT113', 'error', file, st.block.open, `'${spec.name}' takes no block`); }
    for (let ai = 0; ai < args.length; ai++) {
      const o = args[ai];
      if (!o.key) {
        // positional: checked below once the count is known
        if (npos === spec.args.length) firstExtra = o;
        lastPos = o;
        npos++;
        continue;
      }
      const key = o.key.text;
      const os = spec.options && Object.hasOwn(spec.options, key) ? spec.options[key] : undefined; // never a prototype member ('__proto__=')
      if (!spec.options) { report('MT108', 'error', file, o.key.range, `'${spec.name}' takes no options (got '${key}=')`); ok = false; continue; }
      if (!os) { report('MT108', 'error', file, o.key.range, `unknown option '${key}=' on '${spec.name}'${didYouMean(key, Object.keys(spec.options))}`, { data: { suggestion: nearest(key, Object.keys(spec.options)) } }); ok = false; continue; }
      const prev = firstOption(args, key, ai);
      if (prev) { report('MT107', 'error', file, o.key.range, `option '${key}=' appears twice on '${spec.name}'`, { related: [{ file, range: prev.range, message: 'first given here' }] }); ok = false; continue; }
      const items = o.value.items;
      if (!items.length) { ok = false; continue; } // MT001 already
      if (!os.list && items.length > 1) { report('MT102', 'error', file, o.value.range, `option '${key}=' takes one value, got ${items.length}`); ok = false; continue; }
      for (const s of items) ok = checkScalar(s, os.type, file) && ok;
    }
    if (spec.options) for (const key in spec.options) {
      const os = spec.options[key];
      if (os.required && !validOption(st, spec, key)) { report('MT102', 'error', file, st.keyword.range, `'${spec.name}' needs ${key}=… (${describeType(os.type)})`); ok = false; }
    }
    // `mx none`, `dnsbl none`
    if (spec.noneForm && npos === 1) {
      const items = lastPos!.value.items;
      if (items.length === 1 && items[0].text === 'none' && !items[0].quoted) return ok;
    }
    for (let ai = 0, i = 0; ai < args.length && i < spec.args.length; ai++) {
      if (args[ai].key) continue;
      const a = spec.args[i++];
      const v = args[ai].value;
      const items = v.items;
      if (!a.list && items.length > 1) { report('MT102', 'error', file, v.range, `'${spec.name}' takes one ${a.label} here, got a list of ${items.length}`); ok = false; continue; }
      for (const s of items) ok = checkScalar(s, a.type, file) && ok;
    }
    if (firstExtra) {
      report('MT102', 'error', file, { start: firstExtra.range.start, end: lastPos!.range.end }, `'${spec.name}' takes ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'} (${spec.args.map((a) => a.label).join(', ')}), got ${npos}`);
      ok = false;
    } else if (npos < spec.args.length && !spec.args[npos].optional) {
      const missing = spec.args[npos];
      report('MT102', 'error', file, st.keyword.range, `'${spec.name}' needs ${missing.label === spec.args[0].label && npos === 0 ? '' : 'a '}${missing.label}: expected ${describeType(missing.type)}${spec.noneForm ? " or 'none'" : ''}`);
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

  /** Net list sources: `any`, CIDRs, IPs, and network references resolved later. */
  const readNetList = (items: Scalar[], file: string, target: { sources: NetSource[]; set: AddrSet }, role: string) => {
    for (const s of items) {
      if (s.text === 'any') { target.sources.push(new SourceAt('any', s, true)); target.set = anySet(); continue; }
      const c = parseCidr(s.text);
      if (c) { target.sources.push(new SourceAt(s.text, s)); target.set = addCidr(target.set, c); continue; }
      const src: NetSource = new SourceAt(s.text, s);
      target.sources.push(src);
      pending.push({ scalar: s, file, kinds: ['network'], role, resolve: (d) => { src.network = d as NetworkDecl; } });
    }
  };

  const newNode = (kind: NodeDecl['kind'], name: string, file: string, nameRange: Range, stmt: Statement): NodeDecl => ({
    kind, name, file, nameRange, stmt, order: order++, doc: stmt.leadingComments,
    zone: kind === 'external' ? 'external' : 'internal', zoneDeclared: false, addresses: [], domainJoined: kind === 'server',
    listen: [25], tls: 'optional', accepts: [], relays: [], routes: [], members: [], ports: [25],
    health: { check: 'smtp', intervalSeconds: 10, interval: '10s' }, pools: [],
  });

  // Plain loops: these run for every statement of every file.
  const NONE: Scalar[] = [];
  const firstList = (st: Statement): Scalar[] => { for (const a of st.args) if (!a.key) return a.value.items; return NONE; };
  const first = (st: Statement): Scalar | undefined => firstList(st)[0];
  const opt = (st: Statement, key: string): Scalar[] => { for (const a of st.args) if (a.key && a.key.text === key) return a.value.items; return NONE; };

  // one pair of maps for every block (cleared per block: blocks do not nest)
  const seenOnce = new Map<string, Statement>();
  const seenRoutes = new Map<string, Statement>();

  // ---- declarations ----------------------------------------------------------
  const declare = (d: Decl, lf: LoadedFile) => {
    model.decls.push(d);
    if (d.kind === 'domain') {
      const prev = domainByName.get(d.name);
      if (prev) report('MT104', 'error', lf.display, d.nameRange, `domain '${d.name}' is declared twice`, { related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }] });
      else domainByName.set(d.name, d);
      model.domains.push(d);
      return;
    }
    const prev = model.byName.get(d.name);
    if (prev) { report('MT104', 'error', lf.display, d.nameRange, `'${d.name}' is already declared as ${article(prev.kind)}`, { related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }] }); return; }
    model.byName.set(d.name, d);
    if (d.kind === 'network') model.networks.push(d);
    else if (d.kind === 'policy') model.policies.push(d);
    else model.nodes.push(d as NodeDecl);
  };

  /** The file whose last declaration had no block (its `{` forgotten): the statements after it are its contents. */
  let blockless: LoadedFile | undefined;
  for (const { file: lf, stmt } of ws.entries) {
    const file = lf.display;
    const kw = stmt.keyword.text;
    if (TOP_LEVEL_KEYWORDS.includes(kw)) blockless = undefined;
    if (kw === 'import') {
      const a = stmt.args;
      if (a.length !== 1 || a[0].key || a[0].value.items.length !== 1 || !a[0].value.items[0].quoted) report('MT102', 'error', file, a.length ? { start: a[0].range.start, end: a[a.length - 1].range.end } : stmt.keyword.range, `'import' takes one quoted path, e.g. import "domains.mailtopo"`);
      if (stmt.block) report('MT113', 'error', file, stmt.block.open, "'import' takes no block");
      continue;
    }
    if (!TOP_LEVEL_KEYWORDS.includes(kw)) {
      const inBlock = Object.entries(SCHEMA).filter(([, b]) => Object.hasOwn(b.statements, kw)).map(([k]) => k);
      const msg = inBlock.length
        ? `'${kw}' is not a declaration: it belongs inside ${KIND_LIST(inBlock.map((k) => (k === 'options' ? "an 'options' block" : article(k))))}`
        : `unknown declaration '${kw}'${didYouMean(kw, TOP_LEVEL_KEYWORDS)}`;
      if (inBlock.length && blockless === lf) continue; // MT113 on the declaration above says it
      report('MT101', 'error', file, stmt.keyword.range, msg, { data: { suggestion: nearest(kw, TOP_LEVEL_KEYWORDS) } });
      continue;
    }
    if (kw === 'options') {
      if (stmt.args.length) report('MT102', 'error', file, stmt.args[0].range, "'options' takes no arguments");
      if (!stmt.block) { report('MT113', 'error', file, stmt.keyword.range, "'options' needs a block: options { … }"); blockless = lf; continue; }
      if (optionsSeen) { report('MT107', 'error', file, stmt.keyword.range, "a second 'options' block: a workspace has one", { related: [{ file: optionsSeen.file, range: optionsSeen.range, message: 'first options block' }] }); }
      else optionsSeen = { file, range: stmt.keyword.range };
      readBlock(stmt, 'options', file, undefined);
      continue;
    }
    const kind = kw as DeclKind;
    const pos = stmt.args.filter((a) => !a.key);
    const nameScalar = pos[0]?.value.items[0];
    for (const o of stmt.args.filter((a) => a.key)) report('MT108', 'error', file, o.key!.range, `a '${kind}' declaration takes no options`);
    if (!nameScalar) { report('MT102', 'error', file, stmt.keyword.range, `'${kind}' needs a ${kind === 'domain' ? 'domain name' : 'name'}`); if (stmt.block) readBlock(stmt, kind, file, undefined); continue; }
    let nameOk = true;
    if (pos.length > 1 || pos[0].value.items.length > 1) { report('MT102', 'error', file, { start: (pos[1] ?? pos[0]).range.start, end: pos[pos.length - 1].range.end }, `'${kind}' takes one ${kind === 'domain' ? 'domain name' : 'name'}`); }
    const p = checkValue(nameScalar, kind === 'domain' ? { t: 'domain' } : { t: 'name' });
    if (p) { if (!nameScalar.unterminated) report(p.code, 'error', file, nameScalar.range, p.message); nameOk = false; }
    if (!stmt.block) { report('MT113', 'error', file, stmt.keyword.range, `'${kind} ${nameScalar.text}' needs a block: ${kind} ${nameScalar.text} { … }`); blockless = lf; }
    let decl: Decl;
    const base = { name: kind === 'domain' ? nameScalar.text.toLowerCase().replace(/\.$/, '') : nameScalar.text, file, nameRange: nameScalar.range, stmt, order: order++, doc: stmt.leadingComments };
    switch (kind) {
      case 'network': decl = { ...base, kind, cidrs: [], set: emptySet() }; break;
      case 'domain': decl = { ...base, kind, mx: [] }; break;
      case 'policy': decl = { ...base, kind, attachments: [], onVirus: 'reject' }; break;
      default: { const n = newNode(kind, base.name, file, base.nameRange, stmt); n.order = base.order; n.doc = base.doc; decl = n; }
    }
    if (nameOk) declare(decl, lf);
    if (stmt.block) readBlock(stmt, kind, file, decl);
  }

  // ---- block contents ----------------------------------------------------------
  function readBlock(decl: Statement, kind: BlockKind, file: string, d: Decl | undefined): void {
    const spec = SCHEMA[kind];
    const ownerName = d ? `${kind} '${d.name}'` : kind === 'options' ? "'options'" : kind;
    seenOnce.clear();
    seenRoutes.clear();
    for (const st of decl.block!.statements) {
      const kw = st.keyword.text;
      const ss = Object.hasOwn(spec.statements, kw) ? spec.statements[kw] : undefined; // never a prototype member ('__proto__', 'constructor')
      if (!ss) {
        const elsewhere = TOP_LEVEL_KEYWORDS.includes(kw) ? ` ('${kw}' is a top-level declaration: is a '}' missing above?)`
          : (() => { const ks = DECL_KINDS.filter((k) => Object.hasOwn(SCHEMA[k].statements, kw)); return ks.length ? ` ('${kw}' belongs in ${KIND_LIST(ks.map(article))})` : ''; })();
        const sugg = nearest(kw, Object.keys(spec.statements));
        report('MT101', 'error', file, st.keyword.range, `unknown statement '${kw}' in ${ownerName}${sugg && !elsewhere ? `: did you mean '${sugg}'?` : elsewhere}`, { data: sugg ? { suggestion: sugg } : undefined });
        continue;
      }
      if (!ss.repeatable) {
        const prev = seenOnce.get(kw);
        if (prev) { report('MT107', 'error', file, st.keyword.range, `'${kw}' may appear once in ${ownerName}`, { related: [{ file, range: prev.range, message: 'first given here' }] }); continue; }
        seenOnce.set(kw, st);
      }
      if (!checkStatement(st, ss, file)) continue;
      if (kw === 'route') {
        for (const s of firstList(st)) {
          const key = s.text.toLowerCase();
          const prev = seenRoutes.get(key);
          if (prev) report('MT107', 'error', file, s.range, `a second route for '${s.text}' in ${ownerName}`, { related: [{ file, range: prev.range, message: 'first route for it' }] });
          else seenRoutes.set(key, st);
        }
      }
      readStatement(st, kind, file, d);
    }
    // statements only some roles take (a server's `mailboxes`: role mailbox)
    if (d && (d.kind === 'server' || d.kind === 'gateway') && (d as NodeDecl).role) {
      const n = d as NodeDecl;
      for (const [name, st] of seenOnce) {
        const roles = spec.statements[name].roles;
        if (!roles || roles.includes(n.role!)) continue;
        report('MT101', 'error', file, st.keyword.range, `'${name}' is only for ${article(kind)} with role ${roles.join(' or ')}; ${ownerName} has role ${n.role}`);
        if (name === 'mailboxes') n.mailboxes = undefined;
      }
    }
    // required statements
    if (d) {
      for (const name of requiredOf(kind)) {
        const ss = spec.statements[name];
        if (seenOnce.has(name)) continue;
        if (name === 'hostname' && kind === 'external') { requiredHostname.push(d as NodeDecl); continue; } // MT308 replaces it for MX targets
        report('MT103', 'error', file, d.nameRange, `${ownerName} has no '${name}' (required): ${ss.doc}`, { data: { missing: name } });
      }
      if (kind === 'pool') {
        const pool = d as NodeDecl;
        if (!seenOnce.has('vip') && pool.mode !== 'round-robin' && seenOnce.has('mode')) report('MT103', 'error', file, d.nameRange, `${ownerName} has no 'vip' (required unless mode round-robin)`, { data: { missing: 'vip' } });
      }
    }
  }


  function readStatement(st: Statement, kind: BlockKind, file: string, d: Decl | undefined): void {
    const kw = st.keyword.text;
    const v = first(st)?.text ?? '';
    if (kind === 'options') {
      const o = model.options;
      if (kw === 'dnsbl') { o.dnsbl = firstList(st).map((s) => s.text.toLowerCase()); o.dnsblStmt = { file, range: st.range }; }
      else if (kw === 'ttl') { o.ttl = v; o.ttlSeconds = durationSeconds(v) ?? 3600; }
      else if (kw === 'nameservers') o.nameservers = firstList(st).map((s) => s.text.toLowerCase());
      else if (kw === 'contact') o.contact = v;
      return;
    }
    if (!d) return;
    if (d.kind === 'network') { if (kw === 'cidr') for (const s of firstList(st)) { d.cidrs.push(s.text); d.set = addCidr(d.set, parseCidr(s.text)!); } return; }
    if (d.kind === 'domain') {
      switch (kw) {
        case 'mx': {
          const pos = st.args.filter((a) => !a.key);
          if (pos.length === 1 && v === 'none') { d.mxNone = new LazySourced(true as const, file, st); return; }
          const pref = Number(v);
          const ts = pos[1].value.items[0];
          const rec: MxRecord = Object.assign(new RuleAt(file, st), { preference: pref, target: { kind: 'unresolved', scalar: ts } as MxRecord['target'] });
          const t: ValueType = SCHEMA.domain.statements.mx.args[1].type;
          if (canonicalIp(ts.text)) rec.target = { kind: 'ip', ip: ts.text, scalar: ts };
          else if (isReference(ts, t)) pending.push({ scalar: ts, file, kinds: ['gateway', 'pool', 'external'], role: 'an MX target', resolve: (x) => { rec.target = { kind: 'ref', decl: x as NodeDecl, scalar: ts }; } });
          else rec.target = { kind: 'host', hostname: ts.text.toLowerCase().replace(/\.$/, ''), scalar: ts };
          d.mx.push(rec);
          return;
        }
        case 'spf': d.spf = new LazySourced(v, file, st); return;
        case 'dmarc': d.dmarc = new LazySourced(v, file, st); return;
        case 'mta-sts': d.mtaSts = new LazySourced(v, file, st); return;
        case 'tls-rpt': d.tlsRpt = new LazySourced(v, file, st); return;
      }
      return;
    }
    if (d.kind === 'policy') {
      switch (kw) {
        case 'antivirus': d.antivirus = { engine: v, mode: opt(st, 'mode')[0]?.text ?? 'realtime', stmt: st }; return;
        case 'antispam': { const t = opt(st, 'threshold')[0]; d.antispam = { engine: v, threshold: t ? Number(t.text) : undefined, stmt: st }; return; }
        case 'attachments': { const pos = st.args.filter((a) => !a.key); d.attachments.push({ action: v as 'allow' | 'block', extensions: pos[1]?.value.items ?? [], stmt: st }); return; }
        case 'max-size': d.maxSize = { text: v, bytes: sizeBytes(v) ?? 0, stmt: st }; return;
        case 'on-virus': d.onVirus = v; d.onVirusStmt = st; return;
        case 'licenses': d.licenses = Number(v); d.licensesStmt = st; return;
        case 'scanner': {
          const s = first(st)!;
          const sc: PolicyDecl['scanner'] = { scalar: s, stmt: st };
          d.scanner = sc;
          if (isReference(s, SCHEMA.policy.statements.scanner.args[0].type)) pending.push({ scalar: s, file, kinds: ['gateway', 'server', 'external'], role: 'a scanner', resolve: (x) => { sc.node = x as NodeDecl; } });
          else sc.hostname = s.text.toLowerCase();
          return;
        }
      }
      return;
    }
    const n = d as NodeDecl;
    switch (kw) {
      case 'role':
        n.role = v;
        if (n.kind === 'gateway' && !n.zoneDeclared) n.zone = v === 'relay' ? 'internal' : 'perimeter';
        return;
      case 'zone': n.zone = v as Zone; n.zoneDeclared = true; return;
      case 'hostname': n.hostname = new LazySourced(v.toLowerCase().replace(/\.$/, ''), file, st); return;
      case 'address': { const list = firstList(st).map((s) => s.text); n.addresses.push(...list); n.addressStmt = new LazySourced(list, file, st); return; }
      case 'domain-joined': n.domainJoined = v === 'yes'; n.domainJoinedStmt = new LazySourced(v === 'yes', file, st); return;
      case 'listen': n.listen = firstList(st).map((s) => Number(s.text)); return;
      case 'ports': n.ports = firstList(st).map((s) => Number(s.text)); n.portsStmt = new LazySourced(n.ports, file, st); return;
      case 'tls': n.tls = v as NodeDecl['tls']; n.tlsStmt = new LazySourced(v, file, st); return;
      case 'dnsbl': n.dnsbl = v === 'none' && firstList(st).length === 1 ? { zones: [], none: true, file, range: st.range } : { zones: firstList(st).map((s) => s.text.toLowerCase()), none: false, file, range: st.range }; return;
      case 'accept': {
        const t = { sources: [] as NetSource[], set: emptySet() };
        const from = opt(st, 'from');
        if (from.length) readNetList(from, file, t, 'an accept source'); else { t.sources.push(new SourceAt('any', st, true)); t.set = anySet(); }
        n.accepts.push(Object.assign(new RuleAt(file, st), { patterns: firstList(st).map((s) => s.text.toLowerCase()), from: t.sources, fromSet: t.set }));
        return;
      }
      case 'relay': {
        const t = { sources: [] as NetSource[], set: emptySet() };
        readNetList(opt(st, 'from'), file, t, 'a relay source');
        const rule = Object.assign(new RuleAt(file, st), { action: v as 'allow' | 'deny', from: t.sources, fromSet: t.set, auth: (opt(st, 'auth')[0]?.text ?? 'none') as 'required' | 'none', index: n.relays.length });
        n.relays.push(rule);
        return;
      }
      case 'scan': {
        const s = first(st)!;
        pending.push({ scalar: s, file, kinds: ['policy'], role: 'a scan policy', resolve: (x) => { n.scan = Object.assign(new RuleAt(file, st), { policy: x as PolicyDecl }); } });
        return;
      }
      case 'route': {
        const via: Hop[] = [];
        for (const s of opt(st, 'via')) {
          if (s.text === 'direct') { via.push(new HopAt('direct', s, true)); continue; }
          const hop: Hop = new HopAt(s.text, s);
          via.push(hop);
          pending.push({ scalar: s, file, kinds: ['gateway', 'pool', 'server', 'external'], role: 'a next hop', resolve: (x) => { hop.node = x as NodeDecl; } });
        }
        n.routes.push(Object.assign(new RuleAt(file, st), { patterns: firstList(st).map((s) => s.text.toLowerCase()), via }));
        return;
      }
      case 'capacity': n.capacity = Number(v); return;
      case 'mailboxes': n.mailboxes = Object.assign(new RuleAt(file, st), { patterns: firstList(st).map((s) => s.text.toLowerCase()) }); return;
      case 'mode': n.mode = v as NodeDecl['mode']; return;
      case 'members':
        n.membersStmt = st;
        for (const s of firstList(st)) pending.push({ scalar: s, file, kinds: ['gateway', 'server'], role: 'a pool member', resolve: (x) => { const m = x as NodeDecl; if (!n.members.includes(m)) n.members.push(m); m.pools.push(n); } });
        return;
      case 'vip': n.vip = new LazySourced(v, file, st); n.addressStmt = new LazySourced([v], file, st); return;
      case 'health': {
        const iv = opt(st, 'interval')[0]?.text ?? '10s';
        n.health = { check: v as 'smtp' | 'tcp', interval: iv, intervalSeconds: durationSeconds(iv) ?? 10, stmt: st };
        return;
      }
      case 'peak-load': n.peakLoad = Number(v); return;
    }
  }

  // ---- references ----------------------------------------------------------------
  const used = new Set<Decl>();
  for (const p of pending) {
    const d = model.byName.get(p.scalar.text);
    if (!d) {
      const cands = [...model.byName.values()].filter((x) => p.kinds.includes(x.kind)).map((x) => x.name);
      const sugg = nearest(p.scalar.text, cands);
      report('MT105', 'error', p.file, p.scalar.range, `'${p.scalar.text}' is not declared${sugg ? `: did you mean '${sugg}'?` : ''} (expected ${article(KIND_LIST(p.kinds))})`, { data: sugg ? { suggestion: sugg } : { kinds: p.kinds } });
      continue;
    }
    used.add(d);
    const sc = p.scalar;
    model.references.push(new RefAt(p.file, sc, d, p.kinds));
    if (!p.kinds.includes(d.kind)) {
      report('MT106', 'error', p.file, p.scalar.range, `'${d.name}' is ${article(d.kind)}; ${p.role} must be ${article(KIND_LIST(p.kinds))}`, { related: [{ file: d.file, range: d.nameRange, message: `'${d.name}' is declared here` }] });
      continue;
    }
    p.resolve(d);
  }

  // `from=` sets: add the ranges of the networks now that they are resolved
  for (const n of model.nodes) {
    for (const list of [n.accepts, n.relays]) {
      for (const r of list) for (const src of r.from) if (src.network) r.fromSet = union(r.fromSet, src.network.set);
    }
    // exact-size arrays: a pushed-to array keeps room for 16 more, per node
    if (n.accepts.length) n.accepts = n.accepts.slice();
    if (n.relays.length) n.relays = n.relays.slice();
    if (n.routes.length) n.routes = n.routes.slice();
  }

  // external hostname: MT103 unless an MX target (then MT308 says it)
  for (const n of requiredHostname) {
    const isMx = model.domains.some((dm) => dm.mx.some((m) => m.target.kind === 'ref' && m.target.decl === n));
    if (!isMx) report('MT103', 'error', n.file, n.nameRange, `external '${n.name}' has no 'hostname' (required): ${SCHEMA.external.statements.hostname.doc}`, { data: { missing: 'hostname' } });
  }

  // MT111: declared but never referenced
  for (const d of model.decls) {
    if ((d.kind === 'network' || d.kind === 'policy' || d.kind === 'external') && !used.has(d) && model.byName.get(d.name) === d) {
      report('MT111', 'hint', d.file, d.nameRange, `${d.kind} '${d.name}' is never referenced`, { tags: ['unnecessary'] });
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
    const mine = new Set<string>();
    for (const a of list) {
      const c = canonicalIp(a);
      if (!c || mine.has(c)) continue;
      mine.add(c);
      const prev = seenAddr.get(c);
      if (prev && prev !== n) {
        const poolMember = (p: NodeDecl, m: NodeDecl) => p.kind === 'pool' && p.members.includes(m);
        if (!poolMember(prev, n) && !poolMember(n, prev)) {
          report('MT112', 'warning', n.file, addrRange(n, c), `address ${a} is also used by ${prev.kind} '${prev.name}'`, { related: [{ file: prev.file, range: addrRange(prev, c), message: `${prev.name} has ${a}` }] });
        }
      } else if (!prev) seenAddr.set(c, n);
    }
  }

  return { model, diagnostics: diags };
}

export { union };
