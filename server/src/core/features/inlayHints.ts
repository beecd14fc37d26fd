// Inlay hints (live): the addresses a hostname resolved to, beside its line.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver-types';
import type { FeatureContext } from './context';
import type { LiveAnswers } from './liveAnswers';
import { isHostname } from '../schema/values';

function shortList(xs: string[], n = 3): string {
  return xs.length > n ? `${xs.slice(0, n).join(', ')} +${xs.length - n}` : xs.join(', ');
}

export function inlayHints(ctx: FeatureContext, range: Range, live: LiveAnswers | undefined): InlayHint[] {
  if (!live) return [];
  const out: InlayHint[] = [];
  for (const top of ctx.parsed.statements) {
    if (top.range.end.line < range.start.line || top.range.start.line > range.end.line) continue;
    for (const st of top.block?.statements ?? []) {
      if (st.range.start.line < range.start.line || st.range.start.line > range.end.line) continue;
      const kw = st.keyword.text;
      if (kw !== 'hostname' && kw !== 'mx' && kw !== 'scanner') continue;
      for (const a of st.args) {
        if (a.key) continue;
        for (const s of a.value.items) {
          if (s.quoted || !isHostname(s.text)) continue;
          const h = live.hosts[s.text.toLowerCase().replace(/\.$/, '')];
          if (!h) continue;
          const label = h.addresses.length
            ? `→ ${h.cname?.length ? `CNAME ${h.cname[h.cname.length - 1]} → ` : ''}${shortList(h.addresses)}`
            : `→ ${h.status && h.status !== 'ok' ? h.status : 'no address'}`;
          out.push({
            position: s.range.end,
            label,
            kind: InlayHintKind.Type,
            paddingLeft: true,
            tooltip: `live DNS answer for ${s.text}`,
          });
        }
      }
    }
  }
  return out;
}
