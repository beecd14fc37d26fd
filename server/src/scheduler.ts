// When to check what. Per document: static diagnostics one short debounce
// after the last change; live DNS checks of the document's workspace after a
// longer pause, cancelled when any of its documents changes, merged in when
// they arrive. Static results never wait for DNS: live runs are asynchronous
// and a static publish only takes the live results that match its analysis.
import type { MtDiagnostic } from './core/diagnostic';
import type { CheckResult } from './core/check';
import type { LiveStatusParams, LiveOffReason } from './protocol';
import { toLiveAnswers, type LiveAnswers } from './core/features/liveAnswers';
import { offlineNotices, type OfflineVerdict } from './core/dns/offline';
import type { Analyzer, Analysis } from './analysis';

/** After an offline run, live checks pause this long before one probe query asks again [60 s]. */
export const OFFLINE_RETRY_MS = 60_000;

/** What a live run returns (core/dns/runLive.ts). */
export interface LiveRunResult {
  diagnostics: MtDiagnostic[];
  answers?: Parameters<typeof toLiveAnswers>[0];
  queries: number;
  ms: number;
  /** The run got no answer, or every query failed the same way: its diagnostics are the offline notices. */
  offline?: OfflineVerdict;
}

/** The live checks behind an interface, so tests and the bench can swap them. */
export interface LiveRunner {
  /** `offlineRetryMs`: report an offline run as one notice per resolver that names this pause. */
  run(result: CheckResult, opts: { signal: AbortSignal; offlineRetryMs?: number }): Promise<LiveRunResult>;
  /** Forget cached DNS answers (a forced re-run). */
  clearCache?(): void;
  /** After an offline run: do the resolvers answer again? (one query; without it, a full run asks) */
  probe?(result: CheckResult): Promise<boolean>;
}

export interface SchedulerOptions {
  staticDelayMs: number;
  liveDelayMs: number;
  /** Live checks may run (enabled and trusted); the reason when not. */
  liveAllowed(): { ok: true } | { ok: false; reason: LiveOffReason };
  live: LiveRunner;
  /** Publish the merged diagnostics of an open document. */
  publish(uri: string, version: number, diagnostics: MtDiagnostic[]): void;
  status(s: LiveStatusParams): void;
  log(message: string): void;
  /** Codes not to report (applied to live results too). */
  ignore(): string[];
  /** Live answers changed: clients may ask again for code lenses and inlay hints. */
  liveAnswersChanged?(): void;
}

/** Live checks paused: the resolvers did not answer (one notice per resolver, a retry timer). */
interface Offline {
  verdict: OfflineVerdict;
  retryMs: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Bumped on each change of the offline state, so a publish sees it. */
  seq: number;
  /** The notices of the last analysis they were made for. */
  noticesFor?: { key: string; list: MtDiagnostic[] };
}

interface LiveState {
  /** Analysis key the results belong to. */
  key: string;
  seq: number;
  diagnostics: MtDiagnostic[];
}

interface Pending {
  timer: ReturnType<typeof setTimeout>;
}

export class Scheduler {
  private staticTimers = new Map<string, Pending>();
  private liveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private liveRuns = new Map<string, { key: string; ctrl: AbortController }>();
  private liveResults = new Map<string, LiveState>();
  /** The last answers per root, kept across edits (they are keyed by name, not position). */
  private answers = new Map<string, LiveAnswers>();
  private lastStatus = '';
  private disposed = false;
  /** Live runs started (tests). */
  liveRunsStarted = 0;
  private lastPublished = new Map<string, string>();
  private liveSeq = 0;
  private offline: Offline | undefined;
  /** Versions published per uri (tests). */
  readonly published = new Map<string, number[]>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly docs: { get(uri: string): { version: number } | undefined; all(): Array<{ uri: string }> },
    private readonly o: SchedulerOptions,
  ) {}

  setDelays(staticMs: number, liveMs: number): void {
    this.o.staticDelayMs = staticMs;
    this.o.liveDelayMs = liveMs;
  }

  // ---- static ---------------------------------------------------------------

  /** A document changed (or opened): re-check it and the open documents depending on it. */
  changed(uri: string): void {
    for (const u of this.analyzer.dependents(uri)) {
      this.cancelLiveFor(u);
      this.schedule(u);
    }
    this.updateStatus();
  }

  /** Re-check every open document (settings changed, files changed on disk). */
  all(delay = this.o.staticDelayMs): void {
    for (const d of this.docs.all()) this.schedule(d.uri, delay);
  }

  schedule(uri: string, delay?: number): void {
    if (this.disposed) return;
    const prev = this.staticTimers.get(uri);
    if (prev) clearTimeout(prev.timer);
    // Leading edge: the first change after a quiet spell (no check started within the debounce) is
    // checked at once; changes that follow it closely are debounced. The two setImmediate hops in
    // fire() still coalesce every change already read from the connection.
    const quiet = !prev && performance.now() - (this.lastCheck.get(uri) ?? -Infinity) >= this.o.staticDelayMs;
    const timer = setTimeout(() => this.fire(uri), delay ?? (quiet ? 0 : this.o.staticDelayMs));
    this.staticTimers.set(uri, { timer });
  }
  /** When each open document's last static check started (performance.now()). */
  private lastCheck = new Map<string, number>();

  private fire(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) {
      this.staticTimers.delete(uri);
      return;
    }
    const v = doc.version;
    const entry = this.staticTimers.get(uri);
    // Let messages already read from the connection be handled first: a change
    // among them re-arms the timer, so only the latest version is checked.
    setImmediate(() =>
      setImmediate(() => {
        if (this.staticTimers.get(uri) !== entry) return; // re-armed
        this.staticTimers.delete(uri);
        if (this.docs.get(uri)?.version !== v) {
          this.schedule(uri);
          return;
        }
        this.lastCheck.set(uri, performance.now());
        this.guard(`checking ${uri}`, () => this.flush(uri));
      }),
    );
  }

  /** Check now and publish (static plus any live results that still apply). */
  flush(uri: string): void {
    const a = this.analyzer.analysisFor(uri);
    const doc = this.docs.get(uri);
    if (!a || !doc) return;
    this.publishFrom(a, uri, doc.version);
    // the other open documents of this workspace see the same result
    for (const [u] of a.versions) {
      if (u === uri || this.staticTimers.has(u)) continue;
      const other = this.docs.get(u);
      if (other && this.analyzer.contextRoot(u) === a.root) this.publishFrom(a, u, other.version);
    }
    this.scheduleLive(a.root);
  }

  private publishFrom(a: Analysis, uri: string, version: number, force = false): void {
    const live = this.liveResults.get(a.root);
    const offline = this.offline && this.o.liveAllowed().ok ? this.offline : undefined;
    // the same analysis, version and live results as last time: nothing new to say
    const stamp = `${a.key}#${version}#${live && live.key === a.key ? live.seq : ''}#${offline ? offline.seq : ''}`;
    if (!force && this.lastPublished.get(uri) === stamp) return;
    this.lastPublished.set(uri, stamp);
    const stat = this.analyzer.diagnosticsOf(a, uri);
    let merged = stat;
    const liveList = offline ? this.noticesOf(offline, a) : live && live.key === a.key ? live.diagnostics : [];
    if (liveList.length) {
      const display = a.result.workspace.byAbs.get(this.analyzer.pathOf(uri))?.display;
      const ignore = new Set(this.o.ignore());
      const mine = liveList.filter((d) => d.file === display && !ignore.has(d.code));
      if (mine.length) merged = [...stat, ...mine];
    }
    const list = this.published.get(uri) ?? [];
    list.push(version);
    if (list.length > 2000) list.splice(0, list.length - 2000);
    this.published.set(uri, list);
    this.o.publish(uri, version, merged);
  }

  /** The offline notices placed in analysis `a` (its first declaration line moves with edits). */
  private noticesOf(off: Offline, a: Analysis): MtDiagnostic[] {
    if (off.noticesFor?.key !== a.key)
      off.noticesFor = { key: a.key, list: offlineNotices(a.result, off.verdict, off.retryMs) };
    return off.noticesFor.list;
  }

  /** A document closed: stop its timers and clear its diagnostics. */
  closed(uri: string, stillOpen: string[]): void {
    const t = this.staticTimers.get(uri);
    if (t) clearTimeout(t.timer);
    this.staticTimers.delete(uri);
    this.cancelLiveFor(uri);
    const lt = this.liveTimers.get(uri);
    if (lt) clearTimeout(lt);
    this.liveTimers.delete(uri);
    this.liveResults.delete(uri);
    this.answers.delete(uri);
    this.published.delete(uri);
    this.lastPublished.delete(uri);
    this.lastCheck.delete(uri);
    this.o.publish(uri, -1, []);
    for (const u of stillOpen) this.schedule(u);
    this.updateStatus();
  }

  // ---- live -------------------------------------------------------------------

  /** The last live answers for a document's workspace (for hover, inlay hints, lenses). */
  answersFor(uri: string): LiveAnswers | undefined {
    if (!this.o.liveAllowed().ok) return undefined;
    return this.answers.get(this.analyzer.contextRoot(uri)) ?? this.answers.get(uri);
  }

  liveCheckingFor(uri: string): boolean {
    const root = this.analyzer.contextRoot(uri);
    return this.liveTimers.has(root) || this.liveRuns.has(root);
  }

  private cancelLiveFor(uri: string): void {
    // the roots whose workspace holds this document
    const abs = this.analyzer.pathOf(uri);
    for (const a of this.analyzer.all()) {
      if (!a.files.has(abs) && a.root !== uri) continue;
      const t = this.liveTimers.get(a.root);
      if (t) {
        clearTimeout(t);
        this.liveTimers.delete(a.root);
      }
      const run = this.liveRuns.get(a.root);
      if (run) {
        run.ctrl.abort();
        this.liveRuns.delete(a.root);
      }
    }
  }

  private scheduleLive(root: string, delay = this.o.liveDelayMs, force = false): void {
    // paused while offline: the retry timer asks again, not every edit
    if (this.disposed || this.offline || !this.o.liveAllowed().ok) return;
    const a = this.analyzer.last(root);
    if (!a) return;
    if (!force) {
      const have = this.liveResults.get(root);
      if (have && have.key === a.key) return; // already merged for this analysis
      const running = this.liveRuns.get(root);
      if (running && running.key === a.key) return;
    }
    const t = this.liveTimers.get(root);
    if (t) clearTimeout(t);
    this.liveTimers.set(
      root,
      setTimeout(() => {
        this.liveTimers.delete(root);
        void this.runLive(root);
      }, delay),
    );
    this.updateStatus();
  }

  private async runLive(root: string): Promise<void> {
    try {
      if (!this.o.liveAllowed().ok) {
        this.updateStatus();
        return;
      }
      const a = this.analyzer.ensure(root);
      if (!a) return;
      const prev = this.liveRuns.get(root);
      if (prev) prev.ctrl.abort();
      const ctrl = new AbortController();
      this.liveRuns.set(root, { key: a.key, ctrl });
      this.liveRunsStarted++;
      this.updateStatus();
      let r: LiveRunResult;
      try {
        r = await this.o.live.run(a.result, { signal: ctrl.signal, offlineRetryMs: this.retryMs() });
      } catch (e) {
        if (ctrl.signal.aborted) return;
        this.o.log(`live checks failed: ${errorText(e)}`);
        this.emitStatus({ state: 'offline', detail: String((e as Error)?.message ?? e) });
        return;
      } finally {
        if (this.liveRuns.get(root)?.ctrl === ctrl) this.liveRuns.delete(root);
      }
      if (ctrl.signal.aborted || this.disposed || !this.o.liveAllowed().ok) {
        this.updateStatus();
        return;
      }
      if (r.offline) {
        this.goOffline(r.offline);
        return;
      }
      if (this.offline) this.backOnline(false); // answers came back
      this.answers.set(root, toLiveAnswers(r.answers));
      this.o.liveAnswersChanged?.();
      const current = this.analyzer.last(root);
      if (!current || current.key !== a.key || !this.analyzer.isFresh(current)) {
        this.updateStatus();
        return;
      } // stale: a change is being checked
      this.liveResults.set(root, { key: a.key, seq: ++this.liveSeq, diagnostics: r.diagnostics });
      for (const [u] of a.versions) {
        const doc = this.docs.get(u);
        if (doc && this.analyzer.contextRoot(u) === root && !this.staticTimers.has(u))
          this.publishFrom(a, u, doc.version);
      }
      const offline = r.diagnostics.length > 0 && r.diagnostics.every((d) => d.code === 'MT590') && isEmptyAnswers(r);
      if (offline) this.emitStatus({ state: 'offline', detail: r.diagnostics[0].message });
      else if (!this.pendingCount()) this.emitStatus({ state: 'done', ms: r.ms, queries: r.queries, at: Date.now() });
      else this.updateStatus();
    } catch (e) {
      this.o.log(`live scheduling failed: ${errorText(e)}`);
    }
  }

  private retryMs(): number {
    return this.offlineRetryMs;
  }
  /** Pause after an offline run. */
  offlineRetryMs = OFFLINE_RETRY_MS;

  /** An offline run: pause live checks, publish one notice per resolver, ask again after the pause. */
  private goOffline(verdict: OfflineVerdict): void {
    if (!this.offline) {
      this.offline = { verdict, retryMs: this.retryMs(), seq: ++this.liveSeq };
      this.armRetry(this.offline);
    }
    // a change of the resolvers' failure (timeout -> REFUSED) is shown, the pause kept
    else if (JSON.stringify(this.offline.verdict) !== JSON.stringify(verdict)) {
      this.offline.verdict = verdict;
      this.offline.noticesFor = undefined;
      this.offline.seq = ++this.liveSeq;
    }
    const off = this.offline;
    this.publishOpen();
    const any = this.analyzer.all()[0];
    const detail = any ? this.noticesOf(off, any)[0]?.message : undefined;
    this.emitStatus({ state: 'offline', detail: detail ?? `resolvers ${verdict.resolvers.join(', ')} did not answer` });
  }

  private armRetry(off: Offline): void {
    off.timer = setTimeout(() => void this.retryOffline(off), off.retryMs);
  }

  /** The pause is over: one probe query; answered -> full runs again, else another pause. */
  private async retryOffline(off: Offline): Promise<void> {
    off.timer = undefined;
    if (this.offline !== off || this.disposed) return;
    const doc = this.docs.all()[0];
    const a = doc ? this.analyzer.ensure(this.analyzer.contextRoot(doc.uri)) : undefined;
    if (!a || !this.o.liveAllowed().ok) {
      this.backOnline(false); // nothing to check now: the next edit or open runs normally
      return;
    }
    let answered: boolean;
    try {
      answered = this.o.live.probe ? await this.o.live.probe(a.result) : true;
    } catch (e) {
      this.o.log(`live checks: probe failed: ${errorText(e)}`);
      answered = false;
    }
    if (this.offline !== off || this.disposed) return;
    if (answered) this.backOnline(true);
    else this.armRetry(off);
  }

  /** Leave the offline pause; `run`: check every open workspace now. */
  private backOnline(run: boolean): void {
    const off = this.offline;
    if (!off) return;
    if (off.timer) clearTimeout(off.timer);
    this.offline = undefined;
    if (!run) return;
    this.liveResults.clear();
    this.publishOpen();
    const roots = new Set(this.docs.all().map((d) => this.analyzer.contextRoot(d.uri)));
    for (const r of roots) this.scheduleLive(r, 0, true);
  }

  /** Publish every open document again from its last fresh analysis (the live part changed). */
  private publishOpen(): void {
    for (const { uri } of this.docs.all()) {
      const doc = this.docs.get(uri);
      if (!doc || this.staticTimers.has(uri)) continue; // a static publish is on its way
      const a = this.analyzer.last(this.analyzer.contextRoot(uri));
      if (a && this.analyzer.isFresh(a) && a.versions.has(uri)) this.publishFrom(a, uri, doc.version);
    }
  }

  /** Offline: the live checks are paused (tests, status). */
  get isOffline(): boolean {
    return !!this.offline;
  }

  /** Run the live checks again now (forgetting cached answers). */
  rerun(uri?: string): number {
    if (!this.o.liveAllowed().ok) return 0;
    this.backOnline(false); // asked for explicitly: no pause
    this.o.live.clearCache?.();
    const roots = new Set<string>();
    for (const d of this.docs.all()) if (!uri || d.uri === uri) roots.add(this.analyzer.contextRoot(d.uri));
    for (const r of roots) {
      this.liveResults.delete(r);
      if (!this.analyzer.ensure(r)) continue;
      this.scheduleLive(r, 0, true);
    }
    return roots.size;
  }

  /** Live settings or trust changed: drop live results and start over (or stop). */
  liveConfigChanged(): void {
    const wasOffline = !!this.offline;
    this.backOnline(false);
    for (const [, run] of this.liveRuns) run.ctrl.abort();
    this.liveRuns.clear();
    for (const [, t] of this.liveTimers) clearTimeout(t);
    this.liveTimers.clear();
    const had = this.liveResults.size > 0 || wasOffline;
    this.liveResults.clear();
    if (!this.o.liveAllowed().ok) {
      this.answers.clear();
      this.o.liveAnswersChanged?.();
    }
    if (had || !this.o.liveAllowed().ok) this.all(0);
    if (this.o.liveAllowed().ok) for (const d of this.docs.all()) this.scheduleLive(this.analyzer.contextRoot(d.uri));
    this.updateStatus(true);
  }

  private pendingCount(): number {
    const s = new Set<string>([...this.liveTimers.keys(), ...this.liveRuns.keys()]);
    return s.size;
  }

  updateStatus(force = false): void {
    const allowed = this.o.liveAllowed();
    if (!allowed.ok) {
      this.emitStatus({ state: 'off', reason: allowed.reason }, force);
      return;
    }
    if (this.offline && this.lastDone?.state === 'offline') {
      this.emitStatus(this.lastDone, force);
      return;
    }
    const n = this.pendingCount();
    if (n) this.emitStatus({ state: 'checking', pending: n }, force);
    else if (force || this.lastStatus.includes('"checking"') || this.lastStatus.includes('"off"'))
      this.emitStatus(this.lastDone ?? { state: 'done', ms: 0, queries: 0, at: Date.now() }, true);
  }
  private lastDone: LiveStatusParams | undefined;

  private emitStatus(s: LiveStatusParams, force = false): void {
    const key = JSON.stringify(s.state === 'done' ? { state: 'done', ms: s.ms, at: s.at } : s);
    if (s.state === 'done' || s.state === 'offline') this.lastDone = s;
    if (!force && key === this.lastStatus) return;
    this.lastStatus = key;
    this.o.status(s);
  }

  private guard(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.o.log(`${what} failed: ${errorText(e)}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const [, t] of this.staticTimers) clearTimeout(t.timer);
    for (const [, t] of this.liveTimers) clearTimeout(t);
    for (const [, r] of this.liveRuns) r.ctrl.abort();
    if (this.offline?.timer) clearTimeout(this.offline.timer);
    this.offline = undefined;
    this.staticTimers.clear();
    this.liveTimers.clear();
    this.liveRuns.clear();
  }
}

/** An error's stack (or message, or the value itself) for the log. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}

function isEmptyAnswers(r: LiveRunResult): boolean {
  const a = r.answers;
  if (!a) return true;
  const ok = (rec: Record<string, { status?: string }> | undefined) =>
    Object.values(rec ?? {}).some((x) => x.status === 'ok' || x.status === 'nxdomain' || x.status === 'nodata');
  return !ok(a.hosts) && !ok(a.mx) && !ok(a.ptr);
}
