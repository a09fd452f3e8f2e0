// A leaner gradient for tfjs's FusedBatchNorm kernel (the op behind tf.batchNorm, which the
// layers BatchNormalization uses in training).
//
// Why: tfjs-core 4.22's gradient broadcasts 1/√(σ²+ε) to the full activation shape with `tile`
// before multiplying (FusedBatchNorm_grad.js, derX). On the wasm backend Tile is a scalar copy
// loop and was the single largest kernel in a CMUDeepLens training step (≈20 % of the step at
// 45×45, batch 32). Broadcasting multiply gives the same numbers without materialising the tile.
// The other partial derivatives are the same expressions as upstream, in the same order.
import * as tf from '@tensorflow/tfjs';

let installed = false;

export function installLeanBatchNormGradient(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor;
      const eps = attrs.varianceEpsilon as number;
      const [x, mean, variance, scale] = saved;
      const scaleValue = scale == null ? tf.scalar(1) : scale;
      const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
      const reduce = (t: tf.Tensor) => (mean.rank === 1 ? tf.sum(t, reductionAxes) : t);
      const rstd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
      const dyScaled = tf.mul(g, scaleValue);
      return {
        x: () => tf.reshape(tf.mul(g, tf.mul(rstd, scaleValue)), x.shape),
        mean: () => tf.reshape(reduce(tf.mul(dyScaled, tf.neg(rstd))), mean.shape),
        variance: () => {
          const minusHalfRCube = tf.mul(tf.mul(tf.mul(rstd, rstd), rstd), tf.scalar(-0.5));
          return tf.reshape(reduce(tf.mul(tf.mul(tf.sub(x, mean), dyScaled), minusHalfRCube)), mean.shape);
        },
        scale: () => tf.reshape(reduce(tf.mul(g, tf.mul(tf.sub(x, mean), rstd))), mean.shape),
        offset: () => tf.reshape(reduce(g), mean.shape),
      };
    },
  });
}
