// Calibration of `lensdesk source` (issue #13, gap iv): per-pixel coverage of the unlensed source's
// posterior intervals on simulated lenses whose source is known. Each lens is drawn at random (θE 0.8–1.6″,
// axis ratio 0.6–0.95, shear |γ| ≤ 0.05, source offset ≤ 0.25″, Sérsic R_e 0.15–0.35″, n 0.8–2.5, source
// axis ratio 0.5–0.9), rendered by the fit's own forward model with LSST i-band noise
// (src-core/infer/lens-synthetic.ts, 33 × 33 px at 0.2″), and reconstructed by the CLI's code path
// (src-main/source/run.ts runSourceReconstruction) at the TRUE lens (one lens draw), so only the source
// prior is tested: the Gaussian prior (exact posterior) and/or a score prior folder (annealed Langevin).
// The truth is the Sérsic source pixel-sampled on the same grid (sersicSourceImage, 2 × 2 sub-pixels).
// Coverage of mean ± 1σ / ± 1.96σ for the exact Gaussian std; for B posterior samples also the B-sample
// prediction intervals (Student t, image-quality.ts coverageStats), which are nominal when calibrated.
// "source region" = pixels where the true source exceeds 10 % of its peak.
// Run: npx tsx bench/source-calibration.ts [--n 8] [--grid 48] [--priors wiener,DIR,…] [--samples 16] [--steps 10] [--threads 1]
import { parseArgs } from 'node:util';
import { syntheticLens } from '../src-core/infer/lens-synthetic';
import { qPhiToEllipticity } from '../src-core/infer/lens-model';
import { sersicSourceImage } from '../src-core/inverse/source/source-problem';
import { getPreset } from '../src-core/lens/presets';
import { coverageStats } from '../src-core/metrics/image-quality';
import { Rng } from '../src-core/rng';
import { runSourceReconstruction } from '../src-main/source/run';

const { values: a } = parseArgs({ options: {
  n: { type: 'string', default: '8' }, grid: { type: 'string', default: '48' }, priors: { type: 'string', default: 'wiener' },
  samples: { type: 'string', default: '16' }, steps: { type: 'string' }, threads: { type: 'string', default: '1' }, first: { type: 'string', default: '1' },
} });
const preset = getPreset('lsst'), G = Number(a.grid), B = Number(a.samples);

/** A random lens (12 fit parameters) from seed i. */
export function randomLens(i: number): Float64Array {
  const r = new Rng(20261207, i, 0x5c);
  const u = (lo: number, hi: number) => lo + (hi - lo) * r.uniform();
  return Float64Array.from([
    u(0.8, 1.6), ...qPhiToEllipticity(u(0.6, 0.95), u(0, Math.PI)), u(-0.05, 0.05), u(-0.05, 0.05),
    u(-0.25, 0.25), u(-0.25, 0.25), u(0.15, 0.35), u(0.8, 2.5), ...qPhiToEllipticity(u(0.5, 0.9), u(0, Math.PI)), u(0.6, 1.2),
  ]);
}

type Set = { truth: Float64Array; mean: Float64Array; std: Float64Array };
const fmt = (c: ReturnType<typeof coverageStats>) =>
  `${(100 * c.coverage68).toFixed(1)} / ${(100 * c.coverage95).toFixed(1)} %` +
  (c.predictive ? ` (B-sample PI ${(100 * c.predictive.coverage68).toFixed(1)} / ${(100 * c.predictive.coverage95).toFixed(1)} %)` : '') +
  `, z ${c.zMean.toFixed(2)} ± ${c.zStd.toFixed(2)}` + (c.predictive ? ` (calibrated sd ${c.predictive.zStdExpected.toFixed(2)})` : '');

for (const prior of a.priors!.split(',')) {
  const all: Set[] = [], src: Set[] = [];
  let secs = 0;
  for (let i = Number(a.first); i < Number(a.first) + Number(a.n); i++) {
    const truthTheta = randomLens(i);
    const s = syntheticLens({ seed: i, size: 33, bands: ['i'], truth: truthTheta });
    const input = { bands: ['i'], size: 33, pixelScale: s.cutout.pixelScale, image: s.cutout.image, variance: s.cutout.variance, psf: [{ type: 'gaussian' as const, fwhm: preset.bands.i!.seeing }] };
    const t0 = performance.now();
    const r = await runSourceReconstruction({
      input, draws: { all: [truthTheta], from: 'truth' }, lensDraws: 1, grid: G, prior: prior === 'wiener' ? 'wiener' : { dir: prior },
      samples: prior === 'wiener' ? 0 : B, seed: i, threads: Number(a.threads), ...(a.steps ? { stepsPerLevel: Number(a.steps) } : {}),
    });
    secs += (performance.now() - t0) / 1000;
    const truth = sersicSourceImage(truthTheta, s.amplitudes[0]!, r.grid), peak = Math.max(...truth);
    const keep = [...truth.keys()].filter((k) => truth[k]! > 0.1 * peak);
    const pick = (v: Float64Array) => Float64Array.from(keep, (k) => v[k]!);
    all.push({ truth, mean: r.mean, std: r.std });
    src.push({ truth: pick(truth), mean: pick(r.mean), std: pick(r.std) });
    const opts = prior === 'wiener' ? {} : { samples: B };
    console.error(`${prior} lens ${i}: θE ${truthTheta[0]!.toFixed(2)} R_e ${truthTheta[7]!.toFixed(2)}″ n ${truthTheta[8]!.toFixed(2)}; all ${fmt(coverageStats([all.at(-1)!], 20, opts))}; source region (${keep.length} px) ${fmt(coverageStats([src.at(-1)!], 20, opts))}; χ²/px ${Number(r.summary.chi2PerPixel).toFixed(2)}; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const opts = prior === 'wiener' ? {} : { samples: B };
  console.log(`| ${prior === 'wiener' ? 'Gaussian (exact)' : prior} | ${all.length} | ${G}² | ${fmt(coverageStats(all, 20, opts))} | ${fmt(coverageStats(src, 20, opts))} | ${(secs / all.length).toFixed(1)} |`);
}
