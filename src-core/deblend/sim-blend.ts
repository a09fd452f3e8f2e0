// Simulated blends with known truth for the deblender's quality tests and bench: 2–4 Sérsic galaxies
// (LensDesk's Sérsic profile, src-core/lens/profiles/sersic.ts, sampled 3 × 3 per pixel) convolved with
// a survey preset's per-band Gaussian seeing (FWHM from src-core/lens/presets.ts; LSST by default, any
// preset with `preset`), sky and read noise of that survey's co-add (LSST: the 10-year co-add) (Gaussian with the Poisson variance sky + signal + read², in e⁻).
import { convolutionOperator, gaussianPsf, type PsfArray } from '../inverse/operators/convolution';
import { sersicAt } from '../lens/profiles/sersic';
import { getPreset, magToElectrons, skyPerPixel } from '../lens/presets';
import { Rng } from '../rng';
import { InputError } from '../errors';

export interface TrueSource { x: number; y: number; flux: number[]; /** noiseless observed image per band */ image: Float64Array[] }

export interface SimBlend {
  rows: number;
  cols: number;
  bands: string[];
  images: Float64Array[];
  variance: Float64Array[];
  psfs: PsfArray[];
  truth: TrueSource[];
}

export interface SimBlendOptions {
  size?: number; nSources?: number; bands?: string[]; minSeparation?: number;
  /** Survey preset (src-core/lens/presets.ts): pixel scale, seeing, sky, read noise; default 'lsst'. Bands default to the preset's defaultBands. */
  preset?: string;
}

export function simulateBlend(seed: number, o: SimBlendOptions = {}): SimBlend {
  const preset = getPreset(o.preset ?? 'lsst'), scale = preset.pixelScale;
  const size = o.size ?? 45, bands = o.bands ?? (preset.name === 'lsst' ? ['g', 'r', 'i', 'z'] : preset.defaultBands);
  const rng = new Rng(seed, 7001);
  const nSrc = o.nSources ?? 2 + rng.int(3);
  const specs = bands.map((b) => {
    const s = preset.bands[b];
    if (!s) throw new InputError('SIM_BAND', `survey preset ${preset.name} has no band '${b}' (it has ${Object.keys(preset.bands).join(', ')})`, { field: 'bands', preset: preset.name });
    return s;
  });
  const psfs = specs.map((s) => gaussianPsf(s.seeing / scale));
  const n = size * size, c = (size - 1) / 2;
  const minSep = o.minSeparation ?? 5;
  const pos: Array<{ x: number; y: number }> = [];
  while (pos.length < nSrc) {
    const p = { x: c + rng.range(-9, 9), y: c + rng.range(-9, 9) };
    if (pos.every((q) => Math.hypot(q.x - p.x, q.y - p.y) >= minSep)) pos.push(p);
  }
  const conv = convolutionOperator({ bands: bands.length, rows: size, cols: size, psfs, boundary: 'zero' });
  const truth: TrueSource[] = pos.map((p) => {
    const rMag = rng.range(20, 22.5), colour = rng.range(-0.3, 0.6); // g − i spread (red/blue galaxies)
    const re = rng.range(0.3, 0.8) / scale, nS = rng.range(0.8, 3), q = rng.range(0.5, 1), phi = rng.range(-Math.PI, Math.PI);
    const flux = bands.map((_, i) => magToElectrons(rMag + colour * (i / Math.max(1, bands.length - 1) - 0.33) * 1.5, specs[i]!));
    const unit = new Float64Array(n);
    const params = { flux: 1, r_e: re, n: nS, q, phi, center_x: p.x, center_y: p.y };
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      let s = 0;
      for (let a = -1; a <= 1; a++) for (let d = -1; d <= 1; d++) s += sersicAt(x + d / 3, y + a / 3, params);
      unit[y * size + x] = s / 9;
    }
    let tot = 0;
    for (let i = 0; i < n; i++) tot += unit[i]!;
    const cube = new Float64Array(bands.length * n);
    bands.forEach((_, b) => { for (let i = 0; i < n; i++) cube[b * n + i] = (unit[i]! / tot) * flux[b]!; });
    const obs = conv.apply(cube);
    return { x: p.x, y: p.y, flux, image: bands.map((_, b) => Float64Array.from(obs.subarray(b * n, (b + 1) * n))) };
  });
  const images: Float64Array[] = [], variance: Float64Array[] = [];
  bands.forEach((_, b) => {
    const sky = skyPerPixel(specs[b]!, scale), read2 = preset.readNoise ** 2 * specs[b]!.nExp;
    const img = new Float64Array(n), v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (const t of truth) m += t.image[b]![i]!;
      v[i] = sky + Math.max(0, m) + read2;
      img[i] = m + Math.sqrt(v[i]!) * rng.normal();
    }
    images.push(img);
    variance.push(v);
  });
  return { rows: size, cols: size, bands, images, variance, psfs, truth };
}
