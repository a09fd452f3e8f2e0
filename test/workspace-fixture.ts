// Temporary workspaces for tests, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { openWorkspace, type Workspace } from '../src-main/store/workspace';

export function tempDir(prefix = 'lensdesk-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A factory of fresh workspaces for one test file: each is closed and deleted after its test
 * (call once at the top level of the file, where vitest's afterEach applies).
 */
export function tempWorkspaces(): () => Workspace {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((f) => f()));
  return () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const w = openWorkspace(t.dir);
    cleanups.unshift(() => w.close());
    return w;
  };
}

/** One workspace shared by all tests of a file, closed and deleted after the file (call at top level). */
export function fileWorkspace(): Workspace {
  const t = tempDir();
  const w = openWorkspace(t.dir);
  afterAll(() => {
    w.close();
    t.cleanup();
  });
  return w;
}
