// ESLint (flat config) for our own front-end code: plain ES modules, no build step.
// `make lint` runs it; webapp/static/vendor/ (copied from npm packages) is not ours to lint.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['webapp/static/vendor/**', 'node_modules/**', 'test-artifacts/**', 'build/**'] },
  js.configs.recommended,
  {
    files: ['webapp/static/js/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // Leaflet's `L` is loaded by the page before the maps' modules (folium's header).
      globals: { ...globals.browser, L: 'readonly' },
    },
    rules: {
      quotes: ['error', 'single', { avoidEscape: true }],
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    files: ['webapp/static/js/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
];
