// Training-time augmentation of NHWC cutouts, as in the original CMUDeepLens training
// (Lanusse et al. 2018 §3.3): random rotations by multiples of 90°, flips, zoom in [0.9, 1.0],
// wrap-around fill. Lenses have no preferred orientation or handedness, so these are exact
// symmetries of the label.
//
// Zoom follows Keras' ImageDataGenerator convention: output pixel at offset d from the centre
// samples the input at z·d, so z < 1 magnifies (a crop of the central z·size pixels, resampled
// bilinearly). Coordinates falling outside wrap around (the original used fill_mode='wrap').
import type { Rng } from '../rng';

export interface AugmentOptions {
  rotate90: boolean;
  flip: boolean;
  /** [min, max] zoom factor, or null for none. */
  zoom: [number, number] | null;
}

export const DEFAULT_AUGMENT: AugmentOptions = { rotate90: true, flip: true, zoom: [0.9, 1.0] };

const wrap = (i: number, n: number) => ((i % n) + n) % n;

/** Augments one image (size × size × bands, NHWC) into `out`. */
export function augmentImage(src: Float32Array, out: Float32Array, size: number, bands: number, rng: Rng, opts: AugmentOptions): void {
  const k = opts.rotate90 ? rng.int(4) : 0;
  const flip = opts.flip && rng.uniform() < 0.5;
  const z = opts.zoom ? rng.range(opts.zoom[0], opts.zoom[1]) : 1;
  const c = (size - 1) / 2;
  // (cos, sin) of k·90°, exact
  const cs = [1, 0, -1, 0][k];
  const sn = [0, 1, 0, -1][k];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let u = j - c;
      const v = i - c;
      if (flip) u = -u;
      // rotate then zoom: source offset = z·R·(u, v)
      const su = z * (cs * u - sn * v) + c;
      const sv = z * (sn * u + cs * v) + c;
      const o = (i * size + j) * bands;
      const j0 = Math.floor(su);
      const i0 = Math.floor(sv);
      const fu = su - j0;
      const fv = sv - i0;
      if (fu < 1e-6 && fv < 1e-6) {
        const s = (wrap(i0, size) * size + wrap(j0, size)) * bands;
        for (let b = 0; b < bands; b++) out[o + b] = src[s + b];
        continue;
      }
      const a = (wrap(i0, size) * size + wrap(j0, size)) * bands;
      const bq = (wrap(i0, size) * size + wrap(j0 + 1, size)) * bands;
      const cq = (wrap(i0 + 1, size) * size + wrap(j0, size)) * bands;
      const d = (wrap(i0 + 1, size) * size + wrap(j0 + 1, size)) * bands;
      for (let b = 0; b < bands; b++) {
        out[o + b] =
          (1 - fv) * ((1 - fu) * src[a + b] + fu * src[bq + b]) + fv * ((1 - fu) * src[cq + b] + fu * src[d + b]);
      }
    }
  }
}

/** Augments a batch (n × size × size × bands); returns a new buffer. */
export function augmentBatch(images: Float32Array, n: number, size: number, bands: number, rng: Rng, opts: AugmentOptions): Float32Array {
  const per = size * size * bands;
  const out = new Float32Array(images.length);
  for (let i = 0; i < n; i++) augmentImage(images.subarray(i * per, (i + 1) * per), out.subarray(i * per, (i + 1) * per), size, bands, rng, opts);
  return out;
}
