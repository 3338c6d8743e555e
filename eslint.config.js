import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const HTTP = ['hono', 'hono/*', '@hono/*'];
const DB = ['better-sqlite3', 'pg', 'sqlite-vec', 'pgvector', 'pgvector/*', 'ioredis'];

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'web/dist', 'test-artifacts', '.tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Boundaries: nothing below http/ imports Hono; nothing outside store/ imports a database driver.
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/cli/**', 'src/main.ts', 'src/store/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...HTTP, ...DB] }] },
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts', 'src/main.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: DB }] },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: HTTP }] },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
