// The real-galaxy restore pictures of docs/learned-priors.md (issue #13: "restore the real HST galaxies in
// ../shared/data/galaxies, degraded to ground-based seeing and noise, then compared with the HST original").
// Each AEGIS F814W galaxy (GalSim's real-galaxy test stamps, 0.03″ pixels, HST PSF FWHM ≈ 0.09″) is
//   truth:    rebinned (flux-conserving) to LSST's 0.2″ pixels on a 45 × 45 stamp centred on its light;
//   data:     the same, PSF-matched to the LSST i-band seeing (0.71″; src-core/lens/survey-degrade.ts), plus
//             white noise σ_n = 0.02 × the truth's peak (peak S/N 50: the "LSST-like" setting of
//             bench/restore-quality.ts);
// then restored (deconvolve, Gaussian PSF 0.71″, periodic boundary) with Wiener (exact posterior), ℓ1 starlet
// (MAP, k = 2, as chosen in the quality bench) and the score prior (src-main/restore/learned.ts; the stamp is
// mirror-padded to the network's grid and cropped back, as the app's Restore does), and compared with the
// truth (PSNR with R = max − min of the truth). The truth keeps HST's own noise (rebinned), so PSNR is capped.
// Picture: one row per galaxy: HST (0.2″) | data | Wiener | ℓ1 | learned mean | learned std, the central
// 25 × 25 px ×6 nearest-neighbour, the first five on one asinh stretch per row, the std on its own linear grey scale.
// Run: npx tsx bench/restore-hst.ts [--model DIR] [--samples 16] [--levels L] [--steps T] [--threads 1] [--out docs/img/restore-hst.png]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../src-core/image/png';
import { gaussianPsf } from '../src-core/inverse/operators/convolution';
import { degradeToSurvey, rebinFlux } from '../src-core/lens/survey-degrade';
import { psnr } from '../src-core/metrics/image-quality';
import { Rng } from '../src-core/rng';
import { imageInfo, isImageHdu, readImage } from '../src-core/fits/image';
import { openFitsFile } from '../src-main/fits/file-source';
import { restoreLearnedBands } from '../src-main/restore/learned';
import { restoreBand, type BandProblem } from '../src-main/restore/solve';
import { cropCentre, mirrorPad, scoreModelSize } from '../src-main/restore/stamp-restore';
import { bundledScorePrior } from '../src-main/score/bundled-prior';
import { SHARED_DIR } from '../test/shared';

const { values: a } = parseArgs({ options: {
  model: { type: 'string' }, samples: { type: 'string', default: '16' }, threads: { type: 'string', default: '1' },
  out: { type: 'string', default: 'docs/img/restore-hst.png' }, levels: { type: 'string' }, steps: { type: 'string' },
} });
const model = a.model ?? bundledScorePrior();
if (!model) throw new Error('no score prior: pass --model DIR');
const N = 45, scale = 0.2, seeing = 0.71, hstFwhm = 0.09, S = scoreModelSize(model);
// Every image HDU of the two galaxy files (GalSim's real-galaxy format: one galaxy per HDU; the stamp
// library reader of src-main/lens/stamp-files.ts takes only the first HDU of a file).
const lib: Array<{ width: number; height: number; pixelScale: number; data: ArrayLike<number> }> = [];
for (const name of ['AEGIS_F814w_images_01.fits', 'AEGIS_F814w_images_02.fits']) {
  const f = openFitsFile(join(SHARED_DIR, 'data', 'galaxies', name));
  try {
    for (const h of f.hdus()) {
      if (!isImageHdu(h) || imageInfo(f, h).shape.length !== 2) continue;
      const im = readImage(f, h), [height, width] = im.shape as [number, number];
      lib.push({ width, height, pixelScale: 0.03, data: Float64Array.from(im.data as ArrayLike<number>, Number) });
    }
  } finally {
    f.source.close?.();
  }
}
const psf = gaussianPsf(seeing / scale);
const rows: Float64Array[][] = [];
console.log(`| galaxy (HST px) | data | Wiener | ℓ1 starlet | learned (${model}) | learned std / σ_n (median) |`);
console.log('|---|---|---|---|---|---|');
for (const [g, st] of lib.entries()) {
  // centre on the light (flux-weighted centroid of the positive pixels)
  let sw = 0, sx = 0, sy = 0;
  for (let y = 0; y < st.height; y++) for (let x = 0; x < st.width; x++) { const v = Math.max(0, st.data[y * st.width + x]!); sw += v; sx += v * x; sy += v * y; }
  const inp = { data: st.data, width: st.width, height: st.height, scale: st.pixelScale, fwhm: hstFwhm, cx: sx / sw, cy: sy / sw };
  const truth = rebinFlux(inp, scale, N), blurred = degradeToSurvey(inp, { scale, fwhm: seeing, size: N });
  const peak = truth.reduce((m, v) => Math.max(m, v), -Infinity), sigma = 0.02 * peak, noise = new Rng(2026, g);
  const y = blurred.map((v) => v + sigma * noise.normal());
  const p: BandProblem = { rows: N, cols: N, y, noiseVariance: sigma * sigma, psf };
  const wiener = restoreBand('deconvolve', 'wiener', p, { samples: 0, rng: new Rng(1, g) }).mean;
  const l1 = restoreBand('deconvolve', 'l1', p, { samples: 0, rng: new Rng(1, g), lambda: 2, maxIter: 100 }).mean;
  const padded: BandProblem = { ...p, rows: S, cols: S, y: mirrorPad(y, N, N, S) };
  const [r] = await restoreLearnedBands(model, 'deconvolve', [padded], {
    samples: Number(a.samples), rng: new Rng(6, g), threads: Number(a.threads), ...(a.levels ? { levels: Number(a.levels) } : {}), ...(a.steps ? { stepsPerLevel: Number(a.steps) } : {}),
  });
  const mean = cropCentre(r!.mean, S, N, N), std = cropCentre(r!.std!, S, N, N);
  const med = Float64Array.from(std).sort()[std.length >> 1]!;
  const db = (x: Float64Array) => psnr(truth, x).toFixed(2);
  console.log(`| ${g + 1} (${st.width} × ${st.height}) | ${db(y)} | ${db(wiener)} | ${db(l1)} | ${db(mean)} | ${(med / sigma).toFixed(2)} |`);
  rows.push([truth, y, wiener, l1, mean, std, Float64Array.of(sigma, peak)]);
}

// picture: the central C × C pixels of each panel (the galaxies span 2–5″ = 10–25 px of the 45 × 45 stamp)
const C = 25, c0 = (N - C) >> 1, z = 6, gap = 4, P = 6, W = P * C * z + (P - 1) * gap, H = rows.length * C * z + (rows.length - 1) * gap;
const img = new Uint8Array(W * H).fill(255);
rows.forEach((panels, gi) => {
  const [sigma, peak] = panels[6]!;
  const lo = -2 * sigma!, hi = peak!, soft = 3 * sigma!;
  const asinh = (v: number) => Math.max(0, Math.min(1, Math.asinh((v - lo) / soft) / Math.asinh((hi - lo) / soft)));
  const smax = panels[5]!.reduce((m, v) => Math.max(m, v), 0);
  for (let k = 0; k < P; k++) {
    const f = k === 5 ? (v: number) => v / smax : asinh;
    for (let yy = 0; yy < C * z; yy++) for (let xx = 0; xx < C * z; xx++) {
      // FITS row 0 at the bottom: the PNG is written bottom-up (flipY), so galaxy 1 is the top row
      const v = f(panels[k]![(c0 + Math.floor(yy / z)) * N + c0 + Math.floor(xx / z)]!);
      img[((rows.length - 1 - gi) * (C * z + gap) + yy) * W + k * (C * z + gap) + xx] = Math.round(255 * v);
    }
  }
});
writeFileSync(a.out!, encodePng({ width: W, height: H, channels: 1, data: img }, { flipY: true }));
console.log(`${a.out}: rows = galaxies 1…${rows.length} (top to bottom); columns: HST at 0.2″ | LSST-like data | Wiener | ℓ1 starlet | learned mean | learned std`);
