// npm run lint (part of npm test): typescript-eslint with type information over src/. The rules
// beyond "recommended" are the ones that catch what reviews here keep finding: a promise nobody
// awaits or catches, and a switch over a union that forgets a case.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.ci/**', 'bench/**', 'test/**', 'scripts/**', 'examples/**', 'eslint.config.mjs'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Node-RED's own idiom in node constructors: `const node = this` for the callbacks
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
);
