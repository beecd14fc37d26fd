// IP address helpers for the live checks and the SPF evaluator: strict parsing,
// canonical text, CIDR matching, private ranges (LANGUAGE.md §4), reverse names.
// Pure functions, no node:net dependency, never throw on bad input.

import {
  containsIp,
  notPublicAddrSet,
  parseIp as parseAddr,
  formatIp as formatAddr,
  privateAddrSet,
} from '../model/addr';

export interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: number[];
}

// Parsing, canonical text and the private ranges come from the model's
// address library (one definition of LANGUAGE.md §4 for the whole core);
// this module adds the byte view the reverse names and SPF matching use.

export function parseIp(s: string): ParsedIp | undefined {
  const t = s.trim();
  const p = parseAddr(t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t);
  if (!p) return undefined;
  const n = p.family === 4 ? 4 : 16;
  const bytes = new Array<number>(n);
  let v = p.value;
  for (let i = n - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return { family: p.family, bytes };
}

export function isIp(s: string): boolean {
  return parseIp(s) !== undefined;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIp(ip: ParsedIp): string {
  let v = 0n;
  for (const b of ip.bytes) v = (v << 8n) | BigInt(b);
  return formatAddr({ family: ip.family, value: v });
}

/** Canonical form of an address string, or undefined when it is not one. */
export function canonicalIp(s: string): string | undefined {
  const p = parseIp(s);
  return p ? formatIp(p) : undefined;
}

export function sameIp(a: string, b: string): boolean {
  const x = canonicalIp(a);
  return x !== undefined && x === canonicalIp(b);
}

/** Whether `ip` lies in `net`/`prefix` (same family only). */
export function inPrefix(ip: ParsedIp, net: ParsedIp, prefix: number): boolean {
  if (ip.family !== net.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  if (prefix < 0 || prefix > bits) return false;
  let left = prefix;
  for (let i = 0; i < ip.bytes.length && left > 0; i++) {
    const take = Math.min(8, left);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((ip.bytes[i] & mask) !== (net.bytes[i] & mask)) return false;
    left -= take;
  }
  return true;
}

/** `10.0.0.0/8` style; a bare address is a host route. */
export function parseCidr(s: string): { net: ParsedIp; prefix: number } | undefined {
  const slash = s.indexOf('/');
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.family === 4 ? 32 : 128;
  if (slash < 0) return { net: addr, prefix: max };
  const p = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p)) return undefined;
  const prefix = Number(p);
  if (prefix > max) return undefined;
  return { net: addr, prefix };
}

export function inCidr(address: string, cidr: string): boolean {
  const ip = parseIp(address);
  const c = parseCidr(cidr);
  return !!ip && !!c && inPrefix(ip, c.net, c.prefix);
}

const parseBare = (address: string) => {
  const t = address.trim();
  return parseAddr(t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t);
};

/**
 * THE "is private" predicate of the core (rules, generators, live checks).
 * Private per LANGUAGE.md §4: 10/8, 172.16/12, 192.168/16, 100.64/10, 127/8,
 * 169.254/16, ::1, fc00::/7, fe80::/10, and a private IPv4 address however
 * IPv6 carries it: IPv4-mapped (::ffff:10.1.2.3), NAT64 (64:ff9b::a01:203),
 * 6to4 (2002:a01:203::1). Every other address is public, the documentation
 * ranges included. A string that is not an address is not private.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = parseBare(address);
  return !!ip && containsIp(privateAddrSet(), ip);
}

/**
 * A public address: an address that is neither private (above) nor reserved
 * (0/8, multicast, 240/4, broadcast, ::, ff00::/8, and their IPv6 forms).
 * Live checks query (PTR, DNSBL, SPF evaluation) only these.
 */
export function isPublicAddress(address: string): boolean {
  const ip = parseBare(address);
  return !!ip && !containsIp(notPublicAddrSet(), ip);
}

function nibbles(ip: ParsedIp): string[] {
  const out: string[] = [];
  for (let i = ip.bytes.length - 1; i >= 0; i--) {
    out.push((ip.bytes[i] & 0xf).toString(16), (ip.bytes[i] >> 4).toString(16));
  }
  return out;
}

/** Labels of an address in reverse order: `7.100.51.198` or 32 nibbles for IPv6. */
export function reversedLabels(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  return ip.family === 4 ? [...ip.bytes].reverse().join('.') : nibbles(ip).join('.');
}

/** The PTR owner name: `7.100.51.198.in-addr.arpa` or `...ip6.arpa`. */
export function reverseName(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  return `${reversedLabels(address)}.${ip.family === 4 ? 'in-addr.arpa' : 'ip6.arpa'}`;
}

/** Normalize a DNS name for comparison: lower case, no trailing dot. */
export function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  while (n.endsWith('.') && n.length > 1) n = n.slice(0, -1);
  return n;
}
