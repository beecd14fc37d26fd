// One interface for every analysis rule family (yaml-language-server style):
// a rule reads the resolved model and returns diagnostics. Rules never throw
// for a model built from any text; the runner guards them anyway.
import type { MtDiagnostic } from '../diagnostic';
import type { Model } from '../model/types';
import type { Workspace } from '../model/workspace';

export interface RuleContext {
  model: Model;
  workspace: Workspace;
}

export interface RuleFamily {
  /** e.g. "relay", "flow", "pools". */
  id: string;
  run(ctx: RuleContext): MtDiagnostic[];
}
