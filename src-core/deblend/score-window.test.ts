// The learned-prior path of the deblender: the generator solver driven by an async prior reproduces the
// synchronous solver exactly when the prior's score is zero; the windowed score step maps a component
// into the network's peak-1 window and back (checked with an analytic Gaussian "score" whose full Tweedie
// step lands exactly on a known template); bad options are refused.
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { deblend, deblendAsync, simulateBlend, windowedScorePrior } from './index';

describe('windowed score prior', () => {
  it('a zero score leaves the solver exactly as without a prior', async () => {
    const sim = simulateBlend(11, { size: 31, nSources: 2, bands: ['g', 'r'] });
    const inp = { images: sim.images, rows: 31, cols: 31, variance: sim.variance, psfs: sim.psfs, positions: sim.truth.map((t) => ({ x: t.x, y: t.y })), maxIter: 40 };
    let calls = 0;
    const zero = windowedScorePrior(async (_x, _s, count) => { calls++; return new Float32Array(count * 16 * 16); }, { size: 16, keepConstraints: true });
    const a = deblend(inp), b = await deblendAsync(inp, zero);
    expect(calls).toBe(b.iterations);
    expect(b.iterations).toBe(a.iterations);
    for (let k = 0; k < 2; k++) expect(Array.from(b.sources[k]!.morphology)).toEqual(Array.from(a.sources[k]!.morphology));
    expect(Array.from(b.model[1]!)).toEqual(Array.from(a.model[1]!));
  });

  it('maps each component to the peak-1 window about its peak and back (window crossing the frame edge)', async () => {
    const size = 16, rows = 20, cols = 30, sigma = 0.05;
    // Template T: a Gaussian with peak 1 at the window centre (8, 8). "Score" of N(T, σ²): (T − x)/σ².
    const T = Float32Array.from({ length: size * size }, (_, i) => Math.exp(-(((i % size) - 8) ** 2 + (Math.floor(i / size) - 8) ** 2) / 8));
    const seen: number[] = [];
    const prior = windowedScorePrior(async (x, s, count) => {
      seen.push(s);
      const out = new Float32Array(x.length);
      for (let k = 0; k < count; k++) for (let i = 0; i < size * size; i++) out[k * size * size + i] = (T[i]! - x[k * size * size + i]!) / (s * s);
      return out;
    }, { size, sigmaStart: sigma, sigmaEnd: sigma, weight: 1e9 });
    // A morphology with peak 0.04 at (x 5, y 3): the window's origin is (−3, −5), partly off the frame.
    const S = new Float64Array(rows * cols);
    S[3 * cols + 5] = 0.04;
    S[10 * cols + 9] = 0.01;
    await prior.stepAll({ morphs: [S], rows, cols, step: 1, peaks: [{ x: 5, y: 3 }] });
    expect(seen).toEqual([sigma]);
    // The step is capped at the full Tweedie step x + σ² s = T: in frame pixels S = c·T(window), c = 0.04.
    for (const [y, x] of [[3, 5], [0, 0], [10, 9], [12, 12], [4, 7]] as const) {
      const wy = y - 3 + 8, wx = x - 5 + 8;
      const inWin = wy >= 0 && wy < size && wx >= 0 && wx < size;
      expect(S[y * cols + x]).toBeCloseTo(inWin ? 0.04 * T[wy * size + wx]! : 0, 6);
    }
    // Outside the window nothing changes.
    expect(S[19 * cols + 29]).toBe(0);
  });

  it('refuses bad settings', () => {
    const f = async () => new Float32Array(0);
    expect(() => windowedScorePrior(f, { size: 16, sigmaStart: 0 })).toThrow(InputError);
    expect(() => windowedScorePrior(f, { size: 16, weight: -1 })).toThrow(/weight/);
    expect(() => windowedScorePrior(f, { size: 3 })).toThrow(/window/);
  });
});
