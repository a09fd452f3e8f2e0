// Lint with one job above all: keep the dependency direction `src-renderer → src-core ← src-main`.
// src-core is pure (no Node, Electron, database or DOM); the renderer never imports Node or Electron.
import tseslint from 'typescript-eslint';
import sveltePlugin from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'util', 'stream', 'zlib', 'module', 'events'];
const platform = [...nodeBuiltins, 'electron', 'better-sqlite3', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'ws'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    files: ['src-core/**/*.ts'],
    ignores: ['src-core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: platform, message: 'src-core is pure: no Node, Electron, database or native packages. Put platform code in src-main.' },
          { group: ['**/src-main/**', '**/src-renderer/**', '../../src-main/*', '../../src-renderer/*'], message: 'src-core imports neither src-main nor src-renderer.' },
        ],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
  // Svelte components are linted like the renderer's TypeScript (their <script> blocks), so the
  // import rules below hold for them too (issue #19: the gate skipped .svelte files).
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    plugins: { svelte: sveltePlugin },
    rules: { 'svelte/no-at-html-tags': 'error', 'svelte/valid-compile': 'off' },
  },
  // The backend never reaches into the renderer, and only the Electron entry files import Electron:
  // everything else in src-main runs in plain Node (browser mode, CLI, workers, tests).
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/index.ts', 'src-main/windows.ts', 'src-main/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'Only src-main/index.ts, windows.ts and preload.ts import Electron; the rest of the backend runs in plain Node too.' },
          { group: ['**/src-renderer/**', '../src-renderer/*', '../../src-renderer/*'], message: 'The backend does not import the renderer; share types through src-core.' },
        ],
      }],
    },
  },
  // The store takes its own plain types (e.g. CandidateQuery in src-main/store/candidates.ts), never
  // the API's request types or schemas: the API adapts to the store, not the reverse (issue #19).
  // Flat config replaces a rule's options per block, so the src-main patterns above are repeated.
  {
    files: ['src-main/store/**/*.ts'],
    ignores: ['src-main/store/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{
          name: '../../src-core/api/contract',
          importNames: ['ParsedParams', 'Params', 'schemas', 'CandidateFilter', 'candidateFilter'],
          message: 'The store does not take API request types: define a plain store type (see CandidateQuery in store/candidates.ts); response/data shapes (CandidateRow, JobInfo, …) are fine.',
        }],
        patterns: [
          { group: ['electron', 'electron/*'], message: 'Only src-main/index.ts, windows.ts and preload.ts import Electron; the rest of the backend runs in plain Node too.' },
          { group: ['**/src-renderer/**', '../src-renderer/*', '../../src-renderer/*'], message: 'The backend does not import the renderer; share types through src-core.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/index.ts', 'src-main/windows.ts', 'src-main/preload.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/src-renderer/**', '../src-renderer/*'], message: 'The backend does not import the renderer; share types through src-core.' }],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: platform, message: 'The renderer runs in a sandboxed page: no Node or Electron; talk to the backend through lib/api.ts.' },
          { group: ['**/src-main/**'], message: 'The renderer reaches src-main only through the API contract.' },
        ],
      }],
    },
  },
);
