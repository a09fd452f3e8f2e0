// Lensed quasars in the simulator: the images drawn into a cutout solve the lens equation of the
// cutout's own mass model, their rendered flux is Σ|μᵢ| × the quasar's flux (the PSF keeps flux),
// and sets without quasars are unchanged.
import { describe, expect, it } from 'vitest';
import { rayShoot } from './point-images';
import { QSO_ROLE } from './quasar';
import { renderScene } from './render';
import { engineFor, simulateCutout } from './simulate';

const CFG = { preset: 'lsst', lensFraction: 1, quasarFraction: 1 };

describe('lensed quasars in the simulator', () => {
  it('every quasar lens has ≥ 2 images that solve its lens equation to < 1e-6″, with |μ| from the truth', () => {
    for (let k = 0; k < 8; k++) {
      const c = simulateCutout(CFG, 3, k, { scene: true });
      const t = c.truth, scene = c.scene!;
      expect(t.src_kind).toBe('quasar');
      const imgs = scene.points.filter((p) => p.role.startsWith(QSO_ROLE));
      expect(imgs.length).toBe(Number(t.qso_n_images));
      expect(imgs.length).toBeGreaterThanOrEqual(2);
      const b = [0, 0];
      imgs.forEach((p, i) => {
        rayShoot(scene.mass, p.x, p.y, b);
        expect(Math.hypot(b[0]! - Number(t.src_x), b[1]! - Number(t.src_y))).toBeLessThan(1e-6);
        // Image magnitudes differ by −2.5 log10 of the |μ| ratio (in every band).
        const mu = (j: number) => Math.abs(Number(t[`qso_mu${j + 1}`]));
        expect(p.mags.r! - imgs[0]!.mags.r!).toBeCloseTo(-2.5 * Math.log10(mu(i) / mu(0)), 9);
      });
      expect(Number(t.detectable)).toBe(1);
    }
  });

  it('rendered quasar flux = Σ|μᵢ| × unlensed quasar flux (PSF normalised, no flux lost at the edges)', () => {
    const e = engineFor(CFG);
    for (let k = 0; k < 4; k++) {
      const { scene, truth } = simulateCutout(CFG, 4, k, { scene: true });
      const s = scene!;
      const withQ = { ...s, light: s.light.filter((l) => l.role === 'lens'), points: s.points.filter((p) => p.role.startsWith(QSO_ROLE)), artefacts: [] };
      renderScene(withQ, e.ins, e.ws);
      const b = e.ins.bands.indexOf('i');
      const a = e.ws.models[b]!.reduce((x, y) => x + y, 0);
      renderScene({ ...withQ, points: [] }, e.ins, e.ws);
      const base = e.ws.models[b]!.reduce((x, y) => x + y, 0);
      const qMag = withQ.points.map((p) => p.mags.i!);
      // Expected from the truth only: μ's and the quasar's i magnitude (r + colour, recovered from image 1).
      const mu = Array.from({ length: Number(truth.qso_n_images) }, (_, i) => Math.abs(Number(truth[`qso_mu${i + 1}`])));
      const unlensedI = qMag[0]! + 2.5 * Math.log10(mu[0]!);
      const expected = e.ins.e0[b]! * 10 ** (-0.4 * unlensedI) * mu.reduce((x, y) => x + y, 0);
      expect(Math.abs((a - base) / expected - 1)).toBeLessThan(2e-3);
      expect(Number(truth.qso_mu_total)).toBeCloseTo(mu.reduce((x, y) => x + y, 0), 6);
    }
  });

  it('quasarFraction 0 (or absent) re-makes a set unchanged and records no new key', () => {
    const a = simulateCutout({ preset: 'lsst' }, 9, 3);
    const b = simulateCutout({ preset: 'lsst', quasarFraction: 0 }, 9, 3);
    expect(Array.from(b.bands[1]!)).toEqual(Array.from(a.bands[1]!));
    expect(engineFor({ preset: 'lsst', quasarFraction: 0 }).cfg.quasarFraction).toBeUndefined();
  });
});
