// The live-check status bar item: off, checking (n pending), done (time), offline.
// Driven by the server's mailtopo/liveStatus notification; shown while a
// mailtopo editor is active.
import * as vscode from 'vscode';
import type { LiveStatusParams } from '../../server/src/protocol';
import { Commands } from './commandIds';

export function describeLiveStatus(s: LiveStatusParams, trusted: boolean): { text: string; tooltip: string } {
  if (!trusted) {
    return {
      text: '$(shield) Live checks: off',
      tooltip: 'Restricted Mode: no DNS query is sent until you trust this workspace.',
    };
  }
  switch (s.state) {
    case 'off':
      return s.reason === 'untrusted'
        ? {
            text: '$(shield) Live checks: off',
            tooltip: 'Restricted Mode: no DNS query is sent until you trust this workspace.',
          }
        : { text: '$(circle-slash) Live checks: off', tooltip: 'Live DNS checks are off. Click to turn them on.' };
    case 'checking': {
      const n = s.pending;
      return { text: `$(sync~spin) Live checks: checking (${n})`, tooltip: `Live DNS checks running: ${n} pending.` };
    }
    case 'done': {
      const at = new Date(s.at);
      const time = Number.isNaN(at.getTime()) ? '' : at.toLocaleTimeString();
      return {
        text: `$(check) Live checks: done ${time}`.trimEnd(),
        tooltip:
          `Live DNS checks finished${time ? ` at ${time}` : ''}: ${s.queries} ${s.queries === 1 ? 'query' : 'queries'} ` +
          `in ${s.ms} ms. Click to re-run.`,
      };
    }
    case 'offline':
      return {
        text: '$(debug-disconnect) Live checks: offline',
        // the server's detail says which resolver and when it asks again ("... paused, retrying in 60 s")
        tooltip: `${s.detail ? s.detail.charAt(0).toUpperCase() + s.detail.slice(1) : 'No resolver answered'}. Click to re-run now.`,
      };
    default:
      return { text: '$(question) Live checks', tooltip: 'Unknown live-check state.' };
  }
}

export class LiveStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private last: LiveStatusParams = { state: 'off', reason: 'disabled' };
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('mailtopo.liveStatus', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'mailtopo live checks';
    this.subs.push(vscode.window.onDidChangeActiveTextEditor(() => this.updateVisibility()));
    this.render();
    this.updateVisibility();
  }

  get state(): LiveStatusParams {
    return this.last;
  }
  get text(): string {
    return this.item.text;
  }

  update(s: LiveStatusParams): void {
    this.last = s;
    this.render();
  }

  render(): void {
    const trusted = vscode.workspace.isTrusted;
    const d = describeLiveStatus(this.last, trusted);
    this.item.text = d.text;
    this.item.tooltip = d.tooltip;
    this.item.command = !trusted
      ? 'workbench.trust.manage'
      : this.last.state === 'off'
        ? Commands.toggleLiveChecks
        : Commands.rerunLiveChecks;
    this.item.backgroundColor =
      this.last.state === 'offline' && trusted ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private updateVisibility(): void {
    const ed = vscode.window.activeTextEditor;
    if (ed && ed.document.languageId === 'mailtopo') this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
    for (const d of this.subs) d.dispose();
  }
}
