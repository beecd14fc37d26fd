// From a workspace to the resolved model, with the schema diagnostics
// (MT101-MT114). The driver: each top-level statement is read in workspace
// order (./build/declarations.ts), each block statement checked against the
// schema table once (./build/check.ts) and read by its declaration kind's
// reader (./build/block.ts → network, domain, node, pool, policy, external,
// options); then references are resolved and the whole-model checks run.
import type { MtDiagnostic } from '../diagnostic';
import type { Workspace } from './workspace';
import type { Model } from './types';
import { Build } from './build/context';
import type { BuildCache } from './build/reuse';
import { readTopLevel } from './build/declarations';
import { resolveReferences } from './build/pending';
import { checkExternalHostnames, checkSharedAddresses, checkUnused, finishNodes } from './build/passes';

export interface BuildResult {
  model: Model;
  diagnostics: MtDiagnostic[];
}

/** @param reuse the editor's cache of declarations read by earlier builds of the same root (build/reuse.ts) */
export function buildModel(ws: Workspace, reuse?: BuildCache): BuildResult {
  const b = new Build(reuse);
  for (const { file, stmt } of ws.entries) readTopLevel(b, file, stmt);
  resolveReferences(b);
  finishNodes(b);
  checkExternalHostnames(b);
  checkUnused(b);
  checkSharedAddresses(b);
  return { model: b.model, diagnostics: b.diags };
}

export { union } from './addr';
export { BuildCache } from './build/reuse';
