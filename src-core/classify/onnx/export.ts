// Exports a trained CMUDeepLens (model.ts) to ONNX (opset 13, dynamic batch) for fast inference
// with onnxruntime. Input "cutout" is N×H×W×bands float32 (the tfjs layout, so callers pass the same
// buffer to either path); the graph transposes it to NCHW once. Output "p" is N×1, sigmoid(logit).
//
// Inference-mode batch norm is folded where it follows a conv (conv → BN → ELU):
//   s = γ/√(σ²+ε),  W'[o] = W[o]·s[o],  b'[o] = β[o] − μ[o]·s[o]
// (Ioffe & Szegedy 2015, eq. for inference). The pre-activation BNs of each unit follow an Add,
// so they stay as BatchNormalization nodes with the trained statistics. Folding is done in float64.
import type * as tf from '@tensorflow/tfjs';
import { OnnxGraph } from './graph';
import { BN_EPSILON, cmudeeplensLayout, layerNames, STEM_KERNEL } from '../model';

interface BnParams {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
}

function weightsOf(model: tf.LayersModel, name: string): Float32Array[] {
  return model
    .getLayer(name)
    .getWeights()
    .map((w) => w.dataSync() as Float32Array);
}

function bnOf(model: tf.LayersModel, name: string): BnParams {
  const [gamma, beta, mean, variance] = weightsOf(model, name);
  return { gamma, beta, mean, variance };
}

/** Conv kernel HWIO (tfjs) → OIHW (ONNX), or back with `inverse`; `dims` are the OIHW dims. */
export function permuteKernel(src: Float32Array, dims: readonly number[], inverse = false): Float32Array {
  const [co, ci, kh, kw] = dims;
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          const hwio = ((h * kw + w) * ci + i) * co + o;
          const oihw = ((o * ci + i) * kh + h) * kw + w;
          if (inverse) out[hwio] = src[oihw];
          else out[oihw] = src[hwio];
        }
  return out;
}

/** HWIO → OIHW with each output channel o scaled by scale[o] (folded BN; the product rounds once to float32). */
function hwioToOihw(k: Float32Array, kh: number, kw: number, ci: number, co: number, scale?: Float64Array): Float32Array {
  const out = permuteKernel(k, [co, ci, kh, kw]);
  if (scale) {
    const per = ci * kh * kw;
    for (let o = 0; o < co; o++) for (let j = o * per; j < (o + 1) * per; j++) out[j] *= scale[o];
  }
  return out;
}

export interface OnnxExportOptions {
  size: number;
  bands: number;
  /** 'nhwc' (default): the tfjs layout, transposed inside the graph; 'nchw': ONNX's own layout. */
  inputLayout?: 'nhwc' | 'nchw';
  /** Written into the model's doc_string (e.g. the model card id). */
  docString?: string;
  producerVersion?: string;
  /** Also output "logit" (N×1), e.g. for validation losses computed without the sigmoid's rounding. */
  logitOutput?: boolean;
}

export function exportCmuDeepLensOnnx(model: tf.LayersModel, opts: OnnxExportOptions): Uint8Array {
  const { bands, size } = opts;
  const g = new OnnxGraph('cmudeeplens');
  const nchwInput = opts.inputLayout === 'nchw';
  const input = g.input('cutout', nchwInput ? ['n', bands, size, size] : ['n', size, size, bands]);
  let pre = 0;

  /** conv (+ folded BN) with 'same' padding for odd kernels; stride 2 only on 1×1 convs. */
  const conv = (x: string, layer: string, k: number, ci: number, co: number, stride: number, bn?: string): string => {
    const [kernel, bias] = weightsOf(model, layer);
    let scale: Float64Array | undefined;
    let b = new Float64Array(co);
    if (bias) b = Float64Array.from(bias);
    if (bn) {
      const p = bnOf(model, bn);
      scale = new Float64Array(co);
      for (let o = 0; o < co; o++) {
        scale[o] = p.gamma[o] / Math.sqrt(p.variance[o] + BN_EPSILON);
        b[o] = p.beta[o] + (b[o] - p.mean[o]) * scale[o];
      }
    }
    const wName = g.float32(`${layer}.W`, [co, ci, k, k], hwioToOihw(kernel, k, k, ci, co, scale));
    const bName = g.float32(`${layer}.b`, [co], Float32Array.from(b));
    const pad = (k - 1) / 2;
    return g.node('Conv', [x, wName, bName], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
  };
  const elu = (x: string) => g.node('Elu', [x], { alpha: { float: 1 } });
  const batchNorm = (x: string, name: string): string => {
    const p = bnOf(model, name);
    const ins = [x, ...(['gamma', 'beta', 'mean', 'variance'] as const).map((f) => g.float32(`${name}.${f}`, [p[f].length], p[f]))];
    pre++;
    return g.node('BatchNormalization', ins, { epsilon: { float: BN_EPSILON } });
  };

  const nchw = nchwInput ? input : g.node('Transpose', [input], { perm: [0, 3, 1, 2] });
  let x = elu(conv(nchw, layerNames.stemConv, STEM_KERNEL, bands, 32, 1, layerNames.stemBn));
  for (const u of cmudeeplensLayout(bands).units) {
    const h = u.preactivated ? x : elu(batchNorm(x, layerNames.preBn(u.name)));
    let y = elu(conv(h, layerNames.conv(u.name, 1), 1, u.cIn, u.cMid, u.stride, layerNames.bn(u.name, 1)));
    y = elu(conv(y, layerNames.conv(u.name, 2), 3, u.cMid, u.cMid, 1, layerNames.bn(u.name, 2)));
    y = conv(y, layerNames.conv(u.name, 3), 1, u.cMid, u.cOut, 1);
    const shortcut = u.projection ? conv(h, layerNames.shortcut(u.name), 1, u.cIn, u.cOut, u.stride) : x;
    x = g.node('Add', [y, shortcut]);
  }
  const pooled = g.node('GlobalAveragePool', [x]);
  const flat = g.node('Flatten', [pooled], { axis: 1 });
  const [dk, db] = weightsOf(model, layerNames.dense);
  const logit = g.node('Gemm', [flat, g.float32('dense.W', [dk.length, 1], dk), g.float32('dense.b', [1], db)], {}, 'logit');
  g.node('Sigmoid', [logit], {}, 'p');
  g.output('p', ['n', 1]);
  if (opts.logitOutput) g.output('logit', ['n', 1]);
  if (pre !== 14) throw new Error(`internal: expected 14 pre-activation BNs, wrote ${pre}`);
  return g.encode({
    opset: 13,
    producer: 'lensdesk',
    producerVersion: opts.producerVersion ?? '0.1.0',
    docString: opts.docString,
  });
}
