// Hard negatives: the things lens finders confuse with lenses (Metcalf et al. 2019, A&A 625, A119,
// §6: "rare, irregular and ring-like face-on galaxies"; Jacobs et al. 2019, ApJS 243, 17: blue
// companions, spiral arms, mergers; Rojas et al. 2022, A&A 668, A73: artefacts and star spikes).
// Kinds and priors (arcsec, rad; U = uniform):
//   deflector  the lens-galaxy population alone
//   ring       deflector + blue Gaussian ring, R0 ~ U(θE range), width U(0.1, 0.35), q U(0.6, 1),
//              r ~ U(19.5, 22.5) (the brightness of lensed arcs)
//   spiral     exponential disc with 2–4 log-spiral arms (pitch U(0.2, 0.6)) + de Vaucouleurs bulge
//   merger     deflector + 1–2 companions at U(1, 3)″, elongated (q U(0.2, 0.7)); with probability
//              `hardness` tangential to the centre (arc-like) and blue, else random
//   star       deflector + a star at U(1, 4)″, r U(17, 22), on the stellar locus
//   artefact   deflector + a cosmic ray (one band) or a satellite trail (one band)
//   edgeon     an edge-on disc galaxy instead of the deflector: exponential disc (n = 1), q U(0.08, 0.2),
//              R_e U(0.6, 2), r U(18, 21), bluish, + a small bulge (n = 4, B/T U(0.05, 0.3)) — thin
//              bright arcs of light through the centre (Jacobs et al. 2019 list edge-on discs)
//   blend      deflector + 1–2 unrelated galaxies on the same line of sight, at U(0.3, 1.5)″ (inside
//              the Einstein radii the lenses have), Sérsic n U(0.5, 4), R_e U(0.2, 0.8), q U(0.3, 1),
//              r U(19.5, 22.5), blue with probability `hardness`, else red
// edgeon and blend have weight 0 in the default mix (so sets made before they existed are re-made
// unchanged); the hard evaluation set (hard-set.ts) and `--negatives` use them.
// Any cutout, lens or not, may also get an unrelated star / artefact (contamination rates), so the
// presence of a star or a trail says nothing about the class.
import type { Rng } from '../rng';
import { BLUE, KNOT_EXTRA, mags, offset, RED, starColour } from './colours';
import type { PopulationOptions, Truth } from './population';
import type { Artefact, LightComponent, PointSource, Scene } from './scene';

export const NEGATIVE_KINDS = ['deflector', 'ring', 'spiral', 'merger', 'star', 'artefact', 'edgeon', 'blend'] as const;
export type NegativeKind = (typeof NEGATIVE_KINDS)[number];
export const DEFAULT_NEGATIVE_MIX: Record<NegativeKind, number> = {
  deflector: 0.35, ring: 0.15, spiral: 0.15, merger: 0.15, star: 0.1, artefact: 0.1, edgeon: 0, blend: 0,
};

function pick(rng: Rng, mix: Record<NegativeKind, number>): NegativeKind {
  const total = NEGATIVE_KINDS.reduce((s, k) => s + Math.max(0, mix[k]), 0);
  let u = rng.uniform() * total;
  for (const k of NEGATIVE_KINDS) {
    u -= Math.max(0, mix[k]);
    if (u < 0) return k;
  }
  return 'deflector';
}

export function drawStar(rng: Rng, o: PopulationOptions, rMin: number, rMax: number, role: string, t: Truth): PointSource {
  const d = rng.range(rMin, rMax), a = rng.range(0, 2 * Math.PI);
  const r = rng.range(17, 22), gr = rng.range(0.2, 1.4);
  Object.assign(t, { [`${role}_x`]: d * Math.cos(a), [`${role}_y`]: d * Math.sin(a), [`${role}_rmag`]: r, [`${role}_gr`]: gr });
  return { role, x: d * Math.cos(a), y: d * Math.sin(a), mags: mags(o.bands, r, starColour(gr), rng, 0) };
}

export function drawArtefact(rng: Rng, o: PopulationOptions, role: string, t: Truth): Artefact {
  const band = o.bands[rng.int(o.bands.length)];
  const angle = rng.range(0, Math.PI);
  if (rng.uniform() < 0.5) {
    const x = rng.range(-0.8, 0.8) * o.stampHalfWidth, y = rng.range(-0.8, 0.8) * o.stampHalfWidth;
    const length = 1 + rng.int(4), electrons = 10 ** rng.range(3.5, 5);
    Object.assign(t, { [`${role}_kind`]: 'cosmic_ray', [`${role}_band`]: band, [`${role}_x`]: x, [`${role}_y`]: y, [`${role}_len`]: length, [`${role}_e`]: electrons });
    return { kind: 'cosmic_ray', band, x, y, length, angle, electrons };
  }
  const off = rng.range(-0.7, 0.7) * o.stampHalfWidth, peak = rng.range(3, 30);
  Object.assign(t, { [`${role}_kind`]: 'satellite_trail', [`${role}_band`]: band, [`${role}_offset`]: off, [`${role}_angle`]: angle, [`${role}_peak_sigma`]: peak });
  return { kind: 'satellite_trail', band, offset: off, angle, peakSigmas: peak };
}

export function drawNegative(rng: Rng, o: PopulationOptions, lens: LightComponent, t: Truth): Scene {
  const kind = pick(rng, o.negativeMix);
  const scene: Scene = { isLens: false, kind, mass: [], light: [lens], points: [], artefacts: [] };
  if (kind === 'ring') {
    const r0 = rng.range(o.thetaEMin, o.thetaEMax), w = rng.range(0.1, 0.35), q = rng.range(0.6, 1), phi = rng.range(0, Math.PI);
    const rmag = rng.range(19.5, 22.5); // like the lensed arcs: unlensed 21.5–24 mag × μ 3–10
    Object.assign(t, { ring_r: r0, ring_width: w, ring_q: q, ring_phi: phi, ring_rmag: rmag });
    scene.light.push({ role: 'ring', profile: 'GAUSSIAN_RING', lensed: false,
      params: { flux: 1, r_ring: r0, width: w, q, phi, center_x: 0, center_y: 0 }, mags: mags(o.bands, rmag, BLUE, rng, 0.1) });
  } else if (kind === 'spiral') {
    const h = rng.range(0.4, 1.5), arms = 2 + rng.int(3), pitch = rng.range(0.2, 0.6), amp = rng.range(0.3, 0.9);
    const q = rng.range(0.3, 1), phi = rng.range(0, Math.PI), rmag = rng.range(18, 21.5), bt = rng.range(0.1, 0.5);
    const bre = rng.range(0.2, 0.6);
    Object.assign(t, { disc_h: h, arms, pitch, arm_amp: amp, disc_q: q, disc_phi: phi, spiral_rmag: rmag, bulge_frac: bt, bulge_re: bre });
    const disc = mags(o.bands, rmag - 2.5 * Math.log10(1 - bt), BLUE, rng, 0.1);
    const bulge = mags(o.bands, rmag - 2.5 * Math.log10(bt), RED, rng, 0.05);
    scene.light = [
      { role: 'bulge', profile: 'SERSIC', lensed: false, params: { flux: 1, r_e: bre, n: 4, q: Math.min(1, q + 0.3), phi, center_x: 0, center_y: 0 }, mags: bulge },
      { role: 'spiral', profile: 'SPIRAL', lensed: false, params: { flux: 1, h, arms, pitch, arm_amp: amp, q, phi, center_x: 0, center_y: 0 }, mags: disc },
    ];
  } else if (kind === 'merger') {
    const m = 1 + rng.int(2);
    t.companions = m;
    for (let k = 1; k <= m; k++) {
      const d = rng.range(1, 3), a = rng.range(0, 2 * Math.PI);
      const tangential = rng.uniform() < o.hardness;
      const phi = tangential ? a + Math.PI / 2 : rng.range(0, Math.PI);
      const blue = tangential || rng.uniform() < 0.5;
      const re = rng.range(0.2, 0.8), n = rng.range(0.5, 2), q = rng.range(0.2, 0.7), rmag = rng.range(20, 23);
      const nClumps = rng.int(5), cseed = rng.nextU32();
      Object.assign(t, { [`comp${k}_x`]: d * Math.cos(a), [`comp${k}_y`]: d * Math.sin(a), [`comp${k}_re`]: re, [`comp${k}_n`]: n,
        [`comp${k}_q`]: q, [`comp${k}_phi`]: phi, [`comp${k}_rmag`]: rmag, [`comp${k}_blue`]: blue ? 1 : 0,
        [`comp${k}_tangential`]: tangential ? 1 : 0, [`comp${k}_clumps`]: nClumps, [`comp${k}_clump_seed`]: cseed });
      const cm = mags(o.bands, rmag, blue ? BLUE : RED, rng, 0.1);
      scene.light.push({ role: `companion${k}`, profile: 'CLUMPY_SOURCE', lensed: false,
        params: { flux: 1, r_e: re, n, q, phi, center_x: d * Math.cos(a), center_y: d * Math.sin(a),
          n_clumps: nClumps, clump_frac: 0.25, clump_sigma: 0.05, clump_seed: cseed, part: 0 },
        mags: blue ? offset(cm, { ...KNOT_EXTRA, r: 0 }) : cm });
    }
  } else if (kind === 'edgeon') {
    const re = rng.range(0.6, 2), q = rng.range(0.08, 0.2), phi = rng.range(0, Math.PI), rmag = rng.range(18, 21), bt = rng.range(0.05, 0.3);
    Object.assign(t, { disc_re: re, disc_q: q, disc_phi: phi, edgeon_rmag: rmag, bulge_frac: bt });
    scene.light = [
      { role: 'bulge', profile: 'SERSIC', lensed: false, params: { flux: 1, r_e: 0.3 * re, n: 4, q: 0.7, phi, center_x: 0, center_y: 0 }, mags: mags(o.bands, rmag - 2.5 * Math.log10(bt), RED, rng, 0.05) },
      { role: 'disc', profile: 'SERSIC', lensed: false, params: { flux: 1, r_e: re, n: 1, q, phi, center_x: 0, center_y: 0 }, mags: mags(o.bands, rmag - 2.5 * Math.log10(1 - bt), BLUE, rng, 0.1) },
    ];
  } else if (kind === 'blend') {
    const m = 1 + rng.int(2);
    t.blended = m;
    for (let k = 1; k <= m; k++) {
      const d = rng.range(0.3, 1.5), a = rng.range(0, 2 * Math.PI), n = rng.range(0.5, 4), re = rng.range(0.2, 0.8);
      const q = rng.range(0.3, 1), phi = rng.range(0, Math.PI), rmag = rng.range(19.5, 22.5), blue = rng.uniform() < o.hardness;
      Object.assign(t, { [`blend${k}_d`]: d, [`blend${k}_rmag`]: rmag, [`blend${k}_blue`]: blue ? 1 : 0 });
      scene.light.push({ role: `blend${k}`, profile: 'SERSIC', lensed: false,
        params: { flux: 1, r_e: re, n, q, phi, center_x: d * Math.cos(a), center_y: d * Math.sin(a) }, mags: mags(o.bands, rmag, blue ? BLUE : RED, rng, 0.1) });
    }
  } else if (kind === 'star') {
    scene.points.push(drawStar(rng, o, 1, 4, 'star', t));
  } else if (kind === 'artefact') {
    scene.artefacts.push(drawArtefact(rng, o, 'artefact', t));
  }
  return scene;
}

/** Unrelated stars and artefacts for any cutout (lens or not). */
export function addContamination(rng: Rng, o: PopulationOptions, scene: Scene, t: Truth): void {
  if (rng.uniform() < o.starContamination) scene.points.push(drawStar(rng, o, 2, o.stampHalfWidth, 'cstar', t));
  if (rng.uniform() < o.artefactContamination) scene.artefacts.push(drawArtefact(rng, o, 'cart', t));
}
