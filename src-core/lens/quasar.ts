// Lensed quasars: a point source behind the SIE + shear deflector, its images found with the lens
// equation (point-images.ts), each a PSF-shaped point source of flux |μᵢ| × the quasar's, plus
// (optionally) the quasar's host galaxy as an extended lensed Sérsic source at the same position.
// Priors (U = uniform; arcsec, mag):
//   quasar offset |β| = 0.5·θE·√u, angle U(0, 2π) (inside the tangential caustic often enough to
//   give quads next to doubles, as in LSST forecasts: Oguri & Marshall 2010, MNRAS 405, 2579,
//   where ~1 in 6 detected systems is a quad);
//   unlensed quasar r ~ U(19.5, 23); colours of a z ≈ 1–2 quasar (SDSS, Richards et al. 2001,
//   AJ 121, 2308: g − r ≈ 0.2, r − i ≈ 0.15, i − z ≈ 0.1) + N(0, 0.05) per band;
//   host with probability 0.6: Sérsic n U(1, 4), R_e U(0.2, 0.6), q U(0.5, 1), r = quasar r + U(0.5, 2.5).
// Used when config.quasarFraction > 0: a fraction of the lenses have a quasar source instead of a
// clumpy galaxy. Drawn after every other draw of the lens system, so sets with quasarFraction 0
// are re-made unchanged.
import type { Rng } from '../rng';
import { BLUE, mags } from './colours';
import { solvePointImages } from './point-images';
import type { PopulationOptions, Truth } from './population';
import type { LightComponent, MassComponent, PointSource } from './scene';

export const QSO_COLOUR: Record<string, number> = { u: 0.45, g: 0.2, r: 0, i: -0.15, z: -0.25, y: -0.3, Y: -0.3, VIS: -0.12 };

/** Role prefix of the image point sources (so a re-draw can replace them and keep contamination). */
export const QSO_ROLE = 'qso_img';

export interface QuasarSystem {
  light: LightComponent[];
  points: PointSource[];
}

/**
 * Replaces the lensed source of a drawn lens system by a quasar (+ host) with probability
 * o.quasarFraction; otherwise returns null (the draws are consumed either way, so the stream stays
 * aligned). `lensLight` is the deflector's light component.
 */
export function maybeQuasar(rng: Rng, o: PopulationOptions, mass: MassComponent[], lensLight: LightComponent, t: Truth): QuasarSystem | null {
  const f = o.quasarFraction ?? 0;
  if (!(f > 0)) return null;
  const use = rng.uniform() < f;
  const thetaE = mass[0]!.params.theta_E!;
  const rad = 0.5 * thetaE * Math.sqrt(rng.uniform()), ang = rng.range(0, 2 * Math.PI);
  const bx = rad * Math.cos(ang), by = rad * Math.sin(ang);
  const qmag = rng.range(19.5, 23);
  const qMags = mags(o.bands, qmag, QSO_COLOUR, rng, 0.05);
  const hasHost = rng.uniform() < 0.6;
  const hn = rng.range(1, 4), hre = rng.range(0.2, 0.6), hq = rng.range(0.5, 1), hphi = rng.range(0, Math.PI);
  const hmag = qmag + rng.range(0.5, 2.5);
  const hostMags = mags(o.bands, hmag, BLUE, rng, 0.1);
  t.src_kind = use ? 'quasar' : (t.src_kind ?? 'sersic');
  if (!use) return null;
  const images = solvePointImages(mass, bx, by);
  const points: PointSource[] = images.map((im, k) => ({
    role: `${QSO_ROLE}${k + 1}`, x: im.x, y: im.y,
    mags: Object.fromEntries(Object.entries(qMags).map(([b, m]) => [b, m - 2.5 * Math.log10(Math.abs(im.mu))])),
  }));
  const muTotal = images.reduce((s, im) => s + Math.abs(im.mu), 0);
  Object.assign(t, {
    src_x: bx, src_y: by, qso_rmag: qmag, qso_n_images: images.length, qso_mu_total: muTotal,
    qso_host: hasHost ? 1 : 0, src_re: hasHost ? hre : 0, src_n: hasHost ? hn : NaN, src_q: hasHost ? hq : NaN,
    src_phi: hasHost ? hphi : NaN, src_rmag: hasHost ? hmag : 99, n_clumps: 0, clump_frac: 0,
  });
  images.forEach((im, k) => Object.assign(t, { [`qso_x${k + 1}`]: im.x, [`qso_y${k + 1}`]: im.y, [`qso_mu${k + 1}`]: im.mu }));
  const light: LightComponent[] = [lensLight];
  if (hasHost) {
    light.push({ role: 'source', profile: 'SERSIC', lensed: true,
      params: { flux: 1, r_e: hre, n: hn, q: hq, phi: hphi, center_x: bx, center_y: by }, mags: hostMags });
  }
  return { light, points };
}

/**
 * A lensed quasar counts as a strong lens when it has at least two images and the second-brightest
 * is brighter than `faintLimit` in r (or the first band): a single image is not a lens.
 */
export function quasarDetectable(t: Truth, points: PointSource[], band: string, faintLimit = 24.5): boolean {
  const qs = points.filter((p) => p.role.startsWith(QSO_ROLE)).map((p) => p.mags[band]!).sort((a, b) => a - b);
  const ok = qs.length >= 2 && qs[1]! < faintLimit;
  t.qso_second_mag = qs.length >= 2 ? qs[1]! : 99;
  return ok;
}
