// Radix-2 complex FFT (iterative Cooley–Tukey, in place) and the FFT autocovariance used by the
// ESS estimator (Geyer 1992: the biased estimator, divided by N, is the one to use).

/** In-place forward (sign −1) or unnormalised inverse (sign +1) FFT; length must be a power of 2. */
export function fftInPlace(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
  const n = re.length;
  if ((n & (n - 1)) !== 0) throw new RangeError(`FFT length ${n} is not a power of 2`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

/** acov[k] = (1/N) Σ_{i<N−k} (x_i − x̄)(x_{i+k} − x̄), k = 0 … N−1, by zero-padded FFT (no wrap-around). */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let m = 1;
  while (m < 2 * n) m <<= 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  for (let i = 0; i < n; i++) re[i] = x[i]! - mean;
  fftInPlace(re, im, -1);
  for (let i = 0; i < m; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fftInPlace(re, im, 1);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = re[k]! / m / n;
  return out;
}
