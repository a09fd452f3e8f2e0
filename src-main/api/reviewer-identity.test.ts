// The reviewer identity belongs to the workspace (issue #19): `--reviewer NAME` and the UI's change
// are remembered, so a restart without --reviewer grades as the same person, not the OS user.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src-core/api/contract';
import { tempDir } from '../../test/workspace-fixture';
import { openWorkspace } from '../store/workspace';
import { Backend } from './backend';

const t = tempDir();
afterAll(() => t.cleanup());

async function reviewerAfterStart(reviewer?: string): Promise<string> {
  const b = new Backend(openWorkspace(join(t.dir, 'ws')), { mode: 'browser', reviewer });
  const info = (await b.call('session.info', {})) as SessionInfo;
  await b.close();
  return info.reviewer.name;
}

describe('reviewer identity across restarts', () => {
  it('keeps --reviewer NAME after a restart without it, and a change made in the app', async () => {
    expect(await reviewerAfterStart('alice')).toBe('alice');
    expect(await reviewerAfterStart()).toBe('alice');
    const b = new Backend(openWorkspace(join(t.dir, 'ws')), { mode: 'browser' });
    await b.call('reviewer.set', { name: 'bob' });
    await b.close();
    expect(await reviewerAfterStart()).toBe('bob');
    expect(await reviewerAfterStart('carol')).toBe('carol');
    expect(await reviewerAfterStart()).toBe('carol');
  });
});
