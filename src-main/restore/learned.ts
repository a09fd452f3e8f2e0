// `lensdesk restore --prior DIR`: posterior samples with a trained score U-Net (`lensdesk prior train`
// writes DIR/model.onnx + card.json). Annealed Langevin (Song & Ermon 2019; learned-priors.md §3) with the
// network's score batched over chains (src-core/score/batched-langevin.ts) plus the tempered likelihood
// score of the operator; mean and std from the samples (summarizeSamples).
// Units: the training images of `prior train --simulate galaxies` have peak 1, so each band is divided by
// its robust peak (99.5th percentile of the measured pixels) before sampling and multiplied back after;
// σ² scales with it. A network trained on other units needs a matching scale (not exposed yet).
import { InputError } from '../../src-core/errors';
import { convolutionOperator } from '../../src-core/inverse/operators/convolution';
import { identityOperator } from '../../src-core/inverse/operators/identity';
import { maskOperator } from '../../src-core/inverse/operators/mask';
import { FourierDiagonalLikelihood, GaussianLikelihood, type Likelihood } from '../../src-core/inverse/solvers/likelihood';
import { annealedLangevinBatched } from '../../src-core/score/batched-langevin';
import type { Rng } from '../../src-core/rng';
import { readScoreModel } from '../score/model-files';
import { createUnetScorer, unetBatchScore } from '../score/unet-engine';
import type { BandProblem, BandResult, RestoreOp } from './solve';

export interface LearnedOptions {
  samples: number;
  rng: Rng;
  /** Langevin steps per σ level (default 10). */
  stepsPerLevel?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function robustPeak(y: Float64Array, keep: Uint8Array): number {
  const v = Array.from(y).filter((x, i) => keep[i] && Number.isFinite(x)).sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(0.995 * v.length))]!;
}

export async function restoreLearnedBands(dir: string, op: RestoreOp, bands: BandProblem[], o: LearnedOptions): Promise<BandResult[]> {
  const { card, onnx } = readScoreModel(dir);
  const S = card.config.size;
  for (const p of bands) {
    if (p.rows !== S || p.cols !== S) throw new InputError('RESTORE_INPUT', `the score model in ${dir} works on ${S} × ${S} images; the cutout is ${p.rows} × ${p.cols} (cut it to ${S} × ${S})`, { path: dir, size: S });
  }
  if (o.samples < 2) throw new InputError('INPUT_INVALID', `--prior DIR (score model) needs --samples ≥ 2 (mean and std come from the samples), got ${o.samples}`, { option: 'samples' });
  const sigmas = Float64Array.from(card.sigmaLadder);
  const scorer = await createUnetScorer(onnx, S, { threads: o.threads });
  try {
    const out: BandResult[] = [];
    for (const [b, p] of bands.entries()) {
      const n = S * S, keep = new Uint8Array(n);
      for (let i = 0; i < n; i++) keep[i] = Number.isFinite(p.y[i]) && !p.bad?.[i] ? 1 : 0;
      const nBad = n - keep.reduce((s, v) => s + v, 0);
      const peak = robustPeak(p.y, keep);
      if (!(peak > 0)) throw new InputError('RESTORE_INPUT', `band ${b + 1}: the 99.5th percentile is ${peak}; the score model expects a positive, peak-normalised image`, { band: b });
      const y = Float64Array.from(p.y, (v, i) => (keep[i] ? v / peak : 0)), s2 = p.noiseVariance / (peak * peak);
      const notes = [`pixels divided by the 99.5th percentile ${peak.toPrecision(4)} (training images have peak 1)`];
      let lik: Likelihood;
      if (op === 'inpaint') lik = new GaussianLikelihood(maskOperator([S, S], keep), y, { variance: s2 });
      else {
        if (nBad > 0) throw new InputError('RESTORE_INPUT', `band ${b + 1}: ${nBad} NaN/masked pixel(s); use --op inpaint`, { band: b });
        const a = op === 'deconvolve' ? convolutionOperator({ bands: 1, rows: S, cols: S, psfs: [p.psf!], boundary: 'periodic' }) : identityOperator([S, S]);
        lik = new FourierDiagonalLikelihood(a, y, s2);
      }
      const r = await annealedLangevinBatched({
        priorScore: unetBatchScore(scorer, S), likelihood: lik, size: n, chains: o.samples, sigmas,
        stepsPerLevel: o.stepsPerLevel ?? 10, rng: o.rng, signal: o.signal, onProgress: o.onProgress,
      });
      out.push({
        mean: r.mean.map((v) => v * peak), std: r.std.map((v) => v * peak), samples: r.samples.map((s) => s.map((v) => v * peak)),
        method: `annealed Langevin with score U-Net (${sigmas.length} levels x ${o.stepsPerLevel ?? 10} steps)`, notes,
      });
    }
    return out;
  } finally {
    await scorer.dispose();
  }
}
