// Adam (Kingma & Ba 2015, Algorithm 1, bias-corrected), the one update every trainer in LensDesk runs on
// its own parameter arrays: the score U-Net and the lens finder on onnxruntime (src-main), the pure DSM
// trainer (src-core/score/dsm.ts). Float32Array storage rounds each element after the double-precision
// arithmetic, which is what tfjs's AdamOptimizer does per element, so the lens finder's onnxruntime engine
// still matches tfjs step for step.

export interface AdamHyper {
  beta1: number;
  beta2: number;
  /** Added to √v̂: PyTorch's default 1e-8; tfjs uses its backend epsilon (1e-7 for float32). */
  epsilon: number;
}

export const TORCH_ADAM: AdamHyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

type Vec = Float32Array | Float64Array;

/**
 * One Adam step in place on w with gradient g (times gScale, e.g. 1/batch), moments m and v, at learning
 * rate lr; t is the 1-based count of steps taken including this one.
 */
export function adamUpdate(w: Vec, g: ArrayLike<number>, m: Vec, v: Vec, lr: number, t: number, h: AdamHyper = TORCH_ADAM, gScale = 1): void {
  const { beta1: b1, beta2: b2, epsilon } = h;
  const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]! * gScale;
    const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
    const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
    w[i] = w[i]! - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
  }
}

/** Adam's state for named parameters (what a training checkpoint saves). */
export interface AdamState {
  iterations: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

/** Adam over named Float32 parameters, moments zero at the start: the trainers on onnxruntime share it. */
export class NamedAdam {
  state: AdamState;
  constructor(weights: ReadonlyMap<string, Float32Array>, names: readonly string[], private readonly h: AdamHyper = TORCH_ADAM) {
    const zeros = () => new Map(names.map((n) => [n, new Float32Array(weights.get(n)!.length)] as const));
    this.state = { iterations: 0, m: zeros(), v: zeros() };
  }

  /** One update of every named parameter in `weights` with its gradient `gradOf(name)`. */
  step(weights: ReadonlyMap<string, Float32Array>, gradOf: (name: string) => ArrayLike<number>, lr: number): void {
    const s = this.state;
    s.iterations++;
    for (const [name, m] of s.m) adamUpdate(weights.get(name)!, gradOf(name), m, s.v.get(name)!, lr, s.iterations, this.h);
  }
}
