// The morphology-prior hook of the deblender (Lanusse, Melchior & Moolekamp 2019; reference
// deblending-and-generative.md §A4). After the likelihood gradient step on a morphology S_k, the
// solver calls prior.step(S_k, τ): a proximal or gradient step on −log p(S). `none` is the identity,
// so the constraints-only deblender is exactly the prior-free path. A learned score model
// (src-core/score, issue 13) plugs in through scoreMorphologyPrior: S ← S + τ_p · s_θ(S/c, σ) · c with
// c the morphology's peak, so the prior sees images normalised to peak 1 as in its training set.
import { InputError } from '../errors';
import { modelScore, type ScoreModel } from '../score/model';

export interface MorphologyPrior {
  readonly name: string;
  /** In place on one morphology (rows × cols, model frame); `step` is the solver's step size. */
  step(s: Float64Array, rows: number, cols: number, step: number): void;
  /** Whether symmetry/monotonicity should be dropped (a learned prior replaces them, §A4). */
  readonly replacesConstraints: boolean;
}

export const NO_PRIOR: MorphologyPrior = { name: 'none', step: () => undefined, replacesConstraints: false };

/**
 * A score-model prior at a fixed small σ (MAP step; scarlet2 anneals σ, which a caller can do by
 * building a new prior per stage). `weight` scales the step in units of the morphology's peak.
 */
export function scoreMorphologyPrior(model: ScoreModel, sigma: number, weight = 0.1): MorphologyPrior {
  if (!(sigma > 0)) throw new InputError('PRIOR_SIGMA', `score prior needs σ > 0, got ${sigma}`, { sigma });
  const [mr, mc] = model.shape;
  let buf = new Float64Array(mr * mc), out = new Float64Array(mr * mc);
  return {
    name: `score:${model.name}`,
    replacesConstraints: true,
    step(s, rows, cols) {
      if (rows !== mr || cols !== mc) {
        throw new InputError('PRIOR_SHAPE', `score model ${model.name} is ${mr} × ${mc}; the deblend frame is ${rows} × ${cols}`, { rows, cols });
      }
      let peak = 0;
      for (let i = 0; i < s.length; i++) peak = Math.max(peak, s[i]!);
      if (!(peak > 0)) return;
      if (buf.length !== s.length) { buf = new Float64Array(s.length); out = new Float64Array(s.length); }
      for (let i = 0; i < s.length; i++) buf[i] = s[i]! / peak;
      modelScore(model, buf, sigma, out);
      // Step of σ²·weight along the score: Tweedie's denoiser x + σ² s is the natural unit.
      const tau = weight * sigma * sigma * peak;
      for (let i = 0; i < s.length; i++) s[i] = s[i]! + tau * out[i]!;
    },
  };
}

/** A prior whose step runs on every component at once and may be asynchronous (a network on onnxruntime). */
export interface AsyncMorphologyPrior {
  readonly name: string;
  readonly replacesConstraints: boolean;
  /** In place on req.morphs (the solver's PriorRequest, solver.ts). */
  stepAll(req: { morphs: Float64Array[]; rows: number; cols: number; step: number; peaks: Array<{ x: number; y: number }> }): Promise<void>;
}
