// `lensdesk fit` on inputs as users have them (issue 18, "Lens modelling on real cutouts"): astropy-written HST-like
// and wide-field files, a LensDesk-written 2-D image without noise HDU, and real FITS files from ../shared.
// The lens is a simulator cutout with known θE; fits are cheap (2 short chains), so θE is checked loosely.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFits } from '../../../src-core/fits';
import { astropyAvailable, lensStamp, runPython } from '../../../test/fit-real-inputs';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../../test/shared';
import { readFitObservation } from '../../fit/read-observation';
import { fitCommand } from './fit';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-fit-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PY = astropyAvailable();
const CHEAP = ['--chains', '2', '--warmup', '30', '--draws', '20', '--max-draws', '20', '--workers', '0', '--seed', '1'];

async function fit(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await fitCommand.run([...args, '--json'], { out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: () => {}, signal: new AbortController().signal });
  return { code, j: JSON.parse(out.join('')), err };
}
const raw = (name: string, a: Float64Array) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return p;
};

const HST_LIKE = `
import sys, json, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
from astropy.wcs.utils import proj_plane_pixel_scales
a = json.loads(sys.argv[1]); n = a['size']; t = a['exptime']
img = np.fromfile(a['image'], dtype='<f8').reshape(n, n); var = np.fromfile(a['variance'], dtype='<f8').reshape(n, n)
w = WCS(naxis=2); w.wcs.ctype = ['RA---TAN', 'DEC--TAN']; w.wcs.crval = [150.1, 2.2]; w.wcs.crpix = [16.0, 16.0]
s = a['scale'] / 3600; th = np.radians(30)
w.wcs.cd = [[-s * np.cos(th), s * np.sin(th)], [s * np.sin(th), s * np.cos(th)]]
sci = img / t
mask = np.zeros((n, n), dtype=np.int16)
sci[4:8, 22:26] += 1e6 / t   # a saturated star beside the lens, flagged in MASK
mask[4:8, 22:26] = 1
for (y, x) in [(0, 0), (30, 30), (2, 15)]: sci[y, x] = np.nan
prim = fits.PrimaryHDU(); prim.header['EXPTIME'] = t; prim.header['TELESCOP'] = 'HST'
h = fits.ImageHDU(sci.astype('>f4'), header=w.to_header(), name='SCI'); h.header['BUNIT'] = 'ELECTRONS/S'
fits.HDUList([prim, h, fits.ImageHDU((t * t / var).astype('>f4'), name='WHT'), fits.ImageHDU(mask, name='MASK')]).writeto(a['out'], overwrite=True)
print(json.dumps({'scale': float(np.mean(proj_plane_pixel_scales(w)) * 3600)}))
`;

const WIDE = `
import sys, json, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
a = json.loads(sys.argv[1]); n = a['size']; N = 201; g = a['gain']
img = np.fromfile(a['image'], dtype='<f8').reshape(n, n)
big = np.random.default_rng(5).normal(0.0, a['sigma'], (N, N))
x0, y0 = a['x0'], a['y0']
big[y0:y0 + n, x0:x0 + n] = img
w = WCS(naxis=2); w.wcs.ctype = ['RA---TAN', 'DEC--TAN']; w.wcs.crval = [35.5, -4.75]; w.wcs.crpix = [101.0, 101.0]
s = a['scale'] / 3600; th = np.radians(20)
w.wcs.pc = [[-np.cos(th), np.sin(th)], [np.sin(th), np.cos(th)]]; w.wcs.cdelt = [s, s]
h = fits.PrimaryHDU((big / g).astype('>f4'), header=w.to_header()); h.header['BUNIT'] = 'COUNTS'; h.header['GAIN'] = g
h.writeto(a['out'], overwrite=True)
ra, dec = w.wcs_pix2world([[a['px'], a['py']]], 0)[0]
ra, dec = round(float(ra), 7), round(float(dec), 7)
x, y = w.world_to_pixel_values(ra, dec)
ora, odec = w.wcs_pix2world([[-40.0, 100.0]], 0)[0]
print(json.dumps({'ra': ra, 'dec': dec, 'x': float(x), 'y': float(y), 'outside': [float(ora), float(odec)]}))
`;

describe.skipIf(!PY.ok)(`lensdesk fit on astropy-written files${PY.ok ? '' : ` (skipped: ${PY.why})`}`, () => {
  it('2-D HST-like image: BUNIT ELECTRONS/S × EXPTIME, WHT inverse variance, MASK HDU, NaNs, WCS pixel scale, --psf-fwhm', async () => {
    const s = lensStamp(31);
    const path = join(dir, 'hst.fits');
    const py = runPython(HST_LIKE, { size: 31, exptime: 1000, scale: s.pixelScale, image: raw('a.img', s.image), variance: raw('a.var', s.variance), out: path }) as { scale: number };
    const { code, j, err } = await fit([path, '--psf-fwhm', String(s.seeing), ...CHEAP]);
    expect(code).toBe(0);
    expect(j.input.hdu).toBe('SCI');
    expect(j.input.units).toMatchObject({ bunit: 'ELECTRONS/S', kind: 'electron-rate', toElectrons: 1000 });
    expect(j.input.unit).toBe('electron');
    expect(j.input.noise.source).toBe('WHT HDU (inverse variance)');
    expect(j.input.noise.poissonFromModel).toBe(false);
    expect(j.input.masked).toEqual({ mask: 16, nan: 3, noNoise: 0, total: 19 });
    expect(j.nPixels).toBe(31 * 31 - 19);
    expect(j.input.pixelScaleFrom).toBe('WCS');
    expect(j.pixelScale).toBeCloseTo(py.scale, 6);
    expect(j.psf).toBe(`gaussian FWHM ${s.seeing}″`);
    // The variance is the simulator's own (converted there and back): χ²/pixel ≈ 1 when the units are consistent;
    // the masked star (1e6 e⁻) would give thousands.
    expect(j.mapChi2PerPixel).toBeGreaterThan(0.8);
    expect(j.mapChi2PerPixel).toBeLessThan(1.3);
    expect(Math.abs(j.params.theta_E.mean - s.thetaE)).toBeLessThan(0.1);
    // The MAP line comes before sampling.
    expect(err.findIndex((l) => /^MAP χ² .*χ²\/pixel.*sampling…$/.test(l))).toBeGreaterThan(-1);
  }, 300_000);

  it('a large image with WCS: --ra --dec --size cuts the stamp on the pixel astropy finds; counts × GAIN; estimated noise; --max-seconds 0.001 returns the flagged MAP', async () => {
    const s = lensStamp(31);
    const path = join(dir, 'wide.fits');
    // The lens centre is the stamp's central pixel: big pixel (x0 + 15, y0 + 15); the target is a fraction off it.
    const py = runPython(WIDE, { size: 31, sigma: s.backgroundSigma, gain: 2, x0: 120, y0: 60, px: 135.2, py: 74.7, scale: s.pixelScale, image: raw('c.img', s.image), out: path }) as
      { ra: number; dec: number; x: number; y: number; outside: [number, number] };
    const { code, j, err } = await fit([path, '--ra', String(py.ra), '--dec', String(py.dec), '--size', '6.2', '--psf-fwhm', String(s.seeing), '--psf-profile', 'moffat', '--max-seconds', '0.001', ...CHEAP]);
    expect(code).toBe(0);
    expect(j.input.stamp).toMatchObject({ x0: 120, y0: 60, side: 31, partial: false });
    expect(j.input.stamp.x0 + j.input.stamp.target.x).toBeCloseTo(py.x, 4);
    expect(j.input.stamp.y0 + j.input.stamp.target.y).toBeCloseTo(py.y, 4);
    expect(j.input.units).toMatchObject({ kind: 'count', toElectrons: 2 });
    expect(j.input.noise.source).toBe('background');
    expect(j.input.noise.poissonFromModel).toBe(true);
    expect(j.psf).toBe(`moffat FWHM ${s.seeing}″ β 3`);
    // Partial, flagged result: never converged, the reason names the budget; MAP-only when no draws exist.
    // 1 ms is spent within the 300 screening evaluations: the search stops after its first LM start (≤ 100
    // evaluations and their Jacobians) where a full search runs 8 starts, 2 refinements and a polish.
    expect(j.maxSeconds).toBe(0.001);
    expect(j.converged).toBe(false);
    expect(j.reason).toMatch(/^time budget of 0\.001 s spent in the MAP search/);
    expect(j.partial).toBe('map');
    expect(j.draws).toBe(0);
    expect(j.params.theta_E.mean).toBe(j.map.theta.theta_E);
    expect(j.params.theta_E.sd).toBeNull();
    expect(j.map.evaluations).toBeLessThan(1000);
    expect(j.input.noise.poissonAdded).toBe(false); // no time left to add it
    expect(err.some((l) => /^MAP χ² /.test(l))).toBe(true);
    // A position off the image is refused by name.
    await expect(fit([path, '--ra', String(py.outside[0]), '--dec', String(py.outside[1]), '--size', '6', '--psf-fwhm', '0.7', ...CHEAP]))
      .rejects.toThrow(/outside the 201 × 201 image/);
  }, 300_000);
});

describe('lensdesk fit on a LensDesk-written 2-D image without a noise HDU', () => {
  it('estimates the background σ within a few % of the injected σ, adds the model Poisson term, recovers θE', async () => {
    const s = lensStamp(45);
    const path = join(dir, 'nonoise.fits');
    writeFileSync(path, writeFits([{ kind: 'image', shape: [45, 45], data: Float32Array.from(s.image), cards: [
      { keyword: 'BUNIT', value: 'electron' }, { keyword: 'PIXSCALE', value: s.pixelScale }, { keyword: 'BAND1', value: 'i' }, { keyword: 'PRESET', value: 'lsst' },
    ] }]));
    const { code, j } = await fit([path, ...CHEAP]);
    expect(code).toBe(0);
    expect(j.input.noise.source).toBe('background');
    const bg = j.input.noise.background[0];
    expect(bg.band).toBe('i');
    // 45² − 35² = 800 border pixels: the estimate's relative sd is ≈ 1/√1600 = 2.5 %.
    expect(Math.abs(bg.sigma / s.backgroundSigma - 1)).toBeLessThan(0.06);
    expect(j.input.noise.poissonFromModel).toBe(true);
    expect(j.input.noise.poissonAdded).toBe(true);
    expect(j.input.pixelScaleFrom).toBe('PIXSCALE');
    expect(j.psf).toBe('gaussian seeing of preset lsst');
    expect(j.mapChi2PerPixel).toBeLessThan(1.3);
    expect(Math.abs(j.params.theta_E.mean - s.thetaE)).toBeLessThan(0.1);
  }, 300_000);
});

describe.skipIf(!HAS_SHARED || !PY.ok)(`lensdesk fit reads real survey FITS files in place${HAS_SHARED ? (PY.ok ? '' : ` (skipped: ${PY.why})`) : ` (skipped: ${SHARED_SKIP_REASON})`}`, () => {
  it('DECam CCD (TPV WCS, image extension, 51 × 41): central odd stamp, WCS pixel scale as astropy, MAP only under --max-seconds 0', async () => {
    const file = sharedFits('c4d_150329_083505_ooi_g_ls9.N11.fits');
    const py = runPython(`
import sys, json
from astropy.io import fits
from astropy.wcs import WCS
from astropy.wcs.utils import proj_plane_pixel_scales
w = WCS(fits.open(json.loads(sys.argv[1])['f'])[1].header)
print(json.dumps({'scale': float(abs(proj_plane_pixel_scales(w.celestial)).prod() ** 0.5 * 3600)}))
`, { f: file }) as { scale: number };
    const { code, j } = await fit([file, '--hdu', 'N11', '--psf-fwhm', '1.3', '--max-seconds', '0', ...CHEAP]);
    expect(code).toBe(0);
    expect(j.input.hdu).toBe('N11');
    expect(j.input.stamp).toMatchObject({ x0: 0, y0: 5, side: 41 });
    expect(j.input.pixelScaleFrom).toBe('WCS');
    // astropy's linear CD scale; LensDesk's includes the TPV distortion at the stamp centre (≪ 1 %).
    expect(Math.abs(j.pixelScale / py.scale - 1)).toBeLessThan(0.005);
    expect(j.input.noise.source).toBe('background');
    expect(j.partial).toBe('map');
    expect(j.converged).toBe(false);
    expect(j.draws).toBe(0);
  }, 300_000);

  it('BASS CCD, tile-compressed (RICE_1) with BUNIT ADU and no GAIN: read, central stamp, WCS scale as astropy', () => {
    const file = sharedFits('ksb_170430_055945_ooi_r_ls9.CCD4.fits');
    const py = runPython(`
import sys, json
from astropy.io import fits
from astropy.wcs import WCS
from astropy.wcs.utils import proj_plane_pixel_scales
import numpy as np
a = json.loads(sys.argv[1]); w = WCS(fits.open(a['f'])[1].header)
# Local scale at the stamp centre with every distortion (TPV) applied, as LensDesk measures it: sqrt|det J| of pixel → sky.
c, ex, ey = w.all_pix2world([[a['x'], a['y']], [a['x'] + 1, a['y']], [a['x'], a['y'] + 1]], 0)
cd = np.cos(np.radians(c[1])); wrap = lambda d: (d + 180) % 360 - 180
J = np.array([[wrap(ex[0] - c[0]) * cd, ex[1] - c[1]], [wrap(ey[0] - c[0]) * cd, ey[1] - c[1]]])
print(json.dumps({'scale': float(np.sqrt(abs(np.linalg.det(J))) * 3600)}))
`, { f: file, x: 58, y: 59 }) as { scale: number };
    const o = readFitObservation(file);
    expect(o.hduName).toBe('CCD4');
    expect(o.size).toBe(117);
    expect(o.window).toMatchObject({ x0: 0, y0: 1 });
    expect(o.units).toMatchObject({ bunit: 'ADU', kind: 'count', toElectrons: null });
    expect(o.noise.source).toBe('background');
    expect(o.noise.poissonFromModel).toBe(false);
    // The TPV terms change the scale by 0.56 % against the linear CD matrix alone (proj_plane_pixel_scales).
    expect(Math.abs(o.pixelScale / py.scale - 1)).toBeLessThan(1e-5);
  }, 120_000);

  it('m13.fits (300 × 300, TAN): --ra --dec --size lands on astropy world_to_pixel', async () => {
    const file = sharedFits('m13.fits');
    const py = runPython(`
import sys, json
from astropy.io import fits
from astropy.wcs import WCS
w = WCS(fits.open(json.loads(sys.argv[1])['f'])[0].header)
ra, dec = w.wcs_pix2world([[150.3, 140.6]], 0)[0]
ra, dec = round(float(ra), 7), round(float(dec), 7)
x, y = w.world_to_pixel_values(ra, dec)
print(json.dumps({'ra': ra, 'dec': dec, 'x': float(x), 'y': float(y)}))
`, { f: file }) as { ra: number; dec: number; x: number; y: number };
    const { code, j } = await fit([file, '--ra', String(py.ra), '--dec', String(py.dec), '--size', '21', '--psf-fwhm', '3', '--max-seconds', '0', ...CHEAP]);
    expect(code).toBe(0);
    expect(j.input.stamp.side).toBe(21);
    expect(j.input.stamp.x0).toBe(Math.round(py.x) - 10);
    expect(j.input.stamp.x0 + j.input.stamp.target.x).toBeCloseTo(py.x, 4);
    expect(j.input.stamp.y0 + j.input.stamp.target.y).toBeCloseTo(py.y, 4);
    expect(j.partial).toBe('map');
  }, 300_000);
});
