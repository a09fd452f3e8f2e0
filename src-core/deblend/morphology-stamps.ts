// Training and test stamps for the explicit-likelihood morphology model (issue 14, "blend flag"), and the
// one preprocessing every stamp goes through, simulated or real:
//   background = median of the 2-pixel border; noise σ = 1.4826 · MAD of that border (robust, so a
//   neighbour reaching the edge does not inflate it); the central object = brightest pixel of the
//   3 × 3-smoothed image within `searchRadius` of the cutout centre; a size × size crop with that pixel at
//   (size/2, size/2) (zero padding outside the cutout); divided by its flux (sum of the crop) so the model
//   sees shapes, not brightness (the normalisation the reference page, §A3, asks a morphology prior to fix).
// Simulated galaxies are LensDesk's deblending truth (./sim-blend.ts: Sérsic, LSST seeing, LSST 10-year
// co-add noise; any survey preset with `preset`, its g + r + i or, lacking them, its default bands); the
// detection image is the sum of the bands. An "artificial blend" is, as in Lanusse,
// Melchior & Moolekamp (2019, Fig. 7), two isolated galaxies added with an offset, then noise.
import { InputError } from '../errors';
import { getPreset, skyPerPixel } from '../lens/presets';
import { Rng } from '../rng';
import { simulateBlend } from './sim-blend';

export interface PreparedStamp {
  /** size² flux-normalised pixels (sum 1), row-major. */
  x: Float64Array;
  /** Per-pixel noise σ in the same normalised units. */
  sigma: number;
  /** Background-subtracted flux of the crop (input units) and the peak used as centre. */
  flux: number;
  peak: { x: number; y: number };
}

export const STAMP_BANDS = ['g', 'r', 'i'];

/** The detection bands of a preset's training stamps: g + r + i where it has them, else its default bands (Euclid: VIS). */
export function stampBands(preset = 'lsst'): string[] {
  const p = getPreset(preset);
  return STAMP_BANDS.every((b) => p.bands[b]) ? STAMP_BANDS : p.defaultBands;
}
const SIM_SIZE = 48;

export function prepareStamp(img: ArrayLike<number>, rows: number, cols: number, size = 32, searchRadius = Math.min(rows, cols) / 4): PreparedStamp {
  if (img.length !== rows * cols) throw new InputError('INPUT_INVALID', `stamp has ${img.length} pixels, expected ${rows}×${cols}`, { rows, cols });
  if (rows < 8 || cols < 8) throw new InputError('INPUT_INVALID', `stamp ${rows}×${cols} is too small for a blend score (at least 8×8)`, { rows, cols });
  const border: number[] = [];
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    const v = img[y * cols + x]!;
    if ((y < 2 || y >= rows - 2 || x < 2 || x >= cols - 2) && Number.isFinite(v)) border.push(v);
  }
  if (border.length < 8) throw new InputError('INPUT_INVALID', 'stamp border has no finite pixels (all NaN?)', { rows, cols });
  const bg = median(border), sigma = 1.4826 * median(border.map((v) => Math.abs(v - bg)));
  const at = (y: number, x: number) => { const v = img[y * cols + x]!; return Number.isFinite(v) ? v - bg : 0; };
  const cy = (rows - 1) / 2, cx = (cols - 1) / 2;
  let best = -Infinity, py = Math.round(cy), px = Math.round(cx);
  for (let y = 1; y < rows - 1; y++) for (let x = 1; x < cols - 1; x++) {
    if (Math.hypot(y - cy, x - cx) > searchRadius) continue;
    let s = 0;
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) s += at(y + a, x + b);
    if (s > best) { best = s; py = y; px = x; }
  }
  const h = Math.floor(size / 2), out = new Float64Array(size * size);
  let flux = 0;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const sy = py - h + y, sx = px - h + x;
    if (sy < 0 || sy >= rows || sx < 0 || sx >= cols) continue;
    const v = at(sy, sx);
    out[y * size + x] = v;
    flux += v;
  }
  if (!(flux > 0)) throw new InputError('INPUT_INVALID', `no source in the stamp: the background-subtracted flux of the central ${size}×${size} crop is ${flux}`, { rows, cols });
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / flux;
  return { x: out, sigma: Math.max(sigma, 1e-12 * flux) / flux, flux, peak: { x: px, y: py } };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** One noiseless simulated galaxy on a SIM_SIZE² grid (detection = Σ bands) and its centre. */
function galaxy(seed: number, preset = 'lsst'): { img: Float64Array; x: number; y: number } {
  const sim = simulateBlend(seed, { size: SIM_SIZE, nSources: 1, bands: stampBands(preset), preset });
  const t = sim.truth[0]!, img = new Float64Array(SIM_SIZE * SIM_SIZE);
  for (const b of t.image) for (let i = 0; i < img.length; i++) img[i] += b[i]!;
  return { img, x: t.x, y: t.y };
}

/** Sky + read-noise variance of the detection image (Σ bands), e⁻², as ./sim-blend.ts draws it. */
function backgroundVariance(preset = 'lsst'): number {
  const p = getPreset(preset);
  return stampBands(preset).reduce((s, b) => s + skyPerPixel(p.bands[b]!, p.pixelScale) + p.readNoise ** 2 * p.bands[b]!.nExp, 0);
}

function addNoise(m: Float64Array, rng: Rng, preset = 'lsst'): Float64Array {
  const v0 = backgroundVariance(preset);
  return m.map((v) => v + Math.sqrt(v0 + Math.max(0, v)) * rng.normal());
}

/** A noisy isolated simulated galaxy, SIM_SIZE × SIM_SIZE, as a detection image. */
export function simIsolated(seed: number, preset = 'lsst'): { img: Float64Array; rows: number; cols: number } {
  const g = galaxy(seed, preset);
  return { img: addNoise(g.img, new Rng(seed, 8301), preset), rows: SIM_SIZE, cols: SIM_SIZE };
}

/**
 * A noisy artificial blend: galaxy `seed` plus galaxy `seed + 1_000_003` moved (integer shift) to sit
 * `sep` pixels from the first (sep uniform in [minSep, maxSep], random angle).
 */
export function simBlended(seed: number, minSep = 3, maxSep = 9, preset = 'lsst'): { img: Float64Array; rows: number; cols: number; sep: number } {
  const a = galaxy(seed, preset), b = galaxy(seed + 1_000_003, preset), rng = new Rng(seed, 8302);
  const sep = rng.range(minSep, maxSep), ang = rng.range(-Math.PI, Math.PI);
  const dx = Math.round(a.x + sep * Math.cos(ang) - b.x), dy = Math.round(a.y + sep * Math.sin(ang) - b.y);
  const m = Float64Array.from(a.img);
  for (let y = 0; y < SIM_SIZE; y++) for (let x = 0; x < SIM_SIZE; x++) {
    const sy = y - dy, sx = x - dx;
    if (sy >= 0 && sy < SIM_SIZE && sx >= 0 && sx < SIM_SIZE) m[y * SIM_SIZE + x] += b.img[sy * SIM_SIZE + sx]!;
  }
  return { img: addNoise(m, rng, preset), rows: SIM_SIZE, cols: SIM_SIZE, sep };
}
