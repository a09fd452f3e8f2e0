import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../../test/shared';
import { decodePng } from '../../../src-core/image/png-decode';
import type { CliIO } from '../command';
import { renderCommand } from './render';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function io(): CliIO & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (t) => stdout.push(t), err: () => undefined, progress: () => undefined, signal: new AbortController().signal };
}

describe.skipIf(!HAS_SHARED)(`lensdesk render (${HAS_SHARED ? 'reference files present' : SHARED_SKIP_REASON})`, () => {
  it('three bands --lupton reproduces astropy make_lupton_rgb PNG (origin lower)', async () => {
    const out = join(dir, 'khj.png');
    const o = io();
    const args = [sharedFits('gc_2mass_k.fits'), sharedFits('gc_2mass_h.fits'), sharedFits('gc_2mass_j.fits'), '--lupton', '--q', '8', '--stretch', '120', '--minimum', '535,509,156', '--out', out, '--json'];
    expect(await renderCommand.run(args, o)).toBe(0);
    expect(JSON.parse(o.stdout[0]!)).toMatchObject({ width: 721, height: 720, mode: 'lupton', origin: 'lower' });
    const mine = decodePng(readFileSync(out));
    const ref = decodePng(readFileSync(sharedFits('lupton_rgb_2mass_KHJ.png')));
    expect(Buffer.from(mine.data).equals(Buffer.from(ref.data))).toBe(true);
  });
  it('single band zscale + asinh on the DECam HDU 1: limits = astropy zscale; bottom PNG row = first FITS row', async () => {
    const out = join(dir, 'decam.png');
    const o = io();
    expect(await renderCommand.run([sharedFits('c4d_150329_083505_ooi_g_ls9.N11.fits'), '--hdu', '1', '--interval', 'zscale', '--stretch', 'asinh', '--out', out, '--json'], o)).toBe(0);
    const rep = JSON.parse(o.stdout[0]!);
    const ref = JSON.parse(readFileSync(sharedFits('c4d_150329_083505_ooi_g_ls9.N11.fits.ref.json'), 'utf8'));
    const z = ref.hdus[1].stats.zscale.limits;
    expect(rep.limits[0]).toBeCloseTo(z[0], 9);
    expect(rep.limits[1]).toBeCloseTo(z[1], 9);
    const png = decodePng(readFileSync(out));
    expect([png.width, png.height, png.channels]).toEqual([41, 51, 1]);
    // --origin upper gives the same rows in reverse order
    const up = join(dir, 'decam-up.png');
    await renderCommand.run([sharedFits('c4d_150329_083505_ooi_g_ls9.N11.fits'), '--hdu', '1', '--origin', 'upper', '--out', up], io());
    const u = decodePng(readFileSync(up));
    expect(Array.from(u.data.subarray(0, 41))).toEqual(Array.from(png.data.subarray(50 * 41, 51 * 41)));
  });
  it('errors: missing --out, bad --hdu, mismatched grids', async () => {
    await expect(renderCommand.run([sharedFits('m13.fits')], io())).rejects.toThrow(/--out/);
    await expect(renderCommand.run([sharedFits('m13.fits'), '--hdu', 'x', '--out', join(dir, 'x.png')], io())).rejects.toThrow(/--hdu/);
    await expect(
      renderCommand.run([sharedFits('m13.fits'), sharedFits('gc_2mass_h.fits'), sharedFits('gc_2mass_j.fits'), '--out', join(dir, 'y.png')], io()),
    ).rejects.toThrow(/must share one pixel grid/);
  });
});
