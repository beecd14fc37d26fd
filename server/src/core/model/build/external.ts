// `external N { … }`: a host outside your control. Its `address` takes ranges
// (a cloud service's published ranges); everything else reads as a node's.
import type { Statement } from '../../syntax/ast';
import { parseIp } from '../addr';
import type { NodeDecl } from '../types';
import { firstList } from './args';
import type { Build } from './context';
import { LazySourced } from './objects';
import { readNode } from './node';

export function readExternal(b: Build, st: Statement, kw: string, v: string, file: string, n: NodeDecl): void {
  if (kw !== 'address') return readNode(b, st, kw, v, file, n); // hostname, role, route, scan, recipients
  const list = firstList(st).map((s) => s.text);
  n.addressStmt = new LazySourced(list, file, st);
  // single addresses stay in `addresses` (MT112, live PTR/DNSBL); ranges go to `addressRanges`
  const ips = list.filter((a) => parseIp(a)),
    ranges = list.filter((a) => !parseIp(a));
  if (ips.length) n.addresses = n.addresses.length ? n.addresses.concat(ips) : ips;
  if (ranges.length) n.addressRanges = n.addressRanges.length ? n.addressRanges.concat(ranges) : ranges;
}
