// `lensdesk blend-score` with the bundled model (models/priors/morphology-flow-32) on simulated stamps
// none of which was in its training set, on the real HSC blend, and with a model folder that is not one.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { simBlended, simIsolated } from '../../../src-core/deblend/morphology-stamps';
import { writeStampFile } from '../../stamps/stamp-file';
import { bundledBlendModel } from '../../deblend/blend-model';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from '../../../test/shared';
import { tempDir } from '../../../test/workspace-fixture';
import type { CliIO } from '../command';
import { blendScoreCommand } from './blend-score';

function io(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal };
}
const dir = tempDir('lensdesk-blendcli-').dir;
function stamp(name: string, img: Float64Array, pixelScale = 0.2): string {
  const f = join(dir, `${name}.fits`), third = Float32Array.from(img, (v) => v / 3);
  writeStampFile(f, { width: 48, height: 48, bands: ['g', 'r', 'i'], planes: [third, third, third], ra: 150, dec: 2, pixelScale });
  return f;
}
async function score(file: string, extra: string[] = []): Promise<{ blendProbability: number; likelyBlend: boolean }> {
  const o = io();
  expect(await blendScoreCommand.run([file, '--json', ...extra], o)).toBe(0);
  return JSON.parse(o.lines.join('\n')) as { blendProbability: number; likelyBlend: boolean };
}

describe.skipIf(!bundledBlendModel())('blend-score CLI with the bundled model', () => {
  it('flags most artificial blends and few isolated galaxies (unseen seeds)', async () => {
    let iso = 0, bl = 0;
    for (let s = 0; s < 10; s++) {
      if ((await score(stamp(`i${s}`, simIsolated(700_000_000 + s).img))).likelyBlend) iso++;
      if ((await score(stamp(`b${s}`, simBlended(710_000_000 + s, 5, 9).img))).likelyBlend) bl++;
    }
    expect(bl).toBeGreaterThanOrEqual(8);
    expect(iso).toBeLessThanOrEqual(2);
  });

  it('refuses a cutout whose pixel scale differs from the model card\'s by > 10 %, scores it with --allow-scale-mismatch', async () => {
    const f = stamp('hst', simIsolated(700_100_000).img, 0.1);
    await expect(blendScoreCommand.run([f, '--json'], io())).rejects.toThrow(/0\.100″ pixels but the blend model was trained at 0\.200″/);
    const o = io();
    expect(await blendScoreCommand.run([f, '--json', '--allow-scale-mismatch'], o)).toBe(0);
    const j = JSON.parse(o.lines.join('\n')) as { pixelScale: { status: string; cutout: number; model: number }; warnings: string[] };
    expect(j.pixelScale).toEqual({ cutout: 0.1, model: 0.2, status: 'mismatch' });
    expect(j.warnings[0]).toMatch(/differs by 50 %/);
    const ok = io();
    expect(await blendScoreCommand.run([stamp('lsst', simIsolated(700_100_001).img, 0.21), '--json'], ok)).toBe(0);
    expect((JSON.parse(ok.lines.join('\n')) as { pixelScale: { status: string } }).pixelScale.status).toBe('match');
  });

  it('names a folder that holds no model', async () => {
    await expect(blendScoreCommand.run([stamp('x', simIsolated(1).img), '--model', dir], io())).rejects.toThrow(new RegExp(`no blend model in ${dir}`));
  });
});

describe.skipIf(!HAS_SHARED || !bundledBlendModel())(`blend-score on the real HSC blend (${SHARED_SKIP_REASON})`, () => {
  it('refuses hsc_cosmos.fits at HSC\'s 0.168″ (16 % off the LSST model), and flags it (six catalogued sources) when allowed', async () => {
    const f = join(SHARED_DIR, 'data', 'blends', 'hsc_cosmos.fits');
    await expect(blendScoreCommand.run([f, '--json'], io())).rejects.toThrow(/0\.168″ pixels/);
    expect((await score(f, ['--allow-scale-mismatch'])).likelyBlend).toBe(true);
  });
});
