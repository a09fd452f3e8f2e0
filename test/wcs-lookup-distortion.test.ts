// Paper IV lookup-table distortions (CPDIS, D2IM) applied as astropy.wcs applies them (issue #18:
// HST files mapped ~4 mas off). astropy writes a file with SIP + two CPDIS tables + a D2IM table
// and gives all_pix2world / all_world2pix; LensDesk reads the same file and must agree.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsFile, sourceFromBytes } from '../src-core/fits/index';
import { pixelXY, skyRaDec } from '../src-core/units';
import { fitsExtensions } from '../src-core/wcs/fits-extensions';
import { hasLookupDistortion, lookupOffset } from '../src-core/wcs/lookup-distortion';
import { readWcs } from '../src-core/wcs/wcs';
import { PROJECT_ROOT } from './shared';
import { tempDir } from './workspace-fixture';

const PY = '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import astropy.wcs, numpy'], { encoding: 'utf8', timeout: 60_000 });
const HAVE_ASTROPY = probe.status === 0;
const t = tempDir();
afterAll(() => t.cleanup());

describe.skipIf(!HAVE_ASTROPY)('WCS lookup-table distortion against astropy (needs python3-astropy)', () => {
  const file = join(t.dir, 'lookup.fits');
  let ref: { pixel: [number, number]; world: [number, number]; world_no_distortion: [number, number]; back: [number, number] }[] = [];
  it('astropy writes the file and its reference positions', () => {
    const r = spawnSync(PY, [join(PROJECT_ROOT, 'test', 'wcs-lookup-astropy.py'), file], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    ref = JSON.parse(r.stdout);
    expect(ref.length).toBeGreaterThan(5);
  });

  it('pixel → sky agrees with all_pix2world, sky → pixel with all_world2pix', () => {
    const fits = new FitsFile(sourceFromBytes('lookup.fits', readFileSync(file)));
    const header = fits.hdu(0).header;
    expect(hasLookupDistortion(header)).toBe(true);
    const wcs = readWcs(header, { extensions: fitsExtensions(fits) });
    const plain = readWcs(header);
    expect(wcs.hasLookupDistortion).toBe(true);
    let worstLookup = 0;
    for (const r of ref) {
      const s = wcs.pixel0ToSky(pixelXY(r.pixel[0], r.pixel[1]));
      const cosd = Math.cos((r.world[1] * Math.PI) / 180);
      const err = Math.hypot((s.ra - r.world[0]) * cosd, s.dec - r.world[1]) * 3.6e6; // mas
      expect(err, `pixel ${r.pixel}`).toBeLessThan(1e-3);
      // Without the tables the same file is off by the distortion (what LensDesk did before).
      const p = plain.pixel0ToSky(pixelXY(r.pixel[0], r.pixel[1]));
      worstLookup = Math.max(worstLookup, Math.hypot((p.ra - r.world[0]) * cosd, p.dec - r.world[1]) * 3.6e6);
      const back = wcs.skyToPixel0(skyRaDec(r.world[0], r.world[1]));
      expect(Math.hypot(back.x - r.back[0], back.y - r.back[1]), `back ${r.pixel}`).toBeLessThan(1e-6);
    }
    expect(worstLookup).toBeGreaterThan(1); // the tables matter at the mas level
  });

  it('a sub-image WCS (cutout) keeps indexing the tables by the full image pixels', () => {
    const fits = new FitsFile(sourceFromBytes('lookup.fits', readFileSync(file)));
    const wcs = readWcs(fits.hdu(0).header, { extensions: fitsExtensions(fits) });
    const sub = wcs.shiftedPixel0(300, 200);
    for (const [x, y] of [[10.5, 20.25], [0, 0], [400, 500]] as const) {
      const a = wcs.pixel0ToSky(pixelXY(x + 300, y + 200));
      const b = sub.pixel0ToSky(pixelXY(x, y));
      expect(Math.abs(a.ra - b.ra) + Math.abs(a.dec - b.dec)).toBeLessThan(1e-12);
    }
  });
});

describe('lookup table interpolation', () => {
  it('bilinear between table pixels, clamped at the edges, with CRPIX/CRVAL/CDELT', () => {
    const t = { data: Float64Array.from([0, 1, 10, 11]), nx: 2, ny: 2, crpix: [1, 1] as const, crval: [1, 1] as const, cdelt: [10, 10] as const };
    expect(lookupOffset(t, 1, 1)).toBe(0); // table pixel (0, 0)
    expect(lookupOffset(t, 11, 11)).toBe(11);
    expect(lookupOffset(t, 6, 1)).toBeCloseTo(0.5, 12);
    expect(lookupOffset(t, 6, 6)).toBeCloseTo(5.5, 12);
    expect(lookupOffset(t, -100, 1)).toBe(0); // clamped
    expect(lookupOffset(t, 1e6, 1e6)).toBe(11);
  });
});
