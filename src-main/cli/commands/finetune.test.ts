// `lensdesk finetune` argument parsing (the job itself: src-main/jobs/kinds/finetune.test.ts).
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../command';
import { finetuneCommand } from './finetune';

const io: CliIO = { out: () => undefined, err: () => undefined, progress: () => undefined, signal: new AbortController().signal };

describe('lensdesk finetune', () => {
  it('refuses a malformed --mapping or --weights before touching a workspace', async () => {
    await expect(finetuneCommand.run(['--mapping', 'A'], io)).rejects.toThrow(/--mapping: expected GRADE=VALUE/);
    await expect(finetuneCommand.run(['--weights', 'B'], io)).rejects.toThrow(/--weights: expected GRADE=VALUE/);
    await expect(finetuneCommand.run(['--promote', '--no-promote'], io)).rejects.toThrow(/contradict/);
  });
});
