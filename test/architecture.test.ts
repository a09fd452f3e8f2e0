// The dependency direction `src-renderer → src-core ← src-main`, checked three ways: the lint
// rule (and proof that it catches a violation), the src-core type check without Node types, and
// the built renderer bundle holding no Node import.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './shared';

describe('architecture', () => {
  const eslint = new ESLint({ cwd: PROJECT_ROOT });

  it('lint: src-core and src-renderer import no platform code', async () => {
    const results = await eslint.lintFiles(['src-core/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.svelte', 'src-main/**/*.ts']);
    expect(results.some((r) => r.filePath.endsWith('.svelte'))).toBe(true);
    const errors = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(errors).toEqual([]);
  }, 120_000);

  it('lint catches a violation (src-core importing node:fs, the renderer importing electron)', async () => {
    const [core] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", { filePath: join(PROJECT_ROOT, 'src-core/bad.ts') });
    expect(core!.messages.some((m) => m.ruleId === 'no-restricted-imports')).toBe(true);
    const [ui] = await eslint.lintText("import { ipcRenderer } from 'electron';\nexport const y = ipcRenderer;\n", { filePath: join(PROJECT_ROOT, 'src-renderer/bad.ts') });
    expect(ui!.messages.some((m) => m.ruleId === 'no-restricted-imports')).toBe(true);
  });

  it('lint catches a Svelte component importing Node, and the backend importing Electron or the renderer outside its entry files', async () => {
    const svelte = "<script lang=\"ts\">\n  import { readFileSync } from 'node:fs';\n  const x: unknown = readFileSync;\n</script>\n<p>{String(x)}</p>\n";
    const [comp] = await eslint.lintText(svelte, { filePath: join(PROJECT_ROOT, 'src-renderer/Bad.svelte') });
    expect(comp!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [job] = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", { filePath: join(PROJECT_ROOT, 'src-main/jobs/bad.ts') });
    expect(job!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [entry] = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", { filePath: join(PROJECT_ROOT, 'src-main/windows.ts') });
    expect(entry!.messages.filter((m) => m.severity === 2)).toEqual([]);
    const [back] = await eslint.lintText("import { api } from '../../src-renderer/lib/api';\nexport const b = api;\n", { filePath: join(PROJECT_ROOT, 'src-main/api/bad.ts') });
    expect(back!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it('lint catches the store importing an API request type, and lets it import response shapes (issue #19)', async () => {
    const [req] = await eslint.lintText("import type { ParsedParams } from '../../src-core/api/contract';\nexport type Q = ParsedParams<'candidates.list'>;\n", { filePath: join(PROJECT_ROOT, 'src-main/store/bad.ts') });
    expect(req!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [el] = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", { filePath: join(PROJECT_ROOT, 'src-main/store/bad.ts') });
    expect(el!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [ok] = await eslint.lintText("import type { CandidateRow } from '../../src-core/api/contract';\nexport type R = CandidateRow;\n", { filePath: join(PROJECT_ROOT, 'src-main/store/ok.ts') });
    expect(ok!.messages.filter((m) => m.severity === 2)).toEqual([]);
  });

  it('src-core type-checks with no Node or DOM types', () => {
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.core.json', '--noEmit'], {
      cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 250_000);

  const assets = join(PROJECT_ROOT, 'out/renderer/assets');
  it.skipIf(!existsSync(assets))('the built renderer bundle contains no Node or Electron import (skipped when not built)', () => {
    for (const f of readdirSync(assets).filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(join(assets, f), 'utf8');
      expect(js, f).not.toMatch(/from\s*["']node:|require\(["'](node:|fs|electron)/);
    }
  });
});
