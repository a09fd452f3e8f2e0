// CMUDeepLens training step as one ONNX graph: forward in training mode (batch statistics),
// weighted sigmoid cross-entropy, and the gradient of the loss with respect to every trainable
// weight — written out by hand in standard ONNX ops (opset 13), so an *inference* runtime
// (onnxruntime-node's CPU build, multi-threaded MLAS GEMMs) can train the network. The optimiser
// (Adam) and the running batch-norm statistics stay outside the graph, in the caller.
//
// Why not tfjs: on this project's CPU-only machines tfjs runs on wasm, single-threaded, with
// training ≈ 0.1× PyTorch; the same FLOPs through onnxruntime use both cores and its GEMMs.
//
// Gradients (NCHW; dy = ∂L/∂output of the op):
//   Conv y = W∗x (+b):  dx = ConvTranspose(dy, W);  db = Σ_{n,h,w} dy;
//     dW for 1×1 kernels is one GEMM over all pixels: dW[o,i] = Σ_p dy[o,p]·x[i,p] (strided x first
//     subsampled); for k×k kernels dW = Conv(xᵀ, dyᵀ) with batch and channel axes swapped
//     (dW[o,i,a,b] = Σ_{n,h,w} dy[n,o,h,w]·x[n,i,h+a−p,w+b−p]).
//   BN (batch stats, x̂ = (x−μ)·r, r = 1/√(σ²+ε), y = γx̂+β):
//     dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γr·(dy − mean(dy) − x̂·mean(dy·x̂))   (Ioffe & Szegedy 2015)
//   ELU y = x>0 ? x : eˣ−1:  dx = dy·(min(y,0)+1)
//   GAP y = mean_{h,w} x:  dx = dy/(HW) broadcast;   Dense z = xW+b: dW = xᵀdz, dx = dz·Wᵀ
//   Loss (loss.ts) per sample: (1−t)z + l·softplus(−z), l = 1+(w₊−1)t;  ∂/∂z = (1−t) − l·σ(−z),
//     times the sample weight, divided by the batch size (batch mean).
// Tensors used twice (a unit's input feeds its shortcut and its first BN) sum their gradients.
import { OnnxGraph } from './graph';
import { BN_EPSILON, cmudeeplensLayout, layerNames, STEM_FILTERS, STEM_KERNEL } from '../model';

/** A trainable weight, fed as graph input `name`; its gradient is output `grad:${name}`. */
export interface TrainParam {
  /** Graph input name: `${layer}/${role}`, the same as the tfjs weight's original name. */
  name: string;
  layer: string;
  role: 'kernel' | 'bias' | 'gamma' | 'beta';
  /** Conv kernels are OIHW here (tfjs keeps HWIO); everything else has the tfjs shape. */
  dims: number[];
  /** Conv kernels: tfjs layout must be transposed HWIO ↔ OIHW. */
  convKernel: boolean;
}

/** A batch-norm layer: outputs `${layer}/batch_mean` and `${layer}/batch_var` (biased), length `channels`. */
export interface TrainBn {
  layer: string;
  channels: number;
}

export interface TrainingGraph {
  onnx: Uint8Array;
  params: TrainParam[];
  bns: TrainBn[];
}

export const gradName = (param: string) => `grad:${param}`;

/** Builds the training graph for `size`×`size`×`bands` cutouts (batch size free). Inputs:
 * `cutout` N×H×W×bands (NHWC, normalised), `label` N×1 in {0,1}, `weight` N×1 (sample weights),
 * `pos_weight` [1], and one input per trainable weight. Outputs: `loss` (scalar), `logit` N×1,
 * one gradient per weight, batch mean/variance per BN. */
export function buildTrainingGraph(opts: { size: number; bands: number }): TrainingGraph {
  const { size, bands } = opts;
  const g = new OnnxGraph('cmudeeplens_train');
  const params: TrainParam[] = [];
  const bns: TrainBn[] = [];
  const backward: (() => void)[] = [];
  const grads = new Map<string, string[]>();

  const ints = (() => {
    const cache = new Map<string, string>();
    return (v: number[]) => {
      const key = v.join(',');
      if (!cache.has(key)) cache.set(key, g.int64(`i64[${key}]`, v));
      return cache.get(key)!;
    };
  })();
  const scalar = (() => {
    const cache = new Map<number, string>();
    return (v: number) => {
      if (!cache.has(v)) cache.set(v, g.float32(`f32(${v})`, [], Float32Array.of(v)));
      return cache.get(v)!;
    };
  })();
  const param = (layer: string, role: TrainParam['role'], dims: number[], convKernel = false) => {
    const name = `${layer}/${role}`;
    params.push({ name, layer, role, dims, convKernel });
    g.input(name, dims);
    return name;
  };
  const addGrad = (t: string, d: string) => {
    const list = grads.get(t);
    if (list) list.push(d);
    else grads.set(t, [d]);
  };
  /** The complete gradient of `t` (all consumers have contributed: backward runs in reverse). */
  const gradOf = (t: string): string => {
    const list = grads.get(t);
    if (!list) throw new Error(`internal: no gradient reached ${t}`);
    if (list.length === 1) return list[0];
    const s = g.node('Sum', list);
    grads.set(t, [s]);
    return s;
  };
  const emitParamGrad = (p: string, d: string) => {
    g.node('Identity', [d], {}, gradName(p));
    g.output(gradName(p), params.find((q) => q.name === p)!.dims);
  };
  const transposeNC = (t: string) => g.node('Transpose', [t], { perm: [1, 0, 2, 3] });
  const channelSum = (t: string) => g.node('ReduceSum', [t, ints([0, 2, 3])], { keepdims: 0 });

  // Batch size as a float scalar, for the per-pixel means in BN's gradient and the loss.
  const input = g.input('cutout', ['n', size, size, bands]);
  const label = g.input('label', ['n', 1]);
  const weight = g.input('weight', ['n', 1]);
  const posWeight = g.input('pos_weight', [1]);
  const nFloat = g.node('Cast', [g.node('Gather', [g.node('Shape', [input]), ints([0])], { axis: 0 })], { to: 1 });
  const invCount = new Map<number, string>();
  /** 1/(N·H·W) for a spatial side `side`, shape [1]. */
  const invPixels = (side: number) => {
    if (!invCount.has(side)) invCount.set(side, g.node('Div', [scalar(1 / (side * side)), nFloat]));
    return invCount.get(side)!;
  };

  const conv = (x: string, layer: string, k: number, ci: number, co: number, stride: number, side: number, bias: boolean, needDx: boolean) => {
    const W = param(layer, 'kernel', [co, ci, k, k], true);
    const b = bias ? param(layer, 'bias', [co]) : null;
    const pad = (k - 1) / 2;
    if (stride !== 1 && k !== 1) throw new Error('internal: strided convs are 1×1 in CMUDeepLens');
    const y = g.node('Conv', b ? [x, W, b] : [x, W], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] });
    const outSide = Math.ceil(side / stride);
    backward.push(() => {
      const dy = gradOf(y);
      if (b) emitParamGrad(b, channelSum(dy));
      let dW: string;
      if (k === 1) {
        const xs = stride === 1 ? x : g.node('Slice', [x, ints([0, 0]), ints([side, side]), ints([2, 3]), ints([stride, stride])]);
        const dyMat = g.node('Reshape', [transposeNC(dy), ints([co, -1])]);
        const xMat = g.node('Reshape', [transposeNC(xs), ints([ci, -1])]);
        dW = g.node('Reshape', [g.node('Gemm', [dyMat, xMat], { transB: 1 }), ints([co, ci, 1, 1])]);
      } else {
        // im2col of xᵀ by k² shifted slices → one GEMM [co × N·HW]·[N·HW × ci·k²] (a Conv with
        // the batch axis as channels, the textbook form, ran at ~4 GFLOP/s in onnxruntime: N=k² GEMMs).
        const xp = g.node('Pad', [transposeNC(x), ints([0, 0, pad, pad, 0, 0, pad, pad])]);
        const cols: string[] = [];
        for (let a = 0; a < k; a++)
          for (let c = 0; c < k; c++) cols.push(g.node('Unsqueeze', [g.node('Slice', [xp, ints([a, c]), ints([a + side, c + side]), ints([2, 3])]), ints([1])]));
        const col = g.node('Reshape', [g.node('Concat', cols, { axis: 1 }), ints([ci * k * k, -1])]);
        const dyMat = g.node('Reshape', [transposeNC(dy), ints([co, -1])]);
        dW = g.node('Reshape', [g.node('Gemm', [dyMat, col], { transB: 1 }), ints([co, ci, k, k])]);
      }
      emitParamGrad(W, dW);
      if (needDx) {
        // 'same' stride-2 1×1: output side ceil(n/2); ConvTranspose gives 2·(m−1)+1, so even n needs one more.
        const outputPadding = stride === 1 ? 0 : side - (stride * (outSide - 1) + 1);
        const attrs: Record<string, number[]> = { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] };
        if (outputPadding) attrs.output_padding = [outputPadding, outputPadding];
        // Stride 1: dx as a MatMul (1×1) or a Conv with the kernel flipped and transposed (k×k) —
        // both measured faster than ConvTranspose's GEMM + col2im in onnxruntime 1.30 (1.45 vs 1.65 s/step).
        if (stride === 1) {
          if (k === 1) {
            addGrad(x, g.node('Reshape', [g.node('MatMul', [g.node('Transpose', [g.node('Reshape', [W, ints([co, ci])])], { perm: [1, 0] }), g.node('Reshape', [dy, ints([0, co, -1])])]), ints([0, ci, side, side])]));
          } else {
            const wFlip = g.node('Slice', [transposeNC(W), ints([-1, -1]), ints([-(k + 1), -(k + 1)]), ints([2, 3]), ints([-1, -1])]);
            addGrad(x, g.node('Conv', [dy, wFlip], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] }));
          }
        } else addGrad(x, g.node('ConvTranspose', [dy, W], attrs));
      }
    });
    return y;
  };

  const batchNorm = (x: string, layer: string, c: number, side: number) => {
    const gamma = param(layer, 'gamma', [c]);
    const beta = param(layer, 'beta', [c]);
    bns.push({ layer, channels: c });
    const mean = g.node('ReduceMean', [x], { axes: [0, 2, 3], keepdims: 1 });
    const xc = g.node('Sub', [x, mean]);
    const variance = g.node('ReduceMean', [g.node('Mul', [xc, xc])], { axes: [0, 2, 3], keepdims: 1 });
    g.node('Reshape', [mean, ints([c])], {}, `${layer}/batch_mean`);
    g.node('Reshape', [variance, ints([c])], {}, `${layer}/batch_var`);
    g.output(`${layer}/batch_mean`, [c]);
    g.output(`${layer}/batch_var`, [c]);
    const r = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [variance, scalar(BN_EPSILON)])])]);
    const xhat = g.node('Mul', [xc, r]);
    const gammaB = g.node('Reshape', [gamma, ints([1, c, 1, 1])]);
    const y = g.node('Add', [g.node('Mul', [xhat, gammaB]), g.node('Reshape', [beta, ints([1, c, 1, 1])])]);
    backward.push(() => {
      const dy = gradOf(y);
      const dBeta = channelSum(dy);
      const dGamma = channelSum(g.node('Mul', [dy, xhat]));
      emitParamGrad(beta, dBeta);
      emitParamGrad(gamma, dGamma);
      const inv = invPixels(side);
      const meanDy = g.node('Mul', [g.node('Reshape', [dBeta, ints([1, c, 1, 1])]), inv]);
      const meanDyXhat = g.node('Mul', [g.node('Reshape', [dGamma, ints([1, c, 1, 1])]), inv]);
      const centred = g.node('Sub', [g.node('Sub', [dy, meanDy]), g.node('Mul', [xhat, meanDyXhat])]);
      addGrad(x, g.node('Mul', [centred, g.node('Mul', [gammaB, r])]));
    });
    return y;
  };

  const elu = (x: string) => {
    const y = g.node('Elu', [x], { alpha: { float: 1 } });
    backward.push(() => addGrad(x, g.node('Mul', [gradOf(y), g.node('Add', [g.node('Min', [y, scalar(0)]), scalar(1)])])));
    return y;
  };

  const add = (a: string, b: string) => {
    const y = g.node('Add', [a, b]);
    backward.push(() => {
      const dy = gradOf(y);
      addGrad(a, dy);
      addGrad(b, dy);
    });
    return y;
  };

  // ---- forward, wired exactly as model.ts / export.ts ----
  const nchw = g.node('Transpose', [input], { perm: [0, 3, 1, 2] });
  let side = size;
  let x = elu(batchNorm(conv(nchw, layerNames.stemConv, STEM_KERNEL, bands, STEM_FILTERS, 1, side, false, false), layerNames.stemBn, STEM_FILTERS, side));
  for (const u of cmudeeplensLayout(bands).units) {
    const h = u.preactivated ? x : elu(batchNorm(x, layerNames.preBn(u.name), u.cIn, side));
    const outSide = Math.ceil(side / u.stride);
    let y = elu(batchNorm(conv(h, layerNames.conv(u.name, 1), 1, u.cIn, u.cMid, u.stride, side, false, true), layerNames.bn(u.name, 1), u.cMid, outSide));
    y = elu(batchNorm(conv(y, layerNames.conv(u.name, 2), 3, u.cMid, u.cMid, 1, outSide, false, true), layerNames.bn(u.name, 2), u.cMid, outSide));
    y = conv(y, layerNames.conv(u.name, 3), 1, u.cMid, u.cOut, 1, outSide, true, true);
    const shortcut = u.projection ? conv(h, layerNames.shortcut(u.name), 1, u.cIn, u.cOut, u.stride, side, true, true) : x;
    x = add(y, shortcut);
    side = outSide;
  }
  const cLast = cmudeeplensLayout(bands).units.at(-1)!.cOut;
  const xLast = x;
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [xLast])], { axis: 1 });
  const Wd = param(layerNames.dense, 'kernel', [cLast, 1]);
  const bd = param(layerNames.dense, 'bias', [1]);
  const logit = g.node('Gemm', [flat, Wd, bd], {}, 'logit');
  g.output('logit', ['n', 1]);

  // ---- loss: batch mean of the weighted sigmoid cross-entropy (loss.ts) ----
  const l = g.node('Add', [g.node('Mul', [label, g.node('Sub', [posWeight, scalar(1)])]), scalar(1)]);
  const negZ = g.node('Neg', [logit]);
  const softplusNegZ = g.node('Add', [g.node('Log', [g.node('Add', [g.node('Exp', [g.node('Neg', [g.node('Abs', [logit])])]), scalar(1)])]), g.node('Relu', [negZ])]);
  const oneMinusT = g.node('Sub', [scalar(1), label]);
  const per = g.node('Add', [g.node('Mul', [oneMinusT, logit]), g.node('Mul', [l, softplusNegZ])]);
  g.node('ReduceMean', [g.node('Mul', [per, weight])], { keepdims: 0 }, 'loss');
  g.output('loss', []);

  // ---- backward ----
  const dLogit = g.node('Div', [g.node('Mul', [g.node('Sub', [oneMinusT, g.node('Mul', [l, g.node('Sigmoid', [negZ])])]), weight]), nFloat]);
  emitParamGrad(Wd, g.node('Gemm', [flat, dLogit], { transA: 1 }));
  emitParamGrad(bd, g.node('ReduceSum', [dLogit, ints([0])], { keepdims: 0 }));
  const dFlat = g.node('Gemm', [dLogit, Wd], { transB: 1 });
  const dPooled = g.node('Mul', [g.node('Reshape', [dFlat, ints([0, cLast, 1, 1])]), scalar(1 / (side * side))]);
  addGrad(xLast, g.node('Expand', [dPooled, g.node('Shape', [xLast])]));
  for (let i = backward.length - 1; i >= 0; i--) backward[i]();

  const onnx = g.encode({ opset: 13, producer: 'lensdesk', producerVersion: '0.1.0', docString: 'CMUDeepLens training step (loss + gradients)' });
  return { onnx, params, bns };
}
