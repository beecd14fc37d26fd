// The server's settings: one schema with defaults (the `mailtopo.*` settings of
// INTERFACES.md), and the normalizer that turns whatever a client sends into it.
// A bad value falls back to its default; it never throws.
//
// Live checks send DNS queries about what a file names, so they are on by
// default only in VS Code, which gates them by Workspace Trust (its client
// sends the trust state and its settings, default true); any other client
// (Neovim, Helix, ... over stdio) gets them only when its settings turn them
// on: an untrusted file opened there sends nothing (issue 14).

export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface Settings {
  liveChecks: {
    /** Run the MT5xx live DNS checks [false; true in VS Code, see above]. */
    enabled: boolean;
    /** 'HOST[:PORT]' resolvers; [] = the system's (/etc/resolv.conf) [[]]. */
    resolvers: string[];
    /** Per-query timeout in ms [3000]. */
    timeoutMs: number;
    /** Extra DNSBL zones to check besides the ones the files name [[]]. */
    dnsbl: string[];
  };
  diagnostics: {
    /** Codes not to report [[]]. */
    ignore: string[];
  };
  trace: { server: TraceLevel };
}

export const DEFAULT_SETTINGS: Settings = {
  liveChecks: { enabled: false, resolvers: [], timeoutMs: 3000, dnsbl: [] },
  diagnostics: { ignore: [] },
  trace: { server: 'off' },
};

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown, dflt: string[]): string[] =>
  Array.isArray(x)
    ? x
        .filter((s): s is string => typeof s === 'string')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : dflt;

/** Read a dotted key (`liveChecks.enabled`) or a nested object, whichever the client used. */
function pick(raw: Record<string, unknown>, dotted: string): unknown {
  if (dotted in raw) return raw[dotted];
  let cur: unknown = raw;
  for (const part of dotted.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Normalize the `mailtopo` section (or an object holding it under `mailtopo`).
 * Unknown keys are ignored; wrong types take the default. `liveDefault`: the
 * default of liveChecks.enabled for this client (true only for VS Code's).
 */
export function normalizeSettings(input: unknown, liveDefault = DEFAULT_SETTINGS.liveChecks.enabled): Settings {
  let raw: Record<string, unknown> = isObj(input) ? input : {};
  if (isObj(raw.mailtopo)) raw = raw.mailtopo;
  const d = DEFAULT_SETTINGS;
  const enabled = pick(raw, 'liveChecks.enabled');
  const timeout = pick(raw, 'liveChecks.timeoutMs');
  const trace = pick(raw, 'trace.server');
  return {
    liveChecks: {
      enabled: typeof enabled === 'boolean' ? enabled : liveDefault,
      resolvers: strings(pick(raw, 'liveChecks.resolvers'), d.liveChecks.resolvers),
      timeoutMs:
        typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0
          ? Math.min(Math.round(timeout), 60000)
          : d.liveChecks.timeoutMs,
      dnsbl: strings(pick(raw, 'liveChecks.dnsbl'), d.liveChecks.dnsbl).map((z) => z.toLowerCase()),
    },
    diagnostics: {
      ignore: strings(pick(raw, 'diagnostics.ignore'), d.diagnostics.ignore).map((c) => c.toUpperCase()),
    },
    trace: { server: trace === 'messages' || trace === 'verbose' || trace === 'off' ? trace : d.trace.server },
  };
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
