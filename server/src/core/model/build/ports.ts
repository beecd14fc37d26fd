// MT114: one port twice on a node — within `listen`, within `submission`,
// within a pool's `ports`, or in both `listen` and `submission`.
import type { Scalar, Statement } from '../../syntax/ast';
import { keywordOf } from '../../syntax/parser';
import type { NodeDecl } from '../types';
import { before, firstList } from './args';
import type { Build } from './context';

/** After a node's block. `listenWritten`: a `listen` line stood in the block (even an invalid one). */
export function checkPorts(b: Build, n: NodeDecl, file: string, owner: string, listenWritten: boolean): void {
  if (n.kind === 'pool') {
    if (n.portsStmt) duplicatePorts(b, file, owner, n.portsStmt.stmt);
    return;
  }
  const l = n.listenStmt?.stmt,
    sub = n.submissionStmt?.stmt;
  if (l && sub) {
    if (before(sub, l)) duplicatePorts(b, file, owner, sub, l);
    else duplicatePorts(b, file, owner, l, sub);
  } else if (l) duplicatePorts(b, file, owner, l);
  else if (sub) duplicatePorts(b, file, owner, sub, undefined, listenWritten ? undefined : n);
}

/**
 * MT114 on every repeated port of `a` then `c` (in text order), related to its first occurrence.
 * `defaultListen`: `a` is the `submission` of this node, whose `listen` is the default 25.
 */
function duplicatePorts(
  b: Build,
  file: string,
  owner: string,
  a: Statement,
  c?: Statement,
  defaultListen?: NodeDecl,
): void {
  const first = firstList(a);
  const items = c ? first.concat(firstList(c)) : first; // a few ports, once per node
  const ka = keywordOf(a),
    kc = c ? keywordOf(c) : ka;
  for (let i = 0; i < items.length; i++) {
    const port = Number(items[i].text);
    if (defaultListen && port === 25) {
      b.report(
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
    const j = firstIndexOf(items, port, i);
    if (j === i) continue;
    const ki = i < first.length ? ka : kc,
      kj = j < first.length ? ka : kc;
    const where = ki === kj ? `twice in '${ki}'` : `in both '${kj}' and '${ki}'`;
    b.report('MT114', 'error', file, items[i].range, `port ${port} is ${where} of ${owner}`, {
      related: [{ file, range: items[j].range, message: `port ${port} first given here` }],
    });
  }
}

function firstIndexOf(items: Scalar[], port: number, upTo: number): number {
  let j = 0;
  while (j < upTo && Number(items[j].text) !== port) j++;
  return j;
}
