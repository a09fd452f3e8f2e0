// CMUDeepLens (Lanusse et al. 2018, MNRAS 473, 3895) in the tfjs layers API, channels last
// (N×H×W×bands). Layer for layer the network of McWilliamsCenter/CMUDeepLens
// (deeplens/blocks.py, resnet_classifier.py): a 7×7 stem and 5 stages × 3 pre-activated bottleneck
// units (He et al. 2016, "Identity mappings in deep residual networks"), GAP → Dense(1).
// The model outputs the LOGIT; the lens probability is sigmoid(logit) (see `lensProbabilities`).
//
// `cmudeeplensLayout` describes the graph as data, so the tfjs builder here and the ONNX exporter
// (onnx/export.ts) walk the same list and can never disagree on the wiring.
import * as tf from '@tensorflow/tfjs';

/** Lasagne's BatchNormLayer default epsilon (the original code relies on it). */
export const BN_EPSILON = 1e-4;
/** Lasagne's BN alpha = 0.1 (running = 0.9·running + 0.1·batch), i.e. Keras momentum 0.9. */
export const BN_MOMENTUM = 0.9;
/** Bottleneck / output widths of the 5 stages (Lanusse et al. 2018, Table 1). */
export const STAGE_WIDTHS: ReadonlyArray<readonly [number, number]> = [
  [16, 32],
  [32, 64],
  [64, 128],
  [128, 256],
  [256, 512],
];
export const UNITS_PER_STAGE = 3;
export const STEM_FILTERS = 32;
export const STEM_KERNEL = 7;

/** One pre-activated bottleneck unit, named `s{stage}u{unit}` (both 1-based). */
export interface UnitLayout {
  name: string;
  cIn: number;
  cMid: number;
  cOut: number;
  stride: 1 | 2;
  /** Unit 1 of stage 1 takes the stem output as it is: no BN-ELU of its own, identity shortcut. */
  preactivated: boolean;
  /** 1×1 conv shortcut from the pre-activated input (shape changes), else identity. */
  projection: boolean;
}

export interface CmuDeepLensLayout {
  bands: number;
  units: UnitLayout[];
}

export function cmudeeplensLayout(bands: number): CmuDeepLensLayout {
  const units: UnitLayout[] = [];
  let cIn = STEM_FILTERS;
  STAGE_WIDTHS.forEach(([cMid, cOut], s) => {
    for (let u = 0; u < UNITS_PER_STAGE; u++) {
      const stride = s > 0 && u === 0 ? 2 : 1;
      units.push({
        name: `s${s + 1}u${u + 1}`,
        cIn,
        cMid,
        cOut,
        stride,
        preactivated: s === 0 && u === 0,
        projection: stride !== 1 || cIn !== cOut,
      });
      cIn = cOut;
    }
  });
  return { bands, units };
}

/** Layer names used by the builder (and looked up by the ONNX exporter). */
export const layerNames = {
  stemConv: 'stem_conv',
  stemBn: 'stem_bn',
  preBn: (u: string) => `${u}_bn0`,
  conv: (u: string, i: 1 | 2 | 3) => `${u}_conv${i}`,
  bn: (u: string, i: 1 | 2) => `${u}_bn${i}`,
  shortcut: (u: string) => `${u}_shortcut`,
  dense: 'dense',
} as const;

export interface CmuDeepLensOptions {
  /** Cutout side in pixels (45 for LSST-like stamps, 101 for the lens-finding challenge). */
  size: number;
  bands: number;
  /** Seed for the Glorot-uniform conv/dense initialisation (reproducible initial weights). */
  seed?: number;
}

/** Builds the network; output shape [N, 1] logits. */
export function buildCmuDeepLens(opts: CmuDeepLensOptions): tf.LayersModel {
  const { size, bands } = opts;
  let seedCounter = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const init = () => tf.initializers.glorotUniform({ seed: seedCounter++ });
  const bn = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.batchNormalization({ name, epsilon: BN_EPSILON, momentum: BN_MOMENTUM }).apply(x) as tf.SymbolicTensor;
  const elu = (x: tf.SymbolicTensor) => tf.layers.elu().apply(x) as tf.SymbolicTensor;
  // Convs followed by BN carry no bias; the unit's last 1×1 conv and the shortcut do.
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, k: number, strides: number, useBias: boolean) =>
    tf.layers
      .conv2d({ name, filters, kernelSize: k, strides, padding: 'same', useBias, kernelInitializer: init() })
      .apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [size, size, bands], name: 'cutout' });
  let x = elu(bn(conv(input, layerNames.stemConv, STEM_FILTERS, STEM_KERNEL, 1, false), layerNames.stemBn));
  for (const u of cmudeeplensLayout(bands).units) {
    const h = u.preactivated ? x : elu(bn(x, layerNames.preBn(u.name)));
    let y = elu(bn(conv(h, layerNames.conv(u.name, 1), u.cMid, 1, u.stride, false), layerNames.bn(u.name, 1)));
    y = elu(bn(conv(y, layerNames.conv(u.name, 2), u.cMid, 3, 1, false), layerNames.bn(u.name, 2)));
    y = conv(y, layerNames.conv(u.name, 3), u.cOut, 1, 1, true);
    const shortcut = u.projection ? conv(h, layerNames.shortcut(u.name), u.cOut, 1, u.stride, true) : x;
    x = tf.layers.add({ name: `${u.name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  }
  // No BN-ELU after the last unit (as in the original code).
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const logit = tf.layers
    .dense({ name: layerNames.dense, units: 1, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logit, name: 'cmudeeplens' });
}

export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** Spatial side after each stage for an input side `size` ('same' padding, stride 2: ceil(n/2)). */
export function stageSizes(size: number): number[] {
  const out = [size];
  for (let s = 1; s < STAGE_WIDTHS.length; s++) out.push(Math.ceil(out[out.length - 1] / 2));
  return out;
}

/** Lens probabilities for an NHWC batch (inference mode: BN uses its running statistics). */
export function lensProbabilities(model: tf.LayersModel, images: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.sigmoid(model.predict(images) as tf.Tensor2D).reshape([-1]) as tf.Tensor1D);
}
