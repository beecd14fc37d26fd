// `policy N { … }`: scan engines, how mail reaches them, attachments, sizes,
// licences and the scanner host.
import type { Statement } from '../../syntax/ast';
import { SCHEMA } from '../../schema/schema';
import { isReference, sizeBytes } from '../../schema/values';
import { normalizeHost } from '../names';
import type { PolicyDecl, ScanMethod } from '../types';
import { first, itemsOf, optFirst, secondPositional } from './args';
import type { Build } from './context';
import { LazySourced } from './objects';
import { Into, KINDS_SCANNER, Pending } from './pending';

const SCANNER = SCHEMA.policy.statements.scanner.args[0].type;

export function readPolicy(b: Build, st: Statement, kw: string, v: string, file: string, d: PolicyDecl): void {
  switch (kw) {
    case 'antivirus':
      d.antivirus = { engine: v, mode: optFirst(st, 'mode')?.text ?? 'realtime', stmt: st };
      return;
    case 'antispam': {
      const t = optFirst(st, 'threshold');
      d.antispam = { engine: v, threshold: t ? Number(t.text) : undefined, stmt: st };
      return;
    }
    case 'method':
      d.method = v as ScanMethod;
      d.methodStmt = new LazySourced(d.method, file, st);
      return;
    case 'attachments':
      d.attachments.push({ action: v as 'allow' | 'block', extensions: itemsOf(secondPositional(st)), stmt: st });
      return;
    case 'max-size':
      d.maxSize = { text: v, bytes: sizeBytes(v) ?? 0, stmt: st };
      return;
    case 'on-virus':
      d.onVirus = v;
      d.onVirusStmt = st;
      return;
    case 'licenses':
      d.licenses = Number(v);
      d.licensesStmt = st;
      return;
    case 'scanner':
      readScanner(b, st, file, d);
      return;
  }
}

function readScanner(b: Build, st: Statement, file: string, d: PolicyDecl): void {
  const s = first(st)!;
  const sc: PolicyDecl['scanner'] = { scalar: s, stmt: st };
  d.scanner = sc;
  if (isReference(s, SCANNER)) b.pending.push(new Pending(s, file, KINDS_SCANNER, 'a scanner', Into.Scanner, sc));
  else sc.hostname = normalizeHost(s.text);
}

const isAmavis = (engine: string | undefined) => engine?.toLowerCase() === 'amavis';

/** After the block: the effective method (amavis is always an after-queue content filter). */
export function finishPolicy(d: PolicyDecl): void {
  if (!d.methodStmt && (isAmavis(d.antivirus?.engine) || isAmavis(d.antispam?.engine))) d.method = 'content-filter';
}
