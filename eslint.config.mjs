import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

// Only the platform adapters touch a mini-program global (DESIGN.md: "nothing above them says
// `wx.`"); the Node emulation of those globals lives in src/testing.
const platformGlobals = ['wx', 'my', 'tt', 'swan', 'qq', 'uni', 'Taro']
const message = 'reach the platform through src/platform/ (the injected `platform`), not a global'

export default defineConfig(
  { ignores: ['dist/', 'build/', 'coverage/', 'bench/results/', '**/miniprogram_npm/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mts,mjs}'],
    // examples/ is app code, as users write it: it may use the platform's globals.
    ignores: ['src/platform/**', 'src/testing/**', 'examples/**'],
    rules: {
      'no-restricted-globals': ['error', ...platformGlobals.map((name) => ({ name, message }))],
      'no-restricted-properties': [
        'error',
        ...platformGlobals.map((property) => ({ object: 'globalThis', property, message })),
      ],
      // `(globalThis as any).wx` hides the object from no-restricted-properties.
      'no-restricted-syntax': [
        'error',
        {
          selector: `MemberExpression[object.expression.name='globalThis'][property.name=/^(${platformGlobals.join('|')})$/]`,
          message,
        },
      ],
    },
  },
  { files: ['*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  // The demo mini-program is CommonJS with the mini-program globals (types: tsconfig.demo.json).
  {
    files: ['demo-miniprogram/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        wx: 'readonly',
        App: 'readonly',
        Component: 'readonly',
        getApp: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_`-prefixed names are deliberately unused (callback positions, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
)
