// Denoising score matching (Vincent 2011; Song & Ermon 2019; learned-priors.md §1) with the σ²
// weighting: per image and level, ‖σ s_θ(x + σε, σ) + ε‖²/D = ‖u_θ + ε‖²/D, minimised by the true
// score of p_σ. Levels are drawn uniformly from the model's ladder (NCSN). Adam (Kingma & Ba 2015)
// with a linear learning-rate decay to 0. The loss floor for Gaussian data with per-mode variances
// c_k is (1/D) Σ_k c_k/(c_k + σ²) per pixel (§1), the training check.
import { checkCancelled, type RunControl } from '../inverse/solvers/run-control';
import { zigguratNormal } from '../lens/ziggurat';
import { adamUpdate } from '../math/adam';
import type { Rng } from '../rng';
import type { ScoreModel } from './model';

/** (1/D) Σ_k c_k/(c_k + σ²): the per-pixel DSM loss of the exact score for Gaussian data. */
export function gaussianDsmFloor(spectrum: ArrayLike<number>, sigma: number): number {
  let s = 0;
  for (let k = 0; k < spectrum.length; k++) s += spectrum[k]! / (spectrum[k]! + sigma * sigma);
  return s / spectrum.length;
}

export interface DsmTrainingOptions extends RunControl {
  /** Draws one training image (augmentations included) into out. */
  sample: (rng: Rng, out: Float64Array) => void;
  steps: number;
  batch: number;
  learningRate: number;
  rng: Rng;
  /** Adam β1, β2 (0.9, 0.999). */
  betas?: [number, number];
}

/** Trains in place; returns the mean training loss per step. */
export function trainDsm(model: ScoreModel, o: DsmTrainingOptions): Float64Array {
  const p = model.params, n = model.shape[0] * model.shape[1];
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const m = new Float64Array(p.length), v = new Float64Array(p.length), g = new Float64Array(p.length);
  const x = new Float64Array(n), eps = new Float64Array(n);
  const losses = new Float64Array(o.steps);
  for (let t = 1; t <= o.steps; t++) {
    checkCancelled(o.signal, 'DSM training', t);
    g.fill(0);
    let loss = 0;
    for (let b = 0; b < o.batch; b++) {
      o.sample(o.rng, x);
      for (let i = 0; i < n; i++) eps[i] = zigguratNormal(o.rng);
      loss += model.lossAndGradient(x, o.rng.int(model.sigmas.length), eps, g);
    }
    losses[t - 1] = loss / o.batch;
    const lr = o.learningRate * (1 - (t - 1) / o.steps);
    adamUpdate(p, g, m, v, lr, t, { beta1: b1, beta2: b2, epsilon: 1e-8 }, 1 / o.batch);
    o.onProgress?.(t, o.steps);
  }
  return losses;
}

/** Held-out DSM loss per pixel at σ (fresh images and noise), without touching the model. */
export function evaluateDsm(model: ScoreModel, sigma: number, count: number, sample: (rng: Rng, out: Float64Array) => void, rng: Rng): number {
  const n = model.shape[0] * model.shape[1];
  const x = new Float64Array(n), eps = new Float64Array(n), xn = new Float64Array(n), u = new Float64Array(n);
  let s = 0;
  for (let c = 0; c < count; c++) {
    sample(rng, x);
    for (let i = 0; i < n; i++) { eps[i] = zigguratNormal(rng); xn[i] = x[i]! + sigma * eps[i]!; }
    model.predict(xn, sigma, u);
    for (let i = 0; i < n; i++) s += (u[i]! + eps[i]!) ** 2;
  }
  return s / (count * n);
}
