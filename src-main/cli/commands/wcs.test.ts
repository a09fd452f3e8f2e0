// `lensdesk wcs` end to end (in-process) against astropy reference values.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../../test/shared';
import { wcsCommand } from './wcs';
import type { CliIO } from '../command';

function capture(): { io: CliIO; out: string[] } {
  const out: string[] = [];
  return { out, io: { out: (t) => out.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal } };
}

describe.skipIf(!HAS_SHARED)(`lensdesk wcs (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
  it('--json pix2world/world2pix match astropy all_pix2world / all_world2pix (SIP file)', async () => {
    const ref = JSON.parse(readFileSync(sharedFits('sip-wcs.fits.ref.json'), 'utf8')).hdus[0].wcs.points[9];
    const { io, out } = capture();
    const code = await wcsCommand.run([sharedFits('sip-wcs.fits'), '--json', '--pix2world', ref.pixel.join(','), `--world2pix=${ref.world_all_pix2world.join(',')}`], io);
    expect(code).toBe(0);
    const j = JSON.parse(out.join(''));
    expect(j.hdu).toBe(0);
    expect(j.distortions).toEqual(['SIP']);
    expect(j.pixelOrigin).toBe(0);
    expect(Math.abs(j.results[0].world[0] - ref.world_all_pix2world[0])).toBeLessThan(1e-8);
    expect(Math.abs(j.results[0].world[1] - ref.world_all_pix2world[1])).toBeLessThan(1e-8);
    expect(Math.hypot(j.results[1].pixel[0] - ref.pixel_back_all_world2pix[0], j.results[1].pixel[1] - ref.pixel_back_all_world2pix[1])).toBeLessThan(1e-6);
  });
  it('off-sky pixels are null in JSON; header-only files work; bad pairs are InputError', async () => {
    const a = capture();
    await wcsCommand.run([sharedFits('allsky_rosat.fits'), '--json', '--pix2world', '0,0'], a.io);
    expect(JSON.parse(a.out.join('')).results[0].world).toEqual([null, null]);
    const b = capture();
    await wcsCommand.run([sharedFits('1904-66_HPX.hdr'), '--json'], b.io);
    expect(JSON.parse(b.out.join('')).projection).toBe('HPX');
    await expect(wcsCommand.run([sharedFits('m13.fits'), '--pix2world', '1'], capture().io)).rejects.toThrow(/two numbers/);
  });
});
