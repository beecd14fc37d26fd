// `domain H { … }`: MX records (a reference, a hostname or an address) and
// the mail-authentication records you intend to publish.
import type { Statement } from '../../syntax/ast';
import { SCHEMA } from '../../schema/schema';
import { isReference } from '../../schema/values';
import { canonicalIp } from '../addr';
import { normalizeHost } from '../names';
import type { DomainDecl, MxRecord } from '../types';
import { itemAt } from '../../syntax/parser';
import { secondPositional } from './args';
import type { Build } from './context';
import { LazySourced, MxAt } from './objects';
import { Into, KINDS_MX, Pending } from './pending';

const MX_TARGET = SCHEMA.domain.statements.mx.args[1].type;

export function readDomain(b: Build, st: Statement, kw: string, v: string, file: string, d: DomainDecl): void {
  switch (kw) {
    case 'mx':
      readMx(b, st, v, file, d);
      return;
    case 'spf':
      d.spf = new LazySourced(v, file, st);
      return;
    case 'dmarc':
      d.dmarc = new LazySourced(v, file, st);
      return;
    case 'mta-sts':
      d.mtaSts = new LazySourced(v, file, st);
      return;
    case 'tls-rpt':
      d.tlsRpt = new LazySourced(v, file, st);
      return;
  }
}

function readMx(b: Build, st: Statement, v: string, file: string, d: DomainDecl): void {
  const target = secondPositional(st);
  if (!target && v === 'none') {
    d.mxNone = new LazySourced(true as const, file, st);
    return;
  }
  const ts = itemAt(target!, 0)!; // checked: a preference and a target
  const rec: MxRecord = new MxAt(file, st, Number(v), { kind: 'unresolved', scalar: ts });
  if (canonicalIp(ts.text)) rec.target = { kind: 'ip', ip: ts.text, scalar: ts };
  else if (isReference(ts, MX_TARGET))
    b.pending.push(new Pending(ts, file, KINDS_MX, 'an MX target', Into.MxTarget, rec));
  else rec.target = { kind: 'host', hostname: normalizeHost(ts.text), scalar: ts };
  d.mx.push(rec);
}
