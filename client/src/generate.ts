// Generate Configuration: pick targets (QuickPick) and a folder, then run the
// generator in-process: the same code as `mailtopo generate` (the bundled CLI's
// entry, which calls server/src/generateCommand), so the editor and the command
// line can never disagree. Refused in Restricted Mode.
import * as vscode from 'vscode';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATE_TARGETS } from './commandIds';
import { refuseUntrusted } from './trust';

export interface GenerateArgs {
  /** The topology file; defaults to the active mailtopo editor. */
  uri?: vscode.Uri | string;
  /** Targets; asked with a QuickPick when absent. */
  targets?: string[];
  /** Output folder; asked with a folder picker when absent. */
  outDir?: vscode.Uri | string;
  /** Generate even when the topology has errors (no prompt). */
  force?: boolean;
  /** Never show modal UI (tests): refuse instead of asking. */
  quiet?: boolean;
}

export interface GenerateResult {
  refused?: 'untrusted' | 'errors' | 'no-file';
  cancelled?: boolean;
  exitCode?: number;
  outDir?: string;
  files?: string[];
  output?: string;
}

interface CliIo { stdout(s: string): void; stderr(s: string): void }
interface CliModule { main(argv: string[], io: CliIo): Promise<number> }

let cli: CliModule | undefined;
function loadCli(extensionPath: string): CliModule {
  if (!cli) cli = createRequire(path.join(extensionPath, 'package.json'))('./dist/cli.cjs') as CliModule;
  return cli;
}

function toUri(u: vscode.Uri | string): vscode.Uri {
  return typeof u === 'string' ? (/^[a-z][a-z0-9+.-]*:/i.test(u) && !/^[a-z]:\\/i.test(u) ? vscode.Uri.parse(u) : vscode.Uri.file(u)) : u;
}

function listFiles(dir: string, since: number): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).mtimeMs >= since - 1000) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

async function pickTargets(): Promise<string[] | undefined> {
  const items = GENERATE_TARGETS.map((t) => ({ label: t.label, description: t.id, detail: t.detail, id: t.id as string }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Generate Configuration: targets', placeHolder: 'Pick what to generate' });
  return picked && picked.length ? picked.map((p) => p.id) : undefined;
}

async function pickFolder(file: vscode.Uri): Promise<vscode.Uri | undefined> {
  const ws = vscode.workspace.getWorkspaceFolder(file);
  const defaultUri = ws ? vscode.Uri.joinPath(ws.uri, 'generated') : vscode.Uri.file(path.join(path.dirname(file.fsPath), 'generated'));
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri, openLabel: 'Generate Here', title: 'Generate Configuration: output folder' });
  return picked?.[0];
}

export async function generateConfiguration(extensionPath: string, output: vscode.OutputChannel, args: GenerateArgs = {}): Promise<GenerateResult> {
  if (await refuseUntrusted('Generating configuration')) return { refused: 'untrusted' };

  let file = args.uri ? toUri(args.uri) : undefined;
  if (!file) {
    const ed = vscode.window.activeTextEditor;
    if (ed?.document.languageId === 'mailtopo') file = ed.document.uri;
  }
  if (!file || file.scheme !== 'file') {
    void vscode.window.showErrorMessage('mailtopo: open a saved .mailtopo file to generate configuration from it.');
    return { refused: 'no-file' };
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file!.toString());
  if (doc?.isDirty) await doc.save();

  const targets = args.targets ?? await pickTargets();
  if (!targets) return { cancelled: true };
  const out = args.outDir ? toUri(args.outDir) : await pickFolder(file);
  if (!out) return { cancelled: true };

  const all = GENERATE_TARGETS.every((t) => targets.includes(t.id));
  const list = all ? ['all'] : targets;
  const started = Date.now();
  let text = '';
  const io: CliIo = { stdout: (s) => { text += s; output.append(s); }, stderr: (s) => { text += s; output.append(s); } };
  const run = async (force: boolean): Promise<number> => {
    let worst = 0;
    for (const t of list) {
      const argv = ['generate', file!.fsPath, '--target', t, '--out', out.fsPath, ...(force ? ['--force'] : [])];
      output.appendLine(`[generate] mailtopo ${argv.slice(1).join(' ')}`);
      const code = await loadCli(extensionPath).main(argv, io);
      worst = Math.max(worst, code);
      if (code === 1 && !force) break; // the topology has errors: same for every target
    }
    return worst;
  };

  let code = await run(args.force ?? false);
  if (code === 1 && !args.force) {
    if (args.quiet) return { refused: 'errors', exitCode: code, output: text, outDir: out.fsPath, files: [] };
    const anyway = 'Generate Anyway';
    const pick = await vscode.window.showErrorMessage('mailtopo: the topology has errors, so no configuration was generated. Fix them (see Problems) or generate anyway.', anyway, 'Show Output');
    if (pick === 'Show Output') output.show(true);
    if (pick !== anyway) return { refused: 'errors', exitCode: code, output: text, outDir: out.fsPath, files: [] };
    code = await run(true);
  }
  const files = listFiles(out.fsPath, started);
  if (code === 0) {
    const reveal = 'Reveal in Explorer';
    void vscode.window.showInformationMessage(`mailtopo: generated ${files.length} file${files.length === 1 ? '' : 's'} (${targets.join(', ')}) in ${out.fsPath}`, reveal)
      .then((p) => { if (p === reveal) void vscode.commands.executeCommand('revealInExplorer', out); });
  } else {
    void vscode.window.showErrorMessage(`mailtopo: generation failed (exit ${code}); see the mailtopo output.`, 'Show Output').then((p) => { if (p) output.show(true); });
  }
  return { exitCode: code, outDir: out.fsPath, files, output: text };
}
