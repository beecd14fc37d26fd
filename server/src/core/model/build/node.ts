// `gateway N` and `server N` (and what pools and externals share with them):
// identity, addresses, ports, software, TLS, DNSBL, rules and scanning.
import type { Statement } from '../../syntax/ast';
import { normalizeHost } from '../names';
import type { NodeDecl, RecipientCheck, Software, Zone } from '../types';
import { first, firstList, numberList, patternList } from './args';
import type { Build } from './context';
import { LazySourced, PatternsAt } from './objects';
import { Into, KINDS_POLICY, Pending } from './pending';
import { readAccept, readRelay, readRoute } from './rules';

export function readNode(b: Build, st: Statement, kw: string, v: string, file: string, n: NodeDecl): void {
  switch (kw) {
    case 'role':
      n.role = v;
      if (n.kind === 'gateway' && !n.zoneDeclared) n.zone = v === 'relay' ? 'internal' : 'perimeter';
      return;
    case 'zone':
      n.zone = v as Zone;
      n.zoneDeclared = true;
      return;
    case 'hostname':
      n.hostname = new LazySourced(normalizeHost(v), file, st);
      return;
    case 'address': {
      const list = firstList(st).map((s) => s.text);
      n.addresses = n.addresses.length ? n.addresses.concat(list) : list;
      n.addressStmt = new LazySourced(list, file, st);
      return;
    }
    case 'domain-joined':
      n.domainJoined = v === 'yes';
      n.domainJoinedStmt = new LazySourced(v === 'yes', file, st);
      return;
    case 'listen':
      n.listen = numberList(b, st);
      n.listenStmt = new LazySourced(n.listen, file, st);
      return;
    case 'submission':
      n.submission = numberList(b, st);
      n.submissionStmt = new LazySourced(n.submission, file, st);
      return;
    default:
      readNodeMore(b, st, kw, v, file, n);
  }
}

/** The rest of a node's statements (one switch would pass 80 lines). */
function readNodeMore(b: Build, st: Statement, kw: string, v: string, file: string, n: NodeDecl): void {
  switch (kw) {
    case 'software':
      n.software = v as Software;
      n.softwareStmt = new LazySourced(n.software, file, st);
      return;
    case 'recipients':
      n.recipients = v as RecipientCheck;
      n.recipientsStmt = new LazySourced(n.recipients, file, st);
      return;
    case 'tls':
      n.tls = v as NodeDecl['tls'];
      n.tlsStmt = new LazySourced(v, file, st);
      return;
    case 'dnsbl': {
      const zones = firstList(st);
      n.dnsbl =
        v === 'none' && zones.length === 1
          ? { zones: [], none: true, file, range: st.range }
          : { zones: zones.map((s) => normalizeHost(s.text)), none: false, file, range: st.range };
      return;
    }
    case 'accept':
      return readAccept(b, st, file, n);
    case 'relay':
      return readRelay(b, st, v, file, n);
    case 'route':
      return readRoute(b, st, file, n);
    case 'scan':
      b.pending.push(new Pending(first(st)!, file, KINDS_POLICY, 'a scan policy', Into.Scan, n, st));
      return;
    case 'capacity':
      n.capacity = Number(v);
      return;
    case 'mailboxes':
      n.mailboxes = new PatternsAt(file, st, patternList(b, st));
      return;
  }
}
