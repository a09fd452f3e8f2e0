// Lens-fit inputs from LensDesk's own simulator (src-core/lens/simulate.ts), with the true fit parameters,
// for the speed benchmark and the calibration run.
// Two variants:
//   'simulator'      the cutout exactly as simulateCutout(config, seed, index) renders it. The fit model is
//                    misspecified for it: the simulator's lens light has its own q, φ (q_mass = q_light +
//                    N(0, 0.05), φ_mass = φ_light + N(0, 0.1)), sources carry 0–6 star-forming knots, and
//                    stars/artefacts may contaminate (population.ts).
//   'well-specified' the same draw (same mass, source, lens-light R_e and magnitudes, same noise stream)
//                    re-rendered with the lens light's q, φ set to the mass's, the knots removed (smooth Sérsic
//                    source, unit flux) and no stars or artefacts: the fit's model family contains the truth,
//                    so interval coverage tests the sampler and the likelihood, not the model choice.
import { Rng } from '../../src-core/rng';
import { addNoise } from '../../src-core/lens/noise';
import { renderScene } from '../../src-core/lens/render';
import { engineFor, simulateCutout, type SimulationConfig, type Truth } from '../../src-core/lens/simulate';
import { getPreset } from '../../src-core/lens/presets';
import type { LensFitInput } from '../../src-core/infer/lens-fit';
import { qPhiToEllipticity } from '../../src-core/infer/lens-model';

export type SimulatedVariant = 'simulator' | 'well-specified';

export interface SimulatedLens {
  input: LensFitInput;
  /** The 12 fit parameters (LENS_PARAM_NAMES order) of the truth. */
  truth: Float64Array;
  record: Truth;
}

/** Fit parameters from a simulator truth record (lens systems only; null otherwise). */
export function truthToLensParams(t: Record<string, unknown>): Float64Array | null {
  const n = (k: string) => (typeof t[k] === 'number' ? (t[k] as number) : NaN);
  if (!Number.isFinite(n('theta_E'))) return null;
  const v = [
    n('theta_E'), ...qPhiToEllipticity(n('mass_q'), n('mass_phi')), n('gamma1'), n('gamma2'),
    n('src_x'), n('src_y'), n('src_re'), n('src_n'), ...qPhiToEllipticity(n('src_q'), n('src_phi')), n('lens_re'),
  ];
  return v.every(Number.isFinite) ? Float64Array.from(v) : null;
}

/** Cutout `index` of (config, seed) as a fit input. Throws when that cutout is not a lens. */
export function simulatedLens(config: SimulationConfig, seed: number, index: number, variant: SimulatedVariant = 'simulator'): SimulatedLens {
  const cfg: SimulationConfig = variant === 'well-specified' ? { ...config, starContamination: 0, artefactContamination: 0 } : config;
  const e = engineFor(cfg);
  const cut = simulateCutout(cfg, seed, index, { scene: true });
  const truth = truthToLensParams(cut.truth);
  if (!truth || !cut.scene?.isLens) throw new Error(`simulated cutout ${seed}/${index} is not a lens`);
  const size = e.ins.size;
  const n = size * size;
  const nb = e.ins.bands.length;
  const image = new Float64Array(nb * n);
  const variance = new Float64Array(nb * n);
  if (variant === 'well-specified') {
    const scene = cut.scene;
    const mass = scene.mass.find((m) => m.profile === 'SIE')!.params;
    const light = scene.light
      .filter((c) => c.role !== 'source_knots')
      .map((c) => (c.role === 'lens' ? { ...c, params: { ...c.params, q: mass.q!, phi: mass.phi! } }
        : c.role === 'source' ? { ...c, params: { ...c.params, n_clumps: 0, clump_frac: 0 } } : c));
    renderScene({ ...scene, light, points: [], artefacts: [] }, e.ins, e.ws);
    const rng = new Rng(seed, index, 1);
    const img = new Float32Array(n), v = new Float32Array(n);
    for (let b = 0; b < nb; b++) {
      addNoise(e.ws.models[b]!, n, { sky: e.ins.sky[b]!, readVar: e.ins.readVar[b]!, gaussianAbove: e.cfg.gaussianNoiseAbove }, rng, img, v);
      image.set(img, b * n);
      variance.set(v, b * n);
    }
    cut.truth.lens_q = mass.q!;
    cut.truth.lens_phi = mass.phi!;
  } else {
    for (let b = 0; b < nb; b++) {
      image.set(cut.bands[b]!, b * n);
      variance.set(cut.variance[b]!, b * n);
    }
  }
  const preset = getPreset(e.cfg.preset);
  const psf = e.cfg.bands.map((b) => e.cfg.psfOverride?.[b] ?? (e.cfg.psf === 'moffat'
    ? { type: 'moffat' as const, fwhm: preset.bands[b]!.seeing, beta: e.cfg.moffatBeta }
    : { type: 'gaussian' as const, fwhm: preset.bands[b]!.seeing }));
  return {
    input: { bands: [...e.ins.bands], size, pixelScale: e.ins.pixelScale, image, variance, psf, supersample: e.cfg.supersample },
    truth,
    record: cut.truth,
  };
}

/** The first `count` lens indices of (config, seed) from `start` (cheap: draws only, no fit). */
export function lensIndices(config: SimulationConfig, seed: number, count: number, start = 0): number[] {
  const out: number[] = [];
  for (let i = start; out.length < count && i < start + 100 * count + 100; i++) {
    if (simulateCutout(config, seed, i).truth.is_lens === 1) out.push(i);
  }
  return out;
}
