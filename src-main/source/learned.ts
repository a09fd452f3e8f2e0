// Source reconstruction with a learned score prior (`--prior DIR`, a `lensdesk prior train` folder, or the
// bundled galaxy prior): annealed Langevin with the U-Net's score batched over chains
// (src-core/score/batched-langevin.ts, the same sampler as `lensdesk restore --prior DIR`,
// src-main/restore/learned.ts) and, per chain, the tempered likelihood of ONE lens-model draw (chain c uses
// draw c mod N), so the spread of the chains includes the lens-model uncertainty. The chain ends with a
// Tweedie step x ← x + σ_L² s(x, σ_L) (learned-priors.md §3: cleaner, slightly shrunk fluctuations).
// Units: the prior is trained on peak-1 galaxies, so the data are divided by `scale` (the source's peak,
// from the Gaussian posterior mean at the median lens) and the samples multiplied back.
// Tempering: Σ + σ² diag(AAᵀ1) per image pixel (GaussianLikelihood's row-sum default, stable for Langevin
// with a PSF; see src-core/inverse/solvers/likelihood.ts).
import { InputError } from '../../src-core/errors';
import { GaussianLikelihood } from '../../src-core/inverse/solvers/likelihood';
import type { SourceDrawProblem } from '../../src-core/inverse/source/source-problem';
import { annealedLangevinBatched } from '../../src-core/score/batched-langevin';
import type { Rng } from '../../src-core/rng';
import { readScoreModel } from '../score/model-files';
import { createUnetScorer, unetBatchScore } from '../score/unet-engine';

export interface LearnedSourceOptions {
  samples: number;
  rng: Rng;
  stepsPerLevel?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface LearnedSourceResult {
  mean: Float64Array;
  std: Float64Array;
  samples: Float64Array[];
  levels: number;
  method: string;
}

export async function reconstructLearned(dir: string, problems: readonly SourceDrawProblem[], scale: number, o: LearnedSourceOptions): Promise<LearnedSourceResult> {
  const { card, onnx } = readScoreModel(dir);
  const S = card.config.size;
  const [rows, cols] = problems[0]!.operator.inShape;
  if (rows !== S || cols !== S) throw new InputError('SOURCE_GRID', `the score prior in ${dir} works on ${S} × ${S} images; the source grid is ${rows} × ${cols} (use --grid ${S})`, { path: dir, size: S });
  if (o.samples < 2) throw new InputError('INPUT_INVALID', `a score prior needs --samples ≥ 2 (mean and std come from the chains), got ${o.samples}`, { option: 'samples' });
  if (!(scale > 0)) throw new InputError('SOURCE_SCALE', `the source's peak brightness is ${scale}: nothing to scale the peak-1 prior to (is there a lensed source in this band?)`, { scale });
  const s2 = scale * scale;
  const likelihoods = problems.map((p) => new GaussianLikelihood(p.operator, p.y.map((v) => v / scale), { variance: p.variance.map((v) => v / s2) }));
  const sigmas = Float64Array.from(card.sigmaLadder);
  const T = o.stepsPerLevel ?? 10;
  const scorer = await createUnetScorer(onnx, S, { threads: o.threads });
  try {
    const r = await annealedLangevinBatched({
      priorScore: unetBatchScore(scorer, S), chainLikelihoods: likelihoods, size: S * S, chains: o.samples, sigmas,
      stepsPerLevel: T, rng: o.rng, signal: o.signal, onProgress: o.onProgress, tweedie: true,
    });
    return {
      mean: r.mean.map((v) => v * scale), std: r.std.map((v) => v * scale), samples: r.samples.map((x) => x.map((v) => v * scale)),
      levels: sigmas.length, method: `annealed Langevin, score U-Net ${card.model}@${card.version} (${sigmas.length} levels × ${T} steps, Tweedie end), ${o.samples} chains over ${problems.length} lens draw(s)`,
    };
  } finally {
    await scorer.dispose();
  }
}
