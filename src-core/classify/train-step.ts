// One optimisation step of CMUDeepLens: forward in training mode (batch-norm uses batch statistics
// and updates its running averages), weighted sigmoid cross-entropy, gradients, optimiser update.
import * as tf from '@tensorflow/tfjs';
import { weightedSigmoidCrossEntropy } from './loss';

/** The model's own trainable variables (never the process-wide list: other models may exist). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Runs one step and returns the batch loss (before the update). x: N×H×W×C, y: N×1 in {0,1}; optional N×1 sample weights. */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  posWeight: number,
  vars: tf.Variable[] = trainableVariables(model),
  sampleWeights?: tf.Tensor2D,
): number {
  const loss = optimizer.minimize(
    () => weightedSigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor, posWeight, sampleWeights),
    true,
    vars,
  );
  const v = loss!.dataSync()[0];
  loss!.dispose();
  return v;
}
