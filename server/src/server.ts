// The language server: capabilities() and register(connection), every handler
// a thin, guarded adapter over the pure core (server/src/core/features). A
// handler that throws answers an error and logs; the server stays up.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type Location,
  type ServerCapabilities,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { MtDiagnostic, Severity } from './core/diagnostic';
import type { CheckResult } from './core/check';
import { probeLive, runLive } from './core/dns/runLive';
import { makeLiveResolver } from './core/dns/live';
import type { Resolver } from './core/dns/resolver';
import { buildGraph } from './core/generate/graph';
import { toDot } from './core/generate/dot';
import { MAX_DOCUMENT_CHARS } from './core/features/incremental';
import { completion, resolveCompletion } from './core/features/completion';
import { hover } from './core/features/hover';
import { definition } from './core/features/definition';
import { references } from './core/features/references';
import { prepareRename, rename, RenameError } from './core/features/rename';
import { documentSymbols, workspaceSymbols } from './core/features/symbols';
import { folderPaths } from './core/model/fileHost';
import { semanticTokens, SEMANTIC_LEGEND } from './core/features/semanticTokens';
import { foldingRanges } from './core/features/folding';
import { documentLinks } from './core/features/links';
import { inlayHints } from './core/features/inlayHints';
import { codeLenses } from './core/features/codeLens';
import { quickFixes, type FixableDiagnostic } from './core/features/codeActions';
import { formatting } from './core/features/formatting';
import type { Decl } from './core/model/types';
import { Analyzer } from './analysis';
import { Scheduler, errorText, type LiveRunner, type LiveRunResult } from './scheduler';
import { DEFAULT_SETTINGS, normalizeSettings, sameSettings, type Settings } from './settings';
import {
  GraphRequest,
  LiveStatusNotification,
  RerunLiveChecksRequest,
  ServerCommands,
  SetTrustedNotification,
  TestRequests,
  ToggleLiveChecksRequest,
  type GraphParams,
  type GraphResult,
  type InitializationOptions,
  type LiveStatusParams,
  type RerunLiveChecksParams,
  type RerunLiveChecksResult,
  type SetTrustedParams,
  type ToggleLiveChecksParams,
  type ToggleLiveChecksResult,
} from './protocol';

/** Diagnostics published per file at most (a pathological file gets a summary line). */
export const MAX_PUBLISHED = 1000;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** A GitHub-style heading slug (what Markdown previews and GitHub link to). */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Links to each code's section of docs/rules.md: a file URL when the docs sit
 * next to the bundle's folder (an installed extension, a checkout), the anchor
 * taken from the code's heading (or an explicit <a id>); else repo-relative.
 */
export function rulesDocLinks(): (code: string) => string {
  const here = typeof __dirname !== 'undefined' ? __dirname : process.cwd();
  for (const p of [
    path.resolve(here, '..', 'docs', 'rules.md'),
    path.resolve(here, '..', '..', 'docs', 'rules.md'),
    path.resolve(process.cwd(), 'docs', 'rules.md'),
  ]) {
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    const base = pathToFileURL(p).href;
    const anchors = new Map<string, string>();
    for (const line of text.split('\n')) {
      const id = /<a\s+(?:id|name)="(mt\d{3})"/i.exec(line);
      if (id) {
        anchors.set(id[1].toUpperCase(), id[1]);
        continue;
      }
      const h = /^#{1,6}\s+(MT\d{3})\b(.*)$/.exec(line);
      if (h && !anchors.has(h[1])) anchors.set(h[1], slug(h[1] + h[2]));
      // a family's section (`## MT5xx live DNS ...`) for the codes listed in a table under it
      const fam = /^#{1,6}\s+(MT\dxx)\b(.*)$/.exec(line);
      if (fam && !anchors.has(fam[1])) anchors.set(fam[1], slug(fam[1] + fam[2]));
    }
    return (code) => `${base}#${anchors.get(code) ?? anchors.get(code.slice(0, 3) + 'xx') ?? code.toLowerCase()}`;
  }
  return (code) => `docs/rules.md#${code.toLowerCase()}`;
}

/** The live checks of core/dns, with one resolver kept across runs (its cache) until the settings change. */
class CoreLiveRunner implements LiveRunner {
  private resolver?: Resolver;
  private key = '';
  constructor(private readonly settings: () => Settings) {}
  private get(): Resolver {
    const s = this.settings().liveChecks;
    const key = JSON.stringify([s.resolvers, s.timeoutMs]);
    if (!this.resolver || key !== this.key) {
      this.resolver?.close();
      this.resolver = makeLiveResolver(s.resolvers, s.timeoutMs);
      this.key = key;
    }
    return this.resolver;
  }
  run(result: CheckResult, opts: { signal: AbortSignal; offlineRetryMs?: number }): Promise<LiveRunResult> {
    const s = this.settings();
    return runLive(result, {
      resolvers: s.liveChecks.resolvers,
      timeoutMs: s.liveChecks.timeoutMs,
      extraDnsbl: s.liveChecks.dnsbl,
      signal: opts.signal,
      resolver: this.get(),
      ignore: s.diagnostics.ignore,
      offlineRetryMs: opts.offlineRetryMs,
    });
  }
  probe(result: CheckResult): Promise<boolean> {
    return probeLive(result, this.get());
  }
  clearCache(): void {
    this.resolver?.clearCache();
  }
  dispose(): void {
    this.resolver?.close();
    this.resolver = undefined;
  }
}

export interface ServerOptions {
  /** Answer the test-only requests (MAILTOPO_LSP_TEST=1). */
  testMode?: boolean;
  live?: LiveRunner;
}

export class MailtopoServer {
  readonly documents = new TextDocuments(TextDocument);
  readonly analyzer: Analyzer;
  scheduler!: Scheduler;
  private connection?: Connection;
  private settings: Settings = DEFAULT_SETTINGS;
  /** Settings known (initializationOptions or the first workspace/configuration answer): live checks wait for it. */
  private settingsReady = false;
  private trusted = true;
  /** liveChecks.enabled when the client's settings do not say: true only for a client that sends Workspace Trust (VS Code). */
  private liveDefault = false;
  private liveOverride: boolean | undefined;
  private clientCaps: ClientCapabilities = {};
  private pullConfig = false;
  private staticDelayMs = 15;
  private livePauseMs = 1500;
  private readonly docLink = rulesDocLinks();
  private readonly live: LiveRunner;
  private readonly testMode: boolean;

  constructor(opts: ServerOptions = {}) {
    this.testMode = !!opts.testMode;
    this.live = opts.live ?? new CoreLiveRunner(() => this.settings);
    const docs = this.documents;
    this.analyzer = new Analyzer({ get: (u) => docs.get(u), all: () => docs.all() });
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      completionProvider: { triggerCharacters: ['=', ',', ' '], resolveProvider: true },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: { label: 'mailtopo' },
      workspaceSymbolProvider: true,
      semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: true },
      documentFormattingProvider: true,
      foldingRangeProvider: true,
      documentLinkProvider: { resolveProvider: false },
      inlayHintProvider: { resolveProvider: false },
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
      executeCommandProvider: { commands: [ServerCommands.rerunLiveChecks] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: false } },
    };
  }

  private liveAllowed(): { ok: true } | { ok: false; reason: 'disabled' | 'untrusted' } {
    if (!this.trusted) return { ok: false, reason: 'untrusted' };
    const enabled = this.liveOverride ?? this.settings.liveChecks.enabled;
    if (!enabled) return { ok: false, reason: 'disabled' };
    if (!this.settingsReady) return { ok: false, reason: 'disabled' };
    return { ok: true };
  }

  private log(message: string): void {
    try {
      this.connection?.console.error(message);
    } catch {
      /* the connection is gone */
    }
  }

  // ---- conversion -------------------------------------------------------------------

  private uriOfFile(a: CheckResult | undefined, file: string): string {
    const lf = a?.workspace.files.find((f) => f.display === file);
    return this.analyzer.uriOf(lf?.abs ?? path.resolve(file));
  }

  toLsp(d: MtDiagnostic, a: CheckResult | undefined): Diagnostic {
    const out: Diagnostic = {
      range: d.range,
      severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error,
      code: d.code,
      source: 'mailtopo',
      message: d.message,
    };
    if (/^MT\d{3}$/.test(d.code)) out.codeDescription = { href: this.docLink(d.code) };
    if (d.tags?.length)
      out.tags = d.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
    if (d.related?.length)
      out.relatedInformation = d.related.map((r) => ({
        location: { uri: this.uriOfFile(a, r.file), range: r.range },
        message: r.message,
      }));
    if (d.data) out.data = d.data;
    return out;
  }

  private publish(uri: string, version: number, list: MtDiagnostic[]): void {
    const conn = this.connection;
    if (!conn) return;
    const a = this.analyzer.last(this.analyzer.contextRoot(uri))?.result;
    let shown = list;
    if (list.length > MAX_PUBLISHED) {
      shown = list.slice(0, MAX_PUBLISHED - 1);
      const last = shown[shown.length - 1];
      shown.push({
        code: 'MT005',
        severity: 'information',
        file: last.file,
        range: last.range,
        message: `${list.length - shown.length} more diagnostics in this file are not shown (run \`mailtopo check\` for all of them)`,
      });
    }
    const diagnostics = shown.map((d) => this.toLsp(d, a));
    void conn
      .sendDiagnostics(version >= 0 ? { uri, version, diagnostics } : { uri, diagnostics })
      .catch((e) => this.log(`publishDiagnostics failed: ${e}`));
  }

  /** Ask the client to fetch code lenses and inlay hints again (they show live answers). */
  private refreshLiveViews(): void {
    const ws = this.clientCaps.workspace;
    if (ws?.codeLens?.refreshSupport)
      void this.connection?.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    if (ws?.inlayHint?.refreshSupport)
      void this.connection?.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
  }

  private sendStatus(s: LiveStatusParams): void {
    void this.connection?.sendNotification(LiveStatusNotification, s).catch(() => undefined);
  }

  // ---- settings ----------------------------------------------------------------------

  applySettings(next: Settings): void {
    const prev = this.settings;
    this.settings = next;
    const firstTime = !this.settingsReady;
    this.settingsReady = true;
    if (sameSettings(prev, next) && !firstTime) return;
    if (prev.diagnostics.ignore.join(',') !== next.diagnostics.ignore.join(',')) {
      this.analyzer.ignore = next.diagnostics.ignore;
      this.analyzer.generation++;
      this.scheduler.all(0);
    }
    const liveChanged = JSON.stringify(prev.liveChecks) !== JSON.stringify(next.liveChecks);
    if (liveChanged) this.liveOverride = undefined;
    if (liveChanged || firstTime) this.scheduler.liveConfigChanged();
  }

  private async pullSettings(): Promise<void> {
    const conn = this.connection;
    if (!conn) return;
    try {
      const raw: unknown = await conn.workspace.getConfiguration({ section: 'mailtopo' });
      this.applySettings(raw === null || raw === undefined ? this.settings : this.normalize(raw));
    } catch (e) {
      this.log(`workspace/configuration failed: ${errorText(e)}`);
      this.applySettings(this.settings);
    }
  }

  private normalize(raw: unknown): Settings {
    return normalizeSettings(raw, this.liveDefault);
  }

  setTrusted(trusted: boolean): void {
    if (this.trusted === trusted) return;
    this.trusted = trusted;
    this.scheduler.liveConfigChanged();
  }

  // ---- registration --------------------------------------------------------------------

  register(connection: Connection): void {
    this.connection = connection;
    this.scheduler = new Scheduler(this.analyzer, this.documents, {
      staticDelayMs: this.staticDelayMs,
      liveDelayMs: this.livePauseMs,
      liveAllowed: () => this.liveAllowed(),
      live: this.live,
      publish: (u, v, l) => this.publish(u, v, l),
      status: (s) => this.sendStatus(s),
      log: (m) => this.log(m),
      ignore: () => this.settings.diagnostics.ignore,
      liveAnswersChanged: () => this.refreshLiveViews(),
    });

    connection.onInitialize((params: InitializeParams): InitializeResult => {
      this.clientCaps = params.capabilities ?? {};
      this.analyzer.folders = folderPaths(params); // the roots imports may not leave
      const init = (params.initializationOptions ?? {}) as InitializationOptions;
      // VS Code's client sends its Workspace Trust: there live checks default on, gated by trust
      if (typeof init.trusted === 'boolean') {
        this.trusted = init.trusted;
        this.liveDefault = true;
        this.settings = this.normalize({});
      }
      if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) this.staticDelayMs = init.debounceMs;
      if (typeof init.livePauseMs === 'number' && init.livePauseMs >= 0) this.livePauseMs = init.livePauseMs;
      if (typeof init.liveRetryMs === 'number' && init.liveRetryMs >= 100)
        this.scheduler.offlineRetryMs = init.liveRetryMs;
      this.scheduler.setDelays(this.staticDelayMs, this.livePauseMs);
      if (init.settings !== undefined) {
        this.settings = this.normalize(init.settings);
        this.analyzer.ignore = this.settings.diagnostics.ignore;
      }
      this.pullConfig = !!this.clientCaps.workspace?.configuration;
      // a client that gives settings up front, or cannot be asked, has them now
      if (init.settings !== undefined || !this.pullConfig) this.settingsReady = true;
      return { capabilities: this.capabilities(), serverInfo: { name: 'mailtopo', version: '0.1.0' } };
    });

    connection.onInitialized(() => {
      void (async () => {
        try {
          if (this.clientCaps.workspace?.didChangeConfiguration?.dynamicRegistration) {
            await connection.client.register(DidChangeConfigurationNotification.type, { section: 'mailtopo' });
          }
          if (this.clientCaps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
            await connection.client.register(DidChangeWatchedFilesNotification.type, {
              watchers: [{ globPattern: '**/*.mailtopo' }],
            });
          }
        } catch (e) {
          this.log(`registration failed: ${errorText(e)}`);
        }
        if (this.pullConfig) await this.pullSettings();
        else this.applySettings(this.settings);
      })();
    });

    connection.onDidChangeConfiguration((p) =>
      this.guardNotification('didChangeConfiguration', () => {
        const pushed = (p?.settings as Record<string, unknown> | null | undefined)?.mailtopo;
        if (pushed !== undefined && pushed !== null) this.applySettings(this.normalize(pushed));
        else if (this.pullConfig) void this.pullSettings();
      }),
    );

    connection.onDidChangeWatchedFiles((p) =>
      this.guardNotification('didChangeWatchedFiles', () => {
        this.analyzer.generation++;
        const affected = new Set<string>();
        for (const c of p.changes) {
          const abs = this.analyzer.pathOf(c.uri);
          this.analyzer.cache.delete(abs);
          for (const u of this.analyzer.affectedByPath(abs)) affected.add(u);
        }
        // a file that appeared may be a missing import: every open document may care
        if (p.changes.length) this.scheduler.all();
        else for (const u of affected) this.scheduler.schedule(u);
      }),
    );

    connection.onNotification(SetTrustedNotification, (p: SetTrustedParams) =>
      this.guardNotification('setTrusted', () => {
        if (typeof p?.trusted === 'boolean') this.setTrusted(p.trusted);
      }),
    );

    this.documents.onDidChangeContent((e) =>
      this.guardNotification('didChange', () => this.scheduler.changed(e.document.uri)),
    );
    this.documents.onDidClose((e) =>
      this.guardNotification('didClose', () => {
        const uri = e.document.uri;
        const affected = this.analyzer.dependents(uri).filter((u) => u !== uri && this.documents.get(u));
        this.analyzer.forget(uri);
        this.analyzer.generation++;
        this.scheduler.closed(uri, affected);
      }),
    );
    this.documents.listen(connection);

    // ---- language features ----
    const withCtx = <T>(uri: string, f: (c: NonNullable<ReturnType<Analyzer['contextFor']>>) => T, dflt: T): T => {
      const c = this.analyzer.contextFor(uri);
      return c ? f(c) : dflt;
    };

    connection.onCompletion(
      this.guard('completion', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) =>
            completion(ctx, p.position, {
              snippets: !!this.clientCaps.textDocument?.completion?.completionItem?.snippetSupport,
              data: { uri: p.textDocument.uri },
            }),
          null,
        ),
      ),
    );
    connection.onCompletionResolve(
      this.guard('completionItem/resolve', (item) => {
        const uri = (item.data as { uri?: unknown } | undefined)?.uri;
        return resolveCompletion(typeof uri === 'string' ? this.analyzer.contextFor(uri)?.ctx : undefined, item);
      }),
    );
    connection.onHover(
      this.guard('hover', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) => hover(ctx, p.position, this.scheduler.answersFor(p.textDocument.uri)),
          null,
        ),
      ),
    );
    connection.onDefinition(
      this.guard('definition', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ analysis, ctx }): Location[] =>
            definition(ctx, p.position).map((l) => ({
              uri:
                l.abs && !analysis.result.workspace.byAbs.has(l.abs)
                  ? this.analyzer.uriOf(l.abs)
                  : this.uriOfFile(analysis.result, l.file),
              range: l.range,
            })),
          [],
        ),
      ),
    );
    connection.onReferences(
      this.guard('references', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ analysis, ctx }): Location[] =>
            references(ctx, p.position, p.context?.includeDeclaration ?? true).map((l) => ({
              uri: this.uriOfFile(analysis.result, l.file),
              range: l.range,
            })),
          [],
        ),
      ),
    );
    connection.onPrepareRename(
      this.guard('prepareRename', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) => {
            try {
              return prepareRename(ctx, p.position);
            } catch (e) {
              if (e instanceof RenameError) throw new ResponseError(ErrorCodes.InvalidRequest, e.message);
              throw e;
            }
          },
          null,
        ),
      ),
    );
    connection.onRenameRequest(
      this.guard('rename', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ analysis, ctx }): WorkspaceEdit => {
            try {
              const edits = rename(ctx, p.position, p.newName);
              const changes: WorkspaceEdit['changes'] = {};
              for (const [file, list] of edits) changes[this.uriOfFile(analysis.result, file)] = list;
              return { changes };
            } catch (e) {
              if (e instanceof RenameError) throw new ResponseError(ErrorCodes.InvalidRequest, e.message);
              throw e;
            }
          },
          null,
        ),
      ),
    );
    connection.onDocumentSymbol(
      this.guard('documentSymbol', (p) => withCtx(p.textDocument.uri, ({ ctx }) => documentSymbols(ctx), [])),
    );
    connection.onWorkspaceSymbol(
      this.guard('workspace/symbol', (p) => {
        // make sure every open document's workspace is known
        for (const d of this.documents.all()) this.analyzer.analysisFor(d.uri);
        const decls: Decl[] = [];
        const byDecl = new Map<Decl, CheckResult>();
        for (const a of this.analyzer.all())
          for (const d of a.result.model.decls) {
            decls.push(d);
            byDecl.set(d, a.result);
          }
        const results = workspaceSymbols(decls, p.query ?? '');
        return results.map((s) => ({
          name: s.name,
          kind: s.kind,
          containerName: s.containerName,
          location: { uri: this.analyzer.uriOf(this.absOfDisplay(s.file)), range: s.range },
        }));
      }),
    );
    connection.languages.semanticTokens.on(
      this.guard('semanticTokens/full', (p) =>
        withCtx(p.textDocument.uri, ({ ctx }) => semanticTokens(ctx), { data: [] }),
      ),
    );
    connection.languages.semanticTokens.onRange(
      this.guard('semanticTokens/range', (p) =>
        withCtx(p.textDocument.uri, ({ ctx }) => semanticTokens(ctx, p.range), { data: [] }),
      ),
    );
    connection.onDocumentFormatting(
      this.guard('formatting', (p) => {
        const doc = this.documents.get(p.textDocument.uri);
        if (!doc) return null;
        const text = doc.getText();
        if (text.length > MAX_DOCUMENT_CHARS) return [];
        const r = formatting(text, this.analyzer.pathOf(doc.uri));
        if ('error' in r) {
          this.log(r.error);
          return [];
        }
        return r.edits;
      }),
    );
    connection.onFoldingRanges(
      this.guard('foldingRange', (p) => withCtx(p.textDocument.uri, ({ ctx }) => foldingRanges(ctx), [])),
    );
    connection.onDocumentLinks(
      this.guard('documentLink', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) =>
            documentLinks(ctx).map((l) => ({
              range: l.range,
              target: this.analyzer.uriOf(l.target),
              tooltip: l.tooltip,
            })),
          [],
        ),
      ),
    );
    connection.languages.inlayHint.on(
      this.guard('inlayHint', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) => inlayHints(ctx, p.range, this.scheduler.answersFor(p.textDocument.uri)),
          [],
        ),
      ),
    );
    connection.onCodeLens(
      this.guard('codeLens', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }) =>
            codeLenses(ctx, this.scheduler.answersFor(p.textDocument.uri), {
              enabled: this.liveAllowed().ok,
              checking: this.scheduler.liveCheckingFor(p.textDocument.uri),
              command: ServerCommands.rerunLiveChecks,
            }),
          [],
        ),
      ),
    );
    connection.onCodeAction(
      this.guard('codeAction', (p) =>
        withCtx(
          p.textDocument.uri,
          ({ ctx }): CodeAction[] => {
            const diags = (p.context?.diagnostics ?? []).filter(
              (d) => d.source === undefined || d.source === 'mailtopo',
            ) as FixableDiagnostic[];
            if (
              p.context?.only &&
              !p.context.only.some(
                (k) =>
                  k === CodeActionKind.QuickFix ||
                  CodeActionKind.QuickFix.startsWith(k + '.') ||
                  k === CodeActionKind.Empty,
              )
            )
              return [];
            return quickFixes(ctx, diags).map((f) => ({
              title: f.title,
              kind: CodeActionKind.QuickFix,
              isPreferred: f.isPreferred,
              diagnostics: [f.diagnostic as Diagnostic],
              edit: { changes: { [p.textDocument.uri]: f.edits } },
            }));
          },
          [],
        ),
      ),
    );
    connection.onExecuteCommand(
      this.guard('executeCommand', (p) => {
        if (p.command === ServerCommands.rerunLiveChecks) {
          const uri = typeof p.arguments?.[0] === 'string' ? p.arguments[0] : undefined;
          return { queued: this.scheduler.rerun(uri) };
        }
        throw new ResponseError(ErrorCodes.InvalidParams, `unknown command '${p.command}'`);
      }),
    );

    // ---- custom protocol ----
    connection.onRequest(
      RerunLiveChecksRequest,
      this.guard('rerunLiveChecks', (p: RerunLiveChecksParams | undefined): RerunLiveChecksResult => {
        const allowed = this.liveAllowed();
        if (!allowed.ok) return { queued: 0, reason: allowed.reason };
        return { queued: this.scheduler.rerun(p?.uri) };
      }),
    );
    connection.onRequest(
      ToggleLiveChecksRequest,
      this.guard('toggleLiveChecks', (p: ToggleLiveChecksParams | undefined): ToggleLiveChecksResult => {
        const current = this.liveOverride ?? this.settings.liveChecks.enabled;
        this.liveOverride = typeof p?.enabled === 'boolean' ? p.enabled : !current;
        this.scheduler.liveConfigChanged();
        return { enabled: this.liveOverride };
      }),
    );
    connection.onRequest(
      GraphRequest,
      this.guard('graph', (p: GraphParams): GraphResult | null => {
        const c = this.analyzer.contextFor(p.uri);
        if (!c) return null;
        const r = c.analysis.result;
        const g = buildGraph(r.model);
        return {
          uri: p.uri,
          version: this.documents.get(p.uri)?.version ?? null,
          nodes: g.nodes.map((n) => ({
            id: n.id,
            kind: n.kind,
            name: n.name,
            lines: n.lines,
            zone: n.zone,
            uri: n.file ? this.uriOfFile(r, n.file) : undefined,
            range: n.range,
          })),
          edges: g.edges,
          clusters: g.clusters,
          dot: toDot(g),
        };
      }),
    );

    if (this.testMode) this.registerTestRequests(connection);
  }

  private absOfDisplay(file: string): string {
    for (const a of this.analyzer.all()) {
      const lf = a.result.workspace.files.find((f) => f.display === file);
      if (lf) return lf.abs;
    }
    return path.resolve(file);
  }

  private registerTestRequests(connection: Connection): void {
    connection.onRequest(
      TestRequests.fail,
      this.guard('test/fail', () => {
        throw new Error('test-only failure');
      }),
    );
    connection.onRequest(
      TestRequests.failAsync,
      this.guard('test/failAsync', async () => {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('test-only async failure');
      }),
    );
    connection.onRequest(TestRequests.slow, async (p: { ms?: number } | undefined, token: CancellationToken) => {
      const end = Date.now() + (p?.ms ?? 2000);
      while (Date.now() < end) {
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
        await new Promise((r) => setTimeout(r, 5));
      }
      return { done: true };
    });
    connection.onRequest(TestRequests.heap, () => {
      const g = (globalThis as { gc?: () => void }).gc;
      if (g) {
        g();
        g();
      }
      return { heapUsed: process.memoryUsage().heapUsed, gc: !!g };
    });
    connection.onRequest(TestRequests.stats, () => ({
      published: Object.fromEntries(this.scheduler.published),
      analyses: Object.fromEntries(this.analysesByRoot),
      liveRuns: this.scheduler.liveRunsStarted,
      parsedChunks: this.analyzer.cache.parsedChunks,
    }));
    connection.onRequest(TestRequests.crashLater, () => {
      setTimeout(() => {
        throw new Error('test-only uncaught exception');
      }, 1);
      void Promise.reject(new Error('test-only unhandled rejection'));
      return { scheduled: true };
    });
    this.analyzer.onAnalysis = (a) => {
      const l = this.analysesByRoot.get(a.root) ?? [];
      l.push(this.documents.get(a.root)?.version ?? -1);
      if (l.length > 2000) l.splice(0, l.length - 2000);
      this.analysesByRoot.set(a.root, l);
    };
  }
  private analysesByRoot = new Map<string, number[]>();

  /** Wrap a request handler: cancellation, errors answered and logged, never thrown further. */
  private guard<P, R>(
    name: string,
    f: (p: P, token: CancellationToken) => R | Promise<R>,
  ): (p: P, token: CancellationToken) => Promise<R> {
    return async (p: P, token: CancellationToken) => {
      if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      try {
        const r = await f(p, token);
        if (token?.isCancellationRequested)
          throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
        return r;
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        this.log(`${name} failed: ${errorText(e)}`);
        throw new ResponseError(ErrorCodes.InternalError, `mailtopo: ${name} failed: ${(e as Error)?.message ?? e}`);
      }
    };
  }

  private guardNotification(name: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.log(`${name} failed: ${errorText(e)}`);
    }
  }

  dispose(): void {
    this.scheduler?.dispose();
    (this.live as CoreLiveRunner).dispose?.();
  }
}
