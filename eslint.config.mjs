// Lint: typescript-eslint's recommended rules (syntax only, no type information, so it stays fast),
// plus the project's one hard rule: provider packages are imported by deep path, never from their root.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const DEEP_PATH_MESSAGE =
  'Import by deep path, e.g. @cdktf/provider-azurerm/lib/role-assignment: the package root loads every ' +
  'resource class (~3 s and ~420 MB per process).';
// The root, '/lib' and '/lib/index' of either provider package all load every class.
const PROVIDER_ROOT = '^@cdktf/provider-(azurerm|null)(/lib(/index(\\.js)?)?)?/?$';
const PROVIDER_ROOT_SELECTOR = `/${PROVIDER_ROOT.replaceAll('/', '\\/')}/`; // an esquery regex literal

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'packages/cdktn/build/', 'cdktf.out/', '.gen/', 'coverage/', '.bench/', '**/*.d.ts'],
  },
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: PROVIDER_ROOT, message: DEEP_PATH_MESSAGE }],
      }],
      // require() and import() calls, which the import rule does not see.
      'no-restricted-syntax': ['error',
        {
          selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${PROVIDER_ROOT_SELECTOR}]`,
          message: DEEP_PATH_MESSAGE,
        },
        {
          selector: `ImportExpression > Literal.source[value=${PROVIDER_ROOT_SELECTOR}]`,
          message: DEEP_PATH_MESSAGE,
        },
      ],
    },
  },
  {
    // Benchmark children time require() of the library and of provider modules: that is what they measure.
    files: ['bench/apps/**', 'bench/raw/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain CommonJS scripts and configs run by Node as they are.
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
