// Documentation text from the schema table, for completion and hover: one
// place renders a statement's signature, its doc, defaults and rules.
import {
  SCHEMA,
  TOP_LEVEL_DOCS,
  describeType,
  type ArgSpec,
  type BlockKind,
  type StatementSpec,
  type ValueType,
} from '../schema/schema';
import type { Decl } from '../model/types';

function argText(a: ArgSpec): string {
  const one = a.type.t === 'enum' ? a.type.values.join('|') : `<${a.label}>`;
  const s = a.list ? `${one}, …` : one;
  return a.optional ? `[${s}]` : s;
}

function typeText(t: ValueType, list?: boolean): string {
  const one =
    t.t === 'enum'
      ? t.values.join('|')
      : t.t === 'netlist'
        ? '<network>'
        : t.t === 'ref'
          ? `<${t.kinds.join('|')}${t.builtins?.length ? '|' + t.builtins.join('|') : ''}>`
          : `<${t.t}>`;
  return list ? `${one}, …` : one;
}

/** `relay allow|deny from=<network>, … [auth=required|none]` */
export function signature(spec: StatementSpec): string {
  const parts = [spec.name, ...spec.args.map(argText)];
  for (const [k, o] of Object.entries(spec.options ?? {})) {
    const s = `${k}=${typeText(o.type, o.list)}`;
    parts.push(o.required ? s : `[${s}]`);
  }
  let sig = parts.join(' ');
  if (spec.noneForm) sig += `\n${spec.name} none`;
  return sig;
}

const KIND_TITLE: Record<BlockKind, string> = {
  options: "'options'",
  network: 'network',
  domain: 'domain',
  gateway: 'gateway',
  pool: 'pool',
  server: 'server',
  policy: 'policy',
  external: 'external',
};

/** Markdown for a statement inside a block of `kind`. */
export function statementMarkdown(kind: BlockKind, spec: StatementSpec, leadingComments: string[] = []): string {
  const out: string[] = ['```mailtopo', signature(spec), '```', '', spec.doc];
  const facts: string[] = [];
  if (spec.required) facts.push('required');
  facts.push(spec.repeatable ? 'repeatable' : 'at most once');
  if (spec.roles) facts.push(`only with role ${spec.roles.join(', ')}`);
  out.push(
    '',
    `*In a ${KIND_TITLE[kind]} block: ${facts.join(', ')}.*${spec.default ? ` Default: \`${spec.default}\`.` : ''}`,
  );
  const args = spec.args.map((a) => `- \`${a.label}\`: ${describeType(a.type)}${a.list ? ' (a comma list)' : ''}`);
  const opts = Object.entries(spec.options ?? {}).map(
    ([k, o]) =>
      `- \`${k}=\`${o.required ? ' (required)' : ''}: ${o.doc}${o.default ? ` Default: \`${o.default}\`.` : ''}`,
  );
  if (args.length || opts.length) out.push('', ...args, ...opts);
  if (leadingComments.length) out.push('', '---', '', ...leadingComments.map(escapeMd));
  return out.join('\n');
}

/** Markdown for a top-level keyword (`gateway`, `import`, ...). */
export function topLevelMarkdown(keyword: string, leadingComments: string[] = []): string {
  const out: string[] = [
    '```mailtopo',
    keyword === 'import'
      ? 'import "path"'
      : keyword === 'options'
        ? 'options { … }'
        : keyword === 'domain'
          ? 'domain <hostname> { … }'
          : `${keyword} <name> { … }`,
    '```',
    '',
    TOP_LEVEL_DOCS[keyword] ?? '',
  ];
  const kind = keyword as BlockKind;
  if (SCHEMA[kind]) {
    const req = Object.values(SCHEMA[kind].statements)
      .filter((s) => s.required)
      .map((s) => `\`${s.name}\``);
    const all = Object.keys(SCHEMA[kind].statements).map((s) => `\`${s}\``);
    out.push('', `Statements: ${all.join(', ')}.${req.length ? ` Required: ${req.join(', ')}.` : ''}`);
  }
  if (leadingComments.length) out.push('', '---', '', ...leadingComments.map(escapeMd));
  return out.join('\n');
}

export function optionMarkdown(spec: StatementSpec, key: string): string | undefined {
  const o = spec.options?.[key];
  if (!o) return undefined;
  return [
    '```mailtopo',
    `${spec.name} … ${key}=${typeText(o.type, o.list)}`,
    '```',
    '',
    o.doc,
    '',
    `Takes ${describeType(o.type)}${o.list ? ' (a comma list)' : ''}.` +
      `${o.required ? ' Required.' : ''}${o.default ? ` Default: \`${o.default}\`.` : ''}`,
  ].join('\n');
}

export function escapeMd(s: string): string {
  return s.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

/** One line about a declaration: `gateway edge1 (edge, perimeter) edge1.example.com 198.51.100.11`. */
export function declSummaryLine(d: Decl): string {
  const bits: string[] = [];
  switch (d.kind) {
    case 'network':
      bits.push(d.cidrs.join(', '));
      break;
    case 'domain':
      bits.push(
        d.mx.length
          ? `mx ${d.mx.map((m) => `${m.preference} ${m.target.kind === 'ref' ? m.target.decl.name : m.target.scalar.text}`).join(', ')}`
          : d.mxNone
            ? 'mx none'
            : 'no mx',
      );
      break;
    case 'policy': {
      if (d.antivirus) bits.push(`antivirus ${d.antivirus.engine}`);
      if (d.antispam) bits.push(`antispam ${d.antispam.engine}`);
      if (d.licenses !== undefined) bits.push(`${d.licenses} licences`);
      break;
    }
    default: {
      const n = d;
      const tags = [n.role, n.kind === 'pool' ? n.mode : undefined, n.kind !== 'external' ? n.zone : undefined].filter(
        Boolean,
      );
      if (tags.length) bits.push(`(${tags.join(', ')})`);
      if (n.hostname) bits.push(n.hostname.value);
      if (n.kind === 'pool') {
        if (n.vip) bits.push(n.vip.value);
        if (n.members.length) bits.push(`members ${n.members.map((m) => m.name).join(', ')}`);
      } else if (n.addresses.length) bits.push(n.addresses.join(', '));
    }
  }
  return `${d.kind} ${d.name}${bits.length ? ' ' + bits.join(' ') : ''}`;
}

/** Markdown for a declaration (a reference's target, or the name itself). */
export function declMarkdown(d: Decl, refCount?: number): string {
  const out = ['```mailtopo', declSummaryLine(d), '```'];
  if (d.doc.length) out.push('', ...d.doc.map(escapeMd));
  const where = `Declared in ${d.file.split(/[\\/]/).pop()} at line ${d.nameRange.start.line + 1}`;
  out.push('', `*${where}${refCount !== undefined ? `; ${refCount} reference${refCount === 1 ? '' : 's'}` : ''}.*`);
  return out.join('\n');
}
