// The state of one build, shared by the statement checker, the readers of
// each declaration kind and the passes after them. One object per build (no
// closures made per build or per statement), dropped when the build returns.
import type { MtDiagnostic, Range, Severity } from '../../diagnostic';
import type { Statement } from '../../syntax/ast';
import type { LoadedFile } from '../workspace';
import type { Decl, DomainDecl, Loc, Model, NodeDecl } from '../types';
import type { Pending } from './pending';
import type { BuildCache } from './reuse';

/** The statements seen once in a block, by keyword (at most one per kind of statement: a few dozen). */
export class SeenList {
  readonly keys: string[] = [];
  readonly vals: Statement[] = [];
  n = 0;
  clear(): void {
    this.n = 0;
  }
  get(k: string): Statement | undefined {
    for (let i = 0; i < this.n; i++) if (this.keys[i] === k) return this.vals[i];
    return undefined;
  }
  has(k: string): boolean {
    return this.get(k) !== undefined;
  }
  set(k: string, v: Statement): void {
    this.keys[this.n] = k;
    this.vals[this.n++] = v;
  }
}

export class Build {
  /** What earlier builds of this editor root read, by statement (undefined: read everything). */
  constructor(readonly reuse?: BuildCache) {
    if (reuse) this.model.keepAnswers = true;
  }
  readonly diags: MtDiagnostic[] = [];
  readonly model: Model = {
    byName: new Map(),
    domains: [],
    networks: [],
    nodes: [],
    policies: [],
    references: [],
    decls: [],
    options: { dnsbl: [], ttl: '1h', ttlSeconds: 3600 },
  };
  /** References to resolve once every file's declarations are known. */
  readonly pending: Pending[] = [];
  readonly domainByName = new Map<string, DomainDecl>();
  /** Declarations some reference resolved to (MT111 reports the others). */
  readonly used = new Set<Decl>();
  optionsSeen: Loc | undefined = undefined;
  /** Workspace order of the next declaration. */
  order = 0;
  /** Externals without a hostname: MT103 unless an MX target (MT308 says it then). */
  readonly requiredHostname: NodeDecl[] = [];
  /** The file whose last declaration had no block (its `{` forgotten): the statements after it are its contents. */
  blockless: LoadedFile | undefined = undefined;
  // Reused for every block (cleared per block: blocks do not nest). The
  // once-statements are a small list reused by count: a Map cleared per block
  // reallocates its table each time.
  readonly seenOnce = new SeenList();
  /** Routes by domain pattern (a block may hold thousands: a map). */
  readonly seenRoutes = new Map<string, Statement>();
  // Lists read from statements are shared between equal lists (frozen):
  // thousands of rules say `route * …` or `listen 25, 587`.
  readonly sharedStrings = new Map<string, string[]>();
  readonly sharedNumbers = new Map<string | number, number[]>();

  report(
    code: string,
    severity: Severity,
    file: string,
    range: Range,
    message: string,
    extra?: Partial<MtDiagnostic>,
  ): void {
    this.diags.push(
      extra ? { code, severity, message, file, range, ...extra } : { code, severity, message, file, range },
    );
  }
}

export const KIND_LIST = (k: string[]) => (k.length > 1 ? `${k.slice(0, -1).join(', ')} or ${k[k.length - 1]}` : k[0]);
export const article = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);
