// Per-band normalisation of cutouts before the network, recorded in the model card so scoring
// applies exactly what training saw.
//  - 'asinh' (default): x' = asinh(x / s_b), s_b = 3 × the median over training cutouts of band b's
//    robust noise (1.4826 × MAD). Survey images are heavy-tailed: a global standard deviation is set
//    by bright deflector cores and leaves faint arcs at ~0.01 σ; asinh keeps the faint end linear in
//    units of the noise and compresses the cores logarithmically (as Lupton's display does).
//  - 'standardise': x' = (x − mean_b) / std_b over the training pixels (float64 sums), clipped.
export type BandNormalisation = StandardiseNormalisation | AsinhNormalisation;

export interface AsinhNormalisation {
  policy: 'asinh';
  bands: string[];
  /** s_b in image units (e.g. e⁻). */
  scale: number[];
  /** Multiple of the median robust noise that s_b is. */
  noiseMultiple: number;
  fittedOn: number;
}

export interface StandardiseNormalisation {
  policy: 'standardise';
  /** Band order as in the image's channel axis. */
  bands: string[];
  mean: number[];
  std: number[];
  /** Clip after standardising (in units of std); null for none. */
  clip: number | null;
  /** Number of training cutouts the statistics were computed on. */
  fittedOn: number;
}

export class NormalisationFitter {
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private count = 0;
  private readonly sigmas: number[][];
  constructor(
    private readonly bandNames: string[],
    private readonly policy: BandNormalisation['policy'] = 'asinh',
  ) {
    this.s1 = new Float64Array(bandNames.length);
    this.s2 = new Float64Array(bandNames.length);
    this.sigmas = bandNames.map(() => []);
  }

  /** Adds one image or an NHWC batch (for 'asinh', one image per call gives per-cutout noise). */
  add(images: Float32Array): void {
    const nb = this.bandNames.length;
    if (this.policy === 'asinh') {
      for (let b = 0; b < nb; b++) this.sigmas[b]!.push(robustNoise(images, b, nb));
      this.count += images.length / nb;
      return;
    }
    for (let i = 0; i < images.length; i += nb) {
      for (let b = 0; b < nb; b++) {
        const v = images[i + b];
        this.s1[b] += v;
        this.s2[b] += v * v;
      }
    }
    this.count += images.length / nb;
  }

  /** `fittedOn`: how many cutouts were added (recorded in the card). */
  finish(fittedOn: number, clip: number | null = 10): BandNormalisation {
    if (this.policy === 'asinh') {
      const k = 3;
      const scale = this.sigmas.map((v) => {
        const f = v.filter((x) => x > 0 && Number.isFinite(x)).sort((a, b) => a - b);
        return f.length ? k * f[f.length >> 1]! : 1;
      });
      return { policy: 'asinh', bands: [...this.bandNames], scale, noiseMultiple: k, fittedOn };
    }
    const mean = Array.from(this.s1, (s) => s / this.count);
    const std = Array.from(this.s2, (s, b) => Math.sqrt(Math.max(s / this.count - mean[b] * mean[b], 0)) || 1);
    return { policy: 'standardise', bands: [...this.bandNames], mean, std, clip, fittedOn };
  }
}

/** Applies the normalisation in place to an NHWC buffer and returns it. */
export function normaliseInPlace(images: Float32Array, norm: BandNormalisation): Float32Array {
  const nb = norm.bands.length;
  if (norm.policy === 'asinh') {
    const inv = norm.scale.map((s) => 1 / s);
    for (let i = 0; i < images.length; i += nb) {
      for (let b = 0; b < nb; b++) {
        const v = images[i + b]!;
        images[i + b] = Number.isFinite(v) ? Math.asinh(v * inv[b]!) : 0;
      }
    }
    return images;
  }
  const lo = norm.clip == null ? -Infinity : -norm.clip;
  const hi = norm.clip == null ? Infinity : norm.clip;
  const inv = norm.std.map((s) => 1 / s);
  for (let i = 0; i < images.length; i += nb) {
    for (let b = 0; b < nb; b++) {
      const v = (images[i + b] - norm.mean[b]) * inv[b];
      images[i + b] = v < lo ? lo : v > hi ? hi : v;
    }
  }
  return images;
}

/** 1.4826 × MAD of band b of an interleaved (HWC) image, on at most ~1000 pixels. */
function robustNoise(img: Float32Array, b: number, nb: number): number {
  const n = img.length / nb;
  const step = Math.max(1, Math.floor(n / 1000));
  const v: number[] = [];
  for (let i = 0; i < n; i += step) {
    const x = img[i * nb + b]!;
    if (Number.isFinite(x)) v.push(x);
  }
  if (!v.length) return 0;
  v.sort((x, y) => x - y);
  const med = v[v.length >> 1]!;
  const d = v.map((x) => Math.abs(x - med)).sort((x, y) => x - y);
  return 1.4826 * d[d.length >> 1]!;
}
