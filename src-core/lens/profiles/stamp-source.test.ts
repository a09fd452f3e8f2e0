// STAMP_SOURCE: flux normalisation, orientation and lensing of an image stamp, checked against the
// analytic Gaussians the test stamps are sampled from (not against the profile's own output).
import { describe, expect, it } from 'vitest';
import { engineFor } from '../simulate';
import { renderScene } from '../render';
import { fluxRatio, sisMagnification } from '../../../test/sis-magnification';
import type { Scene } from '../scene';
import { registerStampLibrary, STAMP_SOURCE, stampStats, type SourceStamp } from './stamp-source';

/** Elliptical Gaussian (σx along columns, σy along rows) sampled at pixel centres, peak at (x0, y0) px. */
function gaussStamp(name: string, n: number, scale: number, sx: number, sy: number, x0 = (n - 1) / 2, y0 = (n - 1) / 2): SourceStamp {
  const data = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    const dx = (i - x0) * scale, dy = (j - y0) * scale;
    data[j * n + i] = 1000 * Math.exp(-0.5 * ((dx / sx) ** 2 + (dy / sy) ** 2));
  }
  return { name, width: n, height: n, pixelScale: scale, data };
}

const round = gaussStamp('round.fits', 81, 0.03, 0.2, 0.2);
const elong = gaussStamp('elong.fits', 121, 0.02, 0.3, 0.1);
const compact = gaussStamp('compact.fits', 61, 0.01, 0.08, 0.08);
const offCentre = gaussStamp('offc.fits', 61, 0.02, 0.1, 0.1, 20, 35);
const base = registerStampLibrary({ id: 'test:stamp-source', fraction: 1, stamps: [round, elong, compact, offCentre] });

describe('STAMP_SOURCE light profile', () => {
  it('unlensed flux on the LSST simulator grid (0.2″, 3×3 sub-pixels) equals the target flux within 1 %', () => {
    const e = engineFor({ preset: 'lsst' });
    const g = e.ins.grid;
    for (const [k, phi] of [[0, 0], [1, 0.7], [3, 2]] as const) {
      const out = new Float64Array(g.side * g.side);
      const p = { flux: 2.5, phi, center_x: 0.33, center_y: -0.41, stamp_key: base + k };
      STAMP_SOURCE.addToPixels(g.x, g.y, g.n, g.pix, g.wt, p, out);
      let sum = 0;
      for (const v of out) sum += v;
      expect(Math.abs(sum / 2.5 - 1)).toBeLessThan(0.01);
    }
  });

  it('surface brightness = the analytic Gaussian: peak F/(2πσxσy), centroid on center, rotation by φ', () => {
    const F = 3, sx = 0.3, sy = 0.1;
    const analytic = (u: number, v: number) => (F / (2 * Math.PI * sx * sy)) * Math.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2));
    for (const phi of [0, Math.PI / 2, 0.6]) {
      const p = { flux: F, phi, center_x: 0.5, center_y: -0.2, stamp_key: base + 1 };
      const c = Math.cos(phi), s = Math.sin(phi);
      for (const [u, v] of [[0, 0], [0.2, 0], [0, 0.08], [0.15, -0.05], [-0.31, 0.02]]) {
        // (u, v) in the stamp frame → sky offset rotated by +φ.
        const x = p.center_x + c * u - s * v, y = p.center_y + s * u + c * v;
        const want = analytic(u, v);
        // Bilinear interpolation of a Gaussian sampled every 0.02″ (σ ≥ 0.1″): ≤ 2 % of the peak.
        expect(Math.abs(STAMP_SOURCE.surfaceBrightness(x, y, p) - want)).toBeLessThan(0.02 * analytic(0, 0));
      }
    }
    // Off-centre stamp: the flux-weighted centroid (20, 35) px lands on center_x/y.
    const st = stampStats(offCentre);
    expect(Math.abs(st.cx - 20)).toBeLessThan(1e-3);
    expect(Math.abs(st.cy - 35)).toBeLessThan(1e-3);
    const p = { flux: 1, phi: 0, center_x: 0.1, center_y: 0.2, stamp_key: base + 3 };
    expect(STAMP_SOURCE.surfaceBrightness(0.1, 0.2, p)).toBeCloseTo(1 / (2 * Math.PI * 0.01), 1);
    // Zero outside the stamp (the stamp spans 0.4″ left of the centroid in x).
    expect(STAMP_SOURCE.surfaceBrightness(0.1 - 0.45, 0.2, p)).toBe(0);
  });

  it('half-light radius of a round Gaussian stamp = σ √(2 ln 2)', () => {
    expect(Math.abs(stampStats(round).rHalf / (0.2 * Math.sqrt(2 * Math.LN2)) - 1)).toBeLessThan(0.03);
  });

  it('lensed flux = μ × unlensed for a compact stamp behind an SIS (μ = 2θE/β averaged over the source)', () => {
    const thetaE = 1.5, sx = 0.6, sy = 0.1, sig = 0.08;
    const e = engineFor({ preset: 'lsst', supersample: 7, marginSupersample: 3 });
    const scene: Scene = {
      isLens: true, kind: 'lens', points: [], artefacts: [],
      mass: [{ profile: 'SIS', params: { theta_E: thetaE, center_x: 0, center_y: 0 } }],
      light: [{ role: 'source', profile: 'STAMP_SOURCE', lensed: true, params: { flux: 1, phi: 0.3, center_x: sx, center_y: sy, stamp_key: base + 2 },
        mags: { g: 20, r: 20, i: 20, z: 20 } }],
    };
    const info = renderScene(scene, e.ins, e.ws);
    // Independent: the analytic Gaussian the stamp was sampled from, integrated in the source plane.
    const expected = sisMagnification((x, y) => Math.exp(-0.5 * (((x - sx) ** 2 + (y - sy) ** 2) / (sig * sig))), thetaE, sx, sy, 0.6);
    expect(expected).toBeGreaterThan(4.5);
    expect(Math.abs(info.mu / expected - 1)).toBeLessThan(0.01);
    const F = e.ins.e0[1] * 10 ** (-0.4 * 20);
    expect(Math.abs(fluxRatio(e.ws.models[1], info.mu, F) - 1)).toBeLessThan(0.01);
  });

  it('refuses an unregistered key and a stamp without positive flux', () => {
    expect(() => STAMP_SOURCE.surfaceBrightness(0, 0, { flux: 1, phi: 0, center_x: 0, center_y: 0, stamp_key: 1e6 })).toThrow(/no source stamp registered/);
    const dark: SourceStamp = { name: 'dark.fits', width: 3, height: 3, pixelScale: 0.1, data: new Float32Array(9).fill(-1) };
    expect(() => stampStats(dark)).toThrow(/dark\.fits.*no positive flux/);
  });
});
