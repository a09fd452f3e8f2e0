// `--method hybrid`: loads a hybrid κ prior folder (`lensdesk prior train --kappa …`: the score U-Net trained
// as the residual of the Gaussian score, card.residualOf = the theory spectrum and pixel scale), runs the
// network on onnxruntime over the whole field (it is fully convolutional: the weights do not depend on the
// image side) and samples the posterior (src-core/massmap/hybrid.ts). The U-Net needs a square side that is
// a multiple of 4, so the grid is embedded in such a square with the extra pixels masked (no data there).
import { InputError } from '../../src-core/errors';
import type { GriddedShear } from '../../src-core/massmap/grid';
import { sampleHybrid, type HybridResult, type HybridSampler } from '../../src-core/massmap/hybrid';
import { ARCMIN_RAD, ksKernel } from '../../src-core/massmap/ks93';
import { modeVariance } from '../../src-core/massmap/spectrum';
import type { Rng } from '../../src-core/rng';
import { readScoreModel } from '../score/model-files';
import { createKappaResidualScorer, type KappaResidualCard } from '../score/kappa-training';
import { unetBatchScore } from '../score/unet-engine';

export interface HybridPrior {
  dir: string;
  card: KappaResidualCard;
  pixArcmin: number;
  /** null: the Gaussian part alone (tests, and `--prior gaussian`). */
  model: ReturnType<typeof readScoreModel> | null;
}

export function loadHybridPrior(dir: string): HybridPrior {
  const model = readScoreModel(dir);
  const r = model.card.residualOf as Partial<KappaResidualCard> | undefined;
  if (!r || r.kind !== 'gaussian-kappa' || !(Number(r.pixArcmin) > 0) || !Array.isArray(r.ell) || !Array.isArray(r.cl)) {
    const what = (model.card.trainingSet as { source?: string } | undefined)?.source ?? 'unknown';
    throw new InputError('MASSMAP_PRIOR', `${dir}/card.json: not a hybrid κ prior (no residualOf of kind 'gaussian-kappa'; this model was trained on '${what}' images). Train one with \`lensdesk prior train --kappa MAPS --ps PS.csv --pixel ARCMIN\``, { path: dir });
  }
  return { dir, card: r as KappaResidualCard, pixArcmin: r.pixArcmin!, model };
}

export interface HybridRunOptions {
  chains: number;
  rng: Rng;
  threads?: number;
  /** Default 'auto': the denoising diffusion when the square grid has white noise and no mask, else Gibbs. */
  sampler?: HybridSampler;
  levels?: number;
  stepsPerLevel?: number;
  sigmaMax?: number;
  sigmaMin?: number;
  signal?: { readonly aborted: boolean };
  onProgress?: (done: number, total: number) => void;
}

/** Posterior mean, std and samples on the gridded shear's own rows × cols grid. */
export async function hybridMassMap(gs: GriddedShear, prior: HybridPrior, o: HybridRunOptions): Promise<HybridResult & { side: number }> {
  const { rows, cols, pixArcmin } = gs.grid;
  if (Math.abs(pixArcmin / prior.pixArcmin - 1) > 0.01) {
    throw new InputError('MASSMAP_PRIOR_PIXEL', `the hybrid prior ${prior.dir} was trained at ${prior.pixArcmin}′ pixels but the grid has ${pixArcmin}′: pass --pixel ${prior.pixArcmin}arcmin`, { option: 'pixel' });
  }
  const S = Math.ceil(Math.max(rows, cols) / 4) * 4, n = S * S;
  const k = ksKernel(S, S, pixArcmin * ARCMIN_RAD);
  const g1 = new Float64Array(n), g2 = new Float64Array(n), variance = new Float64Array(n).fill(Infinity);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c, j = r * S + c;
      g1[j] = gs.g1[i]!;
      g2[j] = gs.g2[i]!;
      variance[j] = gs.variance[i]!;
    }
  const P = modeVariance(k, { ell: Float64Array.from(prior.card.ell), cl: Float64Array.from(prior.card.cl) });
  const scorer = prior.model ? await createKappaResidualScorer(prior.model, S, o.threads) : null;
  try {
    const res = await sampleHybrid({
      kernel: k, g1, g2, variance, modeVariance: P, // the folder's ONNX output `score` is u_θ/σ = r_θ, the residual only (s_G is added in src-core)
      residual: scorer ? unetBatchScore(scorer, S, 8) : null,
      chains: o.chains, rng: o.rng, sampler: o.sampler, levels: o.levels, stepsPerLevel: o.stepsPerLevel, sigmaMax: o.sigmaMax, sigmaMin: o.sigmaMin,
      signal: o.signal, onProgress: o.onProgress,
    });
    const crop = (a: Float64Array) => {
      if (S === rows && S === cols) return a;
      const out = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) out.set(a.subarray(r * S, r * S + cols), r * cols);
      return out;
    };
    return { ...res, mean: crop(res.mean), std: crop(res.std), samples: res.samples.map(crop), side: S };
  } finally {
    await scorer?.dispose();
  }
}
