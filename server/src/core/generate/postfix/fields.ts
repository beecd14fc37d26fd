// The statements of LANGUAGE.md this generator reads beyond the first
// version's model: software, submission, recipients, policy method, pool
// source. One place reads them, so the concerns do not depend on how the
// model stores them.
import type { NodeDecl, PolicyDecl } from '../../model/types';

type Loose = Record<string, unknown>;

/** A model field as written: a plain value, or a sourced one ({ value }). */
function field(decl: object, key: string): unknown {
  const v = (decl as Loose)[key];
  return v && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as Loose).value : v;
}

export type Software = 'postfix' | 'exchange' | 'other';

/** `software` [gateway: postfix; server: exchange]. */
export function software(node: NodeDecl): Software | undefined {
  if (node.kind !== 'gateway' && node.kind !== 'server') return undefined;
  const s = field(node, 'software');
  if (s === 'postfix' || s === 'exchange' || s === 'other') return s;
  return node.kind === 'gateway' ? 'postfix' : 'exchange';
}

/** `submission` ports [none]. */
export function submissionPorts(node: NodeDecl): number[] {
  const s = field(node, 'submission');
  return Array.isArray(s) ? s.filter((p): p is number => typeof p === 'number') : [];
}

export type Recipients = 'verify' | 'list' | 'none';

/** `recipients` [verify]. */
export function recipientsCheck(node: NodeDecl): Recipients {
  const r = field(node, 'recipients');
  return r === 'list' || r === 'none' ? r : 'verify';
}

export type Method = 'milter' | 'content-filter' | 'proxy';

/** `method` as written, or undefined for the default. */
export function declaredMethod(policy: PolicyDecl): Method | undefined {
  const m = field(policy, 'method');
  return m === 'milter' || m === 'content-filter' || m === 'proxy' ? m : undefined;
}

export type PoolSource = 'preserved' | 'proxy-protocol' | 'masked';

/** A pool's `source` [preserved]. */
export function poolSource(pool: NodeDecl): PoolSource {
  const s = field(pool, 'source');
  return s === 'proxy-protocol' || s === 'masked' ? s : 'preserved';
}
