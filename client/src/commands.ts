// Command handlers: Generate Configuration, Show Mail Flow Diagram,
// Re-run Live Checks, Toggle Live Checks, Show Output.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands } from './commandIds';
import { DiagramPanel } from './diagram';
import { generateConfiguration, type GenerateArgs, type GenerateResult } from './generate';
import {
  RerunLiveChecksRequest,
  ToggleLiveChecksRequest,
  type RerunLiveChecksParams,
  type RerunLiveChecksResult,
  type ToggleLiveChecksParams,
  type ToggleLiveChecksResult,
} from '../../server/src/protocol';
import { refuseUntrusted } from './trust';

function activeMailtopoDoc(uri?: vscode.Uri | string): vscode.TextDocument | undefined {
  if (uri) {
    const s = typeof uri === 'string' ? uri : uri.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === s || d.uri.fsPath === s);
  }
  const ed = vscode.window.activeTextEditor;
  if (ed?.document.languageId === 'mailtopo') return ed.document;
  return vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'mailtopo')?.document;
}

export function registerCommands(
  context: vscode.ExtensionContext,
  client: LanguageClient,
  output: vscode.OutputChannel,
): void {
  const reg = (id: string, fn: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };

  reg(Commands.generateConfiguration, (arg?: GenerateArgs | vscode.Uri): Promise<GenerateResult> => {
    const args: GenerateArgs = arg instanceof vscode.Uri ? { uri: arg } : (arg ?? {});
    return generateConfiguration(output, args);
  });

  reg(Commands.showDiagram, async (arg?: vscode.Uri | string): Promise<DiagramPanel | undefined> => {
    let doc = activeMailtopoDoc(arg);
    if (!doc && arg)
      doc = await vscode.workspace.openTextDocument(typeof arg === 'string' ? vscode.Uri.parse(arg) : arg);
    if (!doc) {
      void vscode.window.showInformationMessage('mailtopo: open a .mailtopo file to see its mail flow diagram.');
      return undefined;
    }
    return DiagramPanel.show(client, output, doc);
  });

  // Re-run: every open document's workspace (code lenses call it without arguments).
  reg(
    Commands.rerunLiveChecks,
    async (arg?: RerunLiveChecksParams): Promise<RerunLiveChecksResult | { refused: 'untrusted' }> => {
      if (await refuseUntrusted('Live DNS checking')) return { refused: 'untrusted' };
      const params: RerunLiveChecksParams = arg && typeof arg.uri === 'string' ? { uri: arg.uri } : {};
      const res = await client.sendRequest<RerunLiveChecksResult>(RerunLiveChecksRequest, params);
      if (res.queued === 0 && res.reason === 'disabled') {
        const on = 'Turn On';
        void vscode.window.showInformationMessage('mailtopo: live checks are off.', on).then((p) => {
          if (p === on) void vscode.commands.executeCommand(Commands.toggleLiveChecks, { enabled: true });
        });
      }
      return res;
    },
  );

  // Toggle: for this session, on top of `mailtopo.liveChecks.enabled` (the server keeps the override).
  reg(
    Commands.toggleLiveChecks,
    async (arg?: ToggleLiveChecksParams): Promise<ToggleLiveChecksResult | { refused: 'untrusted' }> => {
      if (await refuseUntrusted('Live DNS checking')) return { refused: 'untrusted' };
      const params: ToggleLiveChecksParams = arg && typeof arg.enabled === 'boolean' ? { enabled: arg.enabled } : {};
      const res = await client.sendRequest<ToggleLiveChecksResult>(ToggleLiveChecksRequest, params);
      void vscode.window.setStatusBarMessage(
        `mailtopo: live checks ${res.enabled ? 'on' : 'off'} for this session`,
        4000,
      );
      return res;
    },
  );

  reg(Commands.showOutput, () => output.show(true));

  // Restart: stops and starts the server; returns the start time in ms (client start to initialized).
  reg(Commands.restartServer, async (): Promise<number> => {
    if (client.isRunning()) await client.stop();
    const t0 = performance.now();
    await client.start();
    const ms = Math.round(performance.now() - t0);
    output.appendLine(`[client] language server restarted in ${ms} ms`);
    return ms;
  });
}
