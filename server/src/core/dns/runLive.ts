// Glue between a checked workspace and the live DNS checks (MT5xx).
// Placeholder until the resolver lands; replaced by the model adapter.
import type { CheckResult } from '../check';
import type { MtDiagnostic } from '../diagnostic';

export interface RunLiveOptions { resolvers: string[]; timeoutMs: number; extraDnsbl?: string[]; signal?: AbortSignal }
export interface RunLiveResult { diagnostics: MtDiagnostic[]; answers?: unknown; queries: number; ms: number }

export async function runLive(_r: CheckResult, _o: RunLiveOptions): Promise<RunLiveResult> {
  return { diagnostics: [], queries: 0, ms: 0 };
}
