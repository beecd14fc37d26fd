// Entry point: activate/deactivate only. The pieces live beside it.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { DiagramPanel } from './diagram';
import { startLanguageClient } from './languageClient';
import { LiveStatusBar } from './statusBar';
import { watchTrust } from './trust';

/** What activate() returns: read by the extension tests. */
export interface MailtopoApi {
  client: LanguageClient;
  activationMs: number;
  statusBar: LiveStatusBar;
  diagramFor(uri: vscode.Uri): DiagramPanel | undefined;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<MailtopoApi> {
  const output = vscode.window.createOutputChannel('mailtopo');
  const statusBar = new LiveStatusBar();
  context.subscriptions.push(output, statusBar);
  const started = await startLanguageClient(context, output, (s) => statusBar.update(s));
  client = started.client;
  registerCommands(context, client, output);
  context.subscriptions.push(
    watchTrust(client, () => statusBar.render()),
    { dispose: () => DiagramPanel.disposeAll() },
  );
  return { client, activationMs: started.activationMs, statusBar, diagramFor: (uri) => DiagramPanel.forUri(uri) };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop();
}
