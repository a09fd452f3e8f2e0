// `lensdesk restore --prior DIR`: posterior samples with a trained score U-Net (`lensdesk prior train`
// writes DIR/model.onnx + card.json). Annealed Langevin (Song & Ermon 2019; learned-priors.md §3) with the
// network's score batched over chains (src-core/score/batched-langevin.ts) plus the tempered likelihood
// score Aᵀ(Σ + σ²AAᵀ)⁻¹(y − Ax) of the operator (§4: the "convolved" form, which tracks PSF-suppressed
// modes); mean and std from the samples (summarizeSamples).
// Choices, each measured with bench/restore-quality.ts (docs/learned-priors.md, "Learned prior: quality"):
//  - Units. The training images of `prior train --simulate galaxies` have an INTRINSIC (pre-PSF) peak of 1.
//    The observed peak of a blurred galaxy is lower, so each band is divided by the peak of its exact
//    Wiener posterior mean (a deconvolved estimate), not of the data; σ_n and σ scale with it.
//    The Wiener mean flattens compact cusps (peak 0.2 for a truth of 1 in the bench), so by default
//    2-chain pre-passes of the same sampler rescale the band by the learned mean's peak until it is 1
//    within 5 % (≤ 3 passes; a fixed point of peak ← peak · max(mean)).
//  - Start. Each chain starts from an exact draw of the Wiener (Gaussian, data spectrum) posterior plus
//    σ_1 z, at a modest σ_1: the likelihood pins the low frequencies, so levels above σ_1 only re-learn
//    what Wiener already gives (Remy et al. 2020 likewise start their annealed HMC from the Kaiser–Squires
//    map plus noise at σ ≈ the noise level). This saves most of the network calls, which dominate the time.
//  - Ladder. Geometric from σ_1 to σ_L = max(0.1 σ_n, the card's smallest training σ) (§3: σ_L ≲ 0.1 σ_n
//    keeps the smoothing negligible), `levels` levels, T steps each, α_i = r σ_i² (r = 1: the §3 table's
//    accurate setting for posterior sampling).
//  - End. A final Tweedie step x + σ_L² s(x, σ_L) (§3 "Ending" (a)); at σ_L ≤ 0.1 σ_n it shrinks the
//    fluctuations by < 1 %.
import { InputError } from '../../src-core/errors';
import { convolutionOperator } from '../../src-core/inverse/operators/convolution';
import { identityOperator } from '../../src-core/inverse/operators/identity';
import { maskOperator } from '../../src-core/inverse/operators/mask';
import { FourierDiagonalLikelihood, GaussianLikelihood, type Likelihood } from '../../src-core/inverse/solvers/likelihood';
import { geometricLadder } from '../../src-core/inverse/solvers/sigma-ladder';
import { annealedLangevinBatched } from '../../src-core/score/batched-langevin';
import type { Rng } from '../../src-core/rng';
import { readScoreModel } from '../score/model-files';
import { createUnetScorer, unetBatchScore } from '../score/unet-engine';
import { fourierProblem, restoreBand, type BandProblem, type BandResult, type RestoreOp } from './solve';

export interface LearnedOptions {
  samples: number;
  rng: Rng;
  /** Langevin steps per σ level (default: the card's `sampler.steps`, else 2). */
  stepsPerLevel?: number;
  /** σ levels between σ_1 and σ_L (default: the card's `sampler.levels`, else 16). */
  levels?: number;
  /** σ_1 in the model's peak-1 units (default 0.3 from a Wiener start, the card's largest σ from noise). */
  sigmaMax?: number;
  /** σ_L as a fraction of the noise σ_n (default 0.1; never below the card's smallest training σ). */
  sigmaMinRatio?: number;
  /** r = α_i/σ_i² (default 1). */
  stepRatio?: number;
  /** 'wiener' (default): chains start from exact Wiener posterior draws + σ_1 z; 'noise': σ_1 z (Song & Ermon). */
  start?: 'wiener' | 'noise';
  /** Divide the band by this instead of the estimated intrinsic peak (a known peak). */
  scale?: number;
  /** Refine the Wiener-peak scale by a 2-chain pre-pass of the same sampler (default true; see the file comment). */
  refineScale?: boolean;
  /** Final Tweedie step (default true). */
  tweedie?: boolean;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The sampler settings actually used (for headers, cards and the bench). */
export function learnedSettings(o: LearnedOptions, card: { sigmaRange: [number, number]; sampler?: { levels: number; steps: number } }, noiseSigma: number) {
  const start = o.start ?? 'wiener';
  const sigmaMin = Math.max(card.sigmaRange[0], (o.sigmaMinRatio ?? 0.1) * noiseSigma);
  const sigmaMax = Math.min(card.sigmaRange[1], o.sigmaMax ?? (start === 'wiener' ? 0.3 : card.sigmaRange[1]));
  return { start, sigmaMin, sigmaMax: Math.max(sigmaMax, 1.01 * sigmaMin), levels: o.levels ?? card.sampler?.levels ?? 16, steps: o.stepsPerLevel ?? card.sampler?.steps ?? 2, stepRatio: o.stepRatio ?? 1, tweedie: o.tweedie ?? true };
}

export async function restoreLearnedBands(dir: string, op: RestoreOp, bands: BandProblem[], o: LearnedOptions): Promise<BandResult[]> {
  const { card, onnx } = readScoreModel(dir);
  const S = card.config.size;
  for (const p of bands) {
    if (p.rows !== S || p.cols !== S) throw new InputError('RESTORE_INPUT', `the score model in ${dir} works on ${S} × ${S} images; the cutout is ${p.rows} × ${p.cols} (cut it to ${S} × ${S})`, { path: dir, size: S });
  }
  if (o.samples < 2) throw new InputError('INPUT_INVALID', `--prior DIR (score model) needs --samples ≥ 2 (mean and std come from the samples), got ${o.samples}`, { option: 'samples' });
  const scorer = await createUnetScorer(onnx, S, { threads: o.threads });
  try {
    const out: BandResult[] = [];
    for (const [b, p] of bands.entries()) {
      const n = S * S, keep = new Uint8Array(n);
      for (let i = 0; i < n; i++) keep[i] = Number.isFinite(p.y[i]) && !p.bad?.[i] ? 1 : 0;
      const nBad = n - keep.reduce((s, v) => s + v, 0);
      if (nBad > 0 && op !== 'inpaint' && op !== 'fourier') throw new InputError('RESTORE_INPUT', `band ${b + 1}: ${nBad} NaN/masked pixel(s); use --op inpaint`, { band: b });
      // Exact Gaussian posterior of the same problem: its mean sets the scale, its draws start the chains.
      const wiener = restoreBand(op, 'wiener', p, { samples: o.samples, rng: o.rng });
      const fp = op === 'fourier' ? fourierProblem(p) : undefined;
      const y0 = fp ? fp.y : Float64Array.from(p.y, (v, i) => (keep[i] ? v : 0));
      const run = async (peak: number, chains: number, starts: Float64Array[]) => {
        const y = y0.map((v) => v / peak), s2 = p.noiseVariance / (peak * peak);
        const set = learnedSettings(o, card, Math.sqrt(s2));
        let lik: Likelihood;
        if (op === 'inpaint') lik = new GaussianLikelihood(maskOperator([S, S], keep), y, { variance: s2 });
        else if (fp) lik = new FourierDiagonalLikelihood(fp.a, y, s2); // masked M F: AAᵀ = I on measured bins (§4)
        else {
          const a = op === 'deconvolve' ? convolutionOperator({ bands: 1, rows: S, cols: S, psfs: [p.psf!], boundary: 'periodic' }) : identityOperator([S, S]);
          lik = new FourierDiagonalLikelihood(a, y, s2);
        }
        const r = await annealedLangevinBatched({
          priorScore: unetBatchScore(scorer, S), likelihood: lik, size: n, chains, sigmas: geometricLadder(set.sigmaMax, set.sigmaMin, set.levels), stepRatio: set.stepRatio,
          tweedie: set.tweedie, stepsPerLevel: set.steps, rng: o.rng, signal: o.signal, onProgress: o.onProgress,
          ...(set.start === 'wiener' ? { starts: starts.slice(0, chains).map((s) => s.map((v) => v / peak)) } : {}),
        });
        return { r, set, noise: Math.sqrt(s2) };
      };
      let peak = o.scale ?? wiener.mean.reduce((m, v) => Math.max(m, v), -Infinity);
      if (!(peak > 0)) throw new InputError('RESTORE_INPUT', `band ${b + 1}: the Wiener posterior mean peaks at ${peak}; the score model expects a positive, background-subtracted galaxy`, { band: b });
      const notes: string[] = [];
      if (o.scale === undefined && (o.refineScale ?? true)) {
        // Fixed point peak ← peak × max(learned mean), at most 3 cheap passes, until it moves < 10 %.
        for (let it = 0; it < 3; it++) {
          const pre = await run(peak, 2, wiener.samples);
          const f = pre.r.mean.reduce((m, v) => Math.max(m, v), -Infinity);
          if (!(f > 0)) break;
          peak *= f;
          notes.push(`scale pass ${it + 1}: ×${f.toPrecision(3)} → ${peak.toPrecision(4)}`);
          if (Math.abs(f - 1) < 0.1) break;
        }
      }
      const { r, set, noise } = await run(peak, o.samples, wiener.samples);
      notes.unshift(`pixels divided by ${o.scale !== undefined ? 'the given scale' : 'the estimated intrinsic peak'} ${peak.toPrecision(4)} (training images have peak 1); noise ${noise.toPrecision(3)} in those units`);
      out.push({
        mean: r.mean.map((v) => v * peak), std: r.std.map((v) => v * peak), samples: r.samples.map((s) => s.map((v) => v * peak)),
        method: `annealed Langevin, score U-Net, ${set.levels}x${set.steps} sigma ${set.sigmaMax.toPrecision(2)}-${set.sigmaMin.toPrecision(2)}, ${set.start} start`, notes,
      });
    }
    return out;
  } finally {
    await scorer.dispose();
  }
}
