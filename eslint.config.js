// Lint with one job above all: keep the dependency direction `src-renderer → src-core ← src-main`.
// src-core is pure (no Node, Electron, database or DOM); the renderer never imports Node or Electron.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'util', 'stream', 'zlib', 'module', 'events'];
const platform = [...nodeBuiltins, 'electron', 'better-sqlite3', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node', 'ws'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/*.svelte'] },
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
  {
    files: ['src-renderer/**/*.ts'],
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
