import { describe, expect, it } from 'vitest';
import { convolutionOperator } from '../inverse/operators/convolution';
import { Rng } from '../rng';
import { smoothGaussian } from './detect';
import { gaussianKernel } from './psf-match';

describe('smoothGaussian', () => {
  it('equals the FFT convolution with gaussianKernel and a zero boundary, on a non-square image', () => {
    const rows = 23, cols = 31, rng = new Rng(3, 3);
    const img = Float64Array.from({ length: rows * cols }, () => rng.normal());
    img[0] = 50; // a bright corner pixel exercises the boundary
    const ref = convolutionOperator({ bands: 1, rows, cols, psfs: [gaussianKernel(1, 7)], boundary: 'zero' }).apply(img);
    const got = smoothGaussian(img, rows, cols, 1, 7);
    let worst = 0;
    for (let i = 0; i < img.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
    expect(worst).toBeLessThan(1e-10);
  });
});
