// One lint setup for the whole tree: typescript-eslint with type information,
// so promises that nobody awaits, exhaustive switches and type-only imports are
// checked, not just style. Formatting is Prettier's job (npm run format:check).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The core (server/src/core) runs in the CLI and the tests without an editor:
// no LSP runtime (its plain data types are fine). Rules never depend on how a
// file is generated. See docs/ARCHITECTURE.md.
const CORE_NO_LSP = [
  { name: 'vscode', message: 'server/src/core runs without an editor: no vscode imports.' },
  {
    name: 'vscode-languageserver',
    allowTypeImports: true,
    message: 'server/src/core imports no LSP runtime: use vscode-languageserver-types.',
  },
];
const CORE_NO_LSP_PATTERNS = [
  {
    group: ['vscode-languageserver/*'],
    allowTypeImports: true,
    message: 'server/src/core imports no LSP runtime: use vscode-languageserver-types.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      'test/vscode/.cache/**',
      'test/artifacts/**',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'all',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-unused-labels': 'error',
      'no-unused-private-class-members': 'error',
    },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: CORE_NO_LSP, patterns: CORE_NO_LSP_PATTERNS }],
    },
  },
  {
    files: ['server/src/core/rules/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: CORE_NO_LSP,
          patterns: [
            ...CORE_NO_LSP_PATTERNS,
            {
              group: ['**/generate', '**/generate/*'],
              message: 'rules never import generators (docs/ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
);
