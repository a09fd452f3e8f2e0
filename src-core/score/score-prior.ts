// A learned score model behind the Prior interface (DESIGN.md: "a learned prior is just another prior
// object whose gradient is a score"): score(x, σ) = u_θ(x, σ)/σ. No log density (only its gradient is
// learned), no prox. σ must be > 0: the model is trained on σ > 0 only.
import { InputError } from '../errors';
import type { Prior } from '../inverse/priors/prior';
import { modelScore, type ScoreModel } from './model';

export class ScorePrior implements Prior {
  readonly name: string;
  readonly shape: readonly number[];
  constructor(private readonly model: ScoreModel) {
    this.name = `score:${model.name}`;
    this.shape = model.shape;
  }

  score(x: Float64Array, sigma: number, out?: Float64Array): Float64Array {
    if (!(sigma > 0)) throw new InputError('SCORE_SIGMA', `a learned score needs σ > 0 (got ${sigma}); end the σ ladder above 0`, { sigma });
    return modelScore(this.model, x, sigma, out ?? new Float64Array(x.length));
  }
}
