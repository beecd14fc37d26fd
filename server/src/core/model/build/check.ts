// The statement checker: one statement against its schema entry (arguments,
// options, value types), before any reader sees it. Runs for every statement:
// no per-statement arrays or maps (options are few, a scan finds a repeat).
import type { Arg, Scalar, Statement } from '../../syntax/ast';
import { argAt, argCount, itemAt, itemCount } from '../../syntax/parser';
import { describeType, type OptionSpec, type StatementSpec, type ValueType } from '../../schema/schema';
import { checkValue } from '../../schema/values';
import { didYouMean, nearest } from '../../schema/suggest';
import { firstOption } from './args';
import type { Build } from './context';

/** Check a statement's arguments and options against its spec. Returns false when unusable. */
export function checkStatement(b: Build, st: Statement, spec: StatementSpec, file: string): boolean {
  if (st.block) b.report('MT113', 'error', file, st.block.open, `'${spec.name}' takes no block`);
  let ok = true;
  const nargs = argCount(st);
  for (let ai = 0; ai < nargs; ai++) {
    const o = argAt(st, ai);
    if (o.key) ok = checkOption(b, st, spec, o, ai, file) && ok;
  }
  if (spec.options)
    for (const key in spec.options) {
      const os = spec.options[key];
      if (os.required && !firstOption(st, key, nargs)) {
        b.report('MT102', 'error', file, st.keyword.range, `'${spec.name}' needs ${key}=… (${describeType(os.type)})`);
        ok = false;
      }
    }
  return checkPositionals(b, st, spec, file) && ok;
}

/** One `key=value` option at argument index `ai`. */
function checkOption(b: Build, st: Statement, spec: StatementSpec, o: Arg, ai: number, file: string): boolean {
  const k = o.key!;
  const key = k.text;
  if (!spec.options) {
    b.report('MT108', 'error', file, k.range, `'${spec.name}' takes no options (got '${key}=')`);
    return false;
  }
  // never a prototype member ('__proto__=')
  const os: OptionSpec | undefined = Object.hasOwn(spec.options, key) ? spec.options[key] : undefined;
  if (!os) {
    const known = Object.keys(spec.options);
    b.report('MT108', 'error', file, k.range, `unknown option '${key}=' on '${spec.name}'${didYouMean(key, known)}`, {
      data: { suggestion: nearest(key, known) },
    });
    return false;
  }
  const prev = firstOption(st, key, ai);
  if (prev) {
    b.report('MT107', 'error', file, k.range, `option '${key}=' appears twice on '${spec.name}'`, {
      related: [{ file, range: prev.range, message: 'first given here' }],
    });
    return false;
  }
  const n = itemCount(o);
  if (!n) return false; // MT001 already
  if (!os.list && n > 1) {
    b.report('MT102', 'error', file, o.value.range, `option '${key}=' takes one value, got ${n}`);
    return false;
  }
  let ok = true;
  for (let j = 0; j < n; j++) ok = checkScalar(b, itemAt(o, j)!, os.type, file) && ok;
  return ok;
}

/** The positional arguments: `mx none`-style forms, each value, and the count. */
function checkPositionals(b: Build, st: Statement, spec: StatementSpec, file: string): boolean {
  const nargs = argCount(st);
  let npos = 0;
  let firstExtra: Arg | undefined;
  let lastPos: Arg | undefined;
  let ok = true;
  for (let ai = 0; ai < nargs; ai++) {
    const arg = argAt(st, ai);
    if (arg.key) continue;
    lastPos = arg;
    if (npos === spec.args.length) firstExtra ??= arg;
    npos++;
  }
  // `mx none`, `dnsbl none`
  if (spec.noneForm && npos === 1 && itemCount(lastPos!) === 1) {
    const only = itemAt(lastPos!, 0)!;
    if (only.text === 'none' && !only.quoted) return true;
  }
  for (let ai = 0, i = 0; ai < nargs && i < spec.args.length; ai++) {
    const arg = argAt(st, ai);
    if (arg.key) continue;
    const a = spec.args[i++];
    const n = itemCount(arg);
    if (!a.list && n > 1) {
      b.report('MT102', 'error', file, arg.value.range, `'${spec.name}' takes one ${a.label} here, got a list of ${n}`);
      ok = false;
      continue;
    }
    for (let j = 0; j < n; j++) ok = checkScalar(b, itemAt(arg, j)!, a.type, file) && ok;
  }
  if (firstExtra) {
    const count = `${spec.args.length} argument${spec.args.length === 1 ? '' : 's'}`;
    const range = { start: firstExtra.range.start, end: lastPos!.range.end };
    const labels = spec.args.map((a) => a.label).join(', ');
    b.report('MT102', 'error', file, range, `'${spec.name}' takes ${count} (${labels}), got ${npos}`);
    return false;
  }
  if (npos < spec.args.length && !spec.args[npos].optional) {
    const missing = spec.args[npos];
    const what = missing.label === spec.args[0].label && npos === 0 ? '' : 'a ';
    const none = spec.noneForm ? " or 'none'" : '';
    b.report(
      'MT102',
      'error',
      file,
      st.keyword.range,
      `'${spec.name}' needs ${what}${missing.label}: expected ${describeType(missing.type)}${none}`,
    );
    return false;
  }
  return ok;
}

export function checkScalar(b: Build, s: Scalar, t: ValueType, file: string): boolean {
  const p = checkValue(s, t);
  if (!p) return true;
  const data = t.t === 'enum' ? { suggestion: nearest(s.text, t.values) } : undefined;
  if (!s.unterminated) b.report(p.code, 'error', file, s.range, p.message, data ? { data } : undefined); // MT002 says it
  return false;
}
