// The score of the (tempered) posterior at level σ: prior score of p_σ plus the tempered likelihood
// score (learned-priors.md §4). Samplers and score-ascent MAP take this one function.
import { InputError } from '../../errors';
import type { Prior } from '../priors/prior';
import type { Likelihood } from './likelihood';

/** out ← ∇log π_σ(x). Must not keep references to x or out. */
export type ScoreFn = (x: Float64Array, sigma: number, out: Float64Array) => void;

export function posteriorScore(prior: Prior, likelihood: Likelihood): ScoreFn {
  if (!prior.score) throw new InputError('PRIOR_NO_SCORE', `prior '${prior.name}' has no score; sample it through its prox (Moreau–Yosida) instead`, { prior: prior.name });
  const score = prior.score.bind(prior);
  let tmp = new Float64Array(0);
  return (x, sigma, out) => {
    if (tmp.length !== x.length) tmp = new Float64Array(x.length);
    score(x, sigma, out);
    likelihood.score(x, sigma, tmp);
    for (let i = 0; i < x.length; i++) out[i] = out[i]! + tmp[i]!;
  };
}
