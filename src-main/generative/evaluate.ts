// `lensdesk galaxy evaluate`: the paper's moments test (deblending-and-generative.md §B6) for a model
// trained on `--simulate` stamps, whose noiseless truth can be re-made from the card (preset, band,
// seed): n model samples against n independent truth galaxies,
//   deconvolved: g_θ(z) (decoder grid) vs the PSF-free truth — does the model describe the galaxies?
//   observed:    the same samples seen through the training PSF and pixels, noiseless, vs the truth
//                seen the same way — does it reproduce what the survey sees?
// Sizes in arcsec. Optionally a PNG: training stamps (top) beside model samples observed with the
// training PSF and noise (bottom), as the paper's figures.
import { writeFileSync } from 'node:fs';
import { InputError } from '../../src-core/errors';
import { compareMoments, measureSet, type MomentComparison } from '../../src-core/generative/moments-compare';
import { ksTwoSample } from '../../src-core/generative/moments';
import { montagePng } from '../../src-core/generative/montage';
import { average2x2, convolveSeparable, gaussianPsf1d, observe } from '../../src-core/generative/observe';
import { simulateStamps } from '../../src-core/generative/sim-stamps';
import { resolveTarget } from '../../src-core/generative/render';
import { Rng } from '../../src-core/rng';
import { loadFlowVae } from './load';
import { renderSamples } from './sample';

export interface EvaluateResult {
  model: string;
  likelihood: string;
  beta: number;
  n: number;
  deconvolved: MomentComparison;
  observed: MomentComparison;
}

export async function evaluateFlowVae(o: { model: string; n: number; seed: number; threads?: number; png?: string }): Promise<EvaluateResult> {
  const m = await loadFlowVae(o.model, { threads: o.threads });
  try {
    const ts = m.card.trainingSet as { source?: string; preset?: string; band?: string; seed?: number };
    if (ts.source !== 'simulate' || !ts.preset) throw new InputError('FLOWVAE_EVALUATE', `${o.model}: the moments test needs a model trained on --simulate stamps (its truth is re-made from the card); this one was trained on ${ts.source ?? 'unknown data'}`, { path: o.model });
    const cfg = m.card.config, S = cfg.size, F = 2 * S, K = cfg.psfSize;
    const fwhmArcsec = (m.card.psfs as { fwhmArcsec?: number }).fwhmArcsec ?? 0;
    // the truth: same generator as training (sim-stamps.ts), an independent stream
    const truth = simulateStamps({ preset: ts.preset, band: ts.band, size: S, count: o.n, psfSize: K, rng: new Rng(o.seed, 41), keepTruth: true });
    const fine = m.card.pixelScale / 2;
    const psf1 = gaussianPsf1d(fwhmArcsec / fine, K);
    const truthObs = new Float32Array(o.n * S * S);
    for (let k = 0; k < o.n; k++) truthObs.set(average2x2(convolveSeparable(truth.truth!.subarray(k * F * F, (k + 1) * F * F), F, psf1), F), k * S * S);

    const rng = new Rng(o.seed, 6), D = m.size;
    const g = await m.decode(m.sampleLatent(o.n, rng), o.n);
    let gObs: Float32Array;
    if (cfg.likelihood === 'psf') {
      // P(Π ∗ g) with the training PSF (moments do not depend on the flux unit)
      const psf2 = Float64Array.from({ length: K * K }, (_, i) => psf1[Math.floor(i / K)]! * psf1[i % K]!);
      gObs = new Float32Array(o.n * S * S);
      for (let k = 0; k < o.n; k++) gObs.set(observe(g.subarray(k * D * D, (k + 1) * D * D), D, psf2, K), k * S * S);
    } else gObs = g;
    const deconvolved = compareMoments(measureSet(g, o.n, D, m.pixelScale), measureSet(truth.truth!, o.n, F, fine), ksTwoSample);
    const observed = compareMoments(measureSet(gObs, o.n, S, m.card.pixelScale), measureSet(truthObs, o.n, S, m.card.pixelScale), ksTwoSample);
    if (o.png) {
      const train = simulateStamps({ preset: ts.preset, band: ts.band, size: S, count: 16, psfSize: K, rng: new Rng(ts.seed ?? 0, 40) });
      const target = resolveTarget({ preset: ts.preset, band: ts.band, size: S + 1 }, 0);
      const samples = await renderSamples(m, 16, target, new Rng(o.seed, 7), true);
      writeFileSync(o.png, montagePng([{ images: train.stamps, count: 16, side: S }, { images: samples.images, count: 16, side: target.size }], 8));
    }
    return { model: o.model, likelihood: cfg.likelihood, beta: cfg.beta, n: o.n, deconvolved, observed };
  } finally {
    await m.dispose();
  }
}
