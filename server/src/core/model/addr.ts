// IPv4/IPv6 addresses and address sets as interval sets (BigInt), so relay
// sources can be compared by coverage: "0.0.0.0/1, 128.0.0.0/1" is `any`.

export type Family = 4 | 6;
export interface Interval {
  lo: bigint;
  hi: bigint;
}
/** Sorted, disjoint, non-adjacent intervals per family. */
export interface AddrSet {
  v4: Interval[];
  v6: Interval[];
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

export function parseIPv4(s: string): bigint | undefined {
  // A char loop: this runs for every address in every check.
  let v = 0,
    part = 0,
    digits = 0,
    dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined; // no leading zeros
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return BigInt(v * 256 + part);
}

export function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return undefined;
  let tail4: bigint | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.') >= 0) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    str = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = str.split('::');
  if (dbl.length > 2) return undefined;
  const head = dbl[0] ? dbl[0].split(':') : [];
  const tail = dbl.length === 2 ? (dbl[1] ? dbl[1].split(':') : []) : [];
  const groups = dbl.length === 2 ? head.length + tail.length : head.length;
  if (dbl.length === 2 ? groups > 7 : groups !== 8) return undefined;
  const all = dbl.length === 2 ? [...head, ...Array<string>(8 - groups).fill('0'), ...tail] : head;
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | tail4;
  return v;
}

export interface ParsedIp {
  family: Family;
  value: bigint;
}

export function parseIp(s: string): ParsedIp | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (s.indexOf(':') < 0) return undefined;
  const v6 = parseIPv6(s);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export interface ParsedCidr {
  family: Family;
  lo: bigint;
  hi: bigint;
  prefix: number;
  /** host bits were set */ hostBits: boolean;
}

/** A CIDR, or a bare address (/32 or /128). */
export function parseCidr(s: string): ParsedCidr | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const lo = ip.value & ~hostMask & (ip.family === 4 ? V4_MAX : V6_MAX);
  return { family: ip.family, lo, hi: lo | hostMask, prefix, hostBits: (ip.value & hostMask) !== 0n };
}

// Sets are never changed in place (every operation returns a new one), so the
// empty and the full set can be shared: a topology has one per relay rule.
const EMPTY: AddrSet = Object.freeze({
  v4: Object.freeze([]) as unknown as Interval[],
  v6: Object.freeze([]) as unknown as Interval[],
});
const ANY: AddrSet = Object.freeze({
  v4: Object.freeze([Object.freeze({ lo: 0n, hi: V4_MAX })]) as unknown as Interval[],
  v6: Object.freeze([Object.freeze({ lo: 0n, hi: V6_MAX })]) as unknown as Interval[],
});
export function emptySet(): AddrSet {
  return EMPTY;
}
export function anySet(): AddrSet {
  return ANY;
}

const byLo = (a: Interval, b: Interval) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0);

/** Sort and merge overlapping or adjacent intervals (the list is sorted in place). */
function normalize(list: Interval[]): Interval[] {
  if (!list.length) return EMPTY.v4;
  if (list.length === 1) return [{ lo: list[0].lo, hi: list[0].hi }]; // most sets: exact size, kept as long as the model
  list.sort(byLo);
  const out: Interval[] = [];
  let last: Interval | undefined;
  for (const iv of list) {
    if (last && iv.lo <= last.hi + 1n) {
      if (iv.hi > last.hi) last.hi = iv.hi;
    } else out.push((last = { lo: iv.lo, hi: iv.hi }));
  }
  return out;
}

/**
 * The one way to make a set from many ranges: collect, then sort and merge
 * once (O(n log n)). Adding ranges one by one to a set copies it each time
 * (a 16,000-range `from=` list took 35 s that way).
 */
export class AddrSetBuilder {
  private v4: Interval[] = [];
  private v6: Interval[] = [];
  private any = false;
  addCidr(c: { family: Family; lo: bigint; hi: bigint }): this {
    (c.family === 4 ? this.v4 : this.v6).push({ lo: c.lo, hi: c.hi });
    return this;
  }
  addSet(s: AddrSet): this {
    if (s === ANY) this.any = true;
    else {
      for (const iv of s.v4) this.v4.push(iv);
      for (const iv of s.v6) this.v6.push(iv);
    }
    return this;
  }
  addAny(): this {
    this.any = true;
    return this;
  }
  build(): AddrSet {
    if (this.any) return ANY;
    if (!this.v4.length && !this.v6.length) return EMPTY;
    return { v4: normalize(this.v4), v6: normalize(this.v6) };
  }
}

/** Merge two sorted, disjoint lists in one pass (no sort). */
function mergeSorted(a: Interval[], b: Interval[]): Interval[] {
  if (!a.length) return b;
  if (!b.length) return a;
  const out: Interval[] = [];
  let i = 0,
    j = 0;
  let last: Interval | undefined;
  while (i < a.length || j < b.length) {
    const iv = j >= b.length || (i < a.length && a[i].lo <= b[j].lo) ? a[i++] : b[j++];
    if (last && iv.lo <= last.hi + 1n) {
      if (iv.hi > last.hi) last.hi = iv.hi;
    } else out.push((last = { lo: iv.lo, hi: iv.hi }));
  }
  return out;
}

export function union(a: AddrSet, b: AddrSet): AddrSet {
  // a relay rule's set starts empty and usually gains one network: no work then
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { v4: mergeSorted(a.v4, b.v4), v6: mergeSorted(a.v6, b.v6) };
}

/** One range more (linear: for many ranges use AddrSetBuilder). */
export function addCidr(set: AddrSet, c: ParsedCidr): AddrSet {
  const one = [{ lo: c.lo, hi: c.hi }];
  return c.family === 4 ? { v4: mergeSorted(set.v4, one), v6: set.v6 } : { v4: set.v4, v6: mergeSorted(set.v6, one) };
}

function coversList(outer: Interval[], inner: Interval[]): boolean {
  let i = 0;
  for (const iv of inner) {
    while (i < outer.length && outer[i].hi < iv.lo) i++;
    if (i >= outer.length || outer[i].lo > iv.lo || outer[i].hi < iv.hi) return false;
  }
  return true;
}

/** Every address of `inner` is in `outer`. */
export function covers(outer: AddrSet, inner: AddrSet): boolean {
  return coversList(outer.v4, inner.v4) && coversList(outer.v6, inner.v6);
}

export function isEmpty(s: AddrSet): boolean {
  return !s.v4.length && !s.v6.length;
}
export function isAny(s: AddrSet): boolean {
  return covers(s, anySet());
}
/** Every IPv4 address, or every IPv6 address (what 0.0.0.0/0 or ::/0 alone means). */
export function coversAFamily(s: AddrSet): boolean {
  return (
    (s.v4.length === 1 && s.v4[0].lo === 0n && s.v4[0].hi === V4_MAX) ||
    (s.v6.length === 1 && s.v6[0].lo === 0n && s.v6[0].hi === V6_MAX)
  );
}

export function containsIp(s: AddrSet, ip: ParsedIp): boolean {
  const list = ip.family === 4 ? s.v4 : s.v6;
  let lo = 0,
    hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].hi < ip.value) lo = mid + 1;
    else if (list[mid].lo > ip.value) hi = mid - 1;
    else return true;
  }
  return false;
}

/** `a` without the addresses of `b`: one sweep over both sorted lists. */
export function subtract(a: AddrSet, b: AddrSet): AddrSet {
  const sub = (x: Interval[], y: Interval[]): Interval[] => {
    if (!y.length || !x.length) return x;
    const out: Interval[] = [];
    let j = 0;
    for (const iv of x) {
      let lo = iv.lo;
      while (j < y.length && y[j].hi < lo) j++;
      let k = j;
      while (k < y.length && y[k].lo <= iv.hi) {
        if (y[k].lo > lo) out.push({ lo, hi: y[k].lo - 1n });
        lo = y[k].hi + 1n;
        if (y[k].hi >= iv.hi) break;
        k++;
      }
      if (lo <= iv.hi) out.push({ lo, hi: iv.hi });
    }
    return out;
  };
  return { v4: sub(a.v4, b.v4), v6: sub(a.v6, b.v6) };
}

export function intersect(a: AddrSet, b: AddrSet): AddrSet {
  return subtract(a, subtract(a, b));
}

// LANGUAGE.md §4. The documentation ranges count as public.
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'];
const PRIVATE_V6 = ['::1/128', 'fc00::/7', 'fe80::/10'];
// Not on the internet either: never looked up (this network, multicast, class E and broadcast; unspecified, multicast)
const RESERVED_V4 = ['0.0.0.0/8', '224.0.0.0/3'];
const RESERVED_V6 = ['::/128', 'ff00::/8'];

/**
 * An IPv4 range and every IPv6 form that carries it (RULES.md, live checks: a
 * private address is private however it is written): IPv4-mapped
 * ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 (RFC 6052)
 * and 6to4 2002:aabb:ccdd::/48 (RFC 3056, the address in bits 16..47).
 */
function addWithEmbedded(b: AddrSetBuilder, cidr: string): void {
  const c = parseCidr(cidr)!;
  b.addCidr(c);
  for (const prefix of [0xffffn << 32n, 0n, 0x64ff9bn << 96n])
    b.addCidr({ family: 6, lo: prefix | c.lo, hi: prefix | c.hi });
  const sixToFour = 0x2002n << 112n;
  b.addCidr({ family: 6, lo: sixToFour | (c.lo << 80n), hi: sixToFour | (c.hi << 80n) | ((1n << 80n) - 1n) });
}

function rangesSet(v4: string[], v6: string[]): AddrSet {
  const b = new AddrSetBuilder();
  for (const c of v4) addWithEmbedded(b, c);
  for (const c of v6) b.addCidr(parseCidr(c)!);
  return b.build();
}

let privateSet: AddrSet | undefined;
let notPublicSet: AddrSet | undefined;
/** LANGUAGE.md §4 private ranges, with their IPv4-mapped, NAT64 and 6to4 forms. */
export function privateAddrSet(): AddrSet {
  return (privateSet ??= rangesSet(PRIVATE_V4, PRIVATE_V6));
}
/** Private or reserved (never on the internet): what live checks never query. */
export function notPublicAddrSet(): AddrSet {
  return (notPublicSet ??= rangesSet([...PRIVATE_V4, ...RESERVED_V4], [...PRIVATE_V6, ...RESERVED_V6]));
}
/** The set holds at least one public address. */
export function hasPublic(s: AddrSet): boolean {
  return !isEmpty(subtract(s, privateAddrSet()));
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((ip.value >> sh) & 255n)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

/** Canonical text of an address (for comparing `address` with live answers). */
export function canonicalIp(s: string): string | undefined {
  // A valid dotted quad (no leading zeros) is already canonical.
  if (s.indexOf(':') < 0) return parseIPv4(s) === undefined ? undefined : s;
  const ip = parseIp(s);
  return ip ? formatIp(ip) : undefined;
}
