// SPF macros (RFC 7208 §7): expansion of domain-specs and explanation strings,
// and the checks a name must pass before it can be looked up (§4.3).
import { formatIp, normalizeName, type ParsedIp } from './ip';

export const MACRO_RE = /%(?:\{([a-zA-Z])(\d*)(r?)([-.+,/_=]*)\}|%|_|-)/g;

export interface MacroContext {
  ip?: ParsedIp;
  /** The sender (MAIL FROM, or postmaster@HELO): `local@domain`. */
  sender: string;
  /** The current domain (%{d}). */
  domain: string;
  /** The HELO/EHLO name (%{h}) [the current domain]. */
  helo?: string;
  /** The validated PTR name of the IP (%{p}, §7.3) ['unknown']. */
  ptr?: string;
  /** The receiving host (%{r}, explanations only) ['unknown']. */
  receiver?: string;
  /** Seconds since the epoch (%{t}, explanations only) [now]. */
  now?: number;
}

/** Does this spec need the connecting IP (i, p, v, c, r, t)? */
export function macroNeedsIp(spec: string): boolean {
  for (const m of spec.matchAll(/%\{([a-zA-Z])/g)) if ('ipvcrt'.includes(m[1].toLowerCase())) return true;
  return false;
}

/** Does this spec use %{p} (a PTR lookup and its validation before expanding)? */
export function macroNeedsPtr(spec: string): boolean {
  return /%\{p/i.test(spec);
}

function ipLetter(ip: ParsedIp): string {
  // %{i}: dotted quad, or 32 dot-separated nibbles (§7.3), upper case as pyspf
  // writes them (visible in explanations only: names are compared case-insensitively)
  if (ip.family === 4) return ip.bytes.join('.');
  return ip.bytes
    .flatMap((b) => [(b >> 4).toString(16), (b & 15).toString(16)])
    .join('.')
    .toUpperCase();
}

/** The value of one macro letter; undefined when it needs an IP that is not given. */
function letterValue(letter: string, ctx: MacroContext): string | undefined {
  const at = ctx.sender.lastIndexOf('@');
  switch (letter) {
    case 's':
      return at >= 0 ? ctx.sender : `postmaster@${ctx.sender}`;
    case 'l':
      return at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
    case 'o':
      return at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
    case 'd':
      return ctx.domain;
    case 'h':
      return ctx.helo ?? ctx.domain;
    case 'i':
      return ctx.ip && ipLetter(ctx.ip);
    case 'v':
      return ctx.ip && (ctx.ip.family === 4 ? 'in-addr' : 'ip6');
    case 'p':
      return ctx.ip && (ctx.ptr ?? 'unknown');
    case 'c':
      return ctx.ip && formatIp(ctx.ip);
    case 'r':
      return ctx.receiver ?? 'unknown';
    case 't':
      return String(ctx.now ?? Math.floor(Date.now() / 1000));
    default:
      return '';
  }
}

/** URL-escape everything outside RFC 3986's unreserved set (uppercase macro letters, §7.3). */
function urlEscape(s: string): string {
  return Array.from(new TextEncoder().encode(s), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

/** Split on the delimiters, reverse, keep the rightmost `digits` parts, join with dots (§7.3). */
function transform(value: string, digits: string, rev: string, delims: string): string {
  const splitter = new RegExp(`[${(delims || '.').replace(/[-\\\]^]/g, '\\$&')}]`);
  let parts = value.split(splitter);
  if (rev) parts = parts.reverse();
  if (digits) parts = parts.slice(-Number(digits));
  return parts.join('.');
}

/**
 * Expand macros. A domain (isDomain) loses its trailing dot and, when longer
 * than 253 characters, its leftmost labels (§7.3). Undefined when a letter
 * needs the IP and none is given.
 */
export function expandMacros(spec: string, ctx: MacroContext, isDomain = true): string | undefined {
  let missing = false;
  const out = spec.replace(
    MACRO_RE,
    (m: string, letter: string | undefined, digits: string, rev: string, delims: string) => {
      if (m === '%%') return '%';
      if (m === '%_') return ' ';
      if (m === '%-') return '%20';
      if (letter === undefined) return m;
      const value = letterValue(letter.toLowerCase(), ctx);
      if (value === undefined) {
        missing = true;
        return '';
      }
      const res = transform(value, digits, rev, delims);
      return letter !== letter.toLowerCase() ? urlEscape(res) : res;
    },
  );
  if (missing) return undefined;
  if (!isDomain) return out;
  let d = out.endsWith('.') ? out.slice(0, -1) : out;
  while (d.length > 253 && d.includes('.')) d = d.slice(d.indexOf('.') + 1);
  return normalizeName(d);
}

/** An explanation string (§6.2, §7.1 macro-string with spaces): every '%' starts a macro. */
export function isExplanationString(text: string): boolean {
  if (/[^\x20-\x7e]/.test(text)) return false;
  const stripped = text.replace(MACRO_RE, (_m, letter: string | undefined, digits: string) =>
    letter !== undefined && (!'slodiphvcrt'.includes(letter.toLowerCase()) || (digits !== '' && Number(digits) === 0))
      ? '\u0000'
      : '',
  );
  return !stripped.includes('%') && !stripped.includes('\u0000');
}

/**
 * Can this name be looked up (§4.3, RFC 1035)? No empty label, none over 63
 * octets, at most 253 characters. A domain-spec that expands to something
 * else is treated as a name that does not exist.
 */
export function isQueryableName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return false;
  return n.split('.').every((l) => l.length > 0 && new TextEncoder().encode(l).length <= 63);
}

/**
 * The domain check_host() starts from (§4.3): queryable, more than one label,
 * and a top label that could be one (not all digits, no leading or trailing
 * hyphen): a domain literal such as `[192.0.2.1]` or a bare `localhost` is `none`.
 */
export function isCheckableDomain(name: string): boolean {
  if (!isQueryableName(name)) return false;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  const top = labels[labels.length - 1];
  return labels.length > 1 && /^[a-zA-Z0-9-]+$/.test(top) && /[a-zA-Z]/.test(top) && !/^-|-$/.test(top);
}
