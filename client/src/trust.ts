// Workspace Trust. In Restricted Mode no DNS query leaves the machine and no
// file is generated; static diagnostics keep working. The server learns the
// state at start (initializationOptions.trusted) and when trust is granted
// (mailtopo/setTrusted), so live checks turn on without a reload.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SetTrustedNotification, type SetTrustedParams } from '../../server/src/protocol';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

export function watchTrust(client: LanguageClient, onGranted: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(async () => {
    const params: SetTrustedParams = { trusted: true };
    await client.sendNotification(SetTrustedNotification, params);
    onGranted();
  });
}

/** Shows why a command is refused in Restricted Mode; returns true when refused. */
export function refuseUntrusted(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return Promise.resolve(false);
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(`mailtopo: ${what} is disabled in Restricted Mode. Trust this workspace to allow it.`, manage)
    .then((pick) => {
      if (pick === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return Promise.resolve(true);
}
