// `lensdesk train` refuses to overwrite a folder that already holds a model (issue 19: the README's
// reproduce command wrote over the bundled model it was meant to be compared with).
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../test/shared';
import { tempDir } from '../../../test/workspace-fixture';
import type { CliIO } from '../command';
import { trainCommand } from './train';

const io: CliIO = { out: () => undefined, err: () => undefined, progress: () => undefined, signal: new AbortController().signal };
const t = tempDir('lensdesk-train-cli-');
afterAll(() => t.cleanup());

describe('lensdesk train --out', () => {
  it('refuses a folder holding a model (card.json) unless --force', { timeout: 60_000 }, async () => {
    const out = join(t.dir, 'model');
    cpSync(join(PROJECT_ROOT, 'models', 'cmudeeplens-lsst', 'card.json'), join(out, 'card.json'), { recursive: true });
    await expect(trainCommand.run(['--simulate', 'lsst', '--count', '8', '--backend', 'cpu', '--out', out], io)).rejects.toThrow(/already holds a model.*--force/);
  });
});
