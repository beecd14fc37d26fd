// Generate Configuration: pick targets (QuickPick) and a folder, then run the
// generator in-process: the very code of `mailtopo generate`
// (server/src/generateCommand.ts, bundled into the client), so the editor and
// the command line can never disagree. Refused in Restricted Mode.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { runGenerate, type GenerateIo } from '../../server/src/generateCommand';
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
  /** untrusted: Restricted Mode; errors: the topology has errors; refused: a file in the way, a guard failed. */
  refused?: 'untrusted' | 'errors' | 'refused' | 'no-file';
  cancelled?: boolean;
  exitCode?: number;
  outDir?: string;
  files?: string[];
  output?: string;
}

function toUri(u: vscode.Uri | string): vscode.Uri {
  return typeof u === 'string'
    ? /^[a-z][a-z0-9+.-]*:/i.test(u) && !/^[a-z]:\\/i.test(u)
      ? vscode.Uri.parse(u)
      : vscode.Uri.file(u)
    : u;
}

async function pickTargets(): Promise<string[] | undefined> {
  const items = GENERATE_TARGETS.map((t) => ({
    label: t.label,
    description: t.id,
    detail: t.detail,
    id: t.id,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'Generate Configuration: targets',
    placeHolder: 'Pick what to generate',
  });
  return picked && picked.length ? picked.map((p) => p.id) : undefined;
}

async function pickFolder(file: vscode.Uri): Promise<vscode.Uri | undefined> {
  const ws = vscode.workspace.getWorkspaceFolder(file);
  const defaultUri = ws
    ? vscode.Uri.joinPath(ws.uri, 'generated')
    : vscode.Uri.file(path.join(path.dirname(file.fsPath), 'generated'));
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri,
    openLabel: 'Generate Here',
    title: 'Generate Configuration: output folder',
  });
  return picked?.[0];
}

/** `: bind 5, exchange 4`: written files per top-level folder (bind/internal/... counts as bind). */
function perFolder(files: string[]): string {
  const counts = new Map<string, number>();
  for (const f of files) {
    const top = f.split(/[\\/]/)[0];
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  return counts.size > 1 ? `: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
}

export async function generateConfiguration(
  output: vscode.OutputChannel,
  args: GenerateArgs = {},
): Promise<GenerateResult> {
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
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
  if (doc?.isDirty) await doc.save();

  const targets = args.targets ?? (await pickTargets());
  if (!targets) return { cancelled: true };
  const out = args.outDir ? toUri(args.outDir) : await pickFolder(file);
  if (!out) return { cancelled: true };

  const all = GENERATE_TARGETS.every((t) => targets.includes(t.id));
  const targetArg = all ? 'all' : targets.join(',');
  let text = '';
  const written: string[] = [];
  const io: GenerateIo = {
    stdout: (s) => {
      text += s;
      output.append(s);
      for (const m of s.matchAll(/^wrote (.+)$/gm)) written.push(path.relative(out.fsPath, m[1]));
    },
    stderr: (s) => {
      text += s;
      output.append(s);
    },
  };
  const run = (force: boolean): Promise<number> => {
    const argv = [file.fsPath, '--target', targetArg, '--out', out.fsPath, ...(force ? ['--force'] : [])];
    output.appendLine(`[generate] mailtopo generate ${argv.join(' ')}`);
    return runGenerate(argv, io);
  };

  let code = await run(args.force ?? false);
  const hasErrors = () => / has \d+ errors?; nothing written/.test(text);
  if (code === 1 && !args.force) {
    const why = hasErrors() ? 'errors' : 'refused';
    if (args.quiet) return { refused: why, exitCode: code, output: text, outDir: out.fsPath, files: [] };
    const anyway = 'Generate Anyway';
    const msg =
      why === 'errors'
        ? 'mailtopo: the topology has errors, so no configuration was generated. Fix them (see Problems) or generate anyway.'
        : `mailtopo: nothing was generated: ${
            text
              .split('\n')
              .filter((l) => l && !/nothing written/.test(l))
              .slice(-1)[0]
              ?.replace(/^mailtopo generate: /, '') ?? 'see the mailtopo output'
          }. Generating anyway overwrites files that mailtopo did not write.`;
    const pick = await vscode.window.showErrorMessage(msg, { modal: false }, anyway, 'Show Output');
    if (pick === 'Show Output') output.show(true);
    if (pick !== anyway) return { refused: why, exitCode: code, output: text, outDir: out.fsPath, files: [] };
    code = await run(true);
  }
  if (code === 0) {
    // What to do with each target's files (the same table the picker shows).
    output.appendLine('[generate] next steps:');
    for (const t of GENERATE_TARGETS) if (targets.includes(t.id)) output.appendLine(`  ${t.id}: ${t.next}`);
    const reveal = 'Reveal in Explorer';
    const steps = 'Next Steps';
    const n = written.length;
    void vscode.window
      .showInformationMessage(
        `mailtopo: generated ${targets.join(', ')} in ${out.fsPath} (${n} file${n === 1 ? '' : 's'} written${perFolder(written)}).`,
        reveal,
        steps,
      )
      .then((p) => {
        if (p === reveal) void vscode.commands.executeCommand('revealInExplorer', out);
        if (p === steps) output.show(true);
      });
  } else {
    void vscode.window
      .showErrorMessage(`mailtopo: generation failed (exit ${code}); see the mailtopo output.`, 'Show Output')
      .then((p) => {
        if (p) output.show(true);
      });
  }
  return { exitCode: code, outDir: out.fsPath, files: written.sort(), output: text };
}
