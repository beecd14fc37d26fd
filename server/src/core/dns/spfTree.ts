// The SPF tree one record and everything it includes/redirects to, as both
// `mailtopo spf` (check_host() as evaluated) and the hover on an `spf` line
// (the whole record as analyzed for MT509) show it: per term the DNS-querying
// terms and void lookups it cost, the records below include/redirect.
import type { SpfResult } from './spfParse';

export interface SpfTreeTerm {
  /** The term as written. */
  term: string;
  /** DNS-querying terms this term itself counts toward the limit of 10 (0 or 1). */
  lookups: number;
  /** Void lookups this term itself caused. */
  voidLookups: number;
  /** The term plus the record below it (include/redirect). */
  subtreeLookups: number;
  subtreeVoidLookups: number;
  /** 'match' (decided the result), 'no match', 'not evaluated' (after the deciding term), or an error result. */
  outcome?: 'match' | 'no match' | 'not evaluated' | 'permerror' | 'temperror' | 'dynamic';
  /** What it found or why it failed: addresses, 'nxdomain', the error text. */
  detail?: string;
  /** include/redirect: the record below. */
  child?: SpfTreeNode;
}

export interface SpfTreeNode {
  domain: string;
  /** The SPF record used, when one was found. */
  record?: string;
  /** This record's result when it was evaluated. */
  result?: SpfResult;
  /** Why there is no usable record (none, permerror, temperror). */
  error?: string;
  /** Lookups and void lookups of the terms of this record and every record below it. */
  lookups: number;
  voidLookups: number;
  terms: SpfTreeTerm[];
}

/** Recompute subtree totals bottom-up (after terms were filled in). */
export function totalTree(node: SpfTreeNode): SpfTreeNode {
  let l = 0;
  let v = 0;
  for (const t of node.terms) {
    const c = t.child ? totalTree(t.child) : undefined;
    t.subtreeLookups = t.lookups + (c?.lookups ?? 0);
    t.subtreeVoidLookups = t.voidLookups + (c?.voidLookups ?? 0);
    l += t.subtreeLookups;
    v += t.subtreeVoidLookups;
  }
  node.lookups = l;
  node.voidLookups = v;
  return node;
}

function termLine(t: SpfTreeTerm): string {
  const parts: string[] = [];
  if (t.lookups) parts.push(`${t.subtreeLookups} lookup${t.subtreeLookups === 1 ? '' : 's'}`);
  if (t.subtreeVoidLookups) parts.push(`${t.subtreeVoidLookups} void`);
  if (t.outcome && t.outcome !== 'no match') parts.push(t.outcome === 'dynamic' ? 'depends on the sender' : t.outcome);
  if (t.detail) parts.push(t.detail);
  return `${t.term}${parts.length ? `  (${parts.join('; ')})` : ''}`;
}

/** One line per term, children indented by two spaces; the first line is the root record with its totals. */
export function renderTree(root: SpfTreeNode, maxLookups = 10, maxVoid = 2): string[] {
  const lines = [
    `${root.domain}: ${root.record ?? `(${root.error ?? 'none'})`}  [${root.lookups}/${maxLookups} ` +
      `lookups, ${root.voidLookups}/${maxVoid} void]`,
  ];
  const walk = (node: SpfTreeNode, indent: string) => {
    for (const t of node.terms) {
      lines.push(indent + termLine(t));
      if (!t.child) continue;
      if (t.child.record === undefined)
        lines.push(`${indent}  (${t.child.error ?? `no SPF record at ${t.child.domain}`})`);
      else walk(t.child, indent + '  ');
    }
  };
  walk(root, '  ');
  return lines;
}
