// Top-level statements: `import` (loaded by the workspace; only its shape is
// checked here), `options`, and each declaration's head (its name, MT104
// duplicates) before its block is read.
import type { Scalar, Statement } from '../../syntax/ast';
import { keywordOf } from '../../syntax/parser';
import { SCHEMA, TOP_LEVEL_KEYWORDS, type DeclKind, type ValueType } from '../../schema/schema';
import { checkValue } from '../../schema/values';
import { didYouMean, nearest } from '../../schema/suggest';
import { emptySet } from '../addr';
import { normalizeHost } from '../names';
import type { Decl } from '../types';
import type { LoadedFile } from '../workspace';
import { readBlock } from './block';
import { KIND_LIST, article, type Build } from './context';
import { NodeAt } from './objects';
import { remember, reuseDeclaration } from './reuse';

const NAME_TYPE: ValueType = { t: 'name' };
const DOMAIN_TYPE: ValueType = { t: 'domain' };

/** One top-level statement of a file (in workspace order: imports count at their line). */
export function readTopLevel(b: Build, lf: LoadedFile, stmt: Statement): void {
  const file = lf.display;
  const kw = keywordOf(stmt);
  const topLevel = TOP_LEVEL_KEYWORDS.includes(kw);
  if (topLevel) b.blockless = undefined;
  if (kw === 'import') return checkImport(b, file, stmt);
  if (!topLevel) return notADeclaration(b, lf, stmt, kw);
  if (kw === 'options') return readOptionsBlock(b, lf, stmt);
  readDeclaration(b, lf, stmt, kw as DeclKind);
}

function checkImport(b: Build, file: string, stmt: Statement): void {
  const a = stmt.args;
  if (a.length !== 1 || a[0].key || a[0].value.items.length !== 1 || !a[0].value.items[0].quoted)
    b.report(
      'MT102',
      'error',
      file,
      a.length ? { start: a[0].range.start, end: a[a.length - 1].range.end } : stmt.keyword.range,
      `'import' takes one quoted path, e.g. import "domains.mailtopo"`,
    );
  if (stmt.block) b.report('MT113', 'error', file, stmt.block.open, "'import' takes no block");
}

function notADeclaration(b: Build, lf: LoadedFile, stmt: Statement, kw: string): void {
  const inBlock = Object.entries(SCHEMA)
    .filter(([, spec]) => Object.hasOwn(spec.statements, kw))
    .map(([k]) => (k === 'options' ? "an 'options' block" : article(k)));
  if (inBlock.length && b.blockless === lf) return; // MT113 on the declaration above says it
  const msg = inBlock.length
    ? `'${kw}' is not a declaration: it belongs inside ${KIND_LIST(inBlock)}`
    : `unknown declaration '${kw}'${didYouMean(kw, TOP_LEVEL_KEYWORDS)}`;
  b.report('MT101', 'error', lf.display, stmt.keyword.range, msg, {
    data: { suggestion: nearest(kw, TOP_LEVEL_KEYWORDS) },
  });
}

function readOptionsBlock(b: Build, lf: LoadedFile, stmt: Statement): void {
  const file = lf.display;
  if (stmt.args.length) b.report('MT102', 'error', file, stmt.args[0].range, "'options' takes no arguments");
  if (!stmt.block) {
    b.report('MT113', 'error', file, stmt.keyword.range, "'options' needs a block: options { … }");
    b.blockless = lf;
    return;
  }
  const seen = b.optionsSeen;
  if (seen)
    b.report('MT107', 'error', file, stmt.keyword.range, "a second 'options' block: a workspace has one", {
      related: [{ file: seen.file, range: seen.range, message: 'first options block' }],
    });
  else b.optionsSeen = { file, range: stmt.keyword.range };
  readBlock(b, stmt, 'options', file, undefined);
}

function readDeclaration(b: Build, lf: LoadedFile, stmt: Statement, kind: DeclKind): void {
  if (b.reuse && reuseDeclaration(b, lf, stmt, (d) => declare(b, d, lf.display))) return;
  const file = lf.display;
  const d0 = b.diags.length;
  const p0 = b.pending.length;
  const h0 = b.requiredHostname.length;
  const what = kind === 'domain' ? 'domain name' : 'name';
  const pos = stmt.args.filter((a) => !a.key); // once per declaration, not per statement
  const nameScalar = pos[0]?.value.items[0];
  for (const o of stmt.args)
    if (o.key) b.report('MT108', 'error', file, o.key.range, `a '${kind}' declaration takes no options`);
  if (!nameScalar) {
    b.report('MT102', 'error', file, stmt.keyword.range, `'${kind}' needs a ${what}`);
    if (stmt.block) readBlock(b, stmt, kind, file, undefined);
    return;
  }
  if (pos.length > 1 || pos[0].value.items.length > 1) {
    const range = { start: (pos[1] ?? pos[0]).range.start, end: pos[pos.length - 1].range.end };
    b.report('MT102', 'error', file, range, `'${kind}' takes one ${what}`);
  }
  const p = checkValue(nameScalar, kind === 'domain' ? DOMAIN_TYPE : NAME_TYPE);
  if (p && !nameScalar.unterminated) b.report(p.code, 'error', file, nameScalar.range, p.message);
  if (!stmt.block) {
    const head = `${kind} ${nameScalar.text}`;
    b.report('MT113', 'error', file, stmt.keyword.range, `'${head}' needs a block: ${head} { … }`);
    b.blockless = lf;
  }
  const decl = newDecl(kind, nameScalar, file, stmt, b.order++);
  const head = b.reuse ? b.diags.slice(d0) : undefined;
  if (!p) declare(b, decl, file);
  const d1 = b.diags.length;
  if (stmt.block) readBlock(b, stmt, kind, file, decl);
  if (head)
    remember(b, stmt, {
      file,
      decl,
      declared: !p,
      head,
      body: b.diags.slice(d1),
      pending: b.pending.slice(p0),
      requiredHostname: b.requiredHostname.length > h0,
    });
}

function newDecl(kind: DeclKind, nameScalar: Scalar, file: string, stmt: Statement, order: number): Decl {
  if (kind === 'gateway' || kind === 'server' || kind === 'pool' || kind === 'external')
    return new NodeAt(kind, nameScalar.text, file, nameScalar, stmt, order, stmt.leadingComments);
  const name = kind === 'domain' ? normalizeHost(nameScalar.text) : nameScalar.text;
  const nameRange = nameScalar.range;
  const doc = stmt.leadingComments;
  // Literals with every field, optional ones undefined, in one order: all
  // declarations of a kind share one hidden class, so the analysis reads
  // their fields at one place in the code with one check, not a lookup (made
  // by spreading a base object, 100 domains had 98 classes).
  switch (kind) {
    case 'network':
      return { kind, name, file, nameRange, stmt, order, doc, cidrs: [], set: emptySet() };
    case 'domain':
      return {
        kind,
        name,
        file,
        nameRange,
        stmt,
        order,
        doc,
        mx: [],
        mxNone: undefined,
        spf: undefined,
        dmarc: undefined,
        mtaSts: undefined,
        tlsRpt: undefined,
      };
    case 'policy':
      return {
        kind,
        name,
        file,
        nameRange,
        stmt,
        order,
        doc,
        antivirus: undefined,
        antispam: undefined,
        method: 'milter',
        methodStmt: undefined,
        attachments: [],
        maxSize: undefined,
        onVirus: 'reject',
        onVirusStmt: undefined,
        licenses: undefined,
        licensesStmt: undefined,
        scanner: undefined,
      };
  }
}

/** Record a declaration; MT104 when its name (or domain) is taken. */
function declare(b: Build, d: Decl, file: string): void {
  const model = b.model;
  model.decls.push(d);
  if (d.kind === 'domain') {
    const prev = b.domainByName.get(d.name);
    if (prev)
      b.report('MT104', 'error', file, d.nameRange, `domain '${d.name}' is declared twice`, {
        related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }],
      });
    else b.domainByName.set(d.name, d);
    model.domains.push(d);
    return;
  }
  const prev = model.byName.get(d.name);
  if (prev) {
    b.report('MT104', 'error', file, d.nameRange, `'${d.name}' is already declared as ${article(prev.kind)}`, {
      related: [{ file: prev.file, range: prev.nameRange, message: 'first declared here' }],
    });
    return;
  }
  model.byName.set(d.name, d);
  if (d.kind === 'network') model.networks.push(d);
  else if (d.kind === 'policy') model.policies.push(d);
  else model.nodes.push(d);
}
