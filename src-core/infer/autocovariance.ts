// The FFT autocovariance used by the ESS estimator (Geyer 1992: the biased estimator, divided by N,
// is the one to use). The transform is src-core's one FFT (math/fft.ts).
import { fft, nextPow2 } from '../math/fft';

/** acov[k] = (1/N) Σ_{i<N−k} (x_i − x̄)(x_{i+k} − x̄), k = 0 … N−1, by zero-padded FFT (no wrap-around). */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const m = nextPow2(2 * n);
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  for (let i = 0; i < n; i++) re[i] = x[i]! - mean;
  fft(re, im, false);
  for (let i = 0; i < m; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = re[k]! / m / n;
  return out;
}
