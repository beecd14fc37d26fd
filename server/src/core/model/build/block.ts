// A declaration's block: each statement is looked up in the schema table
// (MT101 unknown, MT107 once-only), checked (./check.ts), then handed to the
// reader of its declaration kind (one table, like a validator registry).
// After the block: role-only statements, required ones, and what depends on
// several statements (effective defaults, MT114).
import type { Statement } from '../../syntax/ast';
import { itemAt, itemCount, keywordOf } from '../../syntax/parser';
import {
  DECL_KINDS,
  SCHEMA,
  TOP_LEVEL_KEYWORDS,
  type BlockKind,
  type BlockSpec,
  type StatementSpec,
} from '../../schema/schema';
import { nearest } from '../../schema/suggest';
import { normalizeHost } from '../names';
import type { Decl, NodeDecl } from '../types';
import { first, firstPositional } from './args';
import { checkStatement } from './check';
import { KIND_LIST, article, type Build } from './context';
import { readDomain } from './domain';
import { readExternal } from './external';
import { readNetwork } from './network';
import { readNode } from './node';
import { readOptions } from './options';
import { finishPolicy, readPolicy } from './policy';
import { finishPool, readPool } from './pool';
import { checkPorts } from './ports';

export function readBlock(b: Build, decl: Statement, kind: BlockKind, file: string, d: Decl | undefined): void {
  const spec = SCHEMA[kind];
  const owner = d ? `${kind} '${d.name}'` : kind === 'options' ? "'options'" : kind;
  b.seenOnce.clear();
  if (b.seenRoutes.size) b.seenRoutes.clear();
  for (const st of decl.block!.statements) {
    const kw = keywordOf(st);
    const ss = statementSpec(b, st, kw, spec, owner, file);
    if (!ss || !checkStatement(b, st, ss, file)) continue;
    if (kw === 'route') checkRoutePatterns(b, st, owner, file);
    readStatement(b, st, kw, kind, file, d);
  }
  if (!d) return;
  if (d.kind === 'server' || d.kind === 'gateway') checkRoles(b, spec, d, owner, file);
  checkRequired(b, spec, d, owner, file);
  finishDecl(b, d, owner, file);
}

/** The statement's schema entry, or undefined after MT101 (unknown) or MT107 (a second once-only statement). */
function statementSpec(
  b: Build,
  st: Statement,
  kw: string,
  spec: BlockSpec,
  owner: string,
  file: string,
): StatementSpec | undefined {
  // never a prototype member ('__proto__', 'constructor')
  const ss = Object.hasOwn(spec.statements, kw) ? spec.statements[kw] : undefined;
  if (!ss) {
    unknownStatement(b, st, kw, spec, owner, file);
    return undefined;
  }
  if (ss.repeatable) return ss;
  const prev = b.seenOnce.get(kw);
  if (prev) {
    b.report('MT107', 'error', file, st.keyword.range, `'${kw}' may appear once in ${owner}`, {
      related: [{ file, range: prev.range, message: 'first given here' }],
    });
    return undefined;
  }
  b.seenOnce.set(kw, st);
  return ss;
}

function unknownStatement(b: Build, st: Statement, kw: string, spec: BlockSpec, owner: string, file: string): void {
  let elsewhere = '';
  if (TOP_LEVEL_KEYWORDS.includes(kw)) elsewhere = ` ('${kw}' is a top-level declaration: is a '}' missing above?)`;
  else {
    const ks = DECL_KINDS.filter((k) => Object.hasOwn(SCHEMA[k].statements, kw));
    if (ks.length) elsewhere = ` ('${kw}' belongs in ${KIND_LIST(ks.map(article))})`;
  }
  const sugg = nearest(kw, Object.keys(spec.statements));
  const hint = sugg && !elsewhere ? `: did you mean '${sugg}'?` : elsewhere;
  b.report('MT101', 'error', file, st.keyword.range, `unknown statement '${kw}' in ${owner}${hint}`, {
    data: sugg ? { suggestion: sugg } : undefined,
  });
}

/** MT107: a second route for the same domain pattern in one block (`a.example.` is `a.example`). */
function checkRoutePatterns(b: Build, st: Statement, owner: string, file: string): void {
  const a = firstPositional(st)!;
  for (let i = 0, k = itemCount(a); i < k; i++) {
    const s = itemAt(a, i)!;
    const key = normalizeHost(s.text);
    const prev = b.seenRoutes.get(key);
    if (prev)
      b.report('MT107', 'error', file, s.range, `a second route for '${s.text}' in ${owner}`, {
        related: [{ file, range: prev.range, message: 'first route for it' }],
      });
    else b.seenRoutes.set(key, st);
  }
}

/** Hand a checked statement to the reader of its declaration kind. */
function readStatement(b: Build, st: Statement, kw: string, kind: BlockKind, file: string, d: Decl | undefined): void {
  const v = first(st)?.text ?? '';
  if (!d) {
    if (kind === 'options') readOptions(b, st, kw, v, file);
    return;
  }
  switch (d.kind) {
    case 'network':
      return readNetwork(st, kw, d);
    case 'domain':
      return readDomain(b, st, kw, v, file, d);
    case 'policy':
      return readPolicy(b, st, kw, v, file, d);
    case 'pool':
      return readPool(b, st, kw, v, file, d);
    case 'external':
      return readExternal(b, st, kw, v, file, d);
    default:
      return readNode(b, st, kw, v, file, d);
  }
}

/** Statements only some roles take (a server's `mailboxes`: role mailbox). */
function checkRoles(b: Build, spec: BlockSpec, n: NodeDecl, owner: string, file: string): void {
  if (!n.role) return;
  const seen = b.seenOnce;
  for (let i = 0; i < seen.n; i++) {
    const name = seen.keys[i];
    const roles = spec.statements[name].roles;
    if (!roles || roles.includes(n.role)) continue;
    const msg = `'${name}' is only for ${article(n.kind)} with role ${roles.join(' or ')}; ${owner} has role ${n.role}`;
    b.report('MT101', 'error', file, seen.vals[i].keyword.range, msg);
    if (name === 'mailboxes') n.mailboxes = undefined;
  }
}

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

/** MT103 for each required statement the block lacks (a pool's vip: unless round-robin). */
function checkRequired(b: Build, spec: BlockSpec, d: Decl, owner: string, file: string): void {
  for (const name of requiredOf(d.kind)) {
    if (b.seenOnce.has(name)) continue;
    if (name === 'hostname' && d.kind === 'external') {
      b.requiredHostname.push(d); // MT308 replaces it for MX targets
      continue;
    }
    b.report(
      'MT103',
      'error',
      file,
      d.nameRange,
      `${owner} has no '${name}' (required): ${spec.statements[name].doc}`,
      {
        data: { missing: name },
      },
    );
  }
  if (d.kind === 'pool' && !b.seenOnce.has('vip') && d.mode !== 'round-robin' && b.seenOnce.has('mode'))
    b.report('MT103', 'error', file, d.nameRange, `${owner} has no 'vip' (required unless mode round-robin)`, {
      data: { missing: 'vip' },
    });
}

/** Defaults that depend on several statements, and MT114 (a port twice on a node). */
function finishDecl(b: Build, d: Decl, owner: string, file: string): void {
  if (d.kind === 'policy') finishPolicy(d);
  else if (d.kind === 'pool') {
    finishPool(d);
    checkPorts(b, d, file, owner, false);
  } else if (d.kind === 'gateway' || d.kind === 'server') checkPorts(b, d, file, owner, b.seenOnce.has('listen'));
}
