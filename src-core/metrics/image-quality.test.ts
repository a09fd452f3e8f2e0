import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { coverageStats, psnr, ssim, studentQuantileTwoSided, studentTwoSided } from './image-quality';

// A deterministic pair; the expected PSNR/SSIM were computed independently with numpy/scipy
// (scipy.ndimage.correlate1d with the normalised 11-tap σ = 1.5 Gaussian, valid region, population moments).
const R = 24, C = 20;
const x = new Float64Array(R * C), y = new Float64Array(R * C);
for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
  x[r * C + c] = Math.sin(r / 3) + 0.5 * Math.cos(c / 2) + (0.1 * r) / R;
  y[r * C + c] = x[r * C + c]! + 0.3 * Math.sin((r * c) / 7);
}

describe('image quality metrics', () => {
  it('PSNR and SSIM match an independent numpy/scipy computation', () => {
    expect(psnr(x, y)).toBeCloseTo(23.441411230261554, 9);
    expect(ssim(x, y, R, C)).toBeCloseTo(0.8553810135398041, 9);
  });
  it('SSIM of an image with itself is 1; PSNR of a constant 0.1 offset on a unit range is 20 dB', () => {
    expect(ssim(x, x, R, C)).toBeCloseTo(1, 12);
    const t = Float64Array.from({ length: 100 }, (_, i) => i / 99);
    expect(psnr(t, t.map((v) => v + 0.1))).toBeCloseTo(20, 9);
  });
  it('coverage of a calibrated Gaussian posterior is 68.3 % / 95 % and z has unit std', () => {
    const rng = new Rng(3), n = 20000;
    const mean = new Float64Array(n), std = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 7);
    const truth = mean.map((m, i) => m + std[i]! * rng.normal());
    const c = coverageStats([{ truth, mean, std }]);
    expect(c.coverage68).toBeGreaterThan(0.673);
    expect(c.coverage68).toBeLessThan(0.693);
    expect(c.coverage95).toBeGreaterThan(0.945);
    expect(c.coverage95).toBeLessThan(0.955);
    expect(Math.abs(c.zStd - 1)).toBeLessThan(0.02);
    expect(c.histogram.counts.reduce((s, v) => s + v, 0)).toBe(n);
    // A 2× too small std is caught.
    expect(coverageStats([{ truth, mean, std: std.map((s) => s / 2) }]).coverage68).toBeLessThan(0.45);
  });
  it('Student t two-sided quantiles match the printed tables', () => {
    // t_{0.975, ν} from standard tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2) and t_{0.8413,3} ≈ 1.197.
    expect(studentQuantileTwoSided(0.95, 1)).toBeCloseTo(12.706, 2);
    expect(studentQuantileTwoSided(0.95, 3)).toBeCloseTo(3.182, 3);
    expect(studentQuantileTwoSided(0.95, 7)).toBeCloseTo(2.365, 3);
    expect(studentQuantileTwoSided(0.95, 10)).toBeCloseTo(2.228, 3);
    expect(studentQuantileTwoSided(0.95, 63)).toBeCloseTo(1.998, 3);
    expect(studentTwoSided(1.96, 2000)).toBeCloseTo(0.95, 3); // → normal as ν grows
  });
  it('with B posterior samples, mean ± 1.96 std under-covers a calibrated posterior; the B-sample prediction interval does not', () => {
    const rng = new Rng(5), pixels = 20000;
    for (const B of [4, 8]) {
      // each pixel: posterior N(0, 1); B draws give mean and (Bessel) std; the truth is one more draw
      const truth = new Float64Array(pixels), mean = new Float64Array(pixels), std = new Float64Array(pixels);
      for (let i = 0; i < pixels; i++) {
        const d = Array.from({ length: B }, () => rng.normal()), m = d.reduce((s, v) => s + v, 0) / B;
        mean[i] = m;
        std[i] = Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / (B - 1));
        truth[i] = rng.normal();
      }
      const c = coverageStats([{ truth, mean, std }], 20, { samples: B });
      expect(c.coverage95, `B = ${B} naive`).toBeLessThan(B === 4 ? 0.85 : 0.91); // 82 % / 89 % in theory
      expect(c.predictive!.coverage95, `B = ${B}`).toBeGreaterThan(0.944);
      expect(c.predictive!.coverage95, `B = ${B}`).toBeLessThan(0.956);
      expect(c.predictive!.coverage68, `B = ${B}`).toBeGreaterThan(0.672);
      expect(c.predictive!.coverage68, `B = ${B}`).toBeLessThan(0.693);
      if (B === 8) expect(Math.abs(c.zStd / c.predictive!.zStdExpected - 1)).toBeLessThan(0.03);
    }
  });
});
