// `lensdesk blend-model train --simulate PRESET`: any survey preset, recorded in the card (its pixel scale is
// what blend-score checks cutouts against); an unknown preset is refused naming the known ones.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/workspace-fixture';
import type { CliIO } from '../command';
import { blendModelCommand } from './blend-model';

const io = (): CliIO & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal };
};
const dir = tempDir('lensdesk-blendmodel-').dir;

describe('blend-model train --simulate PRESET', () => {
  it('refuses an unknown preset naming the known ones', async () => {
    await expect(blendModelCommand.run(['train', '--simulate', 'sdss', '--out', join(dir, 'x')], io())).rejects.toThrow(/--simulate must name a survey preset \(lsst, des, hsc/);
  });

  it('trains a tiny DES model whose card records DES\'s 0.263″ pixels', async () => {
    const out = join(dir, 'des');
    expect(await blendModelCommand.run(['train', '--simulate', 'des', '--out', out, '--n-train', '50', '--n-test', '10', '--k', '4', '--steps', '5', '--hidden', '4', '--layers', '2', '--json'], io())).toBe(0);
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')) as { pixelScale: number; survey: string; data: string };
    expect(card).toMatchObject({ pixelScale: 0.263, survey: 'des' });
    expect(card.data).toMatch(/DES/);
  }, 300_000);
});
