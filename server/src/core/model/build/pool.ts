// `pool N { … }`: mode, members, vip, client-address handling (source, snat),
// ports and health; hostname and scan as any node.
import type { Statement } from '../../syntax/ast';
import { durationSeconds } from '../../schema/values';
import type { NodeDecl, PoolSource } from '../types';
import { firstList, optFirst } from './args';
import type { Build } from './context';
import { LazySourced } from './objects';
import { Into, KINDS_MEMBER, Pending } from './pending';
import { readNode } from './node';

export function readPool(b: Build, st: Statement, kw: string, v: string, file: string, n: NodeDecl): void {
  switch (kw) {
    case 'mode':
      n.mode = v as NodeDecl['mode'];
      return;
    case 'members':
      n.membersStmt = st;
      for (const s of firstList(st))
        b.pending.push(new Pending(s, file, KINDS_MEMBER, 'a pool member', Into.Member, n));
      return;
    case 'vip':
      n.vip = new LazySourced(v, file, st);
      n.addressStmt = new LazySourced([v], file, st);
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
    case 'health': {
      const iv = optFirst(st, 'interval')?.text ?? '10s';
      n.health = { check: v as 'smtp' | 'tcp', interval: iv, intervalSeconds: durationSeconds(iv) ?? 10, stmt: st };
      return;
    }
    case 'peak-load':
      n.peakLoad = Number(v);
      return;
    default:
      readNode(b, st, kw, v, file, n); // hostname, scan
  }
}

/** After the block: the effective snat (the vip when no `snat` line). */
export function finishPool(n: NodeDecl): void {
  if (!n.snatStmt && n.vip) n.snat = [n.vip.value];
}
