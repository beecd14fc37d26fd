// `network N { cidr … }`: a named set of address ranges.
import type { Statement } from '../../syntax/ast';
import { AddrSetBuilder, parseCidr } from '../addr';
import type { NetworkDecl } from '../types';
import { firstList } from './args';

export function readNetwork(st: Statement, kw: string, d: NetworkDecl): void {
  if (kw !== 'cidr') return;
  const set = new AddrSetBuilder().addSet(d.set); // sorted and merged once, at the end
  for (const s of firstList(st)) {
    d.cidrs.push(s.text);
    set.addCidr(parseCidr(s.text)!); // checked: a CIDR or an address
  }
  d.set = set.build();
}
