// Why the Wiener restore's posterior std is 17–60× the noise on some LSST stamps (issue #13, gap v).
// For simulated LSST cutouts (the project's simulator, 45 × 45, g r i z) it restores each band with the
// app's Wiener path (solve.ts restoreBand: empirical-Bayes stationary spectrum, exact Gaussian posterior,
// Gaussian PSF of the preset's seeing) and prints per band: the noise σ_n, the posterior pixel std / σ_n,
// the share of the posterior variance carried by modes the PSF erased (|a_k|² < 10⁻³), the lens's r mag,
// and per-pixel coverage of mean ± 1σ / ± 1.96σ against the *unblurred* truth on sky and on light
// pixels (sky: truth < 1 % of its peak; light: > 10 %), and the rms error of the mean on sky pixels. The truth is the same scene rendered by the simulator with a δ PSF (psfOverride, FWHM 10⁻³″);
// `reblur` = ‖h ⊛ truth − noiseless data‖/‖noiseless data‖ checks that restore's PSF is the simulator's.
// Pixels within 4 px of the border are left out (the restore's periodic boundary).
// Run: npx tsx bench/wiener-std.ts [--n 12] [--seed 11] [--first 1]
import { parseArgs } from 'node:util';
import { convolutionOperator, gaussianPsf, psfTransfer } from '../src-core/inverse/operators/convolution';
import { GaussianPrior } from '../src-core/inverse/priors/gaussian';
import { FourierDiagonalLikelihood } from '../src-core/inverse/solvers/likelihood';
import { wienerPosterior } from '../src-core/inverse/solvers/wiener';
import { getPreset } from '../src-core/lens/presets';
import { simulateCutout } from '../src-core/lens/simulate';
import type { PsfSpec } from '../src-core/lens/psf';
import { dataSpectrum } from '../src-main/restore/solve';

const { values: a } = parseArgs({ options: { n: { type: 'string', default: '12' }, seed: { type: 'string', default: '11' }, first: { type: 'string', default: '1' } } });
const preset = getPreset('lsst'), N = 45, n = N * N, bands = ['g', 'r', 'i', 'z'], border = 4;
const delta: Record<string, PsfSpec> = Object.fromEntries(bands.map((b) => [b, { type: 'gaussian', fwhm: 1e-3 } as PsfSpec]));
console.log('| stamp | kind | lens r mag | band | σ_n | std/σ_n | var. share |a|²<1e-3 | reblur | sky: rms error/σ_n, 68/95 % | light 68/95 % |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const ratios: number[] = [];
for (let idx = Number(a.first); idx < Number(a.first) + Number(a.n); idx++) {
  const data = simulateCutout('lsst', Number(a.seed), idx, { model: true });
  const truth = simulateCutout({ preset: 'lsst', psfOverride: delta }, Number(a.seed), idx, { model: true });
  const t = data.truth as unknown as Record<string, number | string>;
  for (const [b, band] of bands.entries()) {
    const y = Float64Array.from(data.bands[b]!), x = Float64Array.from(truth.model![b]!), clean = data.model![b]!;
    const v = Array.from(data.variance[b]!).sort((p, q) => p - q), s2 = v[v.length >> 1]!;
    const psf = gaussianPsf(preset.bands[band]!.seeing / preset.pixelScale);
    const conv = convolutionOperator({ bands: 1, rows: N, cols: N, psfs: [psf], boundary: 'periodic' });
    const { spectrum, mean } = dataSpectrum(y, N, N, s2, psf);
    const post = wienerPosterior(new GaussianPrior({ shape: [N, N], spectrum, mean }), new FourierDiagonalLikelihood(conv, y, s2));
    const tr = psfTransfer(psf, N, N);
    let tot = 0, erased = 0;
    for (let k = 0; k < n; k++) { const v2 = post.modeVariance[k]!; tot += v2; if (tr.re[k]! ** 2 + tr.im[k]! ** 2 < 1e-3) erased += v2; }
    const std = post.pixelStd[0]!;
    // reblur check on the interior (the simulator's convolution is not periodic)
    const hx = conv.apply(x);
    let num = 0, den = 0;
    const inner = (i: number) => { const r = Math.floor(i / N), c = i % N; return r >= border && r < N - border && c >= border && c < N - border; };
    for (let i = 0; i < n; i++) if (inner(i)) { num += (hx[i]! - clean[i]!) ** 2; den += clean[i]! ** 2; }
    const peak = x.reduce((m, q) => Math.max(m, q), 0), cov = { sky: [0, 0, 0], light: [0, 0, 0] };
    let e2 = 0;
    for (let i = 0; i < n; i++) {
      if (!inner(i)) continue;
      const z = Math.abs(post.mean[i]! - x[i]!) / std, c = x[i]! > 0.1 * peak ? cov.light : x[i]! < 0.01 * peak ? cov.sky : null;
      if (!c) continue;
      c[0]++; if (z <= 1) c[1]++; if (z <= 1.96) c[2]++;
      if (c === cov.sky) e2 += (post.mean[i]! - x[i]!) ** 2;
    }
    const pc = (c: number[]) => (c[0] ? `${(100 * c[1]! / c[0]).toFixed(0)}/${(100 * c[2]! / c[0]).toFixed(0)} (${c[0]})` : '–');
    ratios.push(std / Math.sqrt(s2));
    console.log(`| ${idx} | ${t.kind} | ${Number(t.lens_rmag).toFixed(1)} | ${band} | ${Math.sqrt(s2).toPrecision(3)} | ${(std / Math.sqrt(s2)).toFixed(1)} | ${(erased / tot).toFixed(2)} | ${Math.sqrt(num / den).toExponential(1)} | ${(Math.sqrt(e2 / cov.sky[0]!) / Math.sqrt(s2)).toFixed(1)}, ${pc(cov.sky)} | ${pc(cov.light)} |`);
  }
}
ratios.sort((p, q) => p - q);
console.log(`std/σ_n over ${ratios.length} bands: median ${ratios[ratios.length >> 1]!.toFixed(1)}, max ${ratios[ratios.length - 1]!.toFixed(1)}`);
