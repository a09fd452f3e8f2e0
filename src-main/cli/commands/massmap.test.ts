// `lensdesk massmap` end to end on a small synthetic CSV catalogue: HDUs and their TAN WCS checked with
// astropy (Debian python3), the map against the input κ, peaks CSV, bad-row report, hybrid error.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-core/rng';
import { gridToSky, type GridSpec } from '../../../src-core/massmap/grid';
import { ARCMIN_RAD, ksKernel, shearFromKappa } from '../../../src-core/massmap/ks93';
import { massmapCommand, parseAngleArcmin } from './massmap';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-massmap-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [], err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), progress: () => {}, signal: new AbortController().signal } };
}

// A 48 × 48 grid at 1′ around (150, 2) holding one positive Gaussian κ blob at pixel (30, 20).
const grid: GridSpec = { ra0: 150, dec0: 2, pixArcmin: 1, rows: 48, cols: 48 };
function catalogue(): string {
  const k = ksKernel(48, 48, ARCMIN_RAD), kappa = new Float64Array(48 * 48);
  for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) kappa[y * 48 + x] = 0.15 * Math.exp(-((x - 30) ** 2 + (y - 20) ** 2) / 18);
  const { g1, g2 } = shearFromKappa(k, kappa);
  const rng = new Rng(7, 0), lines = ['ALPHA_J2000,DELTA_J2000,e1,e2,w'];
  for (let i = 0; i < 48 * 48 * 20; i++) {
    const x = rng.uniform() * 48 - 0.5, y = rng.uniform() * 48 - 0.5;
    const p = Math.min(47, Math.max(0, Math.round(y))) * 48 + Math.min(47, Math.max(0, Math.round(x)));
    const [ra, dec] = gridToSky(grid, x, y);
    // Catalog convention of grid.ts: e2 defined with x along +RA, so the grid's γ2 is −e2.
    lines.push(`${ra.toFixed(8)},${dec.toFixed(8)},${(g1[p]! + 0.05 * rng.normal()).toFixed(6)},${(-g2[p]! + 0.05 * rng.normal()).toFixed(6)},1`);
  }
  lines.push('150.0,2.0,nan,0.1,1', '150.0,2.0,0.8,0.8,1', ',2.0,0.1,0.1,1');
  return lines.join('\n') + '\n';
}

const PY = '/usr/bin/python3';
const hasAstropy = existsSync(PY) && (() => {
  try { execFileSync(PY, ['-c', 'import astropy, numpy'], { stdio: 'ignore', timeout: 30000 }); return true; } catch { return false; }
})();

describe('lensdesk massmap', () => {
  const cat = join(dir, 'cat.csv');
  writeFileSync(cat, catalogue());

  it('angles: 1arcmin, 30arcsec, 0.02deg, bare arcmin', () => {
    expect([parseAngleArcmin('1arcmin', 'p'), parseAngleArcmin('30arcsec', 'p'), parseAngleArcmin('0.02deg', 'p'), parseAngleArcmin('2', 'p')]).toEqual([1, 0.5, 1.2, 2]);
    expect(() => parseAngleArcmin('-1', 'pixel')).toThrow(/--pixel must be a positive angle/);
  });

  it.skipIf(!hasAstropy)(`KS93 map: HDUs, TAN WCS read back by astropy, peak at the blob, bad rows reported${hasAstropy ? '' : ' (skipped: /usr/bin/python3 with astropy absent)'}`, async () => {
    const out = join(dir, 'ks.fits'), peaks = join(dir, 'peaks.csv'), c = io();
    const code = await massmapCommand.run([cat, '--method', 'ks93', '--pixel', '1arcmin', '--field', '48arcmin', '--center', '150,2', '--smooth', '1.5', '--out', out, '--peaks', peaks, '--json'], c.io);
    expect(code).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j.badRows).toBe(3);
    expect(j.issues.map((s: { row: number; column: string }) => [s.row, s.column])).toEqual([[46081, 'e1'], [46082, 'e1/e2'], [46083, 'ALPHA_J2000/DELTA_J2000']]);
    expect(c.err.join('\n')).toMatch(/row 46082, column e1\/e2: \|e\| = 1\.131 > 1/);
    expect(j.grid).toMatchObject({ rows: 49, cols: 49, pixArcmin: 1 });
    const py = execFileSync(PY, ['-c', `
import json, sys, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
h = fits.open(sys.argv[1])
names = [x.name for x in h]
w = WCS(h['KAPPA_E'].header)
k = h['KAPPA_E'].data.astype(float)
y, x = np.unravel_index(np.argmax(k), k.shape)
ra, dec = w.all_pix2world([[x, y], [0, 0], [48, 48]], 0).tolist()[0]
print(json.dumps({'names': names, 'ctype': list(w.wcs.ctype), 'peak_world': [float(ra), float(dec)],
  'mask_values': sorted(set(np.unique(h['MASK'].data).tolist())), 'std_min': float(h['KAPPA_STD'].data.min()),
  'wcs_equal': all(WCS(h[n].header).wcs.compare(w.wcs) for n in ['KAPPA_B', 'KAPPA_STD', 'MASK', 'NGAL'])}))
`, out], { encoding: 'utf8', timeout: 60000 });
    const a = JSON.parse(py);
    expect(a.names).toEqual(['PRIMARY', 'KAPPA_E', 'KAPPA_B', 'KAPPA_STD', 'MASK', 'NGAL']);
    expect(a.ctype).toEqual(['RA---TAN', 'DEC--TAN']);
    expect(a.wcs_equal).toBe(true);
    expect(a.mask_values).toEqual([1]);
    expect(a.std_min).toBeGreaterThan(0);
    // The blob sits at pixel (30, 20) of `grid`; the output grid (49 px) is offset by half a pixel, so
    // compare on the sky: within 1.5 pixels of where the blob was painted.
    const [bra, bdec] = gridToSky(grid, 30, 20);
    const sep = Math.hypot((a.peak_world[0] - bra) * Math.cos((2 * Math.PI) / 180), a.peak_world[1] - bdec) * 60;
    expect(sep).toBeLessThan(1.5);
    const rows = readFileSync(peaks, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('x,y,ra,dec,kappa,std,snr');
    const top = rows[1]!.split(',').map(Number);
    expect(Math.hypot((top[2]! - bra) * Math.cos((2 * Math.PI) / 180), top[3]! - bdec) * 60).toBeLessThan(1.5);
    expect(top[6]).toBeGreaterThan(5);
  }, 60000);

  it('Wiener with constrained-realisation std; hybrid is a clear not-implemented error', async () => {
    const ps = join(dir, 'ps.csv');
    writeFileSync(ps, 'ell,C_ell\n' + Array.from({ length: 30 }, (_, i) => 10 * 1.3 ** i).map((l) => `${l},${6e-10 * (l / 1000) ** -1.2}`).join('\n'));
    const out = join(dir, 'w.fits'), c = io();
    const pk = join(dir, 'w-peaks.fits');
    expect(await massmapCommand.run([cat, '--method', 'wiener', '--ps', ps, '--pixel', '2arcmin', '--samples', '3', '--out', out, '--peaks', pk, '--peak-snr', '2', '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out[0]!);
    if (hasAstropy) {
      const t = JSON.parse(execFileSync(PY, ['-c', `
import json, sys
from astropy.table import Table
t = Table.read(sys.argv[1], hdu='PEAKS')
print(json.dumps({'cols': t.colnames, 'n': len(t), 'snr_ok': bool((t['SNR'] >= 2).all()) if len(t) else True}))
`, pk], { encoding: 'utf8', timeout: 60000 }));
      expect(t.cols).toEqual(['X', 'Y', 'RA', 'DEC', 'KAPPA', 'STD', 'SNR']);
      expect(t.n).toBe(j.peaks);
      expect(t.n).toBeGreaterThan(0);
      expect(t.snr_ok).toBe(true);
    }
    expect(j.info.wiener).toBe('messenger field');
    expect(j.info.converged).toBe(true);
    expect(j.std).toMatch(/3 constrained realisations/);
    await expect(massmapCommand.run([cat, '--method', 'hybrid', '--prior', join(dir, 'no-such-prior'), '--out', out], io().io)).rejects.toThrow(/no-such-prior.*not a score model folder/);
  }, 60000);

  it('Wiener without --ps fits the spectrum from the data (--ps-out writes it)', async () => {
    const out = join(dir, 'wf.fits'), psOut = join(dir, 'fit.csv'), c = io();
    expect(await massmapCommand.run([cat, '--method', 'wiener', '--pixel', '2arcmin', '--out', out, '--ps-out', psOut, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out[0]!);
    expect(j.ps).toBe('fit');
    const rows = readFileSync(psOut, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('ell,C_ell,raw_E,noise');
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows.slice(1)) expect(Number(r.split(',')[1])).toBeGreaterThan(0);
  }, 60000);
});
