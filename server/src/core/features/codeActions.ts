// Quick fixes for the diagnostics that have an obvious repair: did-you-mean
// (MT101, MT105, MT108, MT109 from data.suggestion), a missing required
// statement (MT103, data.missing), an open relay (MT201: require auth, or
// restrict from=), an unreachable relay rule (MT203: remove it), an extension
// both allowed and blocked (MT408: remove it from the allow list), and an
// undeclared name (MT105 without a suggestion: declare it), a refused hop
// (MT315/MT316: admit the sender's addresses on the receiver), an open relay
// through a masking balancer (MT210: source proxy-protocol) and backscatter
// (MT211: recipients verify).
import { LINE_END } from '../syntax/lineEnds';
import type { Position, Range, TextEdit } from 'vscode-languageserver-types';
import type { Arg, Scalar, Statement } from '../syntax/ast';
import { SCHEMA, type BlockKind, type DeclKind, type StatementSpec, type ValueType } from '../schema/schema';
import type { FeatureContext } from './context';
import { lineText } from './context';
import { blockKindOf, cmpPos, touches } from './locate';

/** The part of an LSP diagnostic a fix needs. */
export interface FixableDiagnostic {
  code?: string | number;
  message: string;
  range: Range;
  data?: unknown;
}

export interface Fix {
  title: string;
  /** Edits to this document. */
  edits: TextEdit[];
  diagnostic: FixableDiagnostic;
  isPreferred?: boolean;
}

const dataOf = (d: FixableDiagnostic): Record<string, unknown> =>
  typeof d.data === 'object' && d.data !== null ? (d.data as Record<string, unknown>) : {};

export function quickFixes(ctx: FeatureContext, diagnostics: FixableDiagnostic[]): Fix[] {
  const out: Fix[] = [];
  for (const d of diagnostics) {
    try {
      out.push(...fixesFor(ctx, d));
    } catch {
      // a fix that cannot be computed is simply not offered
    }
  }
  return out;
}

function fixesFor(ctx: FeatureContext, d: FixableDiagnostic): Fix[] {
  const code = String(d.code ?? '');
  const data = dataOf(d);
  const suggestion = typeof data.suggestion === 'string' ? data.suggestion : undefined;
  switch (code) {
    case 'MT101':
    case 'MT105':
    case 'MT108':
    case 'MT109': {
      const out: Fix[] = [];
      if (suggestion)
        out.push({
          title: `Change to '${suggestion}'`,
          edits: [{ range: d.range, newText: suggestion }],
          diagnostic: d,
          isPreferred: true,
        });
      if (code === 'MT105' && !suggestion) out.push(...declareFix(ctx, d, data));
      return out;
    }
    case 'MT103':
      return typeof data.missing === 'string' ? missingFix(ctx, d, data.missing) : [];
    case 'MT201':
      return openRelayFixes(ctx, d);
    case 'MT203': {
      const st = statementAt(ctx, d.range.start, ['relay']);
      return st
        ? [
            {
              title: `Remove the unreachable rule '${lineText(ctx.parsed, st.range.start.line).trim()}'`,
              edits: [deleteStatement(ctx, st)],
              diagnostic: d,
              isPreferred: true,
            },
          ]
        : [];
    }
    case 'MT408':
      return attachmentFixes(ctx, d, data);
    case 'MT315':
    case 'MT316':
      return admitFix(ctx, d, data);
    case 'MT210':
      return typeof data.pool === 'string' ? proxyProtocolFix(ctx, d, data.pool) : [];
    case 'MT211':
      return recipientsFix(ctx, d);
    default:
      return [];
  }
}

// ---- helpers -------------------------------------------------------------------

/** The top-level statement containing `pos` or whose block contains it. */
function topAt(ctx: FeatureContext, pos: Position): Statement | undefined {
  let best: Statement | undefined;
  for (const s of ctx.parsed.statements) {
    if (cmpPos(s.range.start, pos) <= 0) best = s;
    else break;
  }
  return best && (touches(best.range, pos) || (best.block && !best.block.close)) ? best : undefined;
}

/** A statement inside a declaration's block that starts on `pos`'s line or contains it. */
function statementAt(ctx: FeatureContext, pos: Position, keywords: string[]): Statement | undefined {
  const top = topAt(ctx, pos);
  for (const st of top?.block?.statements ?? []) {
    if (!keywords.includes(st.keyword.text)) continue;
    if (touches(st.range, pos) || st.range.start.line === pos.line) return st;
  }
  return undefined;
}

const firstPositional = (st: Statement): Arg | undefined => st.args.find((a) => !a.key);
const optionArg = (st: Statement, key: string): Arg | undefined => st.args.find((a) => a.key?.text === key);

function indentOf(ctx: FeatureContext, line: number): string {
  return /^[ \t]*/.exec(lineText(ctx.parsed, line))![0];
}

/** Delete a statement with its line when the line holds nothing else. */
function deleteStatement(ctx: FeatureContext, st: Statement): TextEdit {
  const first = lineText(ctx.parsed, st.range.start.line);
  const last = lineText(ctx.parsed, st.range.end.line);
  const before = first.slice(0, st.range.start.character);
  const after = last.slice(st.range.end.character);
  if (before.trim() === '' && (after.trim() === '' || after.trim().startsWith('#'))) {
    return {
      range: { start: { line: st.range.start.line, character: 0 }, end: { line: st.range.end.line + 1, character: 0 } },
      newText: '',
    };
  }
  return { range: st.range, newText: '' };
}

/** Insert a statement line at the top of a declaration's block. */
function insertInBlock(ctx: FeatureContext, decl: Statement, text: string): TextEdit {
  const b = decl.block;
  if (!b) return { range: { start: decl.range.end, end: decl.range.end }, newText: ` {\n  ${text}\n}` };
  const inner = b.statements[0];
  const indent = inner ? indentOf(ctx, inner.range.start.line) || '  ' : indentOf(ctx, decl.range.start.line) + '  ';
  if (b.close && b.close.start.line === b.open.end.line) {
    const outer = indentOf(ctx, decl.range.start.line);
    if (!b.statements.length)
      return { range: { start: b.open.end, end: b.close.start }, newText: `\n${indent}${text}\n${outer}` };
    return { range: { start: b.open.end, end: b.open.end }, newText: ` ${text};` };
  }
  const at = { line: b.open.end.line + 1, character: 0 };
  return { range: { start: at, end: at }, newText: `${indent}${text}\n` };
}

/** A value a user can start from, for a statement's argument of type t. */
function placeholder(ctx: FeatureContext, t: ValueType, declName: string | undefined, list?: boolean): string {
  const domain = ctx.model.domains[0]?.name ?? 'example.com';
  switch (t.t) {
    case 'enum':
      return t.values[0];
    case 'ref': {
      const names = [...ctx.model.byName.values()]
        .filter((x) => t.kinds.includes(x.kind) && x.name !== declName)
        .map((x) => x.name);
      if (names.length) return list ? names.slice(0, 2).join(', ') : names[0];
      return t.builtins?.[0] ?? (t.hostname ? `host.${domain}` : t.kinds[0]);
    }
    case 'netlist':
      return ctx.model.networks[0]?.name ?? '10.0.0.0/8';
    case 'hostname':
    case 'domain':
      return `${declName ?? 'host'}.${domain}`;
    case 'pattern':
      return domain;
    case 'ip':
      return '192.0.2.10';
    case 'cidr':
      return '10.0.0.0/8';
    case 'port':
      return '25';
    case 'int':
      return t.min > 0 ? String(t.min) : '10';
    case 'number':
      return '5';
    case 'duration':
      return '10s';
    case 'size':
      return '25MB';
    case 'string':
      return '""';
    case 'email':
      return `hostmaster@${domain}`;
    case 'word':
      return 'name';
    case 'name':
      return 'name';
  }
}

function statementSkeleton(ctx: FeatureContext, spec: StatementSpec, declName: string | undefined): string {
  const parts = [
    spec.name,
    ...spec.args.filter((a) => !a.optional).map((a) => placeholder(ctx, a.type, declName, a.list)),
  ];
  for (const [k, o] of Object.entries(spec.options ?? {}))
    if (o.required) parts.push(`${k}=${placeholder(ctx, o.type, declName, false)}`);
  return parts.join(' ');
}

function missingFix(ctx: FeatureContext, d: FixableDiagnostic, missing: string): Fix[] {
  const decl = ctx.parsed.statements.find((s) => {
    const n = firstPositional(s)?.value.items[0];
    return n && touches(n.range, d.range.start);
  });
  const kind = blockKindOf(decl);
  if (!decl || !kind) return [];
  const spec = SCHEMA[kind].statements[missing];
  if (!spec) return [];
  const name = firstPositional(decl)?.value.items[0]?.text;
  const text = statementSkeleton(ctx, spec, name);
  return [{ title: `Add '${text}'`, edits: [insertInBlock(ctx, decl, text)], diagnostic: d, isPreferred: true }];
}

function declareFix(ctx: FeatureContext, d: FixableDiagnostic, data: Record<string, unknown>): Fix[] {
  const kinds = Array.isArray(data.kinds)
    ? data.kinds.filter((k): k is DeclKind => typeof k === 'string' && k in SCHEMA && k !== 'domain')
    : [];
  const nameLine = lineText(ctx.parsed, d.range.start.line);
  const name = nameLine.slice(
    d.range.start.character,
    d.range.end.line === d.range.start.line ? d.range.end.character : undefined,
  );
  if (!name || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) return [];
  const text = ctx.parsed.text;
  const lines = ctx.parsed.text.split(LINE_END).length;
  const end: Position = { line: lines - 1, character: lineText(ctx.parsed, lines - 1).length };
  return kinds.slice(0, 3).map((k) => {
    const body = Object.values(SCHEMA[k].statements)
      .filter((s) => s.required)
      .map((s) => `  ${statementSkeleton(ctx, s, name)}`);
    const block = `${k} ${name} {\n${body.join('\n')}${body.length ? '\n' : ''}}\n`;
    const sep = text.length === 0 ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return {
      title: `Declare ${k} '${name}'`,
      edits: [{ range: { start: end, end }, newText: sep + block }],
      diagnostic: d,
    };
  });
}

function openRelayFixes(ctx: FeatureContext, d: FixableDiagnostic): Fix[] {
  const st = statementAt(ctx, d.range.start, ['relay', 'accept']);
  if (!st) return [];
  const out: Fix[] = [];
  const from = optionArg(st, 'from');
  const nets = ctx.model.networks.slice(0, 3).map((n) => n.name);
  const restrictTo = nets.length ? nets : ['10.0.0.0/8'];
  const replaceFrom = (value: string): TextEdit =>
    from && from.value.items.length
      ? { range: from.value.range, newText: value }
      : { range: { start: st.range.end, end: st.range.end }, newText: ` from=${value}` };
  if (st.keyword.text === 'relay') {
    const auth = optionArg(st, 'auth');
    const edit: TextEdit =
      auth && auth.value.items.length
        ? { range: auth.value.range, newText: 'required' }
        : { range: { start: lastArgEnd(st), end: lastArgEnd(st) }, newText: ' auth=required' };
    out.push({
      title: 'Require authentication for this relay rule (auth=required)',
      edits: [edit],
      diagnostic: d,
      isPreferred: true,
    });
    for (const n of restrictTo)
      out.push({ title: `Relay only for clients in ${n}`, edits: [replaceFrom(n)], diagnostic: d });
  } else {
    const pats = firstPositional(st);
    const domains = ctx.model.domains.map((x) => x.name);
    if (pats && domains.length && pats.value.items.some((s) => s.text === '*')) {
      out.push({
        title: `Accept only the declared domains (${domains.slice(0, 3).join(', ')}${domains.length > 3 ? ', …' : ''})`,
        edits: [{ range: pats.value.range, newText: domains.join(', ') }],
        diagnostic: d,
        isPreferred: true,
      });
    }
    for (const n of restrictTo)
      out.push({ title: `Accept only from clients in ${n}`, edits: [replaceFrom(n)], diagnostic: d });
  }
  return out;
}

function lastArgEnd(st: Statement): Position {
  return st.args.length ? st.args[st.args.length - 1].range.end : st.keyword.range.end;
}

function attachmentFixes(ctx: FeatureContext, d: FixableDiagnostic, data: Record<string, unknown>): Fix[] {
  const top = topAt(ctx, d.range.start);
  if (!top || top.keyword.text !== 'policy') return [];
  const lists = (action: string) =>
    (top.block?.statements ?? []).filter(
      (s) => s.keyword.text === 'attachments' && firstPositional(s)?.value.items[0]?.text === action,
    );
  const allow = lists('allow');
  const block = lists('block');
  const exts = (sts: Statement[]) =>
    sts.flatMap((s) =>
      s.args
        .filter((a) => !a.key)
        .slice(1)
        .flatMap((a) => a.value.items),
    );
  const blocked = new Set(exts(block).map((s) => s.text.toLowerCase().replace(/^\./, '')));
  let conflicting = [
    ...new Set(
      exts(allow)
        .map((s) => s.text.toLowerCase().replace(/^\./, ''))
        .filter((e) => blocked.has(e)),
    ),
  ];
  const named = typeof data.extension === 'string' ? data.extension.toLowerCase() : undefined;
  const under = [...exts(allow), ...exts(block)].find(
    (s) => touches(s.range, d.range.start) && touches(s.range, d.range.end),
  );
  const quoted = /'\.?([A-Za-z0-9_+-]+)'/.exec(d.message)?.[1]?.toLowerCase();
  const focus =
    named ??
    under?.text.toLowerCase().replace(/^\./, '') ??
    (quoted && conflicting.includes(quoted) ? quoted : undefined);
  if (focus) conflicting = conflicting.filter((e) => e === focus);
  const out: Fix[] = [];
  for (const ext of conflicting.slice(0, 5)) {
    const edits: TextEdit[] = [];
    for (const st of allow) {
      const list = st.args.filter((a) => !a.key).slice(1);
      const items: Scalar[] = list.flatMap((a) => a.value.items);
      if (!items.some((s) => s.text.toLowerCase().replace(/^\./, '') === ext)) continue;
      const rest = items.filter((s) => s.text.toLowerCase().replace(/^\./, '') !== ext);
      if (!rest.length) {
        edits.push(deleteStatement(ctx, st));
        continue;
      }
      edits.push({
        range: { start: list[0].range.start, end: list[list.length - 1].range.end },
        newText: rest.map((s) => s.text).join(', '),
      });
    }
    if (edits.length)
      out.push({ title: `Remove '${ext}' from the allow list`, edits, diagnostic: d, isPreferred: true });
  }
  return out;
}

export type { BlockKind };

// ---- admission, balancers, backscatter ------------------------------------------

/** The top-level declaration named `name` in this document. */
function declNamed(ctx: FeatureContext, name: string): Statement | undefined {
  return ctx.parsed.statements.find((s) => s.block && firstPositional(s)?.value.items[0]?.text === name);
}

/** Insert a line before a statement (same indentation). */
function insertBefore(ctx: FeatureContext, st: Statement, text: string): TextEdit {
  const at = { line: st.range.start.line, character: 0 };
  return { range: { start: at, end: at }, newText: `${indentOf(ctx, st.range.start.line)}${text}\n` };
}

/** MT315/MT316: admit the refused addresses on the receiver (an accept for the domain, or a relay rule first in line). */
function admitFix(ctx: FeatureContext, d: FixableDiagnostic, data: Record<string, unknown>): Fix[] {
  const names = Array.isArray(data.receivers)
    ? data.receivers.filter((r): r is string => typeof r === 'string')
    : typeof data.receiver === 'string'
      ? [data.receiver]
      : [];
  const addrs = Array.isArray(data.addresses) ? data.addresses.filter((a): a is string => typeof a === 'string') : [];
  const decls = names.map((n) => declNamed(ctx, n)).filter((x): x is Statement => !!x);
  if (!decls.length || !addrs.length) return [];
  const from = addrs.join(', ');
  const byAccept = data.by === 'accept' && typeof data.domain === 'string';
  const text = byAccept ? `accept ${String(data.domain)} from=${from}` : `relay allow from=${from}`;
  const edits = decls.map((decl) => {
    if (byAccept) return insertInBlock(ctx, decl, text);
    // first in line: an earlier deny rule would otherwise still decide
    const firstRelay = decl.block?.statements.find((s) => s.keyword.text === 'relay');
    return firstRelay ? insertBefore(ctx, firstRelay, text) : insertInBlock(ctx, decl, text);
  });
  const to = decls.map((x) => firstPositional(x)?.value.items[0]?.text ?? '').join(', ');
  return [{ title: `Add '${text}' to ${to}`, edits, diagnostic: d, isPreferred: true }];
}

/** MT210: let the balancer pass the client's address on (HAProxy send-proxy-v2). */
function proxyProtocolFix(ctx: FeatureContext, d: FixableDiagnostic, pool: string): Fix[] {
  const decl = declNamed(ctx, pool);
  if (!decl) return [];
  const src = decl.block?.statements.find((s) => s.keyword.text === 'source');
  const arg = src && firstPositional(src);
  const edits: TextEdit[] = [
    arg ? { range: arg.value.range, newText: 'proxy-protocol' } : insertInBlock(ctx, decl, 'source proxy-protocol'),
  ];
  const snat = decl.block?.statements.find((s) => s.keyword.text === 'snat');
  if (snat) edits.push(deleteStatement(ctx, snat));
  return [{ title: `Use 'source proxy-protocol' on pool ${pool}`, edits, diagnostic: d, isPreferred: true }];
}

/** MT211: check recipients at RCPT time. */
function recipientsFix(ctx: FeatureContext, d: FixableDiagnostic): Fix[] {
  const st = statementAt(ctx, d.range.start, ['recipients']);
  const arg = st && firstPositional(st);
  if (arg)
    return [
      {
        title: "Use 'recipients verify'",
        edits: [{ range: arg.value.range, newText: 'verify' }],
        diagnostic: d,
        isPreferred: true,
      },
    ];
  const decl = topAt(ctx, d.range.start);
  if (!decl) return [];
  return [
    {
      title: "Add 'recipients verify'",
      edits: [insertInBlock(ctx, decl, 'recipients verify')],
      diagnostic: d,
      isPreferred: true,
    },
  ];
}
