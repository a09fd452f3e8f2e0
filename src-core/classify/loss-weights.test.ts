// Per-sample weights in the CMUDeepLens loss (used by fine-tuning on graded sources): each term of
// −[w₊·y·log σ(z) + (1 − y)·log(1 − σ(z))] is multiplied by its sample weight before the batch mean.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { weightedSigmoidCrossEntropy } from './loss';

describe('weightedSigmoidCrossEntropy with sample weights', () => {
  it('equals the hand-computed weighted mean; weights of 1 change nothing', async () => {
    await tf.setBackend('cpu');
    const y = [1, 0, 1, 0];
    const z = [2, -1, -0.5, 3];
    const w = [2, 0.5, 1, 0];
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const term = (i: number) => -(y[i]! * 3 * Math.log(sig(z[i]!)) + (1 - y[i]!) * Math.log(1 - sig(z[i]!))); // pos_weight 3
    const want = (w[0]! * term(0) + w[1]! * term(1) + w[2]! * term(2) + w[3]! * term(3)) / 4;
    const yt = tf.tensor2d(y, [4, 1]);
    const zt = tf.tensor2d(z, [4, 1]);
    const got = weightedSigmoidCrossEntropy(yt, zt, 3, tf.tensor2d(w, [4, 1])).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
    const plain = weightedSigmoidCrossEntropy(yt, zt, 3).dataSync()[0]!;
    const ones = weightedSigmoidCrossEntropy(yt, zt, 3, tf.ones([4, 1])).dataSync()[0]!;
    expect(ones).toBe(plain);
    expect(plain).toBeCloseTo((term(0) + term(1) + term(2) + term(3)) / 4, 5);
  });
});
