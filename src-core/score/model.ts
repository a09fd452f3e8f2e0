// A noise-conditional score model (learned-priors.md §1): the network outputs u_θ(x̃, σ) ≈ −ε for
// x̃ = x + σε, and the score is s_θ = u_θ/σ (NCSNv2's division by σ). Inputs are scaled by
// c_in = 1/√(σ_data² + σ²) (Karras et al. 2022) so the network sees unit-variance inputs at every σ.
// Any model that can give the gradient of the per-image DSM loss with respect to its parameters can be
// trained by dsm.ts; a model card records what it was trained on and its loss per σ against the
// Gaussian floor (as the lens finder's card does).
export interface ScoreModel {
  readonly name: string;
  /** Image shape [rows, cols]. */
  readonly shape: readonly [number, number];
  /** The σ levels it was trained on (decreasing or increasing; data units). */
  readonly sigmas: Float64Array;
  readonly params: Float64Array;
  /** u_θ(x̃, σ) into out (≈ −ε); score = u/σ. */
  predict(xNoisy: Float64Array, sigma: number, out: Float64Array): void;
  /**
   * Per-image DSM loss ‖u_θ(x + σ_ℓ ε, σ_ℓ) + ε‖²/D at training level ℓ, adding its gradient with
   * respect to `params` into `grad`. Returns the loss.
   */
  lossAndGradient(x: Float64Array, level: number, eps: Float64Array, grad: Float64Array): number;
}

/** s_θ(x, σ) = u_θ(x, σ)/σ. */
export function modelScore(model: ScoreModel, x: Float64Array, sigma: number, out: Float64Array): Float64Array {
  model.predict(x, sigma, out);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sigma;
  return out;
}

export interface ScoreModelCard {
  model: string;
  version: string;
  shape: [number, number];
  trainingSet: string;
  sigmas: number[];
  /** Held-out DSM loss per σ (per pixel) and the Gaussian floor Σ_k c_k/(c_k + σ²)/D when known. */
  lossPerSigma: Array<{ sigma: number; loss: number; gaussianFloor?: number }>;
  steps: number;
  batch: number;
}
