// Generates the statement reference of docs/language.md from the schema
// (server/src/core/schema/schema.ts): every statement of every block with its
// arguments, options, defaults, how often it may appear, and an example. The
// hand-written sections around it are kept; only the part between the markers
// is replaced.
//
//   npx tsx scripts/gen-language-doc.ts          # rewrite docs/language.md
//   npx tsx scripts/gen-language-doc.ts --check  # exit 1 when it is stale
//
// test/unit/schema/language-doc.test.ts fails when the committed file is stale
// and checks that every example is valid mailtopo.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  SCHEMA,
  TOP_LEVEL_DOCS,
  describeType,
  type BlockKind,
  type OptionSpec,
  type StatementSpec,
  type ValueType,
} from '../server/src/core/schema/schema';

export const DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'language.md');
export const BEGIN =
  '<!-- BEGIN GENERATED REFERENCE: scripts/gen-language-doc.ts writes this part from the schema; edit the schema, not this -->';
export const END = '<!-- END GENERATED REFERENCE -->';

/** Block order in the reference: as a file usually reads. */
export const BLOCK_ORDER: BlockKind[] = [
  'options',
  'network',
  'domain',
  'gateway',
  'pool',
  'server',
  'policy',
  'external',
];

/** How each declaration is opened in an example. */
export const DECL_HEAD: Record<BlockKind, string> = {
  options: 'options',
  network: 'network corp',
  domain: 'domain example.com',
  gateway: 'gateway edge1',
  pool: 'pool edge-nlb',
  server: 'server ex1',
  policy: 'policy av-standard',
  external: 'external isp',
};

/**
 * One example line per statement, keyed `block.statement`. Every statement in
 * the schema needs one (the generator refuses to run otherwise); the test
 * checks that each is valid where it stands.
 */
export const EXAMPLES: Record<string, string[]> = {
  'options.dnsbl': ['dnsbl zen.spamhaus.org, bl.spamcop.net'],
  'options.ttl': ['ttl 1h'],
  'options.nameservers': ['nameservers ns1.example.com, ns2.example.com'],
  'options.contact': ['contact hostmaster@example.com'],
  'network.cidr': ['cidr 10.0.0.0/8, 172.16.0.0/12, 192.0.2.25'],
  'domain.mx': ['mx 10 edge-nlb', 'mx 20 backup-mx.isp.example'],
  'domain.spf': ['spf "v=spf1 ip4:198.51.100.0/28 -all"'],
  'domain.dmarc': ['dmarc "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"'],
  'domain.mta-sts': ['mta-sts testing'],
  'domain.tls-rpt': ['tls-rpt "mailto:tls-reports@example.com"'],
  'gateway.role': ['role edge'],
  'gateway.zone': ['zone perimeter'],
  'gateway.hostname': ['hostname edge1.example.com'],
  'gateway.address': ['address 198.51.100.11, 2001:db8::11'],
  'gateway.domain-joined': ['domain-joined no'],
  'gateway.listen': ['listen 25, 587'],
  'gateway.tls': ['tls required'],
  'gateway.dnsbl': ['dnsbl zen.spamhaus.org'],
  'gateway.accept': ['accept example.com, *.example.com', 'accept partner.example from=partners'],
  'gateway.relay': ['relay allow from=corp', 'relay allow from=any auth=required', 'relay deny from=10.9.0.0/16'],
  'gateway.scan': ['scan av-standard'],
  'gateway.route': ['route example.com via=ex1, ex2', 'route * via=direct', 'route partner.example via=isp auth=yes'],
  'gateway.capacity': ['capacity 2500'],
  'gateway.software': ['software postfix'],
  'gateway.submission': ['submission 587, 465'],
  'gateway.recipients': ['recipients verify'],
  'pool.mode': ['mode balanced'],
  'pool.members': ['members edge1, edge2, edge3'],
  'pool.vip': ['vip 198.51.100.10'],
  'pool.source': ['source masked'],
  'pool.snat': ['snat 198.51.100.9'],
  'pool.hostname': ['hostname mail.example.com'],
  'pool.ports': ['ports 25'],
  'pool.health': ['health smtp interval=10s'],
  'pool.peak-load': ['peak-load 4000'],
  'pool.scan': ['scan av-standard'],
  'server.role': ['role mailbox'],
  'server.zone': ['zone internal'],
  'server.hostname': ['hostname ex1.corp.example.com'],
  'server.address': ['address 10.0.1.11'],
  'server.listen': ['listen 25'],
  'server.tls': ['tls optional'],
  'server.accept': ['accept example.com from=edge-net'],
  'server.relay': ['relay allow from=corp'],
  'server.route': ['route * via=edge-nlb'],
  'server.capacity': ['capacity 1200'],
  'server.software': ['software exchange'],
  'server.submission': ['submission 587'],
  'server.recipients': ['recipients list'],
  'server.mailboxes': ['mailboxes example.com, example.org'],
  'server.scan': ['scan av-standard'],
  'server.domain-joined': ['domain-joined yes'],
  'policy.antivirus': ['antivirus clamav mode=realtime'],
  'policy.antispam': ['antispam rspamd threshold=6'],
  'policy.method': ['method milter'],
  'policy.attachments': ['attachments allow pdf, docx, xlsx', 'attachments block exe, js, vbs, scr'],
  'policy.max-size': ['max-size 25MB'],
  'policy.on-virus': ['on-virus quarantine'],
  'policy.licenses': ['licenses 3'],
  'policy.scanner': ['scanner av-host'],
  'external.hostname': ['hostname smtp.isp.example'],
  'external.address': ['address 203.0.113.25, 198.51.100.0/26'],
  'external.role': ['role smarthost'],
  'external.route': ['route example.com via=edge-nlb'],
  'external.scan': ['scan cloud-av'],
  'external.recipients': ['recipients verify'],
};

/** Other forms of a statement, shown as `# or: ...` lines (each is valid on its own). */
export const ALTERNATIVES: Record<string, string[]> = {
  'domain.mx': ['mx none'],
  'gateway.dnsbl': ['dnsbl none'],
  'policy.scanner': ['scanner scan.vendor.example'],
  'external.role': ['role backup'],
};

function typeText(t: ValueType, list?: boolean): string {
  const one = describeType(t);
  return list ? `${one}, … (a comma list)` : one;
}

function optionText(key: string, o: OptionSpec): string {
  const bits = [`\`${key}=\`: ${typeText(o.type, o.list)}`];
  if (o.required) bits.push('**required**');
  if (o.default) bits.push(`default \`${o.default}\``);
  return `${bits.join('; ')}. ${o.doc}`;
}

function occurrence(s: StatementSpec): string {
  if (s.required) return s.repeatable ? 'required, repeatable' : 'required, once';
  return s.repeatable ? 'optional, repeatable' : 'optional, once';
}

function statementSection(kind: BlockKind, s: StatementSpec): string {
  const key = `${kind}.${s.name}`;
  const ex = EXAMPLES[key];
  if (!ex?.length) throw new Error(`no example for '${key}': add one to EXAMPLES in scripts/gen-language-doc.ts`);
  const lines: string[] = [];
  lines.push(`#### \`${s.name}\``, '');
  lines.push(s.doc, '');
  const args = s.args.map(
    (a, i) => `${i + 1}. *${a.label}*: ${typeText(a.type, a.list)}${a.optional ? ' (optional)' : ''}`,
  );
  if (s.noneForm) args.push(`or the single word \`none\``);
  lines.push(args.length ? '- **Arguments:**' : '- **Arguments:** none');
  for (const a of args) lines.push(`  ${a}`);
  if (s.options) {
    lines.push('- **Options:**');
    for (const [k, o] of Object.entries(s.options)) lines.push(`  - ${optionText(k, o)}`);
  }
  lines.push(`- **Occurs:** ${occurrence(s)}${s.roles ? ` (only for \`role ${s.roles.join('`, `')}\`)` : ''}`);
  if (s.default) lines.push(`- **Default:** \`${s.default}\``);
  const alts = (ALTERNATIVES[key] ?? []).map((e) => `  # or: ${e}`);
  lines.push('', '```mailtopo', `${DECL_HEAD[kind]} {`, ...ex.map((e) => `  ${e}`), ...alts, '}', '```', '');
  return lines.join('\n');
}

export function referenceText(): string {
  const out: string[] = [BEGIN, ''];
  out.push('## 4. Statement reference', '');
  out.push(
    'Every block and every statement it may hold, generated from the schema that the checker, completion and hover also read. ' +
      '*Occurs* says whether a statement is required and whether it may appear ' +
      'more than once in its block (a second one of a once-only statement is MT107). ' +
      'Values in `backticks` are literal words.',
    '',
  );
  out.push('### `import`', '', TOP_LEVEL_DOCS.import, '', '```mailtopo', 'import "domains.mailtopo"', '```', '');
  for (const kind of BLOCK_ORDER) {
    const b = SCHEMA[kind];
    out.push(`### \`${kind}\``, '', b.doc, '');
    const head =
      kind === 'options'
        ? '`options { … }` (no name)'
        : kind === 'domain'
          ? '`domain <domain name> { … }`'
          : `\`${kind} <name> { … }\``;
    out.push(`Written as ${head}. Statements:`, '');
    out.push('| statement | arguments | occurs | default |', '|---|---|---|---|');
    for (const s of Object.values(b.statements)) {
      const args =
        s.args.map((a) => `${a.label.replace(/\|/g, '\\|')}${a.list ? ', …' : ''}`).join(' ') +
        (s.noneForm ? ' \\| `none`' : '');
      const opts = Object.keys(s.options ?? {})
        .map((k) => ` ${k}=…`)
        .join('');
      out.push(
        `| [\`${s.name}\`](#${kind}-${s.name}) | ${args}${opts} | ${occurrence(s)} | ${s.default ? `\`${s.default}\`` : ''} |`,
      );
    }
    out.push('');
    for (const s of Object.values(b.statements)) {
      out.push(`<a id="${kind}-${s.name}"></a>`, '');
      out.push(statementSection(kind, s));
    }
  }
  out.push(END);
  return out.join('\n');
}

/** The whole document: the committed hand-written parts with a fresh reference. */
export function docText(current = readFileSync(DOC_PATH, 'utf8')): string {
  const a = current.indexOf(BEGIN),
    b = current.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC_PATH} has no generated-reference markers`);
  return current.slice(0, a) + referenceText() + current.slice(b + END.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const current = readFileSync(DOC_PATH, 'utf8');
  const next = docText(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('docs/language.md is stale: run npx tsx scripts/gen-language-doc.ts');
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(DOC_PATH, next);
    console.log('wrote docs/language.md');
  }
}
