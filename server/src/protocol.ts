// The custom protocol between the VS Code client and the language server, in
// one file both sides import (the vscode-eslint way). Plain method names and
// payload types only: no runtime dependency on either LSP library, so the
// client bundle and the server bundle can both take it.

/** Client -> server notification: the workspace's trust changed. Untrusted: no DNS query is ever sent. */
export const SetTrustedNotification = 'mailtopo/setTrusted';
export interface SetTrustedParams {
  trusted: boolean;
}

/** Client -> server request: forget the live-check results and run them again now (ignores the pause). */
export const RerunLiveChecksRequest = 'mailtopo/rerunLiveChecks';
/** `uri` limits the re-run to the workspace of that document; without it every open document's. */
export interface RerunLiveChecksParams {
  uri?: string;
}
export interface RerunLiveChecksResult {
  /** Workspaces queued for a live run (0 when live checks are off or untrusted). */
  queued: number;
  /** Why nothing was queued, when nothing was. */
  reason?: LiveOffReason;
}

/**
 * Client -> server request: turn live checks on or off for this session (on top of
 * `mailtopo.liveChecks.enabled`, which it overrides until the setting changes again).
 * Without `enabled` it flips the current state.
 */
export const ToggleLiveChecksRequest = 'mailtopo/toggleLiveChecks';
export interface ToggleLiveChecksParams {
  enabled?: boolean;
}
export interface ToggleLiveChecksResult {
  enabled: boolean;
}

export type LiveOffReason = 'disabled' | 'untrusted';

/** Server -> client notification: the live-check state for the status bar. */
export const LiveStatusNotification = 'mailtopo/liveStatus';
export type LiveStatusParams =
  | { state: 'off'; reason: LiveOffReason }
  /** `pending`: workspaces waiting for or running a live check. */
  | { state: 'checking'; pending: number }
  /** The last run took `ms` and sent `queries` DNS queries; `at` is its end (ms since the epoch). */
  | { state: 'done'; ms: number; queries: number; at: number }
  /** The resolvers did not answer at all (network unreachable, every query timed out). */
  | { state: 'offline'; detail: string };

/** Client -> server request: the topology graph of a document's workspace, for the diagram webview. */
export const GraphRequest = 'mailtopo/graph';
export interface GraphParams {
  uri: string;
}
export interface GraphRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
/** A node of core/generate/graph.ts's TopoGraph, with its declaration's uri. */
export interface GraphNode {
  /** Stable id: the declared name for nodes, `domain:<name>`, `host:<hostname>`, `internet`. */
  id: string;
  kind: 'gateway' | 'server' | 'pool' | 'external' | 'domain' | 'internet' | 'host';
  name: string;
  /** Lines to show: the name, then details (role, hostname, addresses). */
  lines: string[];
  zone?: 'perimeter' | 'internal' | 'external';
  /** Where it is declared ("clicking a node reveals its declaration"); absent for built-ins and literal hosts. */
  uri?: string;
  range?: GraphRange;
}
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'mx' | 'route' | 'member' | 'scanner';
  label: string;
}
export interface GraphCluster {
  zone: 'perimeter' | 'internal' | 'external';
  label: string;
  nodeIds: string[];
}
export interface GraphResult {
  uri: string;
  /** The document's version the graph was built from. */
  version: number | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphCluster[];
  /** The same graph as Graphviz DOT text (the `dot` target's renderer). */
  dot: string;
}

/**
 * Commands the server executes (workspace/executeCommand; advertised in
 * executeCommandProvider, so vscode-languageclient registers them by itself).
 * Code lenses carry them. Ids differ from the client's own command ids on purpose.
 */
export const ServerCommands = {
  /** Arguments: [uri?]. Same as the RerunLiveChecks request. */
  rerunLiveChecks: 'mailtopo.server.rerunLiveChecks',
} as const;

/** What the client may pass in `initializationOptions`. */
export interface InitializationOptions {
  /** Workspace trust at start [true]. */
  trusted?: boolean;
  /** Settings to start with (the `mailtopo` section), before workspace/configuration answers. */
  settings?: unknown;
  /** Static debounce in ms [15] and live pause in ms [1500] (tests, slow machines). */
  debounceMs?: number;
  livePauseMs?: number;
  /** Pause of the live checks after the resolvers did not answer, in ms [60000] (tests). */
  liveRetryMs?: number;
}

/**
 * Test-only requests, answered only when the server runs with MAILTOPO_LSP_TEST=1.
 * Never used by a client.
 */
export const TestRequests = {
  /** Throws inside the handler: the server must answer an error and stay up. */
  fail: 'mailtopo/test/fail',
  /** Rejects asynchronously. */
  failAsync: 'mailtopo/test/failAsync',
  /** Runs for `ms` (yielding) unless cancelled: answers RequestCancelled when cancelled. */
  slow: 'mailtopo/test/slow',
  /** { heapUsed } after a full GC when --expose-gc is on. */
  heap: 'mailtopo/test/heap',
  /** Analysis counters: { analyses: { [uri]: number[] (versions analysed) }, liveRuns: number }. */
  stats: 'mailtopo/test/stats',
  /** An unhandled rejection and an uncaught exception from a timer: the server must stay up. */
  crashLater: 'mailtopo/test/crashLater',
} as const;
