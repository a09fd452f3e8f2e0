// Painting simulated lensed sources into real cutouts, as the DES, DESI Legacy Surveys and HSC
// searches built their training sets (Jacobs et al. 2019, ApJS 243, 17, §3; Huang et al. 2020,
// ApJ 894, 78, §3.2; Cañameras et al. 2021, A&A 653, L6): the real cutout supplies the deflector
// light, neighbours, noise and artefacts; the simulator supplies only the lensed light (arcs, or
// the images of a lensed quasar with an optional host), convolved with the survey's PSF.
//   1. The deflector is the cutout's central galaxy: centroid and axis ratio / angle from the
//      flux-weighted second moments of the noise-normalised band sum within 1.5″ of the centre.
//   2. An SIE + shear lens is drawn there (θE, shear, source as the simulator's priors,
//      lens/population.ts; mass axis ratio and angle follow the light's), the lensed source
//      rendered with the survey PSF (lens/render.ts) with no deflector light and no noise.
//   3. Units: the rendered e⁻ (preset zero points) are mapped per band to the cutout's own noise,
//      inject_b = k · model_b · σ_cutout,b / σ_preset,b, which keeps the simulator's colours in units
//      of each band's noise; k sets the lensed source's total S/N (Σs / √(Σσ²) over pixels where
//      s > σ, the LensPop definition used by simulate.ts) to a draw log-uniform in [snrMin, snrMax].
//   Source shot noise is not added (background-limited regime; the cutout's noise is real).
// Negatives are the same cutouts untouched.
import type { Rng } from '../rng';
import { resolveConfig, type SimulationConfig } from '../lens/config';
import { drawLensSystem, type Truth } from '../lens/population';
import { QSO_ROLE } from '../lens/quasar';
import { renderScene } from '../lens/render';
import type { LightComponent, Scene } from '../lens/scene';
import { engineFor } from '../lens/simulate';
import type { StampLibrary } from '../lens/profiles/stamp-source';
import { InputError } from '../errors';
import { robustSigma } from '../stamps/stamp';

export interface InjectionOptions {
  /** Survey preset whose PSF, bands and colours are used (its bands must include the cutout's). */
  preset: string;
  bands: string[];
  size: number;
  thetaEMin: number;
  thetaEMax: number;
  /** Total S/N range of the lensed light (log-uniform). */
  snrMin: number;
  snrMax: number;
  /** Fraction of injections that are lensed quasars (point images + optional host). */
  quasarFraction: number;
  /**
   * Real galaxy stamps as the lensed sources (a fraction `sourceStamps.fraction` of the non-quasar
   * injections; the rest clumpy Sérsic), as the simulator's --source-stamps: truth src_kind / src_stamp say which.
   */
  sourceStamps?: StampLibrary;
}

export const DEFAULT_INJECTION: Omit<InjectionOptions, 'preset' | 'bands' | 'size'> = {
  thetaEMin: 0.6, thetaEMax: 3, snrMin: 15, snrMax: 300, quasarFraction: 0.2,
};

export interface Injection {
  /** Per band: the injected lensed light (cutout units), row-major size × size. */
  added: Float32Array[];
  truth: Truth;
}

/** Centroid (arcsec from the stamp centre), axis ratio and angle of the central galaxy. */
export function centralGalaxy(planes: Float32Array[], size: number, pixelScale: number): { x: number; y: number; q: number; phi: number } {
  const c = (size - 1) / 2, rMax = 1.5 / pixelScale;
  const sum = new Float64Array(size * size);
  for (const p of planes) {
    const s = robustSigma(p);
    for (let i = 0; i < sum.length; i++) sum[i] += p[i]! / s;
  }
  // The aperture is re-centred on the centroid a few times, so an off-centre galaxy is not
  // pulled towards the stamp centre by the aperture's edge.
  let mx = 0, my = 0;
  const inAp = (i: number, j: number) => (i - c - mx) ** 2 + (j - c - my) ** 2 <= rMax * rMax;
  for (let it = 0; it < 5; it++) {
    let w = 0, sx = 0, sy = 0;
    for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
      const v = sum[j * size + i]!;
      if (v > 0 && inAp(i, j)) { w += v; sx += v * (i - c); sy += v * (j - c); }
    }
    if (!(w > 0)) return { x: 0, y: 0, q: 1, phi: 0 };
    // Never wander more than 1.5″ from the stamp centre: the lens is the central galaxy.
    const nx = sx / w, ny = sy / w, r = Math.hypot(nx, ny);
    [mx, my] = r > rMax ? [(nx * rMax) / r, (ny * rMax) / r] : [nx, ny];
  }
  let xx = 0, yy = 0, xy = 0;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    const v = sum[j * size + i]!, dx = i - c - mx, dy = j - c - my;
    if (v > 0 && inAp(i, j)) { xx += v * dx * dx; yy += v * dy * dy; xy += v * dx * dy; }
  }
  const tr = xx + yy, det = Math.sqrt(Math.max(0, ((xx - yy) / 2) ** 2 + xy * xy));
  const l1 = tr / 2 + det, l2 = tr / 2 - det;
  const q = l1 > 0 ? Math.sqrt(Math.max(l2, 0) / l1) : 1;
  return { x: mx * pixelScale, y: my * pixelScale, q, phi: 0.5 * Math.atan2(2 * xy, xx - yy) };
}

/** Draws one lensed source for the cutout `planes` and returns the light to add (not added yet). */
export function drawInjection(planes: Float32Array[], o: InjectionOptions, rng: Rng): Injection {
  const cfg: SimulationConfig = {
    preset: o.preset, bands: o.bands, size: o.size, thetaEMin: o.thetaEMin, thetaEMax: o.thetaEMax, quasarFraction: o.quasarFraction,
    ...(o.sourceStamps ? { sourceStamps: o.sourceStamps } : {}),
  };
  const r = resolveConfig(cfg);
  const e = engineFor(cfg);
  if (planes.length !== r.bands.length || planes.some((p) => p.length !== o.size * o.size)) {
    throw new InputError('INJECT_SHAPE', `cutout has ${planes.length} planes of ${planes[0]?.length ?? 0} pixels; injection needs ${r.bands.length} × ${o.size}²`, { bands: r.bands.join(','), size: o.size });
  }
  const ps = e.ins.pixelScale;
  const gal = centralGalaxy(planes, o.size, ps);
  const truth: Truth = { lens_x: gal.x, lens_y: gal.y, lens_q_light: gal.q, lens_phi_light: gal.phi };
  // A stand-in deflector light carrying the measured shape: drawLensSystem aligns the mass with it.
  const lens: LightComponent = { role: 'lens', profile: 'SERSIC', lensed: false, params: { flux: 1, r_e: 1, n: 4, q: Math.min(1, Math.max(0.5, gal.q)), phi: gal.phi, center_x: 0, center_y: 0 }, mags: Object.fromEntries(r.bands.map((b) => [b, 99])) };
  const sys = drawLensSystem(rng, { ...e.pop, quasarFraction: o.quasarFraction }, lens, truth);
  // Translate the whole system onto the measured centre (the lens equation is translation-invariant).
  const shift = (p: Record<string, number>) => ({ ...p, center_x: (p.center_x ?? 0) + gal.x, center_y: (p.center_y ?? 0) + gal.y });
  const scene: Scene = {
    isLens: true, kind: 'lens', artefacts: [],
    mass: sys.mass.map((m) => ({ ...m, params: shift(m.params) })),
    light: sys.light.filter((l) => l.role !== 'lens').map((l) => ({ ...l, params: shift(l.params) })),
    points: (sys.points ?? []).filter((p) => p.role.startsWith(QSO_ROLE)).map((p) => ({ ...p, x: p.x + gal.x, y: p.y + gal.y })),
  };
  const info = renderScene(scene, e.ins, e.ws);
  const n = o.size * o.size;
  const sigma = planes.map((p) => robustSigma(p));
  const unit = r.bands.map((_, b) => sigma[b]! / Math.sqrt(e.ins.sky[b]! + e.ins.readVar[b]!));
  const scaled = r.bands.map((_, b) => Float64Array.from(e.ws.models[b]!, (v) => v * unit[b]!));
  // S/N of the unscaled lensed light in its best band; S/N ∝ k in the background-limited regime.
  let best = 0, bestBand = 0;
  scaled.forEach((m, b) => {
    let s = 0, v = 0;
    const s2 = sigma[b]! * sigma[b]!;
    for (let i = 0; i < n; i++) if (m[i]! * m[i]! > s2) { s += m[i]!; v += s2; }
    const snr = v > 0 ? s / Math.sqrt(v) : 0;
    if (snr > best) { best = snr; bestBand = b; }
  });
  const target = Math.exp(Math.log(o.snrMin) + rng.uniform() * (Math.log(o.snrMax) - Math.log(o.snrMin)));
  // The pixels above 1σ change with k: a few fixed-point steps settle k (S/N is monotone in k).
  let k = best > 0 ? target / best : 0;
  for (let it = 0; it < 8 && k > 0; it++) {
    const m = scaled[bestBand]!, s2 = sigma[bestBand]! ** 2;
    let s = 0, v = 0;
    for (let i = 0; i < n; i++) { const x = k * m[i]!; if (x * x > s2) { s += x; v += s2; } }
    const snr = v > 0 ? s / Math.sqrt(v) : 0;
    if (!(snr > 0)) break;
    k *= target / snr;
  }
  const added = scaled.map((m) => Float32Array.from(m, (v) => v * k));
  r.bands.forEach((b, i) => {
    truth[`injected_flux_${b}`] = added[i]!.reduce((a, v) => a + v, 0);
    // Cutout units per simulated e⁻: Σ injected = scale · lensed e⁻ (the PSF keeps flux).
    truth[`injected_scale_${b}`] = k * unit[i]!;
    // Lensed e⁻ before the PSF (−1 for a quasar without host: its images are points, added below).
    truth[`lensed_e_${b}`] = info.lensedElectrons[i]!;
    for (const l of scene.light) truth[`${l.role}_mag_${b}`] = l.mags[b]!;
  });
  truth.mu = Number(truth.qso_mu_total ?? info.mu);
  Object.assign(truth, { injected_snr: target, injected_snr_band: r.bands[bestBand]!, is_lens: 1, kind: 'injected' });
  return { added, truth };
}

/** Adds `inj` to copies of `planes` (the originals are never written). */
export function applyInjection(planes: Float32Array[], inj: Injection): Float32Array[] {
  return planes.map((p, b) => Float32Array.from(p, (v, i) => v + inj.added[b]![i]!));
}
