// Scores lens-light subtraction on LensDesk's simulated lenses, where the truth is known: the simulator
// renders the scene (simulateCutout with {scene, model}), and re-rendering the same scene with only its
// lensed components (renderScene on engineFor's instrument) gives the arcs alone, PSF-convolved and
// noiseless. Both methods are linear in the data given their fitted parameters, so each is applied to
// the noiseless model with the parameters fitted on the noisy cutout, which separates the method's
// error from the noise:
//   arc flux recovered = Σ_A S(model) / Σ_A arcs,  A = pixels where the arcs exceed 10 % of their peak;
//   residual lens light = Σ |S(model) − (model − deflector)| / Σ deflector (whole stamp), in band g,
// where the deflector is the scene's 'lens' light component alone (so companions and stars that
// neither method is meant to remove do not count against it).
import { engineFor, simulateCutout } from '../lens/simulate';
import { renderScene } from '../lens/render';
import type { PsfArray } from '../inverse/operators/convolution';
import { deflectorSubtract, ringFinderSubtract } from './lens-light';

export interface LensLightScore { arcRecovered: number; lensResidual: number }
export interface LensLightRow { index: number; baseline: LensLightScore; deblender: LensLightScore; alpha: number }

export function scoreSubtraction(sub: ArrayLike<number>, model: Float64Array, arcs: Float64Array, lens: Float64Array): LensLightScore {
  let peak = 0;
  for (const v of arcs) peak = Math.max(peak, v);
  let sa = 0, ta = 0, res = 0, tl = 0;
  for (let k = 0; k < arcs.length; k++) {
    if (arcs[k]! > 0.1 * peak) { sa += sub[k]!; ta += arcs[k]!; }
    res += Math.abs(sub[k]! - (model[k]! - lens[k]!));
    tl += lens[k]!;
  }
  return { arcRecovered: ta > 0 ? sa / ta : NaN, lensResidual: tl > 0 ? res / tl : NaN };
}

export interface LensLightCase {
  cut: ReturnType<typeof simulateCutout>;
  /** Band g: the noiseless scene, its lensed light alone, its deflector light alone. */
  model: Float64Array;
  arcs: Float64Array;
  lens: Float64Array;
  /** The RingFinder baseline's score and α. */
  baseline: LensLightScore;
  alpha: number;
  /** Scores a deflector model (band g) as this module does. */
  score(deflectorG: ArrayLike<number>): LensLightScore;
}

/** The simulation setting of the lens-light tests: instrument, bands and the preset's PSF images. */
export function lensLightSetting(preset = 'lsst') {
  const config = { preset, lensFraction: 1 };
  const e = engineFor(config);
  const bands = e.ins.bands, gi = bands.indexOf('g'), ii = bands.indexOf('i');
  if (gi < 0 || ii < 0) throw new Error(`preset ${preset} needs g and i bands`);
  // The engine stores kernels flipped for correlation: reverse back to the PSF image.
  const psfs: PsfArray[] = e.ins.kernels.map((k) => ({ kernel: Float64Array.from(k.k2).reverse(), height: 2 * k.h + 1, width: 2 * k.h + 1 }));
  const size = e.ins.size;
  /** Simulated lens `index` of `seed` with its truth and the baseline's score. */
  const lensCase = (seed: number, index: number): LensLightCase => {
    const cut = simulateCutout(config, seed, index, { scene: true, model: true });
    const scene = cut.scene!;
    renderScene({ ...scene, light: scene.light.filter((c) => c.lensed), points: [], artefacts: [] }, e.ins, e.ws);
    const arcs = Float64Array.from(e.ws.models[gi]!);
    renderScene({ ...scene, light: scene.light.filter((c) => c.role === 'lens'), points: [], artefacts: [] }, e.ins, e.ws);
    const lens = Float64Array.from(e.ws.models[gi]!);
    const model = Float64Array.from(cut.model![gi]!), modelI = cut.model![ii]!;
    const base = ringFinderSubtract(cut.bands[gi]!, cut.bands[ii]!, size, size);
    const baseSub = Float64Array.from(model, (v, k) => v - base.alpha * modelI[k]!);
    const score = (def: ArrayLike<number>) => scoreSubtraction(Float64Array.from(model, (v, k) => v - def[k]!), model, arcs, lens);
    return { cut, model, arcs, lens, alpha: base.alpha, baseline: scoreSubtraction(baseSub, model, arcs, lens), score };
  };
  return { bands, gi, size, psfs, lensCase };
}

export function evaluateLensLight(seed: number, count: number, preset = 'lsst', maxIter = 100): LensLightRow[] {
  const { gi, size, psfs, lensCase } = lensLightSetting(preset);
  const rows: LensLightRow[] = [];
  for (let index = 0; index < count; index++) {
    const c = lensCase(seed, index);
    const def = deflectorSubtract(c.cut.bands, size, size, { variance: c.cut.variance, psfs, maxIter });
    rows.push({ index, alpha: c.alpha, baseline: c.baseline, deblender: c.score(def.deflector[gi]!) });
  }
  return rows;
}

export function median(v: number[]): number {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}
