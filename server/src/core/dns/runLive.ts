// Glue between a checked workspace and the live DNS checks (MT5xx): the CLI's
// `--live` and the server's scheduler both call this.
import type { CheckResult } from '../check';
import { liveInputFromModel } from './fromModel';
import { runLiveChecks, type LiveResult } from './live';
import type { Resolver } from './resolver';

export interface RunLiveOptions {
  resolvers: string[];
  timeoutMs: number;
  extraDnsbl?: string[];
  signal?: AbortSignal;
  resolver?: Resolver;
  ignore?: string[];
}

export async function runLive(r: CheckResult, o: RunLiveOptions): Promise<LiveResult> {
  const main = r.workspace.files[0]?.display ?? 'untitled.mailtopo';
  const res = await runLiveChecks(liveInputFromModel(r.model, main), {
    resolvers: o.resolvers,
    timeoutMs: o.timeoutMs,
    extraDnsbl: o.extraDnsbl,
    signal: o.signal,
    resolver: o.resolver,
  });
  if (o.ignore?.length) {
    const ig = new Set(o.ignore);
    res.diagnostics = res.diagnostics.filter((d) => !ig.has(d.code));
  }
  return res;
}
