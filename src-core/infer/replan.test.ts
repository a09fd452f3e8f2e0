// replanFromDraws (lens-fit.ts): the chains' own covariance as the new preconditioning keeps every chain's position,
// whitens the draws, and makes a posterior that the MAP's scale describes badly mix far better.
import { describe, expect, it } from 'vitest';
import { replanFromDraws, type LensFitPlan } from './lens-fit';
import { preconditioned } from './lens-posterior';
import { inverseSpd } from './linalg';
import { sample, type ChainResult } from './sample';
import { summariseParameter, parameterChains } from './summary';

const N = 4;
// A posterior in u whose first pair is correlated at 0.995 with scales 1 and 8: a Laplace scale of I at the mode
// (the "MAP metric" here) describes neither, like a Sérsic r_e–n pair whose curvature at the mode understates it.
const SIGMA = (() => {
  const s = [1, 8, 0.5, 2], r = 0.995;
  const c = new Float64Array(N * N);
  for (let i = 0; i < N; i++) c[i * N + i] = s[i]! * s[i]!;
  c[0 * N + 1] = c[1 * N + 0] = r * s[0]! * s[1]!;
  return c;
})();
const PREC = inverseSpd(SIGMA, N);
const MEAN = [0.3, -1, 2, 0.5];
const logDensity = (u: Float64Array, g: Float64Array) => {
  let lp = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let k = 0; k < N; k++) s += PREC[i * N + k]! * (u[k]! - MEAN[k]!);
    g[i] = -s;
    lp -= 0.5 * (u[i]! - MEAN[i]!) * s;
  }
  return lp;
};

const identity = Array.from({ length: N * N }, (_, k) => (k % (N + 1) === 0 ? 1 : 0));
const plan0: LensFitPlan = {
  mapTheta: [...MEAN], mapChi2: 0, startChi2: [0], mapEvaluations: 0, laplaceSd: [1, 1, 1, 1], centre: [...MEAN], scaleTril: identity,
  inits: [[1, 0, 0, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0]], inverseMassDiag: [1, 1, 1, 1], modes: [], mapUnsettled: false, metric: 'hessian',
};

function run(plan: LensFitPlan, starts: number[][], round: number): ChainResult[] {
  const pre = preconditioned(logDensity, plan.centre, plan.scaleTril);
  return starts.map((init, chain) => sample({
    logDensity: pre.logDensityAndGrad, init: Float64Array.from(init), nWarmup: 75, nSamples: 300, seed: 11, chain, stream: chain + 4096 * round, maxDepth: 4,
  }));
}

const inU = (plan: LensFitPlan, z: ArrayLike<number>) => {
  const out = new Float64Array(N);
  preconditioned(logDensity, plan.centre, plan.scaleTril).toU(z, out);
  return out;
};

describe('replanFromDraws', () => {
  const first = run(plan0, plan0.inits, 0);
  const re = replanFromDraws(plan0, first)!;

  it('keeps each chain where it stopped and whitens the pooled draws', () => {
    expect(re).not.toBeNull();
    expect(re.plan.metric).toBe('draws');
    expect(re.draws).toBe(4 * 300);
    for (let k = 0; k < first.length; k++) {
      const r = first[k]!;
      const last = r.draws.subarray((r.nSamples - 1) * N, r.nSamples * N);
      const a = inU(plan0, last), b = inU(re.plan, re.starts[k]!);
      for (let i = 0; i < N; i++) expect(b[i]).toBeCloseTo(a[i]!, 9);
    }
    // L' L'ᵀ is the draws' covariance in u (here ≈ the true Σ, within the sampling error of correlated draws).
    const L = re.plan.scaleTril;
    for (const [i, j, tol] of [[0, 0, 0.35], [1, 1, 0.35], [2, 2, 0.35], [3, 3, 0.35], [0, 1, 0.35]] as const) {
      let c = 0;
      for (let k = 0; k < N; k++) c += L[i * N + k]! * L[j * N + k]!;
      expect(Math.abs(c / SIGMA[i * N + j]! - 1)).toBeLessThan(tol);
    }
    // Upper triangle stays zero (preconditioned() reads only k ≤ i).
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) expect(L[i * N + j]).toBe(0);
  });

  it('mixes the correlated pair several times better than the MAP metric did', () => {
    const second = run(re.plan, re.starts, 1);
    const ess = (plan: LensFitPlan, res: ChainResult[]) => {
      // Physical (u) draws of parameter 1, the wide one of the correlated pair.
      const phys = res.map((r) => {
        const d = new Float64Array(r.draws.length);
        for (let t = 0; t < r.nSamples; t++) d.set(inU(plan, r.draws.subarray(t * N, (t + 1) * N)), t * N);
        return { ...r, draws: d };
      });
      return summariseParameter('p1', parameterChains(phys, 1));
    };
    const before = ess(plan0, first), after = ess(re.plan, second);
    expect(after.essBulk).toBeGreaterThan(3 * before.essBulk);
    expect(after.rhat).toBeLessThan(1.01);
    expect(Math.abs(after.mean - MEAN[1]!)).toBeLessThan(4 * after.mcseMean);
    expect(after.sd / 8).toBeGreaterThan(0.85);
    expect(after.sd / 8).toBeLessThan(1.15);
  });

  it('declines with too few draws for the dimension', () => {
    const few = first.map((r) => ({ ...r, nSamples: 10 }));
    expect(replanFromDraws(plan0, few)).toBeNull();
  });
});
