// Lint rules for the whole repository: typescript-eslint's recommended set, with the few
// exceptions this codebase makes on purpose (documented inline).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', '.build-*/**', 'node_modules/**', '.local/**', 'infra/.terraform/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Lazy loading of client libraries is deliberate (cold start): `require` inside a function.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `let [a, b] = ...` where only some are reassigned reads better than splitting it.
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
);
