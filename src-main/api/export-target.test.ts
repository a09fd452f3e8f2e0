// API exports (window / browser mode) are confined to the workspace's exports/ folder and never
// overwrite silently (issue #20); the CLI keeps --out PATH and needs --force to replace a file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-core/api/contract';
import { tempDir } from '../../test/workspace-fixture';
import { openWorkspace } from '../store/workspace';
import { Backend } from './backend';

const t = tempDir();
const ws = openWorkspace(join(t.dir, 'ws'));
const backend = new Backend(ws, { mode: 'browser', reviewer: 'tester' });
afterAll(async () => {
  await backend.close();
  t.cleanup();
});

async function finished(job: JobInfo): Promise<JobInfo> {
  for (let i = 0; i < 600; i++) {
    const j = (await backend.call('jobs.list', {}) as JobInfo[]).find((x) => x.id === job.id)!;
    if (j.state !== 'queued' && j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${job.id} did not finish in 60 s`);
}

describe('exports started through the API', () => {
  it('refuses absolute and relative paths, naming the field', async () => {
    for (const out of [join(t.dir, 'evil.csv'), '../evil.csv', 'sub/evil.csv', '.hidden', '/etc/passwd', 'a\\b.csv']) {
      await expect(backend.call('jobs.start', { kind: 'export', params: { format: 'csv', out } }), out).rejects.toMatchObject({
        code: 'EXPORT_PATH_REFUSED',
        details: { field: 'params.out' },
      });
    }
    expect(existsSync(join(t.dir, 'evil.csv'))).toBe(false);
  });

  it('writes a plain file name into exports/, and refuses to overwrite it unless asked', async () => {
    const job = await finished((await backend.call('jobs.start', { kind: 'export', params: { format: 'csv', out: 'mine.csv' } })) as JobInfo);
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const file = join(ws.dir, 'exports', 'mine.csv');
    expect(job.result?.path).toBe(file);
    expect(readFileSync(file, 'utf8')).toMatch(/^.*id,ra,dec/m);

    writeFileSync(file, 'precious');
    await expect(backend.call('jobs.start', { kind: 'export', params: { format: 'csv', out: 'mine.csv' } })).rejects.toMatchObject({ code: 'EXPORT_EXISTS' });
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const again = await finished((await backend.call('jobs.start', { kind: 'export', params: { format: 'csv', out: 'mine.csv', overwrite: true } })) as JobInfo);
    expect(again.state).toBe('done');
    expect(readFileSync(file, 'utf8')).not.toBe('precious');
  });
});
