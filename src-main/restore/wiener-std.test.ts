// Issue #13, gap (v): the Wiener restore's posterior std is 17–60× the noise on bright LSST stamps. This
// checks that it is the right size, not a bug: against the unblurred truth (the same simulated scene
// rendered with a δ PSF), the posterior mean's actual error on sky pixels is of the same order as the
// std. The large std comes from the bright de Vaucouleurs lens's cusp: its power in modes the seeing
// erased (|a_k|² < 10⁻³) is 10⁴–10⁵ σ_n², the data cannot tell those modes, and the stationary prior
// spreads that uncertainty (and the mean's ringing) over the whole stamp (bench/wiener-std.ts).
import { describe, expect, it } from 'vitest';
import { convolutionOperator, gaussianPsf } from '../../src-core/inverse/operators/convolution';
import { getPreset } from '../../src-core/lens/presets';
import { simulateCutout } from '../../src-core/lens/simulate';
import type { PsfSpec } from '../../src-core/lens/psf';
import { Rng } from '../../src-core/rng';
import { restoreBand } from './solve';

const N = 45, n = N * N, border = 4, band = 1; // r
const inner = (i: number) => { const r = Math.floor(i / N), c = i % N; return r >= border && r < N - border && c >= border && c < N - border; };

function restoreR(index: number) {
  const data = simulateCutout('lsst', 11, index, { model: true });
  const delta = Object.fromEntries(['g', 'r', 'i', 'z'].map((b) => [b, { type: 'gaussian', fwhm: 1e-3 } as PsfSpec]));
  const truth = Float64Array.from(simulateCutout({ preset: 'lsst', psfOverride: delta }, 11, index, { model: true }).model![band]!);
  const v = Array.from(data.variance[band]!).sort((p, q) => p - q), s2 = v[v.length >> 1]!;
  const psf = gaussianPsf(getPreset('lsst').bands.r!.seeing / 0.2);
  const r = restoreBand('deconvolve', 'wiener', { rows: N, cols: N, y: Float64Array.from(data.bands[band]!), noiseVariance: s2, psf }, { samples: 0, rng: new Rng(1) });
  // rms error of the mean on sky pixels (truth < 1 % of its peak), away from the periodic border
  const peak = truth.reduce((m, x) => Math.max(m, x), 0);
  let e2 = 0, m = 0;
  for (let i = 0; i < n; i++) if (inner(i) && truth[i]! < 0.01 * peak) { e2 += (r.mean[i]! - truth[i]!) ** 2; m++; }
  // the restore's PSF is the simulator's: h ⊛ truth reproduces the noiseless data
  const hx = convolutionOperator({ bands: 1, rows: N, cols: N, psfs: [psf], boundary: 'periodic' }).apply(truth), clean = data.model![band]!;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) if (inner(i)) { num += (hx[i]! - clean[i]!) ** 2; den += clean[i]! ** 2; }
  return { sigma: Math.sqrt(s2), std: r.std![0]!, skyRms: Math.sqrt(e2 / m), reblur: Math.sqrt(num / den) };
}

describe('Wiener restore std on LSST stamps (gap v)', () => {
  it('a bright lens (r = 18.1, n = 4): std ≫ σ_n, and the mean really is that wrong on the sky', () => {
    const r = restoreR(2);
    console.log(`bright lens, r band: σ_n ${r.sigma.toPrecision(3)}, std/σ_n ${(r.std / r.sigma).toFixed(1)}, sky rms error/σ_n ${(r.skyRms / r.sigma).toFixed(1)}, reblur ${r.reblur.toExponential(1)}`);
    expect(r.reblur).toBeLessThan(1e-3);
    expect(r.std / r.sigma).toBeGreaterThan(10);
    // the std is the right size where the truth is empty: neither 17–60× too wide nor too narrow
    expect(r.skyRms / r.std).toBeGreaterThan(0.4);
    expect(r.skyRms / r.std).toBeLessThan(1.5);
  });
  it('a faint spiral (lens r = 21.0): std within a few σ_n', () => {
    const r = restoreR(1);
    console.log(`faint spiral, r band: std/σ_n ${(r.std / r.sigma).toFixed(1)}, sky rms error/σ_n ${(r.skyRms / r.sigma).toFixed(1)}`);
    expect(r.std / r.sigma).toBeLessThan(4);
    expect(r.skyRms / r.std).toBeGreaterThan(0.4);
    expect(r.skyRms / r.std).toBeLessThan(1.5);
  });
});
