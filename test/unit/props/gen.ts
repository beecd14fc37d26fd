// Arbitraries for the property tests: mutations of the samples, and random
// syntactically valid documents (words, strings, options, comma lists across
// lines, blocks, comments, `;`, odd spacing).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { TOP_LEVEL_KEYWORDS } from '../../../server/src/core/schema/schema';

export const SAMPLE_FILES = [
  'samples/companyabc.mailtopo',
  'samples/small-office.mailtopo',
  'samples/cloud-filter.mailtopo',
  'samples/multi/main.mailtopo',
  'samples/multi/domains.mailtopo',
  'samples/multi/infrastructure.mailtopo',
];
export const SAMPLES = SAMPLE_FILES.map((f) => readFileSync(f, 'utf8'));

/** No file exists: imports are MT110, never a disk read. */
export const NO_FILES = { readFile: () => undefined };

const SYNTAX_CHARS = [
  '{',
  '}',
  ',',
  ';',
  '=',
  '"',
  '#',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\t',
  '\\',
  '*',
  '.',
  ':',
  '/',
  '@',
  '-',
  '\u0000',
  '\u00e9',
  '\ud83d\ude00',
  '\ud800',
  '\ufeff',
];

/** One character or short run to insert: syntax characters, any UTF-16 unit, or arbitrary text. */
export const insertion: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SYNTAX_CHARS),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    ...TOP_LEVEL_KEYWORDS,
    'role',
    'none',
    'any',
    'direct',
    'mx',
    'via=',
    'from=',
    '10.0.0.0/8',
    'a.example.com',
    '__proto__',
    'constructor',
    'toString=',
    'hasOwnProperty',
  ),
);

export type Mutation =
  | { k: 'delChar'; at: number; n: number }
  | { k: 'insChar'; at: number; s: string }
  | { k: 'dupChar'; at: number; n: number }
  | { k: 'delLine'; at: number }
  | { k: 'insLine'; at: number; s: string }
  | { k: 'dupLine'; at: number }
  | { k: 'swapLines'; a: number; b: number }
  | { k: 'bytes'; at: number; bytes: number[] };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('delChar' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ k: fc.constant('insChar' as const), at: fc.nat(), s: insertion }),
  fc.record({ k: fc.constant('dupChar' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ k: fc.constant('delLine' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insLine' as const), at: fc.nat(), s: fc.oneof(insertion, fc.string({ maxLength: 40 })) }),
  fc.record({ k: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    k: fc.constant('bytes' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
);

export function applyMutation(text: string, m: Mutation): string {
  const len = text.length;
  switch (m.k) {
    case 'delChar': {
      const at = len ? m.at % len : 0;
      return text.slice(0, at) + text.slice(at + m.n);
    }
    case 'insChar': {
      const at = m.at % (len + 1);
      return text.slice(0, at) + m.s + text.slice(at);
    }
    case 'dupChar': {
      if (!len) return text;
      const at = m.at % len;
      return text.slice(0, at) + text[at].repeat(m.n) + text.slice(at);
    }
    case 'bytes': {
      const at = m.at % (len + 1);
      return text.slice(0, at) + Buffer.from(m.bytes).toString('latin1') + text.slice(at);
    }
    default: {
      const lines = text.split('\n');
      const n = lines.length;
      if (m.k === 'delLine') lines.splice(m.at % n, 1);
      else if (m.k === 'insLine') lines.splice(m.at % (n + 1), 0, m.s);
      else if (m.k === 'dupLine') {
        const i = m.at % n;
        lines.splice(i, 0, lines[i]);
      } else {
        const a = m.a % n,
          b = m.b % n;
        [lines[a], lines[b]] = [lines[b], lines[a]];
      }
      return lines.join('\n');
    }
  }
}

/** A sample with 1..8 mutations applied. */
export const mutatedSample: fc.Arbitrary<string> = fc
  .tuple(fc.nat({ max: SAMPLES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([i, ms]) => ms.reduce(applyMutation, SAMPLES[i]));

// ---- syntactically valid documents -------------------------------------------------

const TOP = new Set(TOP_LEVEL_KEYWORDS);
const word = fc.stringMatching(/^[A-Za-z0-9_*:][A-Za-z0-9_.:/*@+-]{0,10}$/).filter((w) => !TOP.has(w));
const strBody = fc
  .array(
    fc.oneof(
      fc.constantFrom('\\"', '\\\\', ' ', '#', '{', '}', ';', ',', '=', 'v=spf1', '\u00e9'),
      fc.stringMatching(/^[^"\\\n\r]{0,6}$/),
    ),
    { maxLength: 5 },
  )
  .map((parts) => `"${parts.join('')}"`);
const scalar = fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: strBody });
const sp = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \t ');
const comment = fc.stringMatching(/^[^\n\r]{0,20}$/).map((c) => `#${c}`);

/** A comma list, sometimes broken over lines, with comments between the lines. */
const value = fc
  .tuple(
    scalar,
    fc.array(
      fc.tuple(scalar, fc.constantFrom(', ', ',', ' , ', ',\n    ', ', # note\n   ', ',\n\n  # between\n     ')),
      { maxLength: 3 },
    ),
  )
  .map(([first, rest]) => first + rest.map(([s, sep]) => sep + s).join(''));
const arg = fc.oneof(
  value,
  fc.tuple(word, value).map(([k, v]) => `${k}=${v}`),
);

export interface Doc {
  text: string;
}
const statementAt = (depth: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      word,
      fc.array(
        fc.tuple(sp, arg).map(([s, a]) => s + a),
        { maxLength: 4 },
      ),
      depth < 3
        ? fc.option(
            fc.array(
              fc.oneof(
                { weight: 5, arbitrary: fc.constant(null).chain(() => statementAt(depth + 1)) },
                { weight: 1, arbitrary: comment },
                { weight: 1, arbitrary: fc.constant('') },
              ),
              { maxLength: 4 },
            ),
            { nil: undefined },
          )
        : fc.constant(undefined),
      fc.option(comment, { nil: undefined }),
      fc.constantFrom('\n', '\n', ';\n', '\r\n'),
      fc.constantFrom(' {}', ' { }', '{}', ' {\n}'),
    )
    .map(([kw, args, block, trailing, end, empty]) => {
      const ind = '  '.repeat(depth + 1);
      let s = kw + args.join('');
      if (block !== undefined) {
        if (!block.length) s += empty;
        else
          s +=
            ' {\n' +
            block.map((b) => (b === '' ? '' : ind + b.replace(/\n(?=.)/g, `\n${ind}`))).join('\n') +
            '\n' +
            '  '.repeat(depth) +
            '}';
      }
      if (trailing !== undefined) s += ' ' + trailing;
      return s + (block !== undefined && end === ';\n' ? '\n' : end);
    });

/** A document that parses without a syntax error. */
export const validDoc: fc.Arbitrary<Doc> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: statementAt(0) },
      { weight: 1, arbitrary: comment.map((c) => c + '\n') },
      { weight: 1, arbitrary: fc.constantFrom('\n', '\n\n\n', '   \n') },
    ),
    { maxLength: 8 },
  )
  .map((parts) => ({ text: parts.join('') }));
