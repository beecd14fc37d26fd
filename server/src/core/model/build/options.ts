// `options { … }`: workspace-wide defaults (options.dnsbl, ttl, nameservers, contact).
import type { Statement } from '../../syntax/ast';
import { durationSeconds } from '../../schema/values';
import { normalizeHost } from '../names';
import { firstList } from './args';
import type { Build } from './context';

export function readOptions(b: Build, st: Statement, kw: string, v: string, file: string): void {
  const o = b.model.options;
  switch (kw) {
    case 'dnsbl':
      o.dnsbl = firstList(st).map((s) => normalizeHost(s.text));
      o.dnsblStmt = { file, range: st.range };
      return;
    case 'ttl':
      o.ttl = v;
      o.ttlSeconds = durationSeconds(v) ?? 3600;
      return;
    case 'nameservers':
      o.nameservers = firstList(st).map((s) => normalizeHost(s.text));
      return;
    case 'contact':
      o.contact = v;
      return;
  }
}
