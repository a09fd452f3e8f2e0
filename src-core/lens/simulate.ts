// The simulator's public API. Every cutout is a pure function of (config, seed, index):
// parameters come from `new Rng(seed, index)`, noise from `new Rng(seed, index, 1)`, so a cutout
// can be re-made alone, in any order, in any worker, byte for byte.
//   simulateCutout(config | preset, seed, index) → {bands, variance, truth, model?}
//   simulateRange(config, seed, start, count)     → one N × bands × H × W batch (what workers run)
import { Rng } from '../rng';
import { resolveConfig, type ResolvedConfig, type SimulationConfig } from './config';
import { subpixelGrid } from './grid';
import { addNoise } from './noise';
import { drawLensSystem, drawScene, type PopulationOptions, type Truth } from './population';
import { getPreset, skyPerPixel } from './presets';
import { registerStampLibrary } from './profiles/stamp-source';
import { makeKernel, type PsfSpec } from './psf';
import { QSO_ROLE, quasarDetectable } from './quasar';
import { type Instrument, makeWorkspace, type RenderInfo, renderScene, type Workspace } from './render';
import type { Scene } from './scene';

export type { SimulationConfig, ResolvedConfig } from './config';
export type { Truth } from './population';

export interface Cutout {
  /** Sky-subtracted image per band, e⁻ over the co-add, row-major size × size (row = y). */
  bands: Float32Array[];
  /** Variance per band (e⁻²). */
  variance: Float32Array[];
  /** Every drawn parameter and derived quantity (μ, S/N, …), flat. */
  truth: Truth;
  /** Noiseless model per band (only with {model: true}). */
  model?: Float32Array[];
  /** The scene that was rendered (only with {scene: true}). */
  scene?: Scene;
}

interface Engine { cfg: ResolvedConfig; ins: Instrument; ws: Workspace; pop: PopulationOptions }
const engines = new Map<string, Engine>();

/**
 * Cache key of a configuration without its bulk pixel data: a stamp library by its content id, a
 * pixelised PSF that names its file by the file's SHA-256 and plane (so a key is cheap even for a
 * config carrying thousands of stamps, built once per simulateCutout call).
 */
function engineKey(config: SimulationConfig | ResolvedConfig): string {
  return JSON.stringify(config, (k, v: unknown) => {
    if (k === 'sourceStamps' && v) {
      const lib = v as NonNullable<SimulationConfig['sourceStamps']>;
      return { id: lib.id, fraction: lib.fraction, n: lib.stamps.length };
    }
    if (v && typeof v === 'object' && (v as PsfSpec).type === 'pixel') {
      const ps = v as Extract<PsfSpec, { type: 'pixel' }>;
      return ps.origin ? { width: ps.width, origin: ps.origin } : { width: ps.width, kernel: Array.from(ps.kernel) };
    }
    return v;
  });
}

/** Builds (once per configuration) the PSF kernels, sub-pixel grid and scratch buffers. */
export function engineFor(config: SimulationConfig | ResolvedConfig): Engine {
  const key = engineKey(config);
  const hit = engines.get(key);
  if (hit) return hit;
  const cfg = resolveConfig(config);
  const p = getPreset(cfg.preset);
  const specs: PsfSpec[] = cfg.bands.map((b) => cfg.psfOverride?.[b] ?? (cfg.psf === 'moffat'
    ? { type: 'moffat', fwhm: p.bands[b].seeing, beta: cfg.moffatBeta }
    : { type: 'gaussian', fwhm: p.bands[b].seeing }));
  const kernels = specs.map((s) => makeKernel(s, p.pixelScale));
  const margin = Math.max(...kernels.map((k) => k.h));
  const grid = subpixelGrid({ size: cfg.size, margin, pixelScale: p.pixelScale, ss: cfg.supersample, marginSs: cfg.marginSupersample });
  const bs = cfg.bands.map((b) => p.bands[b]);
  const ins: Instrument = {
    pixelScale: p.pixelScale, size: cfg.size, bands: cfg.bands,
    e0: bs.map((b) => 10 ** (0.4 * b.zeroPoint) * b.nExp * b.tExp),
    sky: bs.map((b) => skyPerPixel(b, p.pixelScale)),
    readVar: bs.map((b) => b.nExp * p.readNoise * p.readNoise),
    seeing: bs.map((b) => b.seeing),
    kernels, grid,
  };
  const pop: PopulationOptions = {
    bands: cfg.bands, lensFraction: cfg.lensFraction, hardness: cfg.hardness,
    thetaEMin: cfg.thetaEMin, thetaEMax: cfg.thetaEMax, sourceRMin: cfg.sourceRMin, sourceRMax: cfg.sourceRMax,
    negativeMix: cfg.negativeMix,
    starContamination: cfg.starContamination, artefactContamination: cfg.artefactContamination,
    stampHalfWidth: (cfg.size * p.pixelScale) / 2,
    ...(cfg.quasarFraction ? { quasarFraction: cfg.quasarFraction } : {}),
    ...(cfg.sourceStamps ? { stamps: { base: registerStampLibrary(cfg.sourceStamps), count: cfg.sourceStamps.stamps.length, fraction: cfg.sourceStamps.fraction } } : {}),
  };
  const e: Engine = { cfg, ins, ws: makeWorkspace(ins), pop };
  if (engines.size > 8) engines.clear();
  engines.set(key, e);
  return e;
}

/**
 * LensPop detectability (Collett 2015, ApJ 811, 20, §2.4): μ > muMin, S/N > snrMin and
 * θE² > r_s² + (seeing/2)². S/N = Σ s / √(Σ v) over the pixels where the lensed source s (after
 * the PSF) exceeds 1σ (v the variance map), in the band chosen by renderScene (largest lensed
 * e⁻ per unit noise); that band's seeing is used for the resolution test.
 */
function detectability(e: Engine, info: RenderInfo, t: Truth): boolean {
  const { ins, ws, cfg } = e;
  const n = ins.size * ins.size;
  const b = info.snrBand;
  let snr = 0;
  if (b >= 0) {
    const s = ws.sourceModel, m = ws.models[b];
    let sum = 0, vsum = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.max(m[i], 0) + ins.sky[b] + ins.readVar[b];
      if (s[i] * s[i] > v) { sum += s[i]; vsum += v; }
    }
    snr = vsum > 0 ? sum / Math.sqrt(vsum) : 0;
  }
  ins.bands.forEach((band, k) => {
    const el = info.lensedElectrons[k];
    t[`lensed_src_mag_${band}`] = el > 0 ? -2.5 * Math.log10(el / ins.e0[k]) : 99;
  });
  const re = Number(t.src_re), thetaE = Number(t.theta_E);
  const seeing = ins.seeing[Math.max(b, 0)];
  const resolved = thetaE * thetaE > re * re + (seeing / 2) ** 2;
  Object.assign(t, { mu: info.mu, snr, snr_band: b >= 0 ? ins.bands[b] : '', resolved: resolved ? 1 : 0 });
  const ok = info.mu > cfg.muMin && snr > cfg.snrMin && resolved;
  t.detectable = ok ? 1 : 0;
  return ok;
}

/**
 * A lensed quasar is detectable with ≥ 2 images, the second brightest above r (or the first band)
 * 24.5 mag, and the widest pair separated by more than the seeing FWHM. μ is Σ|μᵢ| of the images.
 */
function quasarDetectability(e: Engine, scene: Scene, t: Truth): boolean {
  const band = e.ins.bands.includes('r') ? 'r' : e.ins.bands[0]!;
  let ok = quasarDetectable(t, scene.points, band);
  const qs = scene.points.filter((p) => p.role.startsWith(QSO_ROLE));
  let sep = 0;
  for (const a of qs) for (const b of qs) sep = Math.max(sep, Math.hypot(a.x - b.x, a.y - b.y));
  ok = ok && sep > Math.max(...e.ins.seeing);
  Object.assign(t, { mu: t.qso_mu_total ?? 0, qso_max_sep: sep, snr: NaN, snr_band: band, resolved: sep > Math.max(...e.ins.seeing) ? 1 : 0, detectable: ok ? 1 : 0 });
  return ok;
}

export interface CutoutOptions { model?: boolean; scene?: boolean }

/** Renders (seed, index) into the engine's buffers and returns its truth and scene. */
function renderOne(e: Engine, seed: number, index: number): { truth: Truth; scene: Scene } {
  const rng = new Rng(seed, index);
  const truth: Truth = { seed, index };
  let scene = drawScene(rng, e.pop, truth);
  let info = renderScene(scene, e.ins, e.ws);
  if (scene.isLens) {
    let attempts = 1;
    const check = () => (truth.src_kind === 'quasar' ? quasarDetectability(e, scene, truth) : detectability(e, info, truth));
    let ok = check();
    while (!ok && e.cfg.requireDetectable && attempts < e.cfg.maxAttempts) {
      // Keep the deflector light and contamination; re-draw mass and source from the same stream.
      const lens = scene.light[0];
      const sys = drawLensSystem(rng, e.pop, lens, truth);
      const others = scene.points.filter((p) => !p.role.startsWith(QSO_ROLE));
      scene = { ...scene, mass: sys.mass, light: sys.light, points: [...(sys.points ?? []), ...others] };
      info = renderScene(scene, e.ins, e.ws);
      ok = check();
      attempts++;
    }
    truth.attempts = attempts;
  }
  // Per-band magnitudes of every component as rendered (colour scatter included).
  for (const c of [...scene.light, ...scene.points]) {
    for (const band of e.ins.bands) truth[`${c.role}_mag_${band}`] = c.mags[band];
  }
  return { truth, scene };
}

function noiseInto(e: Engine, seed: number, index: number, img: Float32Array[], vars: Float32Array[]): void {
  const rng = new Rng(seed, index, 1);
  const n = e.ins.size * e.ins.size;
  e.ins.bands.forEach((_, b) => {
    addNoise(e.ws.models[b], n, { sky: e.ins.sky[b], readVar: e.ins.readVar[b], gaussianAbove: e.cfg.gaussianNoiseAbove }, rng, img[b], vars[b]);
  });
}

/** One cutout. `config` may be a preset name ('lsst', 'des', 'hsc', 'euclid', 'challenge'). */
export function simulateCutout(config: SimulationConfig | string, seed: number, index: number, opts: CutoutOptions = {}): Cutout {
  const e = engineFor(typeof config === 'string' ? { preset: config } : config);
  const { truth, scene } = renderOne(e, seed, index);
  const n = e.ins.size * e.ins.size;
  const bands = e.ins.bands.map(() => new Float32Array(n));
  const variance = e.ins.bands.map(() => new Float32Array(n));
  noiseInto(e, seed, index, bands, variance);
  const out: Cutout = { bands, variance, truth };
  if (opts.model) out.model = e.ws.models.map((m) => Float32Array.from(m));
  if (opts.scene) out.scene = scene;
  return out;
}

export interface CutoutBatch {
  config: ResolvedConfig;
  seed: number;
  start: number;
  count: number;
  bands: string[];
  size: number;
  /** count × bands × size × size, float32, C order (index, band, row, column). */
  images: Float32Array;
  variance: Float32Array;
  truths: Truth[];
}

/** Cutouts start … start + count − 1, pure: the unit of work for workers and the job system. */
export function simulateRange(
  config: SimulationConfig, seed: number, start: number, count: number, shouldStop?: () => boolean,
): CutoutBatch {
  const e = engineFor(config);
  const nb = e.ins.bands.length;
  const n = e.ins.size * e.ins.size;
  const images = new Float32Array(count * nb * n);
  const variance = new Float32Array(count * nb * n);
  const truths: Truth[] = [];
  for (let k = 0; k < count; k++) {
    if (shouldStop?.()) break;
    const { truth } = renderOne(e, seed, start + k);
    const img: Float32Array[] = [], vars: Float32Array[] = [];
    for (let b = 0; b < nb; b++) {
      const off = (k * nb + b) * n;
      img.push(images.subarray(off, off + n));
      vars.push(variance.subarray(off, off + n));
    }
    noiseInto(e, seed, start + k, img, vars);
    truths.push(truth);
  }
  return { config: e.cfg, seed, start, count: truths.length, bands: e.ins.bands, size: e.ins.size, images, variance, truths };
}
