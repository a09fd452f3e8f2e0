// Masked Fourier sampling (MRI / radio interferometry; learned-priors.md §8): y = M F x for a real
// rows × cols image x, F the UNITARY 2-D DFT (x̂_k = N^{−1/2} Σ_j x_j e^{−2πi k·j/N}).
// Output layout: one complex value per measured frequency, in raster order of the mask (row-major
// over numpy's FFT bins: k_row = 0, 1, …, −1 and the same along columns), stored INTERLEAVED:
// y[2m] = Re, y[2m + 1] = Im. outShape = [measured, 2]. With that real layout the adjoint is
// Aᵀy = Re(Fᴴ Mᵀ y) and ⟨Ax, y⟩ = ⟨x, Aᵀy⟩ holds for the real dot products.
// Noise: Re and Im of every measured entry each N(0, σ²). For a real image k and −k carry conjugate
// values; a mask holding both counts that information twice (that is what two independent
// measurements mean). AᵀA = Fᴴ diag((M_k + M_{−k})/2) F (fourierNormal), so ‖A‖ = 1 when the mask
// holds a conjugate pair or a self-conjugate bin (k = 0, Nyquist), and 1/√2 for lone bins.
import { InputError } from '../../errors';
import { fft2 } from '../../math/fft';
import { prepare, type LinearOperator } from './linear-operator';

export function fourierSamplingOperator(rows: number, cols: number, mask: ArrayLike<number | boolean>): LinearOperator {
  const n = rows * cols;
  if (mask.length !== n) {
    throw new InputError('OPERATOR_SHAPE', `Fourier mask has ${mask.length} bins, the ${rows} × ${cols} image needs ${n}`, { operator: 'fourier-sampling', got: mask.length, expected: n });
  }
  const idx: number[] = [];
  for (let k = 0; k < n; k++) if (mask[k]) idx.push(k);
  const measured = Int32Array.from(idx);
  const m = measured.length;
  const h = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c, kn = ((rows - r) % rows) * cols + ((cols - c) % cols);
      h[k] = ((mask[k] ? 1 : 0) + (mask[kn] ? 1 : 0)) / 2;
    }
  }
  const re = new Float64Array(n), im = new Float64Array(n);
  const unit = 1 / Math.sqrt(n);
  const op: LinearOperator = {
    name: 'fourier-sampling',
    inShape: [rows, cols],
    outShape: [m, 2],
    apply: (x, out) => {
      const o = prepare(op, 'input', x, n, out, 2 * m);
      re.set(x);
      im.fill(0);
      fft2(re, im, rows, cols, false);
      for (let j = 0; j < m; j++) {
        o[2 * j] = re[measured[j]!]! * unit;
        o[2 * j + 1] = im[measured[j]!]! * unit;
      }
      return o;
    },
    adjoint: (y, out) => {
      const o = prepare(op, 'output', y, 2 * m, out, n);
      re.fill(0);
      im.fill(0);
      for (let j = 0; j < m; j++) {
        re[measured[j]!] = y[2 * j]!;
        im[measured[j]!] = y[2 * j + 1]!;
      }
      fft2(re, im, rows, cols, true); // unnormalised inverse: Σ_k e^{+2πi k·j/N}
      for (let i = 0; i < n; i++) o[i] = re[i]! * unit;
      return o;
    },
    fourierNormal: { bands: 1, rows, cols, h },
  };
  return op;
}

/** The measured bins' flat indices (numpy FFT order), in the order of the output. */
export function measuredBins(mask: ArrayLike<number | boolean>): Int32Array {
  const idx: number[] = [];
  for (let k = 0; k < mask.length; k++) if (mask[k]) idx.push(k);
  return Int32Array.from(idx);
}
