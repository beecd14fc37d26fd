// Completion: statements valid in this block, option keys, enum values,
// references of the right kinds, declared domains; documentation from the
// schema. The block comes from the syntax tree; the statement being typed from
// the text of its line (it is usually incomplete, so the tree knows little).
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from 'vscode-languageserver-types';
import {
  SCHEMA,
  TOP_LEVEL_KEYWORDS,
  TOP_LEVEL_DOCS,
  type BlockKind,
  type DeclKind,
  type StatementSpec,
  type ValueType,
} from '../schema/schema';
import type { Statement } from '../syntax/ast';
import type { Decl } from '../model/types';
import { lineText, type FeatureContext } from './context';
import { blockKindOf, cmpPos, statementPath } from './locate';
import { declMarkdown, declSummaryLine, optionMarkdown, statementMarkdown, topLevelMarkdown } from './docs';
import { COMMON_DANGEROUS, DANGEROUS_EXTENSION_LIST } from '../schema/extensions';

export interface CompletionOptions {
  /** The client takes snippets (declaration skeletons). */
  snippets?: boolean;
  /** Put into every item's `data` so the server can resolve it later (e.g. the document's uri). */
  data?: Record<string, unknown>;
}

const WORD_CHARS = /[A-Za-z0-9_.:/*@+-]/;
const TRAILING_WORD = /[A-Za-z0-9_.:/*@+-]*$/;

interface Tok {
  t: 'w' | 's' | ',' | '=';
  text: string;
}
interface ArgState {
  key?: string;
  values: string[];
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ',' || c === '=') {
      out.push({ t: c, text: c });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      out.push({ t: 's', text: s.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (WORD_CHARS.test(c)) {
      let j = i;
      while (j < s.length && WORD_CHARS.test(s[j])) j++;
      out.push({ t: 'w', text: s.slice(i, j) });
      i = j;
      continue;
    }
    i++;
  }
  return out;
}

/** Where a `#` outside strings starts, or -1; and whether the text ends inside a string. */
function scanLine(s: string): { comment: number; inString: boolean; lastCut: number } {
  let inStr = false;
  let lastCut = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '#') return { comment: i, inString: false, lastCut };
    else if (c === '{' || c === '}' || c === ';') lastCut = i;
  }
  return { comment: -1, inString: inStr, lastCut };
}

interface Where {
  /** 0: top level; 1: inside a declaration's block; 2+: somewhere the schema has nothing. */
  depth: number;
  kind?: BlockKind;
  owner?: Statement;
}

function whereIs(ctx: FeatureContext, pos: Position): Where {
  const path = statementPath(ctx.parsed, pos);
  const owners = path.filter(
    (s) => s.block && cmpPos(s.block.open.end, pos) <= 0 && (!s.block.close || cmpPos(pos, s.block.close.start) <= 0),
  );
  if (!owners.length) return { depth: 0 };
  return { depth: owners.length, kind: owners.length === 1 ? blockKindOf(owners[0]) : undefined, owner: owners[0] };
}

const KIND_ICON: Record<string, CompletionItemKind> = {
  gateway: CompletionItemKind.Class,
  server: CompletionItemKind.Class,
  pool: CompletionItemKind.Module,
  external: CompletionItemKind.Interface,
  network: CompletionItemKind.Struct,
  policy: CompletionItemKind.Field,
  domain: CompletionItemKind.Value,
};

const EXAMPLES: Record<string, readonly string[]> = {
  port: ['25', '465', '587'],
  duration: ['10s', '30s', '1m', '5m', '1h'],
  size: ['10MB', '25MB', '50MB'],
  preference: ['10', '20', '30'],
  dnsbl: ['zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org'],
  allow: ['pdf', 'docx', 'xlsx', 'pptx', 'odt', 'txt', 'csv', 'png', 'jpg', 'gif', 'zip'],
  block: DANGEROUS_EXTENSION_LIST.slice(0, COMMON_DANGEROUS),
  engine: ['clamav', 'rspamd', 'spamassassin', 'sophos', 'defender'],
};

/**
 * The statement text the cursor's word belongs to: from the last cut on this line, plus the
 * lines above when a comma list is continued from them (so `via=a,\n  b` still knows `via=`).
 */
function statementSegment(
  ctx: FeatureContext,
  pos: Position,
  before: string,
  lastCut: number,
  partial: string,
): string {
  let seg = before.slice(lastCut + 1, before.length - partial.length);
  if (lastCut >= 0) return seg;
  for (let l = pos.line - 1; l >= 0 && l >= pos.line - 50; l--) {
    const prevLine = lineText(ctx.parsed, l);
    const ps = scanLine(prevLine);
    const code = (ps.comment >= 0 ? prevLine.slice(0, ps.comment) : prevLine).trimEnd();
    if (!code) {
      if (ps.comment >= 0) continue;
      break;
    }
    if (!code.endsWith(',')) break;
    seg = code.slice(ps.lastCut + 1) + ' ' + seg;
    if (!/^\s/.test(prevLine)) break;
  }
  return seg;
}

/** Where the replay of typed arguments stopped: a new argument, just after a value, after a comma, after `key=`. */
type ReplayState =
  { s: 'new' } | { s: 'after'; arg: ArgState } | { s: 'cont'; arg: ArgState } | { s: 'optval'; arg: ArgState };

/** Replay the arguments typed so far (tokens after the keyword) to know which slot the cursor fills. */
function replayArgs(toks: Tok[]): { args: ArgState[]; state: ReplayState } {
  const args: ArgState[] = [];
  let state: ReplayState = { s: 'new' };
  for (const t of toks) {
    if (t.t === 'w' || t.t === 's') {
      if (state.s === 'cont' || state.s === 'optval') {
        state.arg.values.push(t.text);
        state = { s: 'after', arg: state.arg };
        continue;
      }
      const arg: ArgState = { values: [t.text] };
      args.push(arg);
      state = { s: 'after', arg };
    } else if (t.t === '=') {
      if (state.s === 'after' && !state.arg.key && state.arg.values.length === 1) {
        state.arg.key = state.arg.values.pop();
        state = { s: 'optval', arg: state.arg };
      } else state = { s: 'new' };
    } else {
      state = state.s === 'after' ? { s: 'cont', arg: state.arg } : { s: 'new' };
    }
  }
  return { args, state };
}

/** A fresh argument slot: the next positional's values (and `none` where allowed), then the unused options. */
function newArgumentItems(env: ValueEnv, args: ArgState[]): CompletionItem[] {
  const { spec, range, positional } = env;
  const items: CompletionItem[] = [];
  const idx = positional.length;
  const a = spec.args[idx];
  if (a) {
    items.push(...valueItems(env, a.type, [], a.label));
    if (idx === 0 && spec.noneForm)
      items.push({
        label: 'none',
        kind: CompletionItemKind.Constant,
        detail: `${spec.name} none`,
        documentation: md(
          spec.name === 'mx'
            ? 'A null MX (RFC 7505): this domain receives no mail.'
            : 'Opt this node out of the DNSBL default.',
        ),
        textEdit: { range, newText: 'none' },
        sortText: '0none',
      });
  }
  const used = new Set(args.filter((x) => x.key).map((x) => x.key!));
  for (const [k, o] of Object.entries(spec.options ?? {})) {
    if (used.has(k)) continue;
    items.push({
      label: `${k}=`,
      filterText: k,
      kind: CompletionItemKind.Property,
      detail: o.required ? 'required option' : 'option',
      documentation: md(optionMarkdown(spec, k) ?? o.doc),
      textEdit: { range, newText: `${k}=` },
      sortText: `${o.required ? '1' : '2'}${k}`,
    });
  }
  return items;
}

/** Items for the slot the replay stopped at: an option's value, a positional list's next value, or a new argument. */
function argumentItems(env: ValueEnv, args: ArgState[], state: ReplayState): CompletionItem[] {
  const { spec, positional } = env;
  if ((state.s === 'optval' || state.s === 'cont') && state.arg.key) {
    const o = spec.options?.[state.arg.key];
    return o ? [...valueItems(env, o.type, state.arg.values, state.arg.key)] : [];
  }
  if (state.s === 'cont') {
    const a = spec.args[positional.indexOf(state.arg)];
    return a?.list ? [...valueItems(env, a.type, state.arg.values, a.label)] : [];
  }
  return newArgumentItems(env, args);
}

export function completion(ctx: FeatureContext, pos: Position, opts: CompletionOptions = {}): CompletionList {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  const line = lineText(ctx.parsed, pos.line);
  const before = line.slice(0, pos.character);
  const scan = scanLine(before);
  if (scan.comment >= 0 || scan.inString) return empty;
  const partial = TRAILING_WORD.exec(before)![0];
  const range: Range = { start: { line: pos.line, character: pos.character - partial.length }, end: pos };
  const seg = statementSegment(ctx, pos, before, scan.lastCut, partial);
  const where = whereIs(ctx, pos);
  const toks = tokenize(seg);
  const data = opts.data;
  const withData = (items: CompletionItem[]) =>
    data ? items.map((i) => ({ ...i, data: { ...data, ...(i.data as object | undefined) } })) : items;

  if (!toks.length) {
    // a statement keyword
    const items: CompletionItem[] = [];
    if (where.depth === 0 || (where.depth >= 1 && range.start.character === 0))
      items.push(...topLevelItems(ctx, range, opts, where.depth === 0 ? '0' : '9'));
    if (where.depth === 1 && where.kind) items.push(...blockItems(ctx, where, range, pos));
    return { isIncomplete: false, items: withData(items) };
  }
  if (toks[0].t !== 'w' || where.depth !== 1 || !where.kind) {
    return {
      isIncomplete: false,
      items: withData(toks[0].t === 'w' && where.depth === 0 ? topLevelArgItems(ctx, toks, range) : []),
    };
  }
  const spec = SCHEMA[where.kind].statements[toks[0].text];
  if (!spec) return empty;

  const { args, state } = replayArgs(toks.slice(1));
  const positional = args.filter((a) => !a.key);
  const nameOf = where.owner ? where.owner.args.find((a) => !a.key)?.value.items[0]?.text : undefined;
  const env: ValueEnv = {
    ctx,
    spec,
    kind: where.kind,
    owner: where.owner,
    ownerName: nameOf,
    range,
    positional,
    partial,
    line: pos.line,
  };
  const items = argumentItems(env, args, state);
  return { isIncomplete: !!env.incomplete, items: withData(items) };
}

const md = (value: string) => ({ kind: MarkupKind.Markdown, value });

function topLevelItems(
  ctx: FeatureContext,
  range: Range,
  opts: CompletionOptions,
  sortPrefix: string,
): CompletionItem[] {
  const hasOptions = ctx.workspace.entries.some((e) => e.stmt.keyword.text === 'options');
  const out: CompletionItem[] = [];
  for (const kw of TOP_LEVEL_KEYWORDS) {
    if (kw === 'options' && hasOptions) continue;
    const item: CompletionItem = {
      label: kw,
      kind: CompletionItemKind.Keyword,
      detail: TOP_LEVEL_DOCS[kw]?.split('.')[0],
      documentation: md(topLevelMarkdown(kw)),
      sortText: `${sortPrefix}${kw}`,
    };
    if (opts.snippets && range.start.character === 0) {
      item.insertTextFormat = InsertTextFormat.Snippet;
      item.textEdit = { range, newText: declSnippet(kw) };
    } else item.textEdit = { range, newText: kw };
    out.push(item);
  }
  return out;
}

function enumChoice(t: ValueType, n: number, fallback: string): string {
  return t.t === 'enum' ? `\${${n}|${t.values.join(',')}|}` : `\${${n}:${fallback}}`;
}

/** A declaration skeleton with its required statements. */
export function declSnippet(kw: string): string {
  if (kw === 'import') return 'import "${1:file.mailtopo}"';
  if (kw === 'options') return 'options {\n\t$0\n}';
  const kind = kw as DeclKind;
  const lines: string[] = [];
  let n = 2;
  for (const s of Object.values(SCHEMA[kind].statements)) {
    if (!s.required) continue;
    const a = s.args[0];
    lines.push(`\t${s.name} ${a ? enumChoice(a.type, n++, a.label) : ''}`.trimEnd());
  }
  if (kind === 'domain') lines.push('\tmx ${2:10} ${3:target}');
  const name = kind === 'domain' ? '${1:example.com}' : '${1:name}';
  return `${kw} ${name} {\n${lines.join('\n')}${lines.length ? '\n' : ''}\t$0\n}`;
}

function blockItems(ctx: FeatureContext, where: Where, range: Range, pos: Position): CompletionItem[] {
  const kind = where.kind!;
  const present = new Set<string>();
  let role: string | undefined;
  for (const s of where.owner?.block?.statements ?? []) {
    if (s.keyword.range.start.line === pos.line) continue;
    present.add(s.keyword.text);
    if (s.keyword.text === 'role') role = s.args[0]?.value.items[0]?.text;
  }
  const out: CompletionItem[] = [];
  for (const spec of Object.values(SCHEMA[kind].statements)) {
    if (!spec.repeatable && present.has(spec.name)) continue;
    if (spec.roles && role && !spec.roles.includes(role)) continue;
    const missingRequired = spec.required && !present.has(spec.name);
    out.push({
      label: spec.name,
      kind: CompletionItemKind.Keyword,
      detail: missingRequired ? 'required' : spec.doc.split(/(?<=[.:])\s/)[0],
      documentation: md(statementMarkdown(kind, spec)),
      textEdit: { range, newText: spec.name },
      sortText: `${missingRequired ? '0' : '1'}${spec.name}`,
    });
  }
  void ctx;
  return out;
}

function topLevelArgItems(ctx: FeatureContext, toks: Tok[], range: Range): CompletionItem[] {
  // `domain <name>`: domains named in `mailboxes`/`accept` but not declared yet
  if (toks.length !== 1 || toks[0].text !== 'domain') return [];
  const declared = new Set(ctx.model.domains.map((d) => d.name));
  const wanted = new Set<string>();
  for (const n of ctx.model.nodes)
    for (const p of n.mailboxes?.patterns ?? []) if (!p.includes('*') && !declared.has(p)) wanted.add(p);
  return [...wanted].sort().map((d) => ({
    label: d,
    kind: CompletionItemKind.Value,
    detail: 'in mailboxes, not declared as a domain',
    textEdit: { range, newText: d },
  }));
}

interface ValueEnv {
  ctx: FeatureContext;
  spec: StatementSpec;
  kind: BlockKind;
  owner?: Statement;
  ownerName?: string;
  range: Range;
  positional: ArgState[];
  /** The word typed so far at the cursor, and the cursor's line (to rank references). */
  partial: string;
  line: number;
  /** Set when references were left out (the list is incomplete: the client asks again as the user types). */
  incomplete?: boolean;
}

/** References offered at most: a 3,000-gateway file has 3,000 candidates for `via=`. */
export const MAX_REFERENCE_ITEMS = 100;

/**
 * Declarations of these kinds, best first, at most MAX_REFERENCE_ITEMS: the
 * one named exactly what is typed, the ones whose name starts with it, then those declared closest to the
 * cursor in this file, then the other files', by name. `skip(d)` leaves one out.
 */
function rankedDecls(env: ValueEnv, kinds: string[], skip: (d: Decl) => boolean): Decl[] {
  const { ctx, partial, line } = env;
  const prefix = partial.toLowerCase();
  const cands: Decl[] = [];
  const score: number[] = [];
  for (const d of ctx.model.byName.values()) {
    if (!kinds.includes(d.kind) || skip(d)) continue;
    const lower = d.name.toLowerCase();
    const starts = !prefix || lower.startsWith(prefix);
    const distance = d.file === ctx.file ? Math.abs(d.nameRange.start.line - line) : 1e8;
    cands.push(d);
    score.push(prefix && lower === prefix ? -1 : (starts ? 0 : 2e8) + distance);
  }
  const order = cands.map((_, i) => i);
  order.sort((a, b) => score[a] - score[b] || (cands[a].name < cands[b].name ? -1 : 1));
  if (order.length > MAX_REFERENCE_ITEMS) {
    order.length = MAX_REFERENCE_ITEMS;
    env.incomplete = true;
  }
  return order.map((i) => cands[i]);
}

/** Adds one value item unless it is already typed; the sort text keeps the order items were added in. */
type AddItem = (text: string, kind: CompletionItemKind, detail?: string, extra?: Partial<CompletionItem>) => void;

function itemAdder(range: Range, skip: Set<string>, out: CompletionItem[]): AddItem {
  return (text, kind, detail, extra = {}) => {
    if (skip.has(text.toLowerCase())) return;
    out.push({
      label: text,
      kind,
      detail,
      textEdit: { range, newText: text },
      sortText: `0${out.length.toString().padStart(5, '0')}`,
      ...extra,
    });
  };
}

/** DNSBL zones already in use first, then well-known ones; a node's hostname inside each declared domain. */
function hostnameValues(env: ValueEnv, add: AddItem): void {
  const { ctx, spec } = env;
  if (spec.name === 'dnsbl') {
    const zones = new Set<string>([
      ...ctx.model.options.dnsbl,
      ...ctx.model.nodes.flatMap((n) => n.dnsbl?.zones ?? []),
      ...EXAMPLES.dnsbl,
    ]);
    for (const z of zones) add(z, CompletionItemKind.Value, 'DNSBL zone');
  } else if (spec.name === 'hostname' && env.ownerName) {
    for (const d of ctx.model.domains.slice(0, 10))
      add(`${env.ownerName}.${d.name}`, CompletionItemKind.Value, 'a name in a declared domain');
  }
}

/** Attachment extensions to suggest depend on whether the line allows or blocks. */
function wordValues(env: ValueEnv, label: string, add: AddItem): void {
  if (env.spec.name === 'attachments') {
    const action = env.positional[0]?.values[0];
    for (const e of EXAMPLES[action === 'block' ? 'block' : 'allow']) add(e, CompletionItemKind.Value, `.${e} files`);
  } else if (label === 'engine') for (const e of EXAMPLES.engine) add(e, CompletionItemKind.Value, 'engine');
}

/** A starting record for the DNS text statements, with the domain's own name where it helps. */
function stringValues(env: ValueEnv, what: string, add: AddItem): void {
  const { spec } = env;
  const domain = env.kind === 'domain' ? env.ownerName : undefined;
  const ex =
    spec.name === 'spf'
      ? '"v=spf1 mx -all"'
      : spec.name === 'dmarc'
        ? `"v=DMARC1; p=reject; rua=mailto:dmarc@${domain ?? 'example.com'}"`
        : spec.name === 'tls-rpt'
          ? `"mailto:tls-reports@${domain ?? 'example.com'}"`
          : undefined;
  if (ex) add(ex, CompletionItemKind.Snippet, `an example ${what}`);
}

function valueItems(env: ValueEnv, t: ValueType, already: string[], label: string): CompletionItem[] {
  const { ctx, spec, range } = env;
  const skip = new Set(already.map((s) => s.toLowerCase()));
  const out: CompletionItem[] = [];
  const add = itemAdder(range, skip, out);
  const refs = (kinds: string[]) => {
    const skipped = (d: Decl) => (d.name === env.ownerName && env.kind !== 'domain') || skip.has(d.name.toLowerCase());
    for (const d of rankedDecls(env, kinds, skipped))
      add(d.name, KIND_ICON[d.kind] ?? CompletionItemKind.Reference, declSummaryLine(d), { data: { decl: d.name } });
  };
  switch (t.t) {
    case 'enum':
      for (const v of t.values)
        add(v, CompletionItemKind.EnumMember, `${spec.name} ${v}`, {
          documentation: md(statementMarkdown(env.kind, spec)),
        });
      break;
    case 'ref':
      refs(t.kinds);
      for (const b of t.builtins ?? [])
        add(b, CompletionItemKind.Constant, b === 'direct' ? 'deliver by MX lookup on the internet' : 'built-in');
      break;
    case 'netlist':
      refs(['network']);
      add('any', CompletionItemKind.Constant, 'every address');
      break;
    case 'pattern':
      for (const d of ctx.model.domains) add(d.name, CompletionItemKind.Value, 'declared domain');
      if (spec.name !== 'mailboxes') add('*', CompletionItemKind.Constant, 'every other domain');
      break;
    case 'hostname':
      hostnameValues(env, add);
      break;
    case 'port':
      for (const p of EXAMPLES.port) add(p, CompletionItemKind.Value, 'SMTP port');
      break;
    case 'duration':
      for (const p of EXAMPLES.duration) add(p, CompletionItemKind.Value);
      break;
    case 'size':
      for (const p of EXAMPLES.size) add(p, CompletionItemKind.Value);
      break;
    case 'int':
      if (label === 'preference')
        for (const p of EXAMPLES.preference) add(p, CompletionItemKind.Value, 'MX preference');
      break;
    case 'word':
      wordValues(env, label, add);
      break;
    case 'string':
      stringValues(env, t.what, add);
      break;
    default:
      break;
  }
  return out;
}

/** Fill in the documentation of a reference item (completionItem/resolve). */
export function resolveCompletion(ctx: FeatureContext | undefined, item: CompletionItem): CompletionItem {
  const name = (item.data as { decl?: unknown } | undefined)?.decl;
  if (ctx && typeof name === 'string' && !item.documentation) {
    const d = ctx.model.byName.get(name);
    if (d) item.documentation = md(declMarkdown(d));
  }
  return item;
}
