// FISTA (Beck & Teboulle 2009; learned-priors.md §10) for min f(x) + g(x), ∇f L-Lipschitz, g prox-able:
//   x_k = prox_{g/L}(v_k − ∇f(v_k)/L);  t_{k+1} = (1 + √(1 + 4t_k²))/2;
//   v_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1});  t_1 = 1, v_1 = x_0.
// Momentum restarts when the objective increases (O'Donoghue & Candès 2015), which keeps the
// objective sequence nearly monotone. Stopping rule: relative change ‖x_k − x_{k−1}‖/‖x_k‖ < tol
// (default 1e-5), or maxIter (default 500). The objective is logged every iteration.
import { InputError } from '../../errors';
import { checkCancelled, type RunControl } from './run-control';
import { relativeChange, type SmoothTerm } from './smooth';

export interface FistaOptions extends RunControl {
  x0: Float64Array;
  smooth: SmoothTerm;
  /** L ≥ ‖∇²f‖ (e.g. Likelihood.lipschitz(); power iteration with a 1 % margin otherwise). */
  lipschitz: number;
  /** prox_{step·g}(v) into out. */
  prox: (v: Float64Array, step: number, out: Float64Array) => void;
  /** g(x), for the objective log and the restart test (0 when absent). */
  nonsmooth?: (x: Float64Array) => number;
  maxIter?: number;
  tol?: number;
  restart?: boolean;
}

export interface OptimizerResult {
  x: Float64Array;
  iterations: number;
  converged: boolean;
  /** Objective after each iteration. */
  objective: number[];
}

export function fista(o: FistaOptions): OptimizerResult {
  if (!(o.lipschitz > 0)) throw new InputError('SOLVER_STEP', `FISTA needs a Lipschitz constant > 0, got ${o.lipschitz}`, { lipschitz: o.lipschitz });
  const n = o.x0.length, step = 1 / o.lipschitz;
  const maxIter = o.maxIter ?? 500, tol = o.tol ?? 1e-5, restart = o.restart ?? true;
  const g = o.nonsmooth ?? (() => 0);
  let x = Float64Array.from(o.x0), xPrev = Float64Array.from(o.x0);
  const v = Float64Array.from(o.x0), grad = new Float64Array(n), w = new Float64Array(n);
  let t = 1;
  const objective: number[] = [];
  let last = o.smooth.value(x) + g(x);
  for (let k = 1; k <= maxIter; k++) {
    checkCancelled(o.signal, 'FISTA', k);
    o.smooth.gradient(v, grad);
    for (let i = 0; i < n; i++) w[i] = v[i]! - step * grad[i]!;
    [xPrev, x] = [x, xPrev];
    o.prox(w, step, x);
    const f = o.smooth.value(x) + g(x);
    objective.push(f);
    let tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    if (restart && f > last) {
      // Restart: drop the momentum (next extrapolation from x alone).
      t = 1;
      tNext = 1;
    }
    const beta = (t - 1) / tNext;
    for (let i = 0; i < n; i++) v[i] = x[i]! + beta * (x[i]! - xPrev[i]!);
    t = tNext;
    last = f;
    o.onProgress?.(k, maxIter);
    if (relativeChange(x, xPrev) < tol) return { x, iterations: k, converged: true, objective };
  }
  return { x, iterations: maxIter, converged: false, objective };
}
