// `network N { cidr … }`: a named set of address ranges.
import type { Statement } from '../../syntax/ast';
import { addCidr, parseCidr } from '../addr';
import type { NetworkDecl } from '../types';
import { firstList } from './args';

export function readNetwork(st: Statement, kw: string, d: NetworkDecl): void {
  if (kw !== 'cidr') return;
  for (const s of firstList(st)) {
    d.cidrs.push(s.text);
    d.set = addCidr(d.set, parseCidr(s.text)!); // checked: a CIDR or an address
  }
}
