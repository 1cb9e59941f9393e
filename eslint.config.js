// `npm run lint` (part of npm test): ESLint's and typescript-eslint's recommended rules; formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // assembly/ is AssemblyScript (its decorators are not TypeScript's): asc checks it.
  { ignores: ['dist/', 'build/', '.cache/', 'node_modules/', 'assembly/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Unused names are the compiler's job (noUnusedLocals / noUnusedParameters); `_` marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Ambient declarations mirror the platforms' own typings, which declare globals with `var` and `any`.
    files: ['**/*.d.ts'],
    rules: {
      'no-var': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    // memscope's own plugins are written against the published contract alone, like anyone's (src/plugins/README.md):
    // ../api.ts (its types), plugin-side helpers in src/plugins/common/ and their own OS folder — nothing of the engine.
    files: ['src/plugins/{common,linux,physical,windows}/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.\\./api\\.ts$|\\.\\./plugin\\.ts$|\\.\\./(common|linux|physical|windows)/[^/]+$|\\./[^/]+$)',
              message: 'a built-in plugin imports only the published contract (../api.ts) and plugin-side helpers (../common/, its own folder)',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read raw JSON (ISF files, truth.json) whose shape is what they check.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
