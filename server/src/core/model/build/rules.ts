// A node's ordered rules: `accept` (inbound domains, from=), `relay` (first
// match wins, from=, auth=) and `route` (next hops, via=, auth=). Shared by
// gateways, servers and externals.
import type { Arg, Statement } from '../../syntax/ast';
import { itemAt, itemCount } from '../../syntax/parser';
import { emptySet, parseCidr } from '../addr';
import type { Hop, NetSource, NodeDecl } from '../types';
import { optArg, optFirst, patternList } from './args';
import type { Build } from './context';
import { AcceptAt, HopAt, RelayAt, RouteAt, SourceAt, add } from './objects';
import { Into, KINDS_HOP, KINDS_NETWORK, Pending } from './pending';

// A rule's `fromSet` is its sources' set once their networks are resolved:
// finishNodes (./passes.ts) sets it from evalSources; until then it is empty.
export function readAccept(b: Build, st: Statement, file: string, n: NodeDecl): void {
  const from = optArg(st, 'from');
  let sources: NetSource[];
  if (from && itemCount(from)) {
    sources = new Array<NetSource>(itemCount(from)); // exact size
    readNetList(b, from, file, sources, 'an accept source');
  } else sources = [new SourceAt('any', st, true)];
  n.accepts = add(n.accepts, new AcceptAt(file, st, patternList(b, st), sources, emptySet()));
}

export function readRelay(b: Build, st: Statement, v: string, file: string, n: NodeDecl): void {
  const from = optArg(st, 'from');
  const sources: NetSource[] = from ? new Array<NetSource>(itemCount(from)) : [];
  if (from) readNetList(b, from, file, sources, 'a relay source');
  const auth = (optFirst(st, 'auth')?.text ?? 'none') as 'required' | 'none';
  n.relays = add(n.relays, new RelayAt(file, st, v as 'allow' | 'deny', sources, emptySet(), auth, n.relays.length));
}

export function readRoute(b: Build, st: Statement, file: string, n: NodeDecl): void {
  const arg = optArg(st, 'via');
  const via = new Array<Hop>(arg ? itemCount(arg) : 0); // exact size
  for (let i = 0; i < via.length; i++) {
    const s = itemAt(arg!, i)!;
    if (s.text === 'direct') {
      via[i] = new HopAt('direct', s, true);
      continue;
    }
    const hop: Hop = new HopAt(s.text, s);
    via[i] = hop;
    b.pending.push(new Pending(s, file, KINDS_HOP, 'a next hop', Into.Hop, hop));
  }
  const auth = optFirst(st, 'auth')?.text === 'yes';
  n.routes = add(n.routes, new RouteAt(file, st, patternList(b, st), via, auth));
}

/** Net list sources (`any`, CIDRs, IPs, network references resolved later) into `sources` (of the list's length). */
function readNetList(b: Build, from: Arg, file: string, sources: NetSource[], role: string): void {
  for (let i = 0, n = itemCount(from); i < n; i++) {
    const s = itemAt(from, i)!;
    if (s.text === 'any') sources[i] = new SourceAt('any', s, true);
    else if (parseCidr(s.text)) sources[i] = new SourceAt(s.text, s);
    else {
      const src = new SourceAt(s.text, s);
      sources[i] = src;
      b.pending.push(new Pending(s, file, KINDS_NETWORK, role, Into.Network, src));
    }
  }
}
