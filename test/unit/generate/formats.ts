// Strict line grammars of every generated format, for the injection tests:
// a file passes only when every line is a comment or a directive of a shape
// the generator emits, with values where values belong. A hostile value that
// broke out of its place (a new line, an ended quote, a comment character)
// shows up as a line no grammar accepts.

export type Problem = string | undefined;

const POSTFIX_PARAMS = new Set([
  'compatibility_level',
  'myhostname',
  'mydestination',
  'alias_maps',
  'inet_interfaces',
  'inet_protocols',
  'parent_domain_matches_subdomains',
  'relay_domains',
  'smtpd_recipient_restrictions',
  'mynetworks',
  'smtpd_relay_restrictions',
  'smtpd_restriction_classes',
  'smtpd_sasl_type',
  'smtpd_sasl_path',
  'smtpd_sasl_auth_enable',
  'smtpd_sasl_security_options',
  'smtpd_tls_auth_only',
  'smtpd_client_restrictions',
  'transport_maps',
  'relayhost',
  'smtp_fallback_relay',
  'smtpd_tls_security_level',
  'smtpd_tls_cert_file',
  'smtpd_tls_key_file',
  'smtp_tls_security_level',
  'content_filter',
  'smtpd_milters',
  'non_smtpd_milters',
  'milter_default_action',
  'mime_header_checks',
  'message_size_limit',
  'mailbox_size_limit',
]);
const CLASS = /^(accept_from_\d+|sasl_relay)$/;
/** A Postfix value: list items of hostnames, CIDRs, restrictions, maps; `$` only in known expansions. */
const PF_VALUE = /^[A-Za-z0-9_.,:/[\]!*@ -]*$/;

export function checkMainCf(text: string): Problem {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z0-9_]+) =(?: (.*))?$/.exec(line);
    if (!m) return `main.cf: not a parameter line: ${JSON.stringify(line)}`;
    if (!POSTFIX_PARAMS.has(m[1]) && !CLASS.test(m[1])) return `main.cf: unexpected parameter ${m[1]}`;
    const v = (m[2] ?? '').replace(/\$\{config_directory\}/g, 'CONF').replace(/^\$smtpd_milters$/, 'X');
    if (!PF_VALUE.test(v)) return `main.cf: unexpected characters in ${m[1]}: ${JSON.stringify(m[2])}`;
  }
  return undefined;
}

export function checkMasterCf(text: string): Problem {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (/^ {2}-o [a-z0-9_]+=[A-Za-z0-9_.,:/[\]=-]*$/.test(line)) continue;
    if (/^[A-Za-z0-9.:[\]-]+ +(inet|unix|unix-dgram) +[-ny] +[-ny] +[-ny] +[-0-9?]+ +[-0-9]+ +[a-z-]+$/.test(line))
      continue;
    return `master.cf: unexpected line ${JSON.stringify(line)}`;
  }
  return undefined;
}

/** texthash, cidr and regexp tables. */
export function checkTable(name: string, text: string): Problem {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (name === 'mime_header_checks') {
      if (
        /^\/\^Content-\(Disposition\|Type\):.*\/ REJECT attachment type blocked by policy [A-Za-z0-9_-]+$/.test(line) &&
        !/[\n\r]/.test(line)
      )
        continue;
      return `${name}: unexpected line ${JSON.stringify(line)}`;
    }
    if (/^[A-Za-z0-9_.:/*-]+\t(OK|DUNNO|sasl_relay|accept_from_\d+|smtp:[A-Za-z0-9_.:[\], -]*)$/.test(line)) continue;
    return `${name}: unexpected line ${JSON.stringify(line)}`;
  }
  return undefined;
}

const HAPROXY_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'resolvers',
  'log',
  'maxconn',
  'mode',
  'option',
  'timeout',
  'retries',
  'bind',
  'default_backend',
  'balance',
  'default-server',
  'server',
  'parse-resolv-conf',
  'hold',
]);

export function checkHaproxy(text: string): Problem {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    if (!HAPROXY_KEYWORDS.has(words[0])) return `haproxy: unexpected keyword ${JSON.stringify(raw)}`;
    if (!/^[A-Za-z0-9_.:[\]/ ,-]+$/.test(line)) return `haproxy: unexpected characters ${JSON.stringify(raw)}`;
    if (
      (words[0] === 'frontend' || words[0] === 'backend') &&
      (words.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(words[1]))
    )
      return `haproxy: bad section ${JSON.stringify(raw)}`;
  }
  return undefined;
}

/** Decode the strings of a TXT rdata; undefined when it is not a sequence of well-formed quoted strings of at most 255 bytes. */
export function decodeTxt(rdata: string): string | undefined {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < rdata.length) {
    if (rdata[i] === ' ') {
      i++;
      continue;
    }
    if (rdata[i] !== '"') return undefined;
    i++;
    const bytes: number[] = [];
    for (;;) {
      if (i >= rdata.length) return undefined;
      const c = rdata[i];
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\') {
        const d = /^\d{3}/.exec(rdata.slice(i + 1));
        if (d) {
          bytes.push(Number(d[0]));
          i += 4;
          continue;
        }
        if (i + 1 >= rdata.length) return undefined;
        bytes.push(rdata.charCodeAt(i + 1));
        i += 2;
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) return undefined;
      bytes.push(code);
      i++;
    }
    if (bytes.length > 255) return undefined;
    parts.push(Buffer.from(bytes));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Records of a zone file: [owner, type, rdata]; a problem when a line is not a record, directive or comment. */
export function zoneRecords(text: string): { records: Array<[string, string, string]>; problem?: string } {
  const records: Array<[string, string, string]> = [];
  let inSoa = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(';')) continue;
    if (inSoa) {
      if (!/^\t\t\d+\s*\)?\s*(;[\x20-\x7e]*)?$/.test(line))
        return { records, problem: `zone: bad SOA line ${JSON.stringify(line)}` };
      if (line.split(';')[0].includes(')')) inSoa = false;
      continue;
    }
    if (/^\$(ORIGIN|TTL) [A-Za-z0-9_.-]+$/.test(line)) continue;
    const m = /^([A-Za-z0-9_.@-]+)\tIN\t(SOA|NS|MX|A|AAAA|TXT)\t(.*?)(\t; [\x20-\x7e]*)?$/.exec(line);
    if (!m) return { records, problem: `zone: not a record ${JSON.stringify(line)}` };
    const [, owner, type, rdata] = m;
    if (type === 'SOA') {
      if (!/^[A-Za-z0-9_.-]+\. [A-Za-z0-9_.%+\\-]+\. \($/.test(rdata))
        return { records, problem: `zone: bad SOA ${JSON.stringify(line)}` };
      inSoa = true;
    } else if (type === 'TXT') {
      if (decodeTxt(rdata) === undefined) return { records, problem: `zone: bad TXT ${JSON.stringify(line)}` };
    } else if (type === 'MX') {
      if (!/^\d+ ([A-Za-z0-9.-]+\.|\.)$/.test(rdata))
        return { records, problem: `zone: bad MX ${JSON.stringify(line)}` };
    } else if (!/^[A-Za-z0-9.:-]+\.?$/.test(rdata))
      return { records, problem: `zone: bad rdata ${JSON.stringify(line)}` };
    records.push([owner, type, rdata]);
  }
  return { records };
}

/** PowerShell: single-quoted literals removed ('' is a quote inside one), comments dropped. */
export function psSkeleton(text: string): { code: string[]; problem?: string } {
  const code: string[] = [];
  for (const line of text.split('\n')) {
    let out = '';
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      if (c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201a' || c === '\u201b') {
        i++;
        for (;;) {
          if (i >= line.length) return { code, problem: `ps1: unterminated literal in ${JSON.stringify(line)}` };
          const d = line[i];
          if (/['\u2018\u2019\u201a\u201b]/.test(d)) {
            if (/['\u2018\u2019\u201a\u201b]/.test(line[i + 1] ?? '')) {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          i++;
        }
        out += "'L'";
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === '`' || c === ';')
        return { code, problem: `ps1: ${JSON.stringify(c)} outside a literal in ${JSON.stringify(line)}` };
      out += c;
      i++;
    }
    if (out.trim()) code.push(out.trim());
  }
  return { code };
}

const PS_LINE =
  /^(\$ErrorActionPreference = 'L'|\$Server = 'L'|\}|if \(-not \(Get-(AcceptedDomain|SendConnector|ReceiveConnector|IPBlockListProvider) -Identity 'L' -ErrorAction SilentlyContinue\)\) \{|(New|Set|Add|Get)-[A-Za-z]+( -[A-Za-z]+( ('L'(,'L')*|\$true|\$false|\$Server|[A-Za-z0-9]+))?)*( \| Add-ADPermission -User 'L' -ExtendedRights 'L')?)$/;

export function checkPs1(text: string): Problem {
  const { code, problem } = psSkeleton(text);
  if (problem) return problem;
  for (const l of code) if (!PS_LINE.test(l)) return `ps1: unexpected code ${JSON.stringify(l)}`;
  return undefined;
}

/** DOT: quoted strings (with \" and \\) removed; what is left must be plain statement syntax. */
export function checkDot(text: string): Problem {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('//')) continue;
    let out = '';
    let i = 0;
    while (i < line.length) {
      if (line[i] === '"') {
        i++;
        while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
        if (i >= line.length) return `dot: unterminated string in ${JSON.stringify(line)}`;
        i++;
        out += 'S';
        continue;
      }
      out += line[i++];
    }
    if (
      !/^(digraph topology \{|\s*\}| {2}(graph|node|edge) \[[A-Za-z0-9_=., S]*\];|\s+S \[label=S(, [a-z]+=[A-Za-z0-9S.]+)*\];| {2}subgraph S \{| {4}label=S; style=S; color=S;| {2}S -> S \[label=S(, [a-z]+=[A-Za-z0-9S.]+)*\];)$/.test(
        out,
      )
    )
      return `dot: unexpected statement ${JSON.stringify(line)} (${out})`;
  }
  return undefined;
}

export function checkMermaid(text: string): Problem {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('%%')) continue;
    if (/^flowchart LR$/.test(line) || /^\s+end$/.test(line)) continue;
    if (/^ {2}subgraph zone_[a-z]+\["[^"\n]*"\]$/.test(line)) continue;
    if (/^\s+n\d+(\(\(|\[\(|\{\{|\[\/|\(|\[)"[^"\n]*"(\)\)|\)\]|\}\}|\/\]|\)|\])$/.test(line)) continue;
    if (/^ {2}n\d+ (-->|==>|-\.-|-\.->)\|"[^"\n]*"\| n\d+$/.test(line)) continue;
    return `mermaid: unexpected line ${JSON.stringify(line)}`;
  }
  return undefined;
}

/** Every generated file against its grammar. */
export function checkFile(path: string, content: string): Problem {
  const base = path.split('/').pop()!;
  if (path.startsWith('postfix/')) {
    if (base === 'main.cf') return checkMainCf(content);
    if (base === 'master.cf') return checkMasterCf(content);
    return checkTable(base, content);
  }
  if (path === 'haproxy/haproxy.cfg') return checkHaproxy(content);
  if (path.startsWith('bind/')) return zoneRecords(content).problem;
  if (path.startsWith('exchange/')) return checkPs1(content);
  if (path.endsWith('.dot')) return checkDot(content);
  if (path.endsWith('.mmd')) return checkMermaid(content);
  if (path === 'model.json') {
    try {
      const j = JSON.parse(content) as { generatedBy?: unknown };
      return j.generatedBy === 'mailtopo' ? undefined : 'model.json: no generatedBy';
    } catch (e) {
      return `model.json: ${(e as Error).message}`;
    }
  }
  if (path.endsWith('.svg')) {
    if (!content.startsWith('<!-- Generated by mailtopo')) return 'svg: no header';
    if (/<script|javascript:|on[a-z]+=/i.test(content)) return 'svg: script';
    return undefined;
  }
  return `unknown file ${path}`;
}
