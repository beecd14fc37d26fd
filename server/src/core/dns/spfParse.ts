// SPF record syntax (RFC 7208 §4.5, §4.6, §5, §6, §7.1): a record's terms with
// their qualifiers, targets and CIDR lengths, and every syntax error, found
// before anything is evaluated (§4.6: errors anywhere make the record a permerror).
import { formatIp, parseIp } from './ip';
import { MACRO_RE } from './spfMacro';

export type SpfQualifier = '+' | '-' | '~' | '?';
export type SpfMechanism = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';
export type SpfTermKind = SpfMechanism | 'redirect' | 'exp' | 'modifier';
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface ParsedSpfTerm {
  /** As written. */
  text: string;
  kind: SpfTermKind;
  qualifier: SpfQualifier;
  /** include/exists/redirect/exp target, or a/mx/ptr's optional domain (may hold macros). */
  domainSpec?: string;
  cidr4?: number;
  cidr6?: number;
  /** ip4/ip6 network (canonical) and prefix. */
  network?: string;
  prefix?: number;
  /** The term's syntax error, if any. */
  error?: string;
}

export interface ParsedSpf {
  terms: ParsedSpfTerm[];
  errors: string[];
}

// ---------------------------------------------------------------------------
// Parsing

export function isSpfRecord(txt: string): boolean {
  return /^v=spf1( |$)/i.test(txt);
}

function checkMacroString(spec: string, allowExpLetters = false): string | undefined {
  let rest = spec;
  // every '%' must start a valid macro
  const stripped = rest.replace(MACRO_RE, (_m, letter: string | undefined, digits: string) => {
    if (letter !== undefined) {
      const l = letter.toLowerCase();
      if (!'slodiphv'.includes(l) && !(allowExpLetters && 'crt'.includes(l))) return '\u0000BAD';
      if (digits !== '' && Number(digits) === 0) return '\u0000BAD';
    }
    return 'x';
  });
  if (stripped.includes('\u0000BAD')) return `bad macro in '${spec}'`;
  if (stripped.includes('%')) return `stray '%' in '${spec}'`;
  rest = stripped;
  if (/[^\x21-\x7e]/.test(rest)) return `bad character in '${spec}'`;
  return undefined;
}

function checkDomainSpec(spec: string): string | undefined {
  if (!spec) return 'empty domain';
  const m = checkMacroString(spec);
  if (m) return m;
  if (/%\{[a-zA-Z]\d*r?[-.+,/_=]*\}$/.test(spec)) return undefined; // ends in a macro-expand
  const d = spec.endsWith('.') ? spec.slice(0, -1) : spec;
  const dot = d.lastIndexOf('.');
  if (dot < 0) return `'${spec}' is not a fully qualified domain name`;
  const top = d.slice(dot + 1);
  const okTop = /^[a-zA-Z0-9]*[a-zA-Z][a-zA-Z0-9]*$/.test(top) || /^[a-zA-Z0-9]+-[a-zA-Z0-9-]*[a-zA-Z0-9]$/.test(top);
  if (!okTop) return `'${spec}' does not end in a valid top label`;
  if (d.split('.').some((l) => l.length === 0 && !l.includes('%'))) return `empty label in '${spec}'`;
  return undefined;
}

function parseCidrLen(s: string | undefined, max: number): number | undefined | null {
  if (s === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,2})$/.test(s)) return null;
  const n = Number(s);
  return n > max ? null : n;
}

/** The `:domain-spec` of include/exists/ptr/a/mx (`required`: include and exists must have one). */
function parseTarget(term: ParsedSpfTerm, rest: string, required: boolean): ParsedSpfTerm {
  if (rest === '' && !required) return term;
  if (!rest.startsWith(':')) {
    term.error = required ? `'${term.kind}' needs ':domain': '${term.text}'` : `unknown mechanism '${term.text}'`;
    return term;
  }
  term.domainSpec = rest.slice(1);
  const err = checkDomainSpec(term.domainSpec);
  if (err) term.error = `${term.kind}: ${err}`;
  return term;
}

/** a and mx: `[:domain-spec][/cidr4][//cidr6]` (§5.3, §5.4). */
function parseAddressTerm(term: ParsedSpfTerm, rest: string): ParsedSpfTerm {
  const cm = /(?:\/([0-9]+))?(?:\/\/([0-9]+))?$/.exec(rest)!;
  const c4 = parseCidrLen(cm[1], 32);
  const c6 = parseCidrLen(cm[2], 128);
  if (c4 === null || c6 === null) {
    term.error = `bad CIDR length in '${term.text}'`;
    return term;
  }
  term.cidr4 = c4;
  term.cidr6 = c6;
  return parseTarget(term, rest.slice(0, rest.length - cm[0].length), false);
}

/** ip4 and ip6: `:network[/prefix]` of the right family (§5.6). */
function parseNetworkTerm(term: ParsedSpfTerm, rest: string): ParsedSpfTerm {
  const name = term.kind;
  if (!rest.startsWith(':')) {
    term.error = `'${name}' needs an address: '${term.text}'`;
    return term;
  }
  const v = rest.slice(1);
  const slash = v.indexOf('/');
  const addr = slash < 0 ? v : v.slice(0, slash);
  const ip = parseIp(addr);
  const fam = name === 'ip4' ? 4 : 6;
  if (!ip || ip.family !== fam || addr.startsWith('[')) {
    term.error = `${name}: '${addr}' is not an IPv${fam} address`;
    return term;
  }
  const len = slash < 0 ? (fam === 4 ? 32 : 128) : parseCidrLen(v.slice(slash + 1), fam === 4 ? 32 : 128);
  if (len === null || len === undefined) {
    term.error = `${name}: bad prefix length in '${term.text}'`;
    return term;
  }
  term.network = formatIp(ip);
  term.prefix = len;
  return term;
}

/** A modifier `name=value` (§6): redirect and exp take a domain-spec, unknown ones a macro-string. */
function parseModifier(text: string, name: string, value: string, qualifier: SpfQualifier): ParsedSpfTerm {
  if (name === 'redirect' || name === 'exp') {
    const err = checkDomainSpec(value);
    return { text, kind: name, qualifier, domainSpec: value, error: err ? `${name}: ${err}` : undefined };
  }
  return { text, kind: 'modifier', qualifier, error: checkMacroString(value, true) };
}

export function parseSpfTerm(text: string): ParsedSpfTerm {
  const explicitQ = '+-~?'.includes(text[0] ?? '') && text.length > 0;
  const qualifier: SpfQualifier = explicitQ ? (text[0] as SpfQualifier) : '+';
  const m = /^([A-Za-z][A-Za-z0-9_.-]*)(.*)$/.exec(explicitQ ? text.slice(1) : text);
  if (!m) return { text, kind: 'modifier', qualifier, error: `unknown term '${text}'` };
  const name = m[1].toLowerCase();
  const rest = m[2];
  if (rest.startsWith('=')) {
    if (explicitQ) return { text, kind: 'modifier', qualifier, error: `a modifier takes no qualifier: '${text}'` };
    return parseModifier(text, name, rest.slice(1), qualifier);
  }
  switch (name) {
    case 'all':
      return { text, kind: 'all', qualifier, error: rest !== '' ? `'all' takes no argument: '${text}'` : undefined };
    case 'include':
    case 'exists':
      return parseTarget({ text, kind: name, qualifier }, rest, true);
    case 'ptr':
      return parseTarget({ text, kind: name, qualifier }, rest, false);
    case 'a':
    case 'mx':
      return parseAddressTerm({ text, kind: name, qualifier }, rest);
    case 'ip4':
    case 'ip6':
      return parseNetworkTerm({ text, kind: name, qualifier }, rest);
    default:
      return { text, kind: 'modifier', qualifier, error: `unknown mechanism '${text}'` };
  }
}

/** Parse an SPF record's text (starting with v=spf1). */
export function parseSpf(text: string): ParsedSpf {
  const errors: string[] = [];
  if (!isSpfRecord(text)) return { terms: [], errors: ["an SPF record starts with 'v=spf1'"] };
  const body = text.slice(6);
  if (/[^ \x21-\x7e]/.test(body)) errors.push('only spaces may separate terms');
  const terms = body
    .split(/\s+/)
    .filter((s) => s.length)
    .map(parseSpfTerm);
  for (const t of terms) if (t.error) errors.push(t.error);
  for (const k of ['redirect', 'exp'] as const) {
    if (terms.filter((t) => t.kind === k).length > 1) errors.push(`'${k}' appears more than once`);
  }
  return { terms, errors };
}
