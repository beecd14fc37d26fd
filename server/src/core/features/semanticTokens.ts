// Semantic tokens: what the TextMate grammar cannot know. Statement keywords,
// option keys, enum values and built-ins, and names coloured by what they
// declare or refer to (domains, nodes, networks, policies).
import type { Range, SemanticTokens } from 'vscode-languageserver-types';
import type { Scalar, Statement } from '../syntax/ast';
import { RESERVED_WORDS, SCHEMA, type ValueType } from '../schema/schema';
import type { FeatureContext } from './context';
import { blockKindOf } from './locate';

export const TOKEN_TYPES = [
  'keyword',
  'property',
  'enumMember',
  'namespace',
  'class',
  'struct',
  'interface',
  'string',
  'number',
  'variable',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;
export const SEMANTIC_LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
const T = (t: TokenType) => TOKEN_TYPES.indexOf(t);
const DECL = 1,
  BUILTIN = 2;

const KIND_TOKEN: Record<string, TokenType> = {
  domain: 'namespace',
  gateway: 'class',
  server: 'class',
  pool: 'class',
  external: 'class',
  network: 'struct',
  policy: 'interface',
};

interface Tok {
  line: number;
  char: number;
  len: number;
  type: number;
  mods: number;
}

const NUMERIC: Array<ValueType['t']> = ['port', 'int', 'number', 'duration', 'size'];

export function semanticTokens(ctx: FeatureContext, range?: Range): SemanticTokens {
  const toks: Tok[] = [];
  const refKind = new Map<string, string>();
  for (const r of ctx.model.references)
    if (r.file === ctx.file) refKind.set(`${r.range.start.line}:${r.range.start.character}`, r.target.kind);
  const declKind = new Map<string, string>();
  for (const d of ctx.model.decls)
    if (d.file === ctx.file) declKind.set(`${d.nameRange.start.line}:${d.nameRange.start.character}`, d.kind);

  const push = (s: Scalar, type: number, mods = 0) => {
    const r = s.range;
    if (r.start.line !== r.end.line || r.end.character <= r.start.character) return;
    toks.push({ line: r.start.line, char: r.start.character, len: r.end.character - r.start.character, type, mods });
  };
  const valueTok = (s: Scalar, t: ValueType | undefined) => {
    const key = `${s.range.start.line}:${s.range.start.character}`;
    const rk = refKind.get(key);
    if (rk) return push(s, T(KIND_TOKEN[rk] ?? 'variable'));
    if (s.quoted) return push(s, T('string'));
    if (!t) return;
    if (
      RESERVED_WORDS.includes(s.text) ||
      t.t === 'enum' ||
      ((t.t === 'ref' || t.t === 'netlist') && (t.t === 'netlist' ? s.text === 'any' : t.builtins?.includes(s.text)))
    ) {
      return push(s, T('enumMember'), RESERVED_WORDS.includes(s.text) || t.t !== 'enum' ? BUILTIN : 0);
    }
    if (NUMERIC.includes(t.t)) return push(s, T('number'));
  };

  const inRange = (st: Statement) =>
    !range || (st.range.end.line >= range.start.line && st.range.start.line <= range.end.line);
  for (const top of ctx.parsed.statements) {
    if (!inRange(top)) continue;
    push(top.keyword, T('keyword'));
    for (const a of top.args) {
      for (const s of a.value.items) {
        const dk = declKind.get(`${s.range.start.line}:${s.range.start.character}`);
        if (dk) push(s, T(KIND_TOKEN[dk] ?? 'variable'), DECL);
        else if (s.quoted) push(s, T('string'));
      }
    }
    const kind = blockKindOf(top);
    for (const st of top.block?.statements ?? []) {
      if (!inRange(st)) continue;
      const spec = kind ? SCHEMA[kind].statements[st.keyword.text] : undefined;
      if (spec) push(st.keyword, T('keyword'));
      let idx = 0;
      for (const a of st.args) {
        let t: ValueType | undefined;
        if (a.key) {
          const o = spec?.options?.[a.key.text];
          if (o) push(a.key, T('property'));
          t = o?.type;
        } else {
          const i = idx++;
          const spec0 = spec?.args[Math.min(i, (spec?.args.length ?? 1) - 1)];
          t = spec && i < spec.args.length ? spec0?.type : undefined;
          if (spec?.noneForm && i === 0 && a.value.items.length === 1 && a.value.items[0].text === 'none')
            t = { t: 'enum', values: ['none'] };
        }
        for (const s of a.value.items) valueTok(s, t);
      }
    }
  }
  toks.sort((a, b) => a.line - b.line || a.char - b.char);
  const data: number[] = [];
  let pl = 0,
    pc = 0;
  for (const t of toks) {
    const dl = t.line - pl;
    data.push(dl, dl === 0 ? t.char - pc : t.char, t.len, t.type, t.mods);
    pl = t.line;
    pc = t.char;
  }
  return { data };
}
