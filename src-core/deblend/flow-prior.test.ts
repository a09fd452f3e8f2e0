// The flow prior's gradient is the gradient of the density's exact log p(x | σ_n) (finite differences on a
// small trained model), and a prior step moves a galaxy-plus-lump morphology towards the model's shapes
// (lower −log p) while leaving its total near 1.
import { describe, expect, it } from 'vitest';
import { flowLogpGrad, morphologyFlowPrior } from './flow-prior';
import { scorePrepared } from './morphology-density';
import { trainMorphologyDensity } from './morphology-train';
import { prepareStamp, simIsolated } from './morphology-stamps';

const { model } = trainMorphologyDensity({ nTrain: 80, nCalib: 10, nTest: 10, k: 6, flow: { steps: 40, hidden: 8, layers: 2, lr: 3e-3 }, seed: 3 });

describe('morphology flow prior', () => {
  it('∇ₓ log p matches central finite differences of the exact log p', () => {
    const g = simIsolated(4242);
    const x = prepareStamp(g.img, g.rows, g.cols, 32).x;
    const noise = 2e-4;
    const { grad } = flowLogpGrad(model, x, noise);
    const logp = (v: Float64Array) => scorePrepared(model, { x: v, sigma: noise, flux: 1, peak: { x: 0, y: 0 } }).logp;
    for (const i of [0, 100, 16 * 32 + 16, 17 * 32 + 15, 1023]) {
      const h = 1e-7, a = Float64Array.from(x), b = Float64Array.from(x);
      a[i] += h; b[i] -= h;
      const fd = (logp(a) - logp(b)) / (2 * h);
      expect(grad[i]!).toBeCloseTo(fd, -Math.floor(Math.log10(Math.abs(fd) + 1)) + 2);
    }
  });

  it('a step on a galaxy with a foreign lump raises its log p', async () => {
    const rows = 45, cols = 45;
    const g = simIsolated(99);
    // The 48 × 48 simulated stamp cropped to 45 × 45, background-free enough at this brightness.
    const s = new Float64Array(rows * cols);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) s[y * cols + x] = Math.max(0, g.img[(y + 1) * 48 + x + 1]!);
    let peak = 0;
    s.forEach((v, i) => { if (v > s[peak]!) peak = i; });
    s[(Math.floor(peak / cols) + 7) * cols + (peak % cols) + 6]! += 0.3 * s[peak]!; // a neighbour's lump
    const tot = s.reduce((a, v) => a + v, 0);
    for (let i = 0; i < s.length; i++) s[i] = s[i]! / tot;
    const score = (m: Float64Array) => scorePrepared(model, { ...prepareStamp(m, rows, cols, 32), sigma: 2e-4 }).logp;
    const before = score(s);
    // Observed frame = model frame here (train σ = model σ: no blur), a huge λ so the cap sets the step.
    const prior = morphologyFlowPrior(model, { trainPsfSigma: 0.8, modelPsfSigma: 0.8, weight: 1e12, noiseStart: 2e-4, noiseEnd: 2e-4 });
    const morphs = [s];
    for (let it = 0; it < 3; it++) await prior.stepAll({ morphs, rows, cols, step: 1, peaks: [{ x: peak % cols, y: Math.floor(peak / cols) }] });
    for (let i = 0; i < s.length; i++) s[i] = Math.max(0, s[i]!);
    expect(score(s)).toBeGreaterThan(before);
    expect(s.reduce((a, v) => a + v, 0)).toBeGreaterThan(0.8);
  });
});
