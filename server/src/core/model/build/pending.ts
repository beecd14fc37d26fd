// References (`via=edge1`, `members a, b`, `scan av`, `from=corp`, an MX
// target, a scanner): recorded while reading, resolved once every file's
// declarations are known (MT105, MT106).
import type { Scalar, Statement } from '../../syntax/ast';
import type { DeclKind } from '../../schema/schema';
import { nearest } from '../../schema/suggest';
import type { Decl, Hop, MxRecord, NetSource, NetworkDecl, NodeDecl, PolicyDecl } from '../types';
import { KIND_LIST, article, type Build } from './context';
import { RefAt, ScanAt, add } from './objects';

export const KINDS_NETWORK: DeclKind[] = ['network'];
export const KINDS_MX: DeclKind[] = ['gateway', 'pool', 'external'];
export const KINDS_SCANNER: DeclKind[] = ['gateway', 'server', 'external'];
export const KINDS_POLICY: DeclKind[] = ['policy'];
export const KINDS_HOP: DeclKind[] = ['gateway', 'pool', 'server', 'external'];
export const KINDS_MEMBER: DeclKind[] = ['gateway', 'server'];

/** What a resolved reference is written into (a code, not a closure per reference). */
export const enum Into {
  Network,
  MxTarget,
  Scanner,
  Scan,
  Hop,
  Member,
}

/** A reference to resolve once every file's declarations are known. */
export class Pending {
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
  /** The target field's value now (before resolution: what reading left there). */
  current(): unknown {
    switch (this.into) {
      case Into.Network:
        return (this.obj as NetSource).network;
      case Into.MxTarget:
        return (this.obj as MxRecord).target;
      case Into.Scanner:
        return (this.obj as NonNullable<PolicyDecl['scanner']>).node;
      case Into.Scan:
        return (this.obj as NodeDecl).scan;
      case Into.Hop:
        return (this.obj as Hop).node;
      case Into.Member:
        return (this.obj as NodeDecl).members;
    }
  }
  /** Put the target field back to a value `current()` returned (a reused declaration, build/reuse.ts). */
  restore(v: unknown): void {
    switch (this.into) {
      case Into.Network:
        (this.obj as NetSource).network = v as NetworkDecl | undefined;
        return;
      case Into.MxTarget:
        (this.obj as MxRecord).target = v as MxRecord['target'];
        return;
      case Into.Scanner:
        (this.obj as NonNullable<PolicyDecl['scanner']>).node = v as NodeDecl | undefined;
        return;
      case Into.Scan:
        (this.obj as NodeDecl).scan = v as NodeDecl['scan'];
        return;
      case Into.Hop:
        (this.obj as Hop).node = v as NodeDecl | undefined;
        return;
      case Into.Member:
        (this.obj as NodeDecl).members = v as NodeDecl[];
        return;
    }
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

/** Resolve every recorded reference: MT105 for an undeclared name, MT106 for one of the wrong kind. */
export function resolveReferences(b: Build): void {
  const model = b.model;
  for (const p of b.pending) {
    const d = model.byName.get(p.scalar.text);
    if (!d) {
      undeclared(b, p);
      continue;
    }
    b.used.add(d);
    model.references.push(new RefAt(p.file, p.scalar, d, p.kinds));
    if (!p.kinds.includes(d.kind)) {
      b.report(
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
  b.pending.length = 0; // nothing of the pass stays reachable through it
}

function undeclared(b: Build, p: Pending): void {
  const cands = [...b.model.byName.values()].filter((x) => p.kinds.includes(x.kind)).map((x) => x.name);
  const sugg = nearest(p.scalar.text, cands);
  b.report(
    'MT105',
    'error',
    p.file,
    p.scalar.range,
    `'${p.scalar.text}' is not declared${sugg ? `: did you mean '${sugg}'?` : ''} (expected ${article(KIND_LIST(p.kinds))})`,
    { data: sugg ? { suggestion: sugg } : { kinds: p.kinds } },
  );
}
