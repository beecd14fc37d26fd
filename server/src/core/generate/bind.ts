// BIND, split horizon: per declared domain a public zone bind/db.<domain> and
// an internal one bind/internal/db.<domain>, and bind/named.conf.views that
// serves the internal zones to your own networks and the public ones to
// everyone else.
//
// Each zone: SOA and NS (options nameservers, else ns1.<domain>; contact, else
// hostmaster@<domain>), MX or the null MX "0 .", A/AAAA for every hostname of
// the topology that lies in the domain (a pool's vip, or for a DNS round-robin
// pool every member's address), glue for in-domain name servers, SPF, DMARC,
// MTA-STS and TLS-RPT TXT records, each TXT split into strings of at most 255
// bytes. The public zone holds no private address (LANGUAGE.md §4): those
// records are only in the internal zone, which is the public one plus them.
// Owner names that BIND's check-names would refuse (an '_' in a host name)
// are left out with a comment, so `named-checkzone -k fail` passes.
import type { DomainDecl, Model } from '../model/types';
import { commentHeader, fnv1a, guard, inDomain, setToCidrs, type GenerateOptions, type GeneratedFile } from './common';
import { addCidr, canonicalIp, containsIp, covers, emptySet, parseCidr, parseIp, union } from '../model/addr';
import { isPrivateAddress } from '../dns/ip';

/** Where the generated bind/ folder is installed; named.conf.views names its zone files there. */
export const BIND_DIR = '/etc/bind/mailtopo';

type View = 'public' | 'internal';

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
type Section = { title: string; recs: Rec[] };
const note = (data: string): Rec => ({ owner: ';', type: '', data });

type AddrMap = Map<string, Array<{ ip: string; why: string }>>;

/** What every zone of one generation run shares. */
interface Ctx {
  model: Model;
  opts: GenerateOptions;
  domains: string[];
  addrOf: AddrMap;
}

/** One domain's zone being built. */
interface ZoneCtx extends Ctx {
  dom: string;
  view: View;
  nameservers: string[];
  /** Notes for the CLI: only the public zone reports them, so each is said once. */
  notes: string[];
}

export function generateBind(model: Model, opts: GenerateOptions): GeneratedFile[] {
  const domains = model.domains.filter((d, i) => model.domains.findIndex((x) => x.name === d.name) === i);
  const ctx: Ctx = { model, opts, domains: domains.map((d) => d.name), addrOf: hostAddresses(model) };
  const files: GeneratedFile[] = [];
  for (const d of domains) files.push(zone(d, ctx, 'public'), zone(d, ctx, 'internal'));
  if (domains.length) files.push(views(ctx));
  return files;
}

/** Addresses of hostnames: node hostnames, pool vips, round-robin pool members. */
function hostAddresses(model: Model): AddrMap {
  const addrOf: AddrMap = new Map();
  const add = (host: string, ip: string, why: string) => {
    const list = addrOf.get(host) ?? [];
    const c = canonicalIp(ip) ?? ip;
    if (!list.some((x) => (canonicalIp(x.ip) ?? x.ip) === c)) list.push({ ip, why });
    addrOf.set(host, list);
  };
  for (const n of model.nodes) {
    if (!n.hostname) continue;
    const h = n.hostname.value;
    if (n.kind === 'pool') {
      if (n.vip) add(h, n.vip.value, `pool ${n.name} (vip)`);
      else if (n.mode === 'round-robin')
        for (const m of n.members)
          for (const a of m.addresses) add(h, a, `pool ${n.name} (round-robin member ${m.name})`);
    } else for (const a of n.addresses) add(h, a, `${n.kind} ${n.name}`);
  }
  return addrOf;
}

/** The addresses of a host this view publishes. */
function visible(z: ZoneCtx, host: string): Array<{ ip: string; why: string }> {
  const list = z.addrOf.get(host) ?? [];
  return z.view === 'internal' ? list : list.filter((x) => !isPrivateAddress(x.ip));
}

/** The most specific declared domain a hostname lies in. */
function zoneOf(host: string, domains: string[]): string | undefined {
  let best: string | undefined;
  for (const d of domains) if (inDomain(host, d) && (!best || d.length > best.length)) best = d;
  return best;
}

const abs = (h: string) => `${h}.`;
const rel = (z: ZoneCtx, h: string) => (h === z.dom ? '@' : h.slice(0, h.length - z.dom.length - 1));
const ours = (z: ZoneCtx, h: string) => zoneOf(h, z.domains) === z.dom;

function zone(d: DomainDecl, ctx: Ctx, view: View): GeneratedFile {
  const dom = guard(d.name, 'host', 'a zone name');
  const nameservers = (ctx.model.options.nameservers?.length ? ctx.model.options.nameservers : [`ns1.${dom}`]).map(
    (n) => guard(n, 'host', 'an NS record'),
  );
  const z: ZoneCtx = { ...ctx, dom, view, nameservers, notes: [] };
  const ns: Section = {
    title: `Name servers (${ctx.model.options.nameservers?.length ? 'options nameservers' : `default ns1.${dom}`})`,
    recs: nameservers.map((n) => ({ owner: '@', type: 'NS', data: abs(n) })),
  };
  const mx = mxSection(z, d);
  const sections = [ns, mx.section, addressSection(z), glueSection(z), authSection(d, dom, mx.hosts)];
  const path = view === 'public' ? `bind/db.${dom}` : `bind/internal/db.${dom}`;
  const notes = view === 'public' && z.notes.length ? z.notes : undefined;
  return { path, content: render(z, sections), notes };
}

function mxSection(z: ZoneCtx, d: DomainDecl): { section: Section; hosts: string[] } {
  const recs: Rec[] = [];
  const hosts: string[] = [];
  if (d.mxNone)
    recs.push({ owner: '@', type: 'MX', data: '0 .', comment: 'null MX (RFC 7505): this domain receives no mail' });
  for (const r of d.mx) {
    const t = r.target;
    let host: string | undefined;
    if (t.kind === 'ref') {
      host = t.decl.hostname?.value;
      if (!host) {
        z.notes.push(`bind ${z.dom}: MX ${r.preference} ${t.decl.name} has no hostname; left out`);
        recs.push(note(`MX ${r.preference} ${t.decl.name}: no hostname declared, left out`));
        continue;
      }
    } else if (t.kind === 'host') host = t.hostname;
    else {
      const what = t.kind === 'ip' ? t.ip : t.scalar.text;
      recs.push(note(`MX ${r.preference} ${what}: an MX must name a host, left out`));
      continue;
    }
    guard(host, 'host', 'an MX record');
    if (!CHECK_NAMES.test(host)) {
      recs.push(note(`MX ${r.preference} ${host}: not a valid host name for BIND, left out`));
      continue;
    }
    const comment = t.kind === 'ref' ? `${t.decl.kind} ${t.decl.name}` : undefined;
    recs.push({ owner: '@', type: 'MX', data: `${r.preference} ${abs(host)}`, comment });
    if (z.view === 'public' && ours(z, host) && z.addrOf.has(host) && !visible(z, host).length) {
      recs.push(note(`${host} has only private addresses: senders on the internet cannot reach this MX`));
      z.notes.push(`bind ${z.dom}: MX ${host} has only private addresses; the public zone gives it no address`);
    }
    if (!hosts.includes(host)) hosts.push(host);
  }
  if (!d.mx.length && !d.mxNone) recs.push(note('no mx declared'));
  return { section: { title: 'Mail exchangers', recs }, hosts };
}

function addressSection(z: ZoneCtx): Section {
  const recs: Rec[] = [];
  const internalOnly: string[] = [];
  for (const [h, list] of [...z.addrOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!ours(z, h)) continue;
    if (!CHECK_NAMES.test(h)) {
      recs.push(note(`${h}: not a valid host name for BIND, left out`));
      continue;
    }
    for (const x of list) {
      const ip = parseIp(guard(x.ip, 'addr', 'an address record'));
      if (!ip) continue;
      const priv = isPrivateAddress(x.ip);
      if (priv && z.view === 'public') {
        if (!internalOnly.includes(h)) internalOnly.push(h);
        continue;
      }
      const comment = priv ? `${x.why}, private` : x.why;
      recs.push({ owner: rel(z, h), type: ip.family === 4 ? 'A' : 'AAAA', data: x.ip, comment });
    }
  }
  if (internalOnly.length)
    recs.push(
      note(`private addresses of ${internalOnly.join(', ')}: in the internal view only (internal/db.${z.dom})`),
    );
  return { title: 'Addresses of the host names in this domain', recs };
}

/** In-domain name servers need an address in the zone; a documentation address stands in when none is known. */
function glueSection(z: ZoneCtx): Section {
  const recs: Rec[] = [];
  z.nameservers.forEach((n, i) => {
    if (!ours(z, n)) return;
    if (visible(z, n).length) {
      recs.push(note(`${n}: address above`));
      return;
    }
    const placeholder = `192.0.2.${53 + i}`;
    const why = z.addrOf.has(n) ? `${n} has only private addresses` : `the topology gives no address for ${n}`;
    recs.push(note(`PLACEHOLDER: ${why}; replace ${placeholder} (RFC 5737, never routed)`));
    if (!z.addrOf.has(n)) recs.push(note(`or declare a node with 'hostname ${n}' and its 'address'`));
    recs.push({ owner: rel(z, n), type: 'A', data: placeholder });
    z.notes.push(`bind ${z.dom}: no public address for name server ${n}; wrote placeholder ${placeholder}, replace it`);
  });
  return { title: 'Name server addresses', recs };
}

function authSection(d: DomainDecl, dom: string, mxHosts: string[]): Section {
  const recs: Rec[] = [];
  if (d.spf) recs.push({ owner: '@', type: 'TXT', data: txtStrings(d.spf.value), comment: 'SPF' });
  if (d.dmarc) recs.push({ owner: '_dmarc', type: 'TXT', data: txtStrings(d.dmarc.value), comment: 'DMARC' });
  if (d.mtaSts) {
    const mode = d.mtaSts.value;
    const maxAge = 86400;
    const id = fnv1a(`${mode}|${mxHosts.join(',')}|${maxAge}`);
    const mxLines = mxHosts.map((h) => `mx: ${h}`).join(' / ');
    recs.push(
      note(`MTA-STS (RFC 8461): serve this policy at https://mta-sts.${dom}/.well-known/mta-sts.txt`),
      note(`  version: STSv1 / mode: ${mode} / ${mxLines}${mxHosts.length ? ' / ' : ''}max_age: ${maxAge}`),
      note(`  (the policy host mta-sts.${dom} needs an address record; the id changes when the policy does)`),
      { owner: '_mta-sts', type: 'TXT', data: txtStrings(`v=STSv1; id=${id}`), comment: `MTA-STS ${mode}` },
    );
  }
  if (d.tlsRpt)
    recs.push({
      owner: '_smtp._tls',
      type: 'TXT',
      data: txtStrings(`v=TLSRPTv1; rua=${d.tlsRpt.value}`),
      comment: 'TLS-RPT (RFC 8460)',
    });
  return { title: 'Mail authentication', recs };
}

function render(z: ZoneCtx, sections: Section[]): string {
  const { dom, model, opts } = z;
  const ttl = Math.max(1, Math.round(model.options.ttlSeconds || 3600));
  const serial = Math.max(1, Math.floor((opts.now?.getTime() ?? 0) / 1000)) >>> 0;
  const contact = model.options.contact ?? `hostmaster@${dom}`;
  const file = z.view === 'public' ? `db.${dom}` : `internal/db.${dom}`;
  const what =
    z.view === 'public'
      ? `BIND zone of ${dom}, public view (no private address)`
      : `BIND zone of ${dom}, internal view (the public records and the private addresses)`;
  const out: string[] = [commentHeader(';', opts.source, what).trimEnd()];
  out.push(`; Check it with: named-checkzone -k fail ${dom} ${file}`, '');
  out.push(`$ORIGIN ${abs(dom)}`, `$TTL ${ttl}`);
  out.push(
    `@\tIN\tSOA\t${abs(z.nameservers[0])} ${rname(contact)} (`,
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
      if (r.owner === ';') out.push(`; ${printable(r.data)}`);
      else out.push(`${r.owner}\tIN\t${r.type}\t${r.data}${r.comment ? `\t; ${printable(r.comment)}` : ''}`);
    }
  }
  return out.join('\n') + '\n';
}

/**
 * Who gets the internal view: the name server itself (localhost), every
 * declared network, and every address of your own gateways and servers that
 * no network covers (a perimeter gateway must resolve the internal next hops
 * it routes to, even from a public address). Externals are not yours.
 */
function internalClients(model: Model): Array<{ cidr: string; why: string }> {
  const out: Array<{ cidr: string; why: string }> = [];
  let covered = emptySet();
  for (const n of model.networks) {
    for (const c of setToCidrs(n.set)) {
      const one = addCidr(emptySet(), parseCidr(c)!);
      if (covers(covered, one)) continue; // inside a network listed above
      out.push({ cidr: guard(c, 'addr', 'an ACL'), why: `network ${n.name}` });
    }
    covered = union(covered, n.set);
  }
  for (const n of model.nodes) {
    if (n.kind !== 'gateway' && n.kind !== 'server') continue;
    for (const a of n.addresses) {
      const ip = parseIp(a);
      if (!ip || containsIp(covered, ip)) continue;
      const c = parseCidr(a);
      if (c) covered = addCidr(covered, c);
      out.push({ cidr: guard(canonicalIp(a) ?? a, 'addr', 'an ACL'), why: `${n.kind} ${n.name}` });
    }
  }
  return out;
}

function views(ctx: Ctx): GeneratedFile {
  const { model, opts } = ctx;
  const zones = ctx.domains.map((d) => guard(d, 'host', 'a zone name'));
  const zoneLine = (d: string, file: string) => `\tzone "${d}" { type primary; file "${BIND_DIR}/${file}"; };`;
  const out: string[] = [commentHeader('//', opts.source, 'BIND split-horizon views').trimEnd()];
  out.push(
    `// Install: copy the generated bind/ folder to ${BIND_DIR}/ (this file becomes`,
    `// ${BIND_DIR}/named.conf.views) and add to named.conf:`,
    `//     include "${BIND_DIR}/named.conf.views";`,
    '// Once named.conf has views, every zone must be inside a view: move the zones of',
    '// named.conf.default-zones (and any of your own) into the internal view, or drop them.',
    '// Check: named-checkconf -z /etc/bind/named.conf',
    '',
    '// The clients that see private addresses: the name server itself, your networks,',
    '// and the addresses of your gateways and servers (they resolve internal next hops).',
    'acl "mailtopo-internal" {',
    '\tlocalhost;\t// the name server itself',
  );
  for (const c of internalClients(model)) out.push(`\t${c.cidr};\t// ${printable(c.why)}`);
  out.push('};', '');
  out.push(
    '// Internal view: the public records plus the private addresses. Recursion follows',
    "// named.conf's options (internal clients may use this server as their resolver).",
    'view "internal" {',
    '\tmatch-clients { "mailtopo-internal"; };',
    ...zones.map((d) => zoneLine(d, `internal/db.${d}`)),
    '};',
    '',
    '// Public view: everyone else gets the public zones (no private address) and no recursion.',
    'view "public" {',
    '\tmatch-clients { any; };',
    '\trecursion no;',
    ...zones.map((d) => zoneLine(d, `db.${d}`)),
    '};',
  );
  return { path: 'bind/named.conf.views', content: out.join('\n') + '\n' };
}
