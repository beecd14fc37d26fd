// A complete BIND zone per declared domain: bind/db.<domain>.
// SOA and NS (options nameservers, else ns1.<domain>; contact, else
// hostmaster@<domain>), MX or the null MX "0 .", A/AAAA for every hostname of
// the topology that lies in the domain (a pool's vip, or for a DNS round-robin
// pool every member's address), glue for in-domain name servers, SPF, DMARC,
// MTA-STS and TLS-RPT TXT records, each TXT split into strings of at most 255
// bytes. Owner names that BIND's check-names would refuse (an '_' in a host
// name) are left out with a comment.
import type { DomainDecl, Model } from '../model/types';
import { commentHeader, fnv1a, guard, inDomain, type GenerateOptions, type GeneratedFile } from './common';
import { canonicalIp, parseIp } from '../model/addr';
import { isPrivateAddress } from '../dns/ip';

/**
 * One TXT record's data: quoted strings of at most 255 bytes each, escaped for
 * a master file. A long value is split after a space where one falls in the
 * last third of a chunk (readers concatenate the strings without adding
 * anything, RFC 7208 §3.3), else at 255 bytes.
 */
export function txtStrings(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const parts: string[] = [];
  let i = 0;
  do {
    let end = Math.min(i + 255, bytes.length);
    if (end < bytes.length) {
      const sp = bytes.lastIndexOf(0x20, end - 1);
      if (sp >= i + 170) end = sp + 1;
    }
    let s = '';
    for (const b of bytes.subarray(i, end)) {
      if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b);
      else if (b < 0x20 || b > 0x7e) s += '\\' + String(b).padStart(3, '0');
      else s += String.fromCharCode(b);
    }
    parts.push(`"${s}"`);
    i = end;
  } while (i < bytes.length);
  return parts.join(' ');
}

/** An e-mail address as an SOA RNAME: dots of the local part escaped. */
function rname(email: string): string {
  const e = guard(email, 'email', 'the SOA contact');
  const at = e.lastIndexOf('@');
  return `${e.slice(0, at).replace(/\./g, '\\.')}.${e.slice(at + 1)}.`;
}

/** Host names BIND accepts for address records and MX targets (check-names). */
const CHECK_NAMES = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

interface Rec {
  owner: string;
  type: string;
  data: string;
  comment?: string;
}

export function generateBind(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const domains = model.domains.filter((d, i) => model.domains.findIndex((x) => x.name === d.name) === i);
  const names = domains.map((d) => d.name);
  for (const d of domains) files.push(zone(d, model, names, opts));
  return files;
}

/** The most specific declared domain a hostname lies in. */
function zoneOf(host: string, domains: string[]): string | undefined {
  let best: string | undefined;
  for (const d of domains) if (inDomain(host, d) && (!best || d.length > best.length)) best = d;
  return best;
}

function zone(d: DomainDecl, model: Model, allDomains: string[], opts: GenerateOptions): GeneratedFile {
  const dom = guard(d.name, 'host', 'a zone name');
  const notes: string[] = [];
  const abs = (h: string) => `${h}.`;
  const rel = (h: string) => (h === dom ? '@' : h.slice(0, h.length - dom.length - 1));
  const ours = (h: string) => zoneOf(h, allDomains) === dom;
  const ttl = Math.max(1, Math.round(model.options.ttlSeconds || 3600));
  const nameservers = (model.options.nameservers?.length ? model.options.nameservers : [`ns1.${dom}`]).map((n) =>
    guard(n, 'host', 'an NS record'),
  );
  const contact = model.options.contact ?? `hostmaster@${dom}`;
  const serial = Math.max(1, Math.floor((opts.now?.getTime() ?? 0) / 1000)) >>> 0;

  // Addresses of hostnames: node hostnames, pool vips, round-robin pool members.
  const addrOf = new Map<string, Array<{ ip: string; why: string }>>();
  const addAddr = (host: string, ip: string, why: string) => {
    const list = addrOf.get(host) ?? [];
    const c = canonicalIp(ip) ?? ip;
    if (!list.some((x) => (canonicalIp(x.ip) ?? x.ip) === c)) list.push({ ip, why });
    addrOf.set(host, list);
  };
  for (const n of model.nodes) {
    if (!n.hostname) continue;
    const h = n.hostname.value;
    if (n.kind === 'pool') {
      if (n.vip) addAddr(h, n.vip.value, `pool ${n.name} (vip)`);
      else if (n.mode === 'round-robin')
        for (const m of n.members)
          for (const a of m.addresses) addAddr(h, a, `pool ${n.name} (round-robin member ${m.name})`);
    } else for (const a of n.addresses) addAddr(h, a, `${n.kind} ${n.name}`);
  }

  const sections: Array<{ title: string; recs: Rec[] }> = [];
  const section = (title: string) => {
    const s = { title, recs: [] as Rec[] };
    sections.push(s);
    return s.recs;
  };

  const ns = section(
    `Name servers (${model.options.nameservers?.length ? 'options nameservers' : `default ns1.${dom}`})`,
  );
  for (const n of nameservers) ns.push({ owner: '@', type: 'NS', data: abs(n) });

  const mx = section('Mail exchangers');
  if (d.mxNone)
    mx.push({ owner: '@', type: 'MX', data: '0 .', comment: 'null MX (RFC 7505): this domain receives no mail' });
  const mxHosts: string[] = [];
  for (const r of d.mx) {
    let host: string | undefined;
    const t = r.target;
    if (t.kind === 'ref') {
      host = t.decl.hostname?.value;
      if (!host) {
        notes.push(`bind ${dom}: MX ${r.preference} ${t.decl.name} has no hostname; left out`);
        mx.push({ owner: ';', type: '', data: `MX ${r.preference} ${t.decl.name}: no hostname declared, left out` });
        continue;
      }
    } else if (t.kind === 'host') host = t.hostname;
    else {
      mx.push({
        owner: ';',
        type: '',
        data: `MX ${r.preference} ${t.kind === 'ip' ? t.ip : t.scalar.text}: an MX must name a host, left out`,
      });
      continue;
    }
    guard(host, 'host', 'an MX record');
    if (!CHECK_NAMES.test(host)) {
      mx.push({ owner: ';', type: '', data: `MX ${r.preference} ${host}: not a valid host name for BIND, left out` });
      continue;
    }
    mx.push({
      owner: '@',
      type: 'MX',
      data: `${r.preference} ${abs(host)}`,
      comment: t.kind === 'ref' ? `${t.decl.kind} ${t.decl.name}` : undefined,
    });
    if (!mxHosts.includes(host)) mxHosts.push(host);
  }
  if (!d.mx.length && !d.mxNone) mx.push({ owner: ';', type: '', data: 'no mx declared' });

  const addrs = section('Addresses of the host names in this domain');
  const privNote = new Set<string>();
  for (const [h, list] of [...addrOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!ours(h)) continue;
    if (!CHECK_NAMES.test(h)) {
      addrs.push({ owner: ';', type: '', data: `${h}: not a valid host name for BIND, left out` });
      continue;
    }
    for (const x of list) {
      const ip = parseIp(guard(x.ip, 'addr', 'an address record'));
      if (!ip) continue;
      addrs.push({ owner: rel(h), type: ip.family === 4 ? 'A' : 'AAAA', data: x.ip, comment: x.why });
      if (isPrivateAddress(x.ip)) privNote.add(h);
    }
  }
  if (privNote.size)
    addrs.push({
      owner: ';',
      type: '',
      data: `private addresses (${[...privNote].join(', ')}): publish them only in an internal view`,
    });

  const glue = section('Name server addresses');
  nameservers.forEach((n, i) => {
    if (!ours(n)) return;
    if (addrOf.has(n)) {
      glue.push({ owner: ';', type: '', data: `${n}: address above` });
      return;
    }
    const placeholder = `192.0.2.${53 + i}`;
    glue.push({
      owner: ';',
      type: '',
      data: `PLACEHOLDER: the topology gives no address for ${n}; replace ${placeholder} (RFC 5737, never routed)`,
    });
    glue.push({ owner: ';', type: '', data: `or declare a node with 'hostname ${n}' and its 'address'` });
    glue.push({ owner: rel(n), type: 'A', data: placeholder });
    notes.push(`bind ${dom}: no address for name server ${n}; wrote placeholder ${placeholder}, replace it`);
  });

  const auth = section('Mail authentication');
  if (d.spf) auth.push({ owner: '@', type: 'TXT', data: txtStrings(d.spf.value), comment: 'SPF' });
  if (d.dmarc) auth.push({ owner: '_dmarc', type: 'TXT', data: txtStrings(d.dmarc.value), comment: 'DMARC' });
  if (d.mtaSts) {
    const mode = d.mtaSts.value;
    const maxAge = 86400;
    const id = fnv1a(`${mode}|${mxHosts.join(',')}|${maxAge}`);
    auth.push({
      owner: ';',
      type: '',
      data: `MTA-STS (RFC 8461): serve this policy at https://mta-sts.${dom}/.well-known/mta-sts.txt`,
    });
    auth.push({
      owner: ';',
      type: '',
      data: `  version: STSv1 / mode: ${mode} / ${mxHosts.map((h) => `mx: ${h}`).join(' / ')}${mxHosts.length ? ' / ' : ''}max_age: ${maxAge}`,
    });
    auth.push({
      owner: ';',
      type: '',
      data: `  (the policy host mta-sts.${dom} needs an address record; the id changes when the policy does)`,
    });
    auth.push({ owner: '_mta-sts', type: 'TXT', data: txtStrings(`v=STSv1; id=${id}`), comment: `MTA-STS ${mode}` });
  }
  if (d.tlsRpt)
    auth.push({
      owner: '_smtp._tls',
      type: 'TXT',
      data: txtStrings(`v=TLSRPTv1; rua=${d.tlsRpt.value}`),
      comment: 'TLS-RPT (RFC 8460)',
    });

  const out: string[] = [];
  out.push(commentHeader(';', opts.source, `BIND zone of ${dom}`).trimEnd());
  out.push(`; Check it with: named-checkzone ${dom} db.${dom}`, '');
  out.push(`$ORIGIN ${abs(dom)}`, `$TTL ${ttl}`);
  out.push(
    `@\tIN\tSOA\t${abs(nameservers[0])} ${rname(contact)} (`,
    `\t\t${serial}\t; serial (Unix time of generation)`,
    '\t\t3600\t\t; refresh',
    '\t\t900\t\t; retry',
    '\t\t1209600\t\t; expire',
    `\t\t${Math.min(ttl, 3600)} )\t\t; negative-answer TTL`,
  );
  for (const s of sections) {
    if (!s.recs.length) continue;
    out.push('', `; ${s.title}`);
    for (const r of s.recs) {
      if (r.owner === ';') {
        out.push(`; ${printable(r.data)}`);
        continue;
      }
      out.push(`${r.owner}\tIN\t${r.type}\t${r.data}${r.comment ? `\t; ${printable(r.comment)}` : ''}`);
    }
  }
  return { path: `bind/db.${dom}`, content: out.join('\n') + '\n', notes: notes.length ? notes : undefined };
}
