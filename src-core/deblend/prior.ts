// The morphology-prior hook of the deblender (Lanusse, Melchior & Moolekamp 2019; reference
// deblending-and-generative.md §A4). After the likelihood gradient step on a morphology S_k, the
// solver calls prior.step(S_k, τ): a proximal or gradient step on −log p(S). `none` is the identity,
// so the constraints-only deblender is exactly the prior-free path. The learned score model
// (src-core/score) plugs in as an AsyncMorphologyPrior (score-window.ts), one network call for all
// components.

export interface MorphologyPrior {
  readonly name: string;
  /** In place on one morphology (rows × cols, model frame); `step` is the solver's step size. */
  step(s: Float64Array, rows: number, cols: number, step: number): void;
  /** Whether symmetry/monotonicity should be dropped (a learned prior replaces them, §A4). */
  readonly replacesConstraints: boolean;
}

export const NO_PRIOR: MorphologyPrior = { name: 'none', step: () => undefined, replacesConstraints: false };

/** A prior whose step runs on every component at once and may be asynchronous (a network on onnxruntime). */
export interface AsyncMorphologyPrior {
  readonly name: string;
  readonly replacesConstraints: boolean;
  /** In place on req.morphs (the solver's PriorRequest, solver.ts). */
  stepAll(req: { morphs: Float64Array[]; rows: number; cols: number; step: number; peaks: Array<{ x: number; y: number }> }): Promise<void>;
}
