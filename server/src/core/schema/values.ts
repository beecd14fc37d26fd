// Value checks for each ValueType: MT102 for the wrong kind of value,
// MT109 for a value of the right kind outside its set or range.
import type { Scalar } from '../syntax/ast';
import { parseCidr, parseIp } from '../model/addr';
import { RESERVED_WORDS, describeType, type ValueType } from './schema';
import { didYouMean } from './suggest';

export interface ValueProblem {
  code: 'MT102' | 'MT109';
  message: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
/** RFC 1123 labels (letters, digits, inner hyphens; at most 63) joined by dots: one regex, no array of labels. */
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const LAST_LABEL_DIGITS = /(?:^|\.)\d+$/;
/** A word shaped like a hostname (a dot, no address or URL characters): a bad one is MT109, not MT102. */
const HOSTNAME_SHAPE = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*$/;

/** The name without its one trailing dot (`example.com.` names the same host as `example.com`). */
const withoutRoot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);

/** A valid hostname (LANGUAGE.md §1): a dot, RFC 1123 labels of ≤ 63 octets, ≤ 253 in all, one trailing dot allowed. */
export function isHostname(s: string): boolean {
  const h = withoutRoot(s);
  if (h.indexOf('.') < 0 || h.length > 253) return false;
  if (parseIp(h)) return false;
  // every label valid (one regex over the name: no array of labels), the last not all digits
  return HOSTNAME.test(h) && !LAST_LABEL_DIGITS.test(h);
}

/**
 * Why a word shaped like a hostname is not a valid one (MT109), or undefined
 * when it is valid or not shaped like a hostname at all (MT102 says that).
 */
export function hostnameBound(s: string): string | undefined {
  if (isHostname(s) || !HOSTNAME_SHAPE.test(s)) return undefined;
  const h = withoutRoot(s);
  if (h.indexOf('.') < 0 || parseIp(h) || LAST_LABEL_DIGITS.test(h)) return undefined;
  if (h.length > 253) return `'${short(s)}' is longer than 253 characters (a DNS name holds at most 253)`;
  for (const label of h.split('.')) {
    if (!label) return `'${short(s)}' has an empty label (two dots in a row, or a dot at the start)`;
    if (label.length > 63) return `the label '${short(label)}' of '${short(s)}' is longer than 63 characters`;
    if (!LDH_LABEL.test(label))
      return (
        `the label '${short(label)}' of '${short(s)}' is not a host name label: only ` +
        'letters, digits and hyphens, not at either end (RFC 1123)'
      );
  }
  return undefined;
}
const short = (s: string): string => (s.length > 80 ? `${s.slice(0, 40)}…${s.slice(-20)}` : s);

export function isDomainPattern(s: string): boolean {
  if (s === '*') return true;
  if (s.startsWith('*.')) return isHostname(s.slice(2)) || (LDH_LABEL.test(withoutRoot(s.slice(2))) && s.length <= 66);
  return isHostname(s);
}

export function isName(s: string): boolean {
  return NAME.test(s);
}

const DURATION = /^(\d+)(ms|s|m|h|d|w)$/;
const SIZE = /^(\d+)(B|KB|MB|GB|TB|K|M|G)$/i;

/** Largest duration: 2^31−1 seconds (BIND's TTL limit, a 32-bit signed counter elsewhere). */
export const MAX_DURATION_SECONDS = 2 ** 31 - 1;
/** Largest size: 2^53 bytes (exact as a number; Postfix reads up to 2^63). */
export const MAX_SIZE_BYTES = 2 ** 53;

/** Seconds in a duration word, or undefined. */
export function durationSeconds(s: string): number | undefined {
  const m = DURATION.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  return { ms: n / 1000, s: n, m: n * 60, h: n * 3600, d: n * 86400, w: n * 604800 }[m[2]];
}
/** Bytes in a size word, or undefined. */
export function sizeBytes(s: string): number | undefined {
  const m = SIZE.exec(s);
  if (!m) return undefined;
  const unit = m[2].toUpperCase().replace(/B$/, '') || 'B';
  const mult: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
  return Number(m[1]) * (mult[unit] ?? 1);
}

const bad = (message: string): ValueProblem => ({ code: 'MT102', message });
const range = (message: string): ValueProblem => ({ code: 'MT109', message });

/** Characters that would break out of a generated file if a string carried them. */
function stringProblem(s: Scalar, what: string, strictQuotes: boolean): ValueProblem | undefined {
  if (!s.quoted) return bad(`expected a quoted string (${what}), got '${s.text}'`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s.text)) return bad(`the ${what} contains a control character`);
  if (strictQuotes && /["\\]/.test(s.text)) return bad(`the ${what} may not contain '"' or '\\'`);
  if (/[^\u0020-\u007e]/.test(s.text)) return bad(`the ${what} must be plain ASCII text`);
  return undefined;
}

/**
 * Check one scalar against a value type. References are only checked for shape
 * here (a word without a dot); whether the name exists is the model's job.
 */
export function checkValue(s: Scalar, t: ValueType): ValueProblem | undefined {
  const v = s.text;
  if (t.t !== 'string' && t.t !== 'email' && s.quoted) return bad(`expected ${describeType(t)}, got a quoted string`);
  switch (t.t) {
    case 'name':
      if (RESERVED_WORDS.includes(v)) return bad(`'${v}' is a reserved word and cannot be declared as a name`);
      if (v.indexOf('.') >= 0) return bad(`expected a name, got '${v}': names never contain a dot (hostnames do)`);
      if (!isName(v)) return bad(`expected a name (letters, digits, '_' and '-'), got '${v}'`);
      return undefined;
    case 'hostname':
    case 'domain': {
      if (isHostname(v)) return undefined;
      const why = hostnameBound(v);
      return why ? range(why) : bad(`expected a hostname with a dot, got '${v}'`);
    }
    case 'pattern': {
      if (isDomainPattern(v)) return undefined;
      const why = hostnameBound(v.startsWith('*.') ? v.slice(2) : v);
      return why ? range(why) : bad(`expected a domain or domain pattern (*, *.example.com), got '${v}'`);
    }
    case 'ip':
      return parseIp(v) ? undefined : bad(`expected an IPv4 or IPv6 address, got '${v}'`);
    case 'cidr':
      return parseCidr(v) ? undefined : bad(`expected an address range (CIDR) or address, got '${v}'`);
    case 'port':
      if (!/^\d+$/.test(v)) return bad(`expected a port (1..65535), got '${v}'`);
      return Number(v) >= 1 && Number(v) <= 65535 ? undefined : range(`port ${v} is outside 1..65535`);
    case 'int':
      if (!/^\d+$/.test(v)) return bad(`expected a whole number (${t.what}), got '${v}'`);
      return Number(v) >= t.min && Number(v) <= t.max
        ? undefined
        : range(`${t.what} ${v} is outside ${t.min}..${t.max}`);
    case 'number':
      return /^\d+(\.\d+)?$/.test(v) ? undefined : bad(`expected a number, got '${v}'`);
    case 'duration':
      if (DURATION.test(v))
        return durationSeconds(v)! <= MAX_DURATION_SECONDS
          ? undefined
          : range(`the duration '${short(v)}' is longer than 2^31-1 seconds (about 68 years)`);
      if (/^\d+[A-Za-z]*$/.test(v))
        return range(`'${v}' is not a duration: use a number with ms, s, m, h, d or w (10s, 5m, 1h)`);
      return bad(`expected a duration (10s, 5m, 1h), got '${v}'`);
    case 'size':
      if (SIZE.test(v))
        return sizeBytes(v)! <= MAX_SIZE_BYTES ? undefined : range(`the size '${short(v)}' is larger than 2^53 bytes`);
      if (/^\d+[A-Za-z]*$/.test(v)) return range(`'${v}' is not a size: use a number with B, KB, MB or GB (25MB)`);
      return bad(`expected a size (512KB, 25MB, 1GB), got '${v}'`);
    case 'string': {
      const p = stringProblem(s, t.what, true);
      if (p) return p;
      if (
        t.uri &&
        !/^(mailto:[^\s,;]+@[^\s,;]+|https:\/\/[^\s,;]+)(,\s*(mailto:[^\s,;]+@[^\s,;]+|https:\/\/[^\s,;]+))*$/.test(v)
      )
        return bad(`expected a mailto: or https: URI, got '${v}'`);
      return undefined;
    }
    case 'email':
      return /^[A-Za-z0-9._%+-]+@([A-Za-z0-9_-]+\.)+[A-Za-z0-9_-]+$/.test(v)
        ? undefined
        : bad(`expected an e-mail address, got '${v}'`);
    case 'word':
      return /^[A-Za-z0-9][A-Za-z0-9_+-]*$/.test(v) ? undefined : bad(`expected ${describeType(t)}, got '${v}'`);
    case 'enum':
      if (t.values.includes(v)) return undefined;
      return range(`'${v}' is not one of ${describeType(t)}${didYouMean(v, t.values)}`);
    case 'ref': {
      if (t.builtins?.includes(v)) return undefined;
      if (t.ip && parseIp(v)) return undefined;
      if (v.indexOf('.') >= 0) {
        if (t.hostname) {
          if (isHostname(v)) return undefined;
          const why = hostnameBound(v);
          return why ? range(why) : bad(`expected a hostname, got '${v}'`);
        }
        return bad(`expected ${describeType(t)}, got the hostname '${v}' (names never contain a dot)`);
      }
      if (RESERVED_WORDS.includes(v)) return bad(`'${v}' is a reserved word, not ${describeType(t)}`);
      return isName(v) ? undefined : bad(`expected ${describeType(t)}, got '${v}'`);
    }
    case 'netlist':
      if (v === 'any') return undefined;
      if (parseCidr(v)) return undefined;
      if (v.indexOf('.') >= 0 || v.indexOf(':') >= 0)
        return bad(`expected a network name, address range, address or any, got '${v}'`);
      if (RESERVED_WORDS.includes(v)) return bad(`'${v}' is a reserved word, not a network`);
      return isName(v) ? undefined : bad(`expected a network name, address range, address or any, got '${v}'`);
  }
}

/** Does this scalar, in a ref position, name a declaration (rather than a literal)? */
export function isReference(s: Scalar, t: ValueType): boolean {
  if (s.quoted) return false;
  const v = s.text;
  if (t.t === 'netlist') return v !== 'any' && !parseCidr(v) && isName(v) && !RESERVED_WORDS.includes(v);
  if (t.t !== 'ref') return false;
  if (t.builtins?.includes(v) || RESERVED_WORDS.includes(v)) return false;
  if (parseIp(v)) return false;
  return v.indexOf('.') < 0 && isName(v);
}
