// Code lenses on domains (live): the MX set DNS publishes, and whether it is the
// declared one. The lens command re-runs the live checks.
import type { CodeLens } from 'vscode-languageserver-types';
import type { DomainDecl } from '../model/types';
import type { FeatureContext } from './context';
import { ago, type LiveAnswers } from './liveAnswers';

export interface LensState {
  /** Live checks are on and allowed (trusted). */
  enabled: boolean;
  /** A run is pending or in flight for this workspace. */
  checking?: boolean;
  /** The command a lens runs (the client's re-run command). */
  command: string;
}

function mxLabel(d: DomainDecl, live: LiveAnswers): string {
  const a = live.domains[d.name];
  if (!a) return 'live MX: no answer yet';
  if (a.status && a.status !== 'ok' && a.status !== 'nodata') return `live MX: ${a.status}`;
  if (a.nullMx) return `live MX: null MX${d.mxNone ? ' ✓' : ' ✗ (MX targets declared)'}`;
  const list = (a.mx ?? []).slice().sort((x, y) => x.preference - y.preference);
  if (!list.length) return `live MX: none${d.mx.length ? ' ✗' : ''}`;
  const declared = d.mx
    .map((m) => {
      const t = m.target;
      const host = t.kind === 'ref' ? t.decl.hostname?.value : t.kind === 'host' ? t.hostname : t.scalar.text;
      return `${m.preference} ${host ?? '?'}`.toLowerCase();
    })
    .sort();
  const got = list.map((m) => `${m.preference} ${m.exchange.toLowerCase().replace(/\.$/, '')}`).sort();
  const same = a.mxMatches ?? (declared.length === got.length && declared.every((x, i) => x === got[i]));
  const shown =
    list
      .slice(0, 3)
      .map((m) => `${m.preference} ${m.exchange.replace(/\.$/, '')}`)
      .join(', ') + (list.length > 3 ? ` +${list.length - 3}` : '');
  return `live MX: ${shown} ${same ? '✓' : '✗ differs from declared'}`;
}

export function codeLenses(ctx: FeatureContext, live: LiveAnswers | undefined, state: LensState): CodeLens[] {
  const out: CodeLens[] = [];
  for (const d of ctx.model.domains) {
    if (d.file !== ctx.file) continue;
    let title: string;
    if (!state.enabled) title = 'live MX: live checks off';
    else if (!live || !live.domains[d.name]) title = state.checking ? 'live MX: checking…' : 'live MX: not checked yet';
    else title = `${mxLabel(d, live)}${live.at ? ` · ${ago(live.at)}` : ''}`;
    out.push({ range: d.nameRange, command: { title, command: state.command, arguments: [] } });
  }
  return out;
}
