// Reverse-mode differentiation written out as ONNX nodes (opset 13), for training graphs that an
// *inference* runtime (onnxruntime-node's CPU build) can run: each forward op pushes a closure that,
// run in reverse order, emits its backward nodes. The same forward code builds the inference graph
// when `train` is false (weights become initializers, no backward). The lens finder's graph
// (src-core/classify/onnx/train-graph.ts) uses the same rules; this is the general form for the score
// U-Net (NCHW, symbolic batch).
//
// Gradients (dy = ∂L/∂y):
//   Conv y = W∗x + b (stride 1, 'same'):  db = Σ_{n,h,w} dy;  dW by one GEMM on k² shifted slices of x
//     (im2col of xᵀ);  dx = Conv(dy, W flipped, O↔I swapped)  (or a MatMul for 1×1).
//   GroupNorm (Wu & He 2018; x̂ = (x − μ_g)·r_g, r = 1/√(σ_g² + ε), y = γx̂ + β):
//     dβ = Σ dy, dγ = Σ dy·x̂;  with d = dy·γ:  dx = r·(d − mean_g(d) − x̂·mean_g(d·x̂)).
//   SiLU y = x·s, s = sigmoid(x):  dx = dy·s·(1 + x(1 − s)).
//   Linear z = xWᵀ + b:  dW = dzᵀx, db = Σ_n dz, dx = dz·W.
//   AveragePool 2×2: dx = nearest-upsample(dy)/4;  nearest upsample ×2: dx = 4·AveragePool(dy).
//   Concat on channels: dx_i = the matching channel slice of dy.
//   Exp y = eˣ: dx = dy·y.   Mul y = a⊙b (same shape): da = dy⊙b, db = dy⊙a.   Scale y = c·x: dx = c·dy.
//   Reshape: dx = Reshape(dy, Shape(x)).
//   Per-image convolution (each image n with its own kernel k_n, e.g. its PSF; 'same', k odd) as one
//     grouped Conv over the batch laid out as channels:  dx_n = k_n ⋆ dy_n = Conv(dy_n, k_n flipped).
//     Kernels are data (no gradient); the batch size is static (Conv's group count is an attribute).
// Tensors used by several consumers sum their gradients.
import { OnnxGraph } from '../classify/onnx/graph';

export interface TapeParam {
  name: string;
  dims: number[];
  /** PyTorch's default init bound 1/√fan_in (weights and biases), or a constant (norm γ = 1, β = 0). */
  init: { uniform: number } | { constant: number };
}

export const gradName = (param: string) => `grad:${param}`;

export class Tape {
  readonly g: OnnxGraph;
  readonly params: TapeParam[] = [];
  private readonly backward: (() => void)[] = [];
  private readonly grads = new Map<string, string[]>();
  private readonly intCache = new Map<string, string>();
  private readonly scalarCache = new Map<number, string>();

  /** weights: initializer values for an inference graph (`train` false). */
  constructor(name: string, readonly train: boolean, private readonly weights?: ReadonlyMap<string, Float32Array>) {
    this.g = new OnnxGraph(name);
  }

  ints(v: number[]): string {
    const key = v.join(',');
    if (!this.intCache.has(key)) this.intCache.set(key, this.g.int64(`i64[${key}]`, v));
    return this.intCache.get(key)!;
  }

  scalar(v: number): string {
    if (!this.scalarCache.has(v)) this.scalarCache.set(v, this.g.float32(`f32(${v})`, [], Float32Array.of(v)));
    return this.scalarCache.get(v)!;
  }

  node(op: string, inputs: string[], attrs: Parameters<OnnxGraph['node']>[2] = {}, output?: string): string {
    return this.g.node(op, inputs, attrs, output);
  }

  param(name: string, dims: number[], init: TapeParam['init']): string {
    this.params.push({ name, dims, init });
    if (this.train) return this.g.input(name, dims);
    const w = this.weights?.get(name);
    if (!w) throw new Error(`internal: no weights for ${name}`);
    return this.g.float32(name, dims, w);
  }

  addGrad(t: string, d: string): void {
    const list = this.grads.get(t);
    if (list) list.push(d);
    else this.grads.set(t, [d]);
  }

  gradOf(t: string): string {
    const list = this.grads.get(t);
    if (!list) throw new Error(`internal: no gradient reached ${t}`);
    if (list.length === 1) return list[0]!;
    const s = this.node('Sum', list);
    this.grads.set(t, [s]);
    return s;
  }

  /** Registers a backward closure (skipped for inference graphs). */
  onBackward(f: () => void): void {
    if (this.train) this.backward.push(f);
  }

  private emitParamGrad(p: string, d: string): void {
    this.node('Identity', [d], {}, gradName(p));
    this.g.output(gradName(p), this.params.find((q) => q.name === p)!.dims);
  }

  /** Runs the backward closures in reverse, after the caller seeded the loss gradient with addGrad. */
  runBackward(): void {
    for (let i = this.backward.length - 1; i >= 0; i--) this.backward[i]!();
  }

  private transposeNC(t: string): string {
    return this.node('Transpose', [t], { perm: [1, 0, 2, 3] });
  }

  private channelSum(t: string): string {
    return this.node('ReduceSum', [t, this.ints([0, 2, 3])], { keepdims: 0 });
  }

  /** 'same' conv, stride 1, k odd, with bias. `needDx`: x depends on parameters. */
  conv(x: string, name: string, k: number, ci: number, co: number, side: number, needDx = true): string {
    const W = this.param(`${name}.weight`, [co, ci, k, k], { uniform: 1 / Math.sqrt(ci * k * k) });
    const b = this.param(`${name}.bias`, [co], { uniform: 1 / Math.sqrt(ci * k * k) });
    const pad = (k - 1) / 2;
    const y = this.node('Conv', [x, W, b], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] });
    this.onBackward(() => {
      const dy = this.gradOf(y);
      this.emitParamGrad(b, this.channelSum(dy));
      const dyMat = this.node('Reshape', [this.transposeNC(dy), this.ints([co, -1])]);
      let dW: string;
      if (k === 1) {
        const xMat = this.node('Reshape', [this.transposeNC(x), this.ints([ci, -1])]);
        dW = this.node('Reshape', [this.node('Gemm', [dyMat, xMat], { transB: 1 }), this.ints([co, ci, 1, 1])]);
      } else {
        const xp = this.node('Pad', [this.transposeNC(x), this.ints([0, 0, pad, pad, 0, 0, pad, pad])]);
        const cols: string[] = [];
        for (let a = 0; a < k; a++)
          for (let c = 0; c < k; c++)
            cols.push(this.node('Unsqueeze', [this.node('Slice', [xp, this.ints([a, c]), this.ints([a + side, c + side]), this.ints([2, 3])]), this.ints([1])]));
        const col = this.node('Reshape', [this.node('Concat', cols, { axis: 1 }), this.ints([ci * k * k, -1])]);
        dW = this.node('Reshape', [this.node('Gemm', [dyMat, col], { transB: 1 }), this.ints([co, ci, k, k])]);
      }
      this.emitParamGrad(W, dW);
      if (!needDx) return;
      if (k === 1) {
        const wT = this.node('Transpose', [this.node('Reshape', [W, this.ints([co, ci])])], { perm: [1, 0] });
        this.addGrad(x, this.node('Reshape', [this.node('MatMul', [wT, this.node('Reshape', [dy, this.ints([0, co, -1])])]), this.ints([0, ci, side, side])]));
      } else {
        const wFlip = this.node('Slice', [this.transposeNC(W), this.ints([-1, -1]), this.ints([-(k + 1), -(k + 1)]), this.ints([2, 3]), this.ints([-1, -1])]);
        this.addGrad(x, this.node('Conv', [dy, wFlip], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] }));
      }
    });
    return y;
  }

  /** GroupNorm(groups, c) on an N×c×side×side tensor, ε = 1e-5 (PyTorch's default). */
  groupNorm(x: string, name: string, c: number, groups: number, side: number): string {
    const gamma = this.param(`${name}.weight`, [c], { constant: 1 });
    const beta = this.param(`${name}.bias`, [c], { constant: 0 });
    const xr = this.node('Reshape', [x, this.ints([0, groups, -1])]);
    const mean = this.node('ReduceMean', [xr], { axes: [2], keepdims: 1 });
    const xc = this.node('Sub', [xr, mean]);
    const variance = this.node('ReduceMean', [this.node('Mul', [xc, xc])], { axes: [2], keepdims: 1 });
    const r = this.node('Reciprocal', [this.node('Sqrt', [this.node('Add', [variance, this.scalar(1e-5)])])]);
    const xhatR = this.node('Mul', [xc, r]);
    const xhat = this.node('Reshape', [xhatR, this.ints([0, c, side, side])]);
    const gammaB = this.node('Reshape', [gamma, this.ints([1, c, 1, 1])]);
    const y = this.node('Add', [this.node('Mul', [xhat, gammaB]), this.node('Reshape', [beta, this.ints([1, c, 1, 1])])]);
    this.onBackward(() => {
      const dy = this.gradOf(y);
      this.emitParamGrad(beta, this.channelSum(dy));
      this.emitParamGrad(gamma, this.channelSum(this.node('Mul', [dy, xhat])));
      const d = this.node('Reshape', [this.node('Mul', [dy, gammaB]), this.ints([0, groups, -1])]);
      const m1 = this.node('ReduceMean', [d], { axes: [2], keepdims: 1 });
      const m2 = this.node('ReduceMean', [this.node('Mul', [d, xhatR])], { axes: [2], keepdims: 1 });
      const dx = this.node('Mul', [this.node('Sub', [this.node('Sub', [d, m1]), this.node('Mul', [xhatR, m2])]), r]);
      this.addGrad(x, this.node('Reshape', [dx, this.ints([0, c, side, side])]));
    });
    return y;
  }

  silu(x: string): string {
    const s = this.node('Sigmoid', [x]);
    const y = this.node('Mul', [x, s]);
    this.onBackward(() => {
      const oneMinus = this.node('Sub', [this.scalar(1), s]);
      const local = this.node('Mul', [s, this.node('Add', [this.scalar(1), this.node('Mul', [x, oneMinus])])]);
      this.addGrad(x, this.node('Mul', [this.gradOf(y), local]));
    });
    return y;
  }

  /** Linear on N×cin → N×cout (PyTorch layout: weight [cout, cin]). */
  linear(x: string, name: string, cin: number, cout: number, needDx = true): string {
    const W = this.param(`${name}.weight`, [cout, cin], { uniform: 1 / Math.sqrt(cin) });
    const b = this.param(`${name}.bias`, [cout], { uniform: 1 / Math.sqrt(cin) });
    const y = this.node('Gemm', [x, W, b], { transB: 1 });
    this.onBackward(() => {
      const dz = this.gradOf(y);
      this.emitParamGrad(W, this.node('Gemm', [dz, x], { transA: 1 }));
      this.emitParamGrad(b, this.node('ReduceSum', [dz, this.ints([0])], { keepdims: 0 }));
      if (needDx) this.addGrad(x, this.node('MatMul', [dz, W]));
    });
    return y;
  }

  /** h (N×c×s×s) + z (N×c) broadcast over pixels. */
  addChannelBias(h: string, z: string, c: number): string {
    const y = this.node('Add', [h, this.node('Reshape', [z, this.ints([0, c, 1, 1])])]);
    this.onBackward(() => {
      const dy = this.gradOf(y);
      this.addGrad(h, dy);
      this.addGrad(z, this.node('ReduceSum', [dy, this.ints([2, 3])], { keepdims: 0 }));
    });
    return y;
  }

  add(a: string, b: string): string {
    const y = this.node('Add', [a, b]);
    this.onBackward(() => {
      const dy = this.gradOf(y);
      this.addGrad(a, dy);
      this.addGrad(b, dy);
    });
    return y;
  }

  avgPool2(x: string, c: number, side: number): string {
    const y = this.node('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    this.onBackward(() => this.addGrad(x, this.node('Mul', [this.upsampleNoGrad(this.gradOf(y), c, side / 2), this.scalar(0.25)])));
    return y;
  }

  private resize2(x: string): string {
    const key = 'resize2.scales';
    if (!this.intCache.has(key)) this.intCache.set(key, this.g.float32('f32[1,1,2,2]', [4], Float32Array.of(1, 1, 2, 2)));
    return this.node('Resize', [x, '', this.intCache.get(key)!], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  }

  private upsampleNoGrad(x: string, c: number, side: number): string {
    const x6 = this.node('Reshape', [x, this.ints([0, c, side, 1, side, 1])]);
    const e = this.node('Expand', [x6, this.ints([1, 1, 1, 2, 1, 2])]);
    return this.node('Reshape', [e, this.ints([0, c, 2 * side, 2 * side])]);
  }

  /**
   * Nearest-neighbour ×2 upsampling (F.interpolate(scale_factor=2), mode 'nearest'). Inference graphs
   * use ONNX Resize (nearest, asymmetric, floor: out[i] = in[⌊i/2⌋], the same copy): onnxruntime
   * runs it in its blocked NCHWc layout next to the convolutions, where Reshape + Expand forced a
   * layout reorder per level and was over half of the Flow-VAE decoder's time (docs/flowvae.md, Speed).
   */
  upsample2(x: string, c: number, side: number): string {
    const y = this.train ? this.upsampleNoGrad(x, c, side) : this.resize2(x);
    this.onBackward(() => this.addGrad(x, this.node('Mul', [this.node('AveragePool', [this.gradOf(y)], { kernel_shape: [2, 2], strides: [2, 2] }), this.scalar(4)])));
    return y;
  }

  concatChannels(a: string, ca: number, b: string, cb: number): string {
    const y = this.node('Concat', [a, b], { axis: 1 });
    this.onBackward(() => {
      const dy = this.gradOf(y);
      this.addGrad(a, this.node('Slice', [dy, this.ints([0]), this.ints([ca]), this.ints([1])]));
      this.addGrad(b, this.node('Slice', [dy, this.ints([ca]), this.ints([ca + cb]), this.ints([1])]));
    });
    return y;
  }

  /** y = ln(1 + eˣ) elementwise; dy/dx = sigmoid(x). A positive output layer (light is non-negative). */
  softplus(x: string): string {
    const y = this.node('Softplus', [x]);
    this.onBackward(() => this.addGrad(x, this.node('Mul', [this.gradOf(y), this.node('Sigmoid', [x])])));
    return y;
  }

  /** y = eˣ elementwise. */
  exp(x: string): string {
    const y = this.node('Exp', [x]);
    this.onBackward(() => this.addGrad(x, this.node('Mul', [this.gradOf(y), y])));
    return y;
  }

  /** y = a ⊙ b (same shapes); `needA`/`needB`: whether a/b depend on parameters. */
  mul(a: string, b: string, needA = true, needB = true): string {
    const y = this.node('Mul', [a, b]);
    this.onBackward(() => {
      const dy = this.gradOf(y);
      if (needA) this.addGrad(a, this.node('Mul', [dy, b]));
      if (needB) this.addGrad(b, this.node('Mul', [dy, a]));
    });
    return y;
  }

  /** y = c·x for a constant c. */
  scale(x: string, c: number): string {
    const y = this.node('Mul', [x, this.scalar(c)]);
    this.onBackward(() => this.addGrad(x, this.node('Mul', [this.gradOf(y), this.scalar(c)])));
    return y;
  }

  /** Reshape to `dims` (0 copies the input's dimension, −1 infers one, as in ONNX). */
  reshape(x: string, dims: number[]): string {
    const y = this.node('Reshape', [x, this.ints(dims)]);
    this.onBackward(() => this.addGrad(x, this.node('Reshape', [this.gradOf(y), this.node('Shape', [x])])));
    return y;
  }

  /**
   * Each of the `batch` single-channel images x_n (batch×1×side×side) convolved ('same', zero padding)
   * with its own kernel k_n (`kernels`: batch×1×k×k, k odd, data). ONNX Conv is a cross-correlation,
   * so the kernels are flipped first: y_n = k_n ∗ x_n is a true convolution, as the PSF model needs.
   */
  perImageConv(x: string, kernels: string, batch: number, k: number, side: number): string {
    const pad = (k - 1) / 2;
    const flip = (t: string) => this.node('Slice', [t, this.ints([-1, -1]), this.ints([-(k + 1), -(k + 1)]), this.ints([2, 3]), this.ints([-1, -1])]);
    const asChannels = (t: string) => this.node('Reshape', [t, this.ints([1, batch, side, side])]);
    const back = (t: string) => this.node('Reshape', [t, this.ints([batch, 1, side, side])]);
    const conv = (t: string, w: string) => back(this.node('Conv', [asChannels(t), w], { kernel_shape: [k, k], pads: [pad, pad, pad, pad], group: batch }));
    const y = conv(x, flip(kernels));
    // adjoint of a convolution = correlation with the same kernel = ONNX Conv with the unflipped kernel
    this.onBackward(() => this.addGrad(x, conv(this.gradOf(y), kernels)));
    return y;
  }
}
