// PLACEHOLDER scorer, honest about what it is: a hand-made "blue ring" statistic, used only until
// a trained CMUDeepLens model is available in the workspace. Galaxy–galaxy lenses show blue arcs at
// ~1–2.5″ around a red early-type deflector (Lanusse et al. 2018 §2), so we measure the excess of
// the bluest band over the scaled reddest band in that annulus, in units of its noise, and squash it
// to (0, 1). It is not a probability and it is not the network.
import { robustSigma, type Stamp } from '../stamps/stamp';

export const PLACEHOLDER_MODEL = {
  name: 'placeholder-blue-ring',
  version: '0',
  kind: 'placeholder',
  card: {
    description: 'Heuristic blue-annulus statistic; NOT the CMUDeepLens network. For trying the workflow only.',
  },
} as const;

export function placeholderScore(s: Stamp): number {
  const n = s.planes.length;
  const blue = s.planes[0]!;
  const red = s.planes[n - 1]!;
  const w = s.width;
  const h = s.height;
  const ps = s.pixelScale ?? 0.2;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // Scale of red light to blue in the core (lens light colour), from the central 3×3.
  let cb = 0, cr = 0;
  for (let y = Math.floor(cy) - 1; y <= Math.ceil(cy) + 1; y++)
    for (let x = Math.floor(cx) - 1; x <= Math.ceil(cx) + 1; x++) {
      cb += blue[y * w + x]!;
      cr += red[y * w + x]!;
    }
  const k = cr > 0 ? Math.max(0, cb / cr) : 0;
  let sum = 0;
  let npix = 0;
  const r0 = 0.8 / ps, r1 = 2.6 / ps;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const r = Math.hypot(x - cx, y - cy);
      if (r < r0 || r > r1) continue;
      const v = blue[y * w + x]! - k * red[y * w + x]!;
      if (Number.isFinite(v)) {
        sum += v;
        npix++;
      }
    }
  const sigma = Math.hypot(robustSigma(blue), k * robustSigma(red));
  const snr = npix ? sum / (sigma * Math.sqrt(npix)) : 0;
  // Squash to (0, 1): 0.5 at S/N 50 (between the median blue-annulus S/N of simulated LSST-like
  // lenses, ~75, and non-lenses, ~30, in the demo survey; AUROC ≈ 0.76 there). Logistic in ln S/N.
  const s2 = Math.max(0, snr) ** 2;
  return s2 / (s2 + 2500);
}
