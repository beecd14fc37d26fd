// Glue between a checked workspace and the live DNS checks (MT5xx): the CLI's
// `--live` and the server's scheduler both call this.
import type { CheckResult } from '../check';
import { liveInputFromModel } from './fromModel';
import { runLiveChecks, type LiveResult } from './live';
import type { DnsResult, Resolver, RRType } from './resolver';
import { ANSWERED, offlineNotices, offlineVerdict, probeQuery, type OfflineVerdict } from './offline';

export interface RunLiveOptions {
  resolvers: string[];
  timeoutMs: number;
  extraDnsbl?: string[];
  signal?: AbortSignal;
  resolver?: Resolver;
  ignore?: string[];
  /**
   * The editor's pause after an offline run: when set, a run that got no answer
   * (or failed every query the same way) reports one MT590 per resolver that
   * says so and when the checks retry, instead of one per lookup.
   */
  offlineRetryMs?: number;
}

export interface RunLiveResult extends LiveResult {
  /** Set when the run was offline (and offlineRetryMs was given). */
  offline?: OfflineVerdict;
}

/**
 * A view of a shared resolver for one run: every lookup of the run listens to
 * the run's signal through ONE listener (removed when the run ends), not one
 * per lookup on a signal shared by hundreds (Node's MaxListenersExceededWarning).
 * An abort settles the run's pending lookups as 'aborted' at once; the shared
 * lookups themselves finish in the resolver and their answers stay cached.
 */
class RunScope {
  /** The run's lookups still waiting: each settles once, with its answer or (undefined) as aborted. */
  private readonly pending = new Set<(r: DnsResult | undefined) => void>();
  private readonly onAbort = () => {
    for (const settle of [...this.pending]) settle(undefined);
  };
  readonly resolver: Resolver;

  constructor(
    inner: Resolver,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
    // Everything but resolve() is the shared resolver's own (its stats, its cache).
    const view = Object.create(inner) as Resolver;
    view.resolve = (name: string, type: RRType) => this.resolve(inner, name, type);
    this.resolver = view;
  }

  private resolve(inner: Resolver, name: string, type: RRType): Promise<DnsResult> {
    if (this.signal.aborted) return Promise.resolve(aborted(name, type));
    return new Promise<DnsResult>((resolve) => {
      const settle = (r: DnsResult | undefined) => {
        if (!this.pending.delete(settle)) return; // settled already (aborted, then answered)
        resolve(r ?? aborted(name, type));
      };
      this.pending.add(settle);
      void inner.resolve(name, type).then(settle);
    });
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.pending.clear();
  }
}

function aborted(name: string, type: RRType): DnsResult {
  return {
    name,
    type,
    status: 'aborted',
    records: [],
    cnameChain: [],
    canonicalName: name,
    tried: [],
    error: 'aborted',
    fromCache: false,
    ttl: 0,
  };
}

export async function runLive(r: CheckResult, o: RunLiveOptions): Promise<RunLiveResult> {
  const main = r.workspace.files[0]?.display ?? 'untitled.mailtopo';
  const scope = o.signal && o.resolver ? new RunScope(o.resolver, o.signal) : undefined;
  let res: RunLiveResult;
  try {
    res = await runLiveChecks(liveInputFromModel(r.model, main), {
      resolvers: o.resolvers,
      timeoutMs: o.timeoutMs,
      extraDnsbl: o.extraDnsbl,
      // with a scope, the scope alone listens to the signal; runLiveChecks still sees whether it aborted
      signal: scope ? undefined : o.signal,
      resolver: scope ? scope.resolver : o.resolver,
    });
  } finally {
    scope?.close();
  }
  if (o.signal?.aborted) throw Object.assign(new Error('live checks aborted'), { name: 'AbortError' });
  if (o.offlineRetryMs !== undefined) {
    const v = offlineVerdict(res);
    if (v) {
      res.offline = v;
      res.diagnostics = offlineNotices(r, v, o.offlineRetryMs);
    }
  }
  if (o.ignore?.length) {
    const ig = new Set(o.ignore);
    res.diagnostics = res.diagnostics.filter((d) => !ig.has(d.code));
  }
  return res;
}

/**
 * After an offline run: does the resolver answer again? One query, for the
 * first name the run itself would ask. True when an answer (even NXDOMAIN)
 * comes back, or when the topology gives nothing to ask.
 */
export async function probeLive(r: CheckResult, resolver: Resolver): Promise<boolean> {
  const q = probeQuery(liveInputFromModel(r.model, r.workspace.files[0]?.display ?? 'untitled.mailtopo'));
  if (!q) return true;
  const a = await resolver.resolve(q.name, q.type);
  return ANSWERED.has(a.status);
}
