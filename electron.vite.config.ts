// Builds three targets: the main side (Electron entry, browser-mode server, CLI and job worker —
// the last three import nothing from electron so plain `node` runs them), the sandboxed preload
// (CommonJS, as sandboxed preloads cannot be ES modules) and the Svelte renderer.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import pkg from './package.json' with { type: 'json' };

const deps = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
];
// Packages stay in node_modules (fflate's Node build declares its own `require`, which clashes
// with the bundle's ESM shim); zod is bundled.
const external = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...deps.filter((d) => d !== 'zod'),
].flatMap((d) => [d, new RegExp(`^${d.replace(/[/.]/g, '\\$&')}/`)]);

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      target: 'node20',
      minify: false,
      sourcemap: true,
      externalizeDeps: false,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/index.ts'),
          serve: resolve(__dirname, 'src-main/serve/serve-entry.ts'),
          cli: resolve(__dirname, 'src-main/cli/entry.ts'),
          'job-worker': resolve(__dirname, 'src-main/jobs/worker-entry.ts'),
          'simulate-worker': resolve(__dirname, 'src-main/workers/simulate-worker.ts'),
          'fit-worker': resolve(__dirname, 'src-main/workers/fit-worker.ts'),
          'deblend-worker': resolve(__dirname, 'src-main/workers/deblend-worker.ts'),
        },
        external,
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [svelte({ configFile: resolve(__dirname, 'src-renderer/svelte.config.js') })],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      target: 'chrome120',
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
