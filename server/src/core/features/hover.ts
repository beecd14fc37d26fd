// Hover: a statement's documentation from the schema plus its leading
// comments; a reference's target; a declaration; and on a hostname, address,
// domain or `spf` line the last live DNS answers (the SPF include tree with the
// lookups it cost).
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver-types';
import type { Statement } from '../syntax/ast';
import { parseIp } from '../model/addr';
import type { BlockKind } from '../schema/schema';
import type { FeatureContext } from './context';
import { declAt, hitAt, specOf, valueTypeOf, type Hit } from './locate';
import { declMarkdown, escapeMd, optionMarkdown, statementMarkdown, topLevelMarkdown } from './docs';
import { ago, type LiveAnswers } from './liveAnswers';
import * as path from 'node:path';

export function hover(ctx: FeatureContext, pos: Position, live?: LiveAnswers): Hover | null {
  const hit = hitAt(ctx.parsed, pos);
  if (!hit) return null;
  const parts = hoverParts(ctx, hit, live);
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: hit.scalar.range };
}

function refCount(ctx: FeatureContext, name: string): number {
  let n = 0;
  for (const r of ctx.model.references) if (r.target.name === name) n++;
  return n;
}

function hoverParts(ctx: FeatureContext, hit: Hit, live: LiveAnswers | undefined): string[] {
  const out: string[] = [];
  const top = hit.path[0];
  const topKw = top.keyword.text;
  const inBlock = hit.path.length >= 2 ? specOf(hit.path, hit.path[1]) : undefined;
  const stmtLive = () => liveForStatement(hit.stmt, hit.path, live);

  if (hit.role === 'keyword') {
    if (hit.path.length === 1) out.push(topLevelMarkdown(topKw, top.leadingComments));
    else if (inBlock && hit.path.length === 2)
      out.push(statementMarkdown(inBlock.kind, inBlock.spec, hit.stmt.leadingComments));
    out.push(...stmtLive());
    return out;
  }
  if (hit.role === 'key') {
    if (inBlock) {
      const m = optionMarkdown(inBlock.spec, hit.scalar.text);
      if (m) out.push(m);
    }
    return out;
  }
  // a value
  const d = declAt(ctx.model, ctx.file, hit.scalar.range.start);
  if (d) {
    out.push(declMarkdown(d.decl, d.decl.kind === 'domain' ? undefined : refCount(ctx, d.decl.name)));
    if (d.decl.kind === 'domain' && live) out.push(domainLive(d.decl.name, live));
    else if (live && d.decl.kind !== 'network' && d.decl.kind !== 'policy' && 'hostname' in d.decl && d.decl.hostname)
      out.push(hostLive(d.decl.hostname.value, live));
    return out;
  }
  if (hit.path.length === 1) {
    if (topKw === 'import' && hit.scalar.quoted) {
      const abs = path.resolve(path.dirname(ctx.abs), hit.scalar.text);
      const lf = ctx.workspace.byAbs.get(abs);
      out.push(
        lf
          ? `Imports \`${escapeMd(abs)}\` (${lf.parsed.statements.length} statements).`
          : `Imports \`${escapeMd(abs)}\`: not loaded (missing, or an import cycle).`,
      );
    }
    return out;
  }
  const vt = valueTypeOf(hit);
  const text = hit.scalar.text;
  if (vt) {
    if (live && (vt.type.t === 'hostname' || (vt.type.t === 'ref' && text.includes('.') && !parseIp(text)))) {
      if (vt.spec.name === 'dnsbl') out.push(statementMarkdown(vt.kind, vt.spec, hit.stmt.leadingComments));
      else out.push(hostLive(text.toLowerCase().replace(/\.$/, ''), live));
      return out;
    }
    if (live && vt.type.t === 'ip') {
      out.push(addressLive(text, live));
      return out;
    }
    if (live && vt.spec.name === 'spf' && vt.kind === 'domain') {
      out.push(...stmtLive());
      return out;
    }
  }
  if (inBlock) out.push(statementMarkdown(inBlock.kind, inBlock.spec, hit.stmt.leadingComments));
  return out;
}

/** Live answers for what a whole statement declares (`hostname`, `address`, `vip`, `mx`, `spf`). */
function liveForStatement(st: Statement, p: Statement[], live: LiveAnswers | undefined): string[] {
  if (!live || p.length !== 2) return [];
  const kind = p[0].keyword.text as BlockKind;
  const owner = p[0].args.find((a) => !a.key)?.value.items[0]?.text?.toLowerCase();
  const values = st.args.filter((a) => !a.key).flatMap((a) => a.value.items.map((s) => s.text));
  switch (st.keyword.text) {
    case 'hostname':
      return values[0] ? [hostLive(values[0].toLowerCase().replace(/\.$/, ''), live)] : [];
    case 'address':
    case 'vip':
      return values.filter((v) => parseIp(v)).map((v) => addressLive(v, live));
    case 'mx':
    case 'spf':
    case 'dmarc':
      return kind === 'domain' && owner ? [domainLive(owner.replace(/\.$/, ''), live, st.keyword.text)] : [];
    default:
      return [];
  }
}

const when = (live: LiveAnswers) => (live.at ? ` (live, ${ago(live.at)})` : ' (live)');

export function hostLive(host: string, live: LiveAnswers): string {
  const h = live.hosts[host];
  const head = `**${escapeMd(host)}**${when(live)}`;
  if (!h) return `${head}\n\nNo live answer for this name yet.`;
  const lines = [head, ''];
  if (h.cname?.length) lines.push(`- CNAME: ${[host, ...h.cname].map(escapeMd).join(' → ')}`);
  if (h.addresses.length) lines.push(`- A/AAAA: ${h.addresses.join(', ')}`);
  else
    lines.push(
      `- no A or AAAA record${h.status && h.status !== 'ok' ? ` (${h.status}${h.error ? `: ${escapeMd(h.error)}` : ''})` : ''}`,
    );
  return lines.join('\n');
}

export function addressLive(address: string, live: LiveAnswers): string {
  const a = live.addresses[address];
  const head = `**${address}**${when(live)}`;
  if (!a) return `${head}\n\nNo live answer for this address yet (private addresses are not looked up).`;
  const lines = [head, ''];
  const fcrdns = a.fcrdns === true ? ' (forward-confirmed)' : a.fcrdns === false ? ' (does not resolve back)' : '';
  lines.push(`- PTR: ${a.ptr?.length ? a.ptr.map(escapeMd).join(', ') : 'none'}${fcrdns}`);
  if (a.listings?.length)
    for (const l of a.listings)
      lines.push(
        `- **listed** on ${escapeMd(l.zone)}${l.code ? ` (${l.code})` : ''}${l.reason ? `: ${escapeMd(l.reason)}` : ''}`,
      );
  else if (a.clean?.length) lines.push(`- not listed on ${a.clean.map(escapeMd).join(', ')}`);
  return lines.join('\n');
}

export function domainLive(domain: string, live: LiveAnswers, focus?: string): string {
  const d = live.domains[domain];
  const head = `**${escapeMd(domain)}**${when(live)}`;
  if (!d) return `${head}\n\nNo live answer for this domain yet.`;
  const lines = [head, ''];
  if (d.status && d.status !== 'ok') lines.push(`- status: ${escapeMd(d.status)}`);
  if (focus !== 'spf' && focus !== 'dmarc') {
    if (d.nullMx) lines.push('- MX: null MX (0 .)');
    else if (d.mx) {
      const mx = d.mx.length ? d.mx.map((m) => `${m.preference} ${escapeMd(m.exchange)}`).join(', ') : 'none';
      const match =
        d.mxMatches === true ? ' (as declared)' : d.mxMatches === false ? ' (differs from the declared MX)' : '';
      lines.push(`- MX: ${mx}${match}`);
    }
  }
  if (focus !== 'mx' && focus !== 'dmarc') {
    if (d.spf)
      lines.push(
        `- SPF: ${d.spf.length ? d.spf.map((s) => '`' + s.replace(/`/g, "'") + '`').join(', ') : 'none published'}`,
      );
    if (d.spfTree?.length) {
      const cost = [
        d.spfLookups !== undefined ? `${d.spfLookups}/10 DNS lookups` : '',
        d.spfVoidLookups !== undefined ? `${d.spfVoidLookups}/2 void lookups` : '',
      ]
        .filter(Boolean)
        .join(', ');
      lines.push('', `SPF include tree${cost ? ` (${cost})` : ''}:`, '```', ...d.spfTree, '```');
    }
  }
  if (focus !== 'mx' && focus !== 'spf' && d.dmarc)
    lines.push(
      `- DMARC: ${d.dmarc.length ? d.dmarc.map((s) => '`' + s.replace(/`/g, "'") + '`').join(', ') : 'none published'}`,
    );
  return lines.join('\n');
}
