// IP address helpers for the live checks and the SPF evaluator: strict parsing,
// canonical text, CIDR matching, private ranges (LANGUAGE.md §4), reverse names.
// Pure functions, no node:net dependency, never throw on bad input.

export interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: number[];
}

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!V4_PART.test(p)) return undefined;
    out.push(Number(p));
  }
  return out;
}

export function parseIPv6(s: string): number[] | undefined {
  if (s.length === 0 || s.length > 45 || s.includes('%')) return undefined;
  let head = s;
  let tail4: number[] | undefined;
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (s.indexOf('.', lastColon) > 0) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (t: string): number[] | undefined => {
    if (t === '') return [];
    const gs = t.split(':');
    const out: number[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    const g = parseGroups(head);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  if (tail4) bytes.splice(12, 4, ...tail4);
  return bytes;
}

export function parseIp(s: string): ParsedIp | undefined {
  const t = s.trim();
  const v4 = parseIPv4(t);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t);
  if (v6) return { family: 6, bytes: v6 };
  return undefined;
}

export function isIp(s: string): boolean {
  return parseIp(s) !== undefined;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return ip.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i] << 8) | ip.bytes[i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
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

const PRIVATE_RANGES = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
  '::1/128', 'fc00::/7', 'fe80::/10',
].map((c) => parseCidr(c)!);

/**
 * Private per LANGUAGE.md §4: 10/8, 172.16/12, 192.168/16, 100.64/10, 127/8,
 * 169.254/16, ::1, fc00::/7, fe80::/10. Every other address is public, the
 * documentation ranges included. A string that is not an address is not private.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  return PRIVATE_RANGES.some((r) => inPrefix(ip, r.net, r.prefix));
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
