// Weighted sigmoid cross-entropy on logits, as deeplens/objectives.py of the original code
// (and tf.nn.weighted_cross_entropy_with_logits): positives weighted by pos_weight, batch mean.
//   loss = (1 − y)·z + (1 + (w − 1)·y)·(log(1 + e^{−|z|}) + max(−z, 0))
// which equals −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))] without overflow for large |z|.
import * as tf from '@tensorflow/tfjs';

// Optional per-sample weights multiply each term before the batch mean (Keras sample_weight).
export function weightedSigmoidCrossEntropy(labels: tf.Tensor, logits: tf.Tensor, posWeight = 1, sampleWeights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const l = labels.mul(posWeight - 1).add(1);
    const softplusNegAbs = tf.log1p(tf.exp(logits.abs().neg()));
    const per = tf.sub(1, labels).mul(logits).add(l.mul(softplusNegAbs.add(tf.relu(logits.neg()))));
    return (sampleWeights ? per.mul(sampleWeights) : per).mean() as tf.Scalar;
  });
}

/** The same loss in float64 on plain arrays (validation sets, other engines' logits). */
export function meanWeightedSigmoidCrossEntropy(labels: ArrayLike<number>, logits: ArrayLike<number>, posWeight = 1): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const z = logits[i];
    const l = 1 + (posWeight - 1) * y;
    sum += (1 - y) * z + l * (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(-z, 0));
  }
  return sum / labels.length;
}
