// The one discrete Fourier transform of src-core: complex, in place, any length.
// Powers of two use the iterative radix-2 Cooley–Tukey algorithm (Cooley & Tukey 1965) with cached
// twiddles and bit-reversal tables; lengths whose only prime factors are 2, 3 and 5 (48, 45, 360, …: the
// stamp and map sizes in use) a mixed-radix Cooley–Tukey decimation in time with radices 4, 2, 3, 5 (≈ 5×
// fewer operations than Bluestein at n = 48); any other length n uses Bluestein's chirp-z algorithm
// (Bluestein 1970): X_k = w̄_k Σ_j (x_j w̄_j) w_{k−j} with w_j = e^{iπj²/n}, a circular convolution of
// power-of-two length m ≥ 2n − 1. Cost O(n log n) for every n.
// Convention (numpy's): forward X_k = Σ_j x_j e^{−2πi jk/n}; the inverse uses e^{+2πi jk/n} and is
// UNNORMALISED here (callers divide by n, or by rows·cols in 2-D). The unitary ("ortho") transform of
// learned-priors.md §0 is forward / √n.

interface Radix2Plan {
  kind: 'radix2';
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}
interface BluesteinPlan {
  kind: 'bluestein';
  m: number;
  /** Chirp w̄_j = e^{−iπj²/n}, j < n. */
  cr: Float64Array;
  ci: Float64Array;
  /** FFT (length m) of the circular filter b_j = w_{|j|} (forward transform). */
  br: Float64Array;
  bi: Float64Array;
  /** Work arrays of length m. */
  wr: Float64Array;
  wi: Float64Array;
}
interface MixedPlan {
  kind: 'mixed';
  /** Radices in stage order (the first stage combines groups of radices[0] consecutive permuted values). */
  radices: number[];
  /** Input permutation: position t of the first stage takes x[perm[t]] (mixed-radix digit reversal). */
  perm: Uint32Array;
  /** e^{2πij/n} for j < n (the sign is applied per direction). */
  cos: Float64Array;
  sin: Float64Array;
  /** Scratch: the permuted copy and one butterfly's p values. */
  tr: Float64Array;
  ti: Float64Array;
  ar: Float64Array;
  ai: Float64Array;
}
type Plan = Radix2Plan | BluesteinPlan | MixedPlan;

const plans = new Map<number, Plan>();

export function isPow2(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

export function nextPow2(v: number): number {
  let n = 1;
  while (n < v) n <<= 1;
  return n;
}

function radix2Plan(n: number): Radix2Plan {
  const cos = new Float64Array(n >> 1), sin = new Float64Array(n >> 1), rev = new Uint32Array(n);
  for (let i = 0; i < n >> 1; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r >>> 0;
  }
  return { kind: 'radix2', cos, sin, rev };
}

function bluesteinPlan(n: number): BluesteinPlan {
  const m = nextPow2(2 * n - 1);
  const cr = new Float64Array(n), ci = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    // j² mod 2n keeps the angle small, so the chirp stays accurate for large n.
    const a = (Math.PI * ((j * j) % (2 * n))) / n;
    cr[j] = Math.cos(a);
    ci[j] = -Math.sin(a);
  }
  const br = new Float64Array(m), bi = new Float64Array(m);
  br[0] = cr[0]!;
  bi[0] = -ci[0]!;
  for (let j = 1; j < n; j++) {
    br[j] = br[m - j] = cr[j]!;
    bi[j] = bi[m - j] = -ci[j]!;
  }
  radix2(br, bi, m, false);
  return { kind: 'bluestein', m, cr, ci, br, bi, wr: new Float64Array(m), wi: new Float64Array(m) };
}

/** Radices 4, 2, 3, 5 whose product is n, or null when n has another prime factor. */
function smoothRadices(n: number): number[] | null {
  const out: number[] = [];
  let m = n;
  while (m % 4 === 0) { out.push(4); m /= 4; }
  while (m % 2 === 0) { out.push(2); m /= 2; }
  while (m % 3 === 0) { out.push(3); m /= 3; }
  while (m % 5 === 0) { out.push(5); m /= 5; }
  return m === 1 ? out : null;
}

function mixedPlan(n: number, radices: number[]): MixedPlan {
  // Digit reversal: the last stage's radix P splits x into the P subsequences x[q], x[q + P], …, each
  // transformed (recursively, by the earlier stages) into block q.
  const order = (idx: number[], k: number): number[] => {
    if (k < 0) return idx;
    const P = radices[k]!;
    const out: number[] = [];
    for (let q = 0; q < P; q++) out.push(...order(idx.filter((_, j) => j % P === q), k - 1));
    return out;
  };
  const perm = Uint32Array.from(order(Array.from({ length: n }, (_, j) => j), radices.length - 1));
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let j = 0; j < n; j++) { cos[j] = Math.cos((2 * Math.PI * j) / n); sin[j] = Math.sin((2 * Math.PI * j) / n); }
  const pMax = Math.max(...radices);
  return { kind: 'mixed', radices, perm, cos, sin, tr: new Float64Array(n), ti: new Float64Array(n), ar: new Float64Array(pMax), ai: new Float64Array(pMax) };
}

function plan(n: number): Plan {
  let p = plans.get(n);
  if (!p) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length ${n} is not a positive integer`);
    const smooth = isPow2(n) ? null : smoothRadices(n);
    p = isPow2(n) ? radix2Plan(n) : smooth ? mixedPlan(n, smooth) : bluesteinPlan(n);
    plans.set(n, p);
  }
  return p;
}

function radix2(re: Float64Array, im: Float64Array, n: number, inverse: boolean, off = 0): void {
  const { cos, sin, rev } = plan(n) as Radix2Plan;
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) {
      const a = off + i, b = off + j;
      let t = re[a]!; re[a] = re[b]!; re[b] = t;
      t = im[a]!; im[a] = im[b]!; im[b] = t;
    }
  }
  const sgn = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sgn * sin[k * step]!;
        const a = off + i + k, b = a + half;
        const xr = re[b]! * wr - im[b]! * wi, xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr; im[b] = im[a]! - xi;
        re[a] = re[a]! + xr; im[a] = im[a]! + xi;
      }
    }
  }
}

/**
 * Radix-2 FFT along the rows axis of a rows × cols array, all columns at once: the butterflies act on
 * whole rows, so memory is read contiguously and nothing is copied (rows a power of two).
 */
function radix2Columns(re: Float64Array, im: Float64Array, rows: number, cols: number, inverse: boolean): void {
  const { cos, sin, rev } = plan(rows) as Radix2Plan;
  for (let i = 0; i < rows; i++) {
    const j = rev[i]!;
    if (j > i) {
      const a = i * cols, b = j * cols;
      for (let c = 0; c < cols; c++) {
        let t = re[a + c]!; re[a + c] = re[b + c]!; re[b + c] = t;
        t = im[a + c]!; im[a + c] = im[b + c]!; im[b + c] = t;
      }
    }
  }
  const sgn = inverse ? 1 : -1;
  for (let len = 2; len <= rows; len <<= 1) {
    const half = len >> 1, step = rows / len;
    for (let i = 0; i < rows; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sgn * sin[k * step]!;
        const a = (i + k) * cols, b = a + half * cols;
        for (let c = 0; c < cols; c++) {
          const br = re[b + c]!, bi = im[b + c]!;
          const xr = br * wr - bi * wi, xi = br * wi + bi * wr;
          const ar = re[a + c]!, ai = im[a + c]!;
          re[b + c] = ar - xr; im[b + c] = ai - xi;
          re[a + c] = ar + xr; im[a + c] = ai + xi;
        }
      }
    }
  }
}

/**
 * Mixed-radix decimation in time: after the digit-reversal permutation, each stage combines p adjacent
 * DFTs of length len into one of length p·len: X[k + r·len] = Σ_q ω_p^{qr} (W_{p·len}^{qk} Y_q[k]).
 */
const SQRT3_2 = Math.sqrt(3) / 2;

function mixed(re: Float64Array, im: Float64Array, n: number, inverse: boolean, p: MixedPlan): void {
  const { radices, perm, cos, sin, tr, ti, ar, ai } = p;
  for (let t = 0; t < n; t++) { tr[t] = re[perm[t]!]!; ti[t] = im[perm[t]!]!; }
  const sgn = inverse ? 1 : -1;
  let len = 1;
  for (const P of radices) {
    const size = len * P, tw = n / size, wp = n / P;
    for (let i = 0; i < n; i += size) {
      for (let k = 0; k < len; k++) {
        // Twiddled inputs a_q = W^{qk} Y_q[k].
        for (let q = 0; q < P; q++) {
          const x = i + q * len + k, j = q * k * tw; // < P·len·n/size = n
          const wr = cos[j]!, wi = sgn * sin[j]!, xr = tr[x]!, xi = ti[x]!;
          ar[q] = xr * wr - xi * wi;
          ai[q] = xr * wi + xi * wr;
        }
        // P-point DFT of a: butterflies for 2, 3, 4; direct for 5 (twiddles from the same table).
        const o = i + k;
        if (P === 4) {
          const t0r = ar[0]! + ar[2]!, t0i = ai[0]! + ai[2]!, t1r = ar[0]! - ar[2]!, t1i = ai[0]! - ai[2]!;
          const t2r = ar[1]! + ar[3]!, t2i = ai[1]! + ai[3]!, t3r = ar[1]! - ar[3]!, t3i = ai[1]! - ai[3]!;
          // ω₄ t3 = sgn·i·t3 = sgn·(−t3i + i t3r)
          const ur = -sgn * t3i, ui = sgn * t3r;
          tr[o] = t0r + t2r; ti[o] = t0i + t2i;
          tr[o + len] = t1r + ur; ti[o + len] = t1i + ui;
          tr[o + 2 * len] = t0r - t2r; ti[o + 2 * len] = t0i - t2i;
          tr[o + 3 * len] = t1r - ur; ti[o + 3 * len] = t1i - ui;
        } else if (P === 2) {
          tr[o] = ar[0]! + ar[1]!; ti[o] = ai[0]! + ai[1]!;
          tr[o + len] = ar[0]! - ar[1]!; ti[o + len] = ai[0]! - ai[1]!;
        } else if (P === 3) {
          // ω₃ = −½ + sgn·i·√3/2
          const sr = ar[1]! + ar[2]!, si = ai[1]! + ai[2]!, dr = ar[1]! - ar[2]!, di = ai[1]! - ai[2]!;
          const mr = ar[0]! - 0.5 * sr, mi = ai[0]! - 0.5 * si, h = sgn * SQRT3_2;
          tr[o] = ar[0]! + sr; ti[o] = ai[0]! + si;
          tr[o + len] = mr - h * di; ti[o + len] = mi + h * dr;
          tr[o + 2 * len] = mr + h * di; ti[o + 2 * len] = mi - h * dr;
        } else {
          for (let r = 0; r < P; r++) {
            let sr = 0, si = 0;
            for (let q = 0; q < P; q++) {
              const j = ((q * r) % P) * wp, wr = cos[j]!, wi = sgn * sin[j]!;
              sr += ar[q]! * wr - ai[q]! * wi;
              si += ar[q]! * wi + ai[q]! * wr;
            }
            tr[o + r * len] = sr;
            ti[o + r * len] = si;
          }
        }
      }
    }
    len = size;
  }
  re.set(tr.subarray(0, n));
  im.set(ti.subarray(0, n));
}

function bluestein(re: Float64Array, im: Float64Array, n: number, inverse: boolean, p: BluesteinPlan): void {
  const { m, cr, ci, br, bi, wr, wi } = p;
  // The inverse transform is the conjugate of the forward transform of the conjugate.
  const s = inverse ? -1 : 1;
  wr.fill(0);
  wi.fill(0);
  for (let j = 0; j < n; j++) {
    const xr = re[j]!, xi = s * im[j]!;
    wr[j] = xr * cr[j]! - xi * ci[j]!;
    wi[j] = xr * ci[j]! + xi * cr[j]!;
  }
  radix2(wr, wi, m, false);
  for (let k = 0; k < m; k++) {
    const xr = wr[k]!, xi = wi[k]!;
    wr[k] = xr * br[k]! - xi * bi[k]!;
    wi[k] = xr * bi[k]! + xi * br[k]!;
  }
  radix2(wr, wi, m, true);
  const inv = 1 / m;
  for (let k = 0; k < n; k++) {
    const xr = wr[k]! * inv, xi = wi[k]! * inv;
    re[k] = xr * cr[k]! - xi * ci[k]!;
    im[k] = s * (xr * ci[k]! + xi * cr[k]!);
  }
}

/**
 * In-place FFT of n = re.length complex values (any n ≥ 1). Forward: sign −1. Inverse: sign +1,
 * unnormalised (divide by n yourself). re and im must have the same length.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError(`FFT: re has ${n} values, im has ${im.length}`);
  const p = plan(n);
  if (p.kind === 'radix2') radix2(re, im, n, inverse);
  else if (p.kind === 'mixed') mixed(re, im, n, inverse, p);
  else bluestein(re, im, n, inverse, p);
}

const colScratch = new Map<number, { re: Float64Array; im: Float64Array }>();

/**
 * In-place 2-D FFT of a rows × cols row-major complex array (any sizes). Inverse unnormalised
 * (divide by rows·cols).
 */
export function fft2(re: Float64Array, im: Float64Array, rows: number, cols: number, inverse = false): void {
  if (re.length !== rows * cols || im.length !== rows * cols) {
    throw new RangeError(`FFT2: ${rows} × ${cols} needs ${rows * cols} values, got ${re.length} and ${im.length}`);
  }
  const pc = plan(cols);
  for (let r = 0; r < rows; r++) {
    if (pc.kind === 'radix2') radix2(re, im, cols, inverse, r * cols);
    else fft(re.subarray(r * cols, (r + 1) * cols), im.subarray(r * cols, (r + 1) * cols), inverse);
  }
  if (plan(rows).kind === 'radix2') {
    radix2Columns(re, im, rows, cols, inverse);
    return;
  }
  let s = colScratch.get(rows);
  if (!s) {
    s = { re: new Float64Array(rows), im: new Float64Array(rows) };
    colScratch.set(rows, s);
  }
  const cr = s.re, ci = s.im;
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      cr[r] = re[r * cols + c]!;
      ci[r] = im[r * cols + c]!;
    }
    fft(cr, ci, inverse);
    for (let r = 0; r < rows; r++) {
      re[r * cols + c] = cr[r]!;
      im[r * cols + c] = ci[r]!;
    }
  }
}

/** Signed frequency index of bin k of an n-point DFT (numpy's fftfreq · n): 0, 1, …, −1. */
export function freqIndex(k: number, n: number): number {
  return k <= (n - 1) >> 1 ? k : k - n;
}
