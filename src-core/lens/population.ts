// Population priors: what one (seed, index) draws. Simpler than LensPop (Collett 2015, ApJ 811, 20),
// like the numpy peer, with LensPop's detectability cuts applied in simulate.ts. Every draw goes
// into `truth` under its own name. Priors (U = uniform; angles in rad, lengths in arcsec):
//   class:       lens with probability lensFraction
//   deflector:   de Vaucouleurs (n = 4) light, R_e ~ U(0.5, 2), q ~ U(0.5, 1), φ ~ U(0, π),
//                r ~ U(18, 21) mag, red colours (colours.ts) + N(0, 0.05) per band
//   mass:        SIE with θE ~ U(thetaEMin, thetaEMax) (0.8–2.5), q_mass = clip(q_light + N(0, 0.05)),
//                φ_mass = φ_light + N(0, 0.1); shear |γ| ~ U(0, 0.05), angle ~ U(0, π)
//   source:      clumpy Sérsic, R_e ~ U(0.1, 0.5), n ~ U(0.5, 2.5), q ~ U(0.4, 1), φ ~ U(0, π),
//                offset uniform in a disc of radius (0.3 + 0.4·hardness)·θE,
//                r ~ U(sourceRMin, sourceRMax) mag (unlensed; default 21.5 … 23.5 + 1.5·hardness),
//                blue colours + N(0, 0.1);
//                knots: N ~ integer U[0, 6], flux fraction U(0.1, 0.4), σ ~ U(0.02, 0.06), bluer.
//   stamps:      with a stamp library (config.sourceStamps), after the draws above: u ~ U(0, 1),
//                stamp k ~ integer U[0, count), rotation ~ U(0, 2π); if u < fraction the source is
//                stamp k (STAMP_SOURCE, centroid at the drawn offset, the drawn r magnitude and
//                colours, no knots) instead of the clumpy Sérsic. Without a library nothing more
//                is drawn, so sets made before stamps existed are re-made unchanged.
import type { Rng } from '../rng';
import { BLUE, KNOT_EXTRA, mags, offset, RED } from './colours';
import { addContamination, drawNegative, type NegativeKind } from './negatives';
import { stampByKey, stampStats } from './profiles/stamp-source';
import { maybeQuasar } from './quasar';
import type { LightComponent, PointSource, Scene } from './scene';

export interface PopulationOptions {
  bands: string[];
  lensFraction: number;
  /** 0 = easy (bright sources, lens-unlike negatives) … 1 = hard. */
  hardness: number;
  thetaEMin: number;
  thetaEMax: number;
  sourceRMin: number;
  sourceRMax: number;
  negativeMix: Record<NegativeKind, number>;
  /** Probability of an unrelated star near any cutout, and of an artefact (both classes). */
  starContamination: number;
  artefactContamination: number;
  stampHalfWidth: number; // arcsec
  /** Registered source stamps: keys base … base + count − 1 (profiles/stamp-source.ts). */
  stamps?: { base: number; count: number; fraction: number };
  /** Fraction of lenses whose source is a quasar (+ host), quasar.ts; absent or 0 = none. */
  quasarFraction?: number;
}

export type Truth = Record<string, number | string>;

/** The deflector's light (shared by lenses and the 'deflector'-like negatives). */
export function drawDeflectorLight(rng: Rng, o: PopulationOptions, t: Truth): LightComponent {
  const re = rng.range(0.5, 2.0);
  const q = rng.range(0.5, 1.0);
  const phi = rng.range(0, Math.PI);
  const r = rng.range(18, 21);
  Object.assign(t, { lens_re: re, lens_n: 4, lens_q: q, lens_phi: phi, lens_rmag: r });
  return {
    role: 'lens', profile: 'SERSIC', lensed: false,
    params: { flux: 1, r_e: re, n: 4, q, phi, center_x: 0, center_y: 0 },
    mags: mags(o.bands, r, RED, rng, 0.05),
  };
}

export type LensSystem = Pick<Scene, 'mass' | 'light'> & { points?: PointSource[] };

/**
 * Lens system (mass + lensed source) on top of a given deflector light; with o.quasarFraction > 0
 * the source may then be replaced by a lensed quasar (its images as `points`).
 */
export function drawLensSystem(rng: Rng, o: PopulationOptions, lens: LightComponent, t: Truth): LensSystem {
  const sys = drawGalaxySource(rng, o, lens, t);
  const q = maybeQuasar(rng, o, sys.mass, lens, t);
  return q ? { mass: sys.mass, light: q.light, points: q.points } : sys;
}

/** Lens system (mass + lensed clumpy or stamp source) on top of a given deflector light. */
function drawGalaxySource(rng: Rng, o: PopulationOptions, lens: LightComponent, t: Truth): Pick<Scene, 'mass' | 'light'> {
  const thetaE = rng.range(o.thetaEMin, o.thetaEMax);
  const qm = Math.min(1, Math.max(0.3, lens.params.q + 0.05 * rng.normal()));
  const phim = lens.params.phi + 0.1 * rng.normal();
  const gam = rng.range(0, 0.05);
  const gang = rng.range(0, Math.PI);
  const g1 = gam * Math.cos(2 * gang), g2 = gam * Math.sin(2 * gang);
  const rad = (0.3 + 0.4 * o.hardness) * thetaE * Math.sqrt(rng.uniform());
  const ang = rng.range(0, 2 * Math.PI);
  const sx = rad * Math.cos(ang), sy = rad * Math.sin(ang);
  const sre = rng.range(0.1, 0.5), sn = rng.range(0.5, 2.5), sq = rng.range(0.4, 1), sphi = rng.range(0, Math.PI);
  const srmag = rng.range(o.sourceRMin, o.sourceRMax);
  const nClumps = rng.int(7);
  const cfrac = rng.range(0.1, 0.4), csig = rng.range(0.02, 0.06), cseed = rng.nextU32();
  const srcMags = mags(o.bands, srmag, BLUE, rng, 0.1);
  const mass: Scene['mass'] = [
    { profile: 'SIE', params: { theta_E: thetaE, q: qm, phi: phim, center_x: 0, center_y: 0 } },
    { profile: 'SHEAR', params: { gamma1: g1, gamma2: g2, center_x: 0, center_y: 0 } },
  ];
  if (o.stamps) {
    const use = rng.uniform() < o.stamps.fraction;
    const k = rng.int(o.stamps.count);
    const rot = rng.range(0, 2 * Math.PI);
    if (use) {
      const key = o.stamps.base + k;
      const stamp = stampByKey(key);
      Object.assign(t, {
        theta_E: thetaE, mass_q: qm, mass_phi: phim, gamma1: g1, gamma2: g2,
        src_x: sx, src_y: sy, src_re: stampStats(stamp).rHalf, src_n: NaN, src_q: NaN, src_phi: rot, src_rmag: srmag,
        n_clumps: 0, clump_frac: 0, clump_sigma: NaN, clump_seed: NaN, src_kind: 'stamp', src_stamp: stamp.name, src_stamp_index: k,
      });
      return { mass, light: [lens, { role: 'source', profile: 'STAMP_SOURCE', lensed: true,
        params: { flux: 1, phi: rot, center_x: sx, center_y: sy, stamp_key: key }, mags: srcMags }] };
    }
    Object.assign(t, { src_kind: 'sersic', src_stamp: '', src_stamp_index: NaN });
  }
  Object.assign(t, {
    theta_E: thetaE, mass_q: qm, mass_phi: phim, gamma1: g1, gamma2: g2,
    src_x: sx, src_y: sy, src_re: sre, src_n: sn, src_q: sq, src_phi: sphi, src_rmag: srmag,
    n_clumps: nClumps, clump_frac: nClumps ? cfrac : 0, clump_sigma: csig, clump_seed: cseed,
  });
  const base = { flux: 1, r_e: sre, n: sn, q: sq, phi: sphi, center_x: sx, center_y: sy,
    n_clumps: nClumps, clump_frac: cfrac, clump_sigma: csig, clump_seed: cseed };
  const light: LightComponent[] = [lens, { role: 'source', profile: 'CLUMPY_SOURCE', lensed: true, params: { ...base, part: 1 }, mags: srcMags }];
  if (nClumps > 0) {
    light.push({ role: 'source_knots', profile: 'CLUMPY_SOURCE', lensed: true, params: { ...base, part: 2 }, mags: offset(srcMags, KNOT_EXTRA) });
  }
  return { mass, light };
}

/** Draws the class, then the scene, from one stream. `attempt` > 0 re-draws a lens system only. */
export function drawScene(rng: Rng, o: PopulationOptions, t: Truth): Scene {
  const isLens = rng.uniform() < o.lensFraction;
  t.is_lens = isLens ? 1 : 0;
  const lens = drawDeflectorLight(rng, o, t);
  let scene: Scene;
  if (isLens) {
    const sys = drawLensSystem(rng, o, lens, t);
    scene = { isLens, kind: 'lens', mass: sys.mass, light: sys.light, points: sys.points ?? [], artefacts: [] };
  } else {
    scene = drawNegative(rng, o, lens, t);
  }
  t.kind = scene.kind;
  addContamination(rng, o, scene, t);
  return scene;
}
