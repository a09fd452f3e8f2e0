// Per-band normalisation of cutouts before the network, recorded in the model card so scoring
// applies exactly what training saw. Policy 'standardise': x' = (x − mean_b) / std_b with mean and
// standard deviation of band b over the training pixels (float64 sums), then clipped to ±clip
// (bright stars and artefacts otherwise dominate a batch's BN statistics).
export interface BandNormalisation {
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
  constructor(private readonly bandNames: string[]) {
    this.s1 = new Float64Array(bandNames.length);
    this.s2 = new Float64Array(bandNames.length);
  }

  /** Adds an NHWC batch. */
  add(images: Float32Array): void {
    const nb = this.bandNames.length;
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
    const mean = Array.from(this.s1, (s) => s / this.count);
    const std = Array.from(this.s2, (s, b) => Math.sqrt(Math.max(s / this.count - mean[b] * mean[b], 0)) || 1);
    return { policy: 'standardise', bands: [...this.bandNames], mean, std, clip, fittedOn };
  }
}

/** Applies the normalisation in place to an NHWC buffer and returns it. */
export function normaliseInPlace(images: Float32Array, norm: BandNormalisation): Float32Array {
  const nb = norm.bands.length;
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
