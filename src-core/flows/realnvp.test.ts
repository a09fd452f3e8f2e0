import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { CancelledError, InputError } from '../errors';
import { RealNvp, defaultMasks } from './realnvp';
import { batchNllGrad, meanNll } from './train';

/** Two interleaved half-moons with Gaussian jitter (the standard toy set of the flow literature). */
function twoMoons(n: number, seed: number): Float64Array[] {
  const rng = new Rng(seed, 1);
  return Array.from({ length: n }, () => {
    const a = Math.PI * rng.uniform(), up = rng.uniform() < 0.5;
    const x = up ? Math.cos(a) : 1 - Math.cos(a), y = up ? Math.sin(a) : 0.5 - Math.sin(a);
    return Float64Array.of(x + 0.08 * rng.normal(), y + 0.08 * rng.normal());
  });
}

/** A flow with random (non-identity) parameters everywhere, for the calculus checks. */
function randomFlow(dim: number, hidden: number, layers: number, seed: number): RealNvp {
  const rng = new Rng(seed, 2);
  const f = new RealNvp({ dim, hidden, layers }, defaultMasks(dim, layers, seed),
    Float64Array.from({ length: dim }, () => rng.normal()), Float64Array.from({ length: dim }, () => 0.5 + rng.uniform()));
  for (let i = 0; i < f.params.length; i++) f.params[i] = 0.4 * rng.normal();
  return f;
}

/** Full-covariance Gaussian fitted by maximum likelihood; returns its mean NLL on `test`. */
function gaussianNll(train: Float64Array[], test: Float64Array[]): number {
  const n = train.length, mu = [0, 0], C = [0, 0, 0];
  for (const x of train) { mu[0] += x[0]! / n; mu[1] += x[1]! / n; }
  for (const x of train) { const a = x[0]! - mu[0]!, b = x[1]! - mu[1]!; C[0] += (a * a) / n; C[1] += (a * b) / n; C[2] += (b * b) / n; }
  const det = C[0]! * C[2]! - C[1]! ** 2;
  let s = 0;
  for (const x of test) {
    const a = x[0]! - mu[0]!, b = x[1]! - mu[1]!;
    s += 0.5 * ((C[2]! * a * a - 2 * C[1]! * a * b + C[0]! * b * b) / det) + 0.5 * Math.log(det) + Math.log(2 * Math.PI);
  }
  return s / test.length;
}

describe('RealNVP calculus', () => {
  it('inverse undoes forward and the masks cover every coordinate', () => {
    const f = randomFlow(5, 7, 6, 3), rng = new Rng(4);
    const x = Float64Array.from({ length: 5 }, () => rng.normal());
    const back = f.inverse(f.forward(x).z);
    for (let i = 0; i < 5; i++) expect(back[i]).toBeCloseTo(x[i]!, 10);
    const masks = defaultMasks(5, 6, 3);
    for (let i = 0; i < 5; i++) expect(masks.some((m) => m[i] === 0)).toBe(true);
  });

  it('log-determinant equals log|det| of the finite-difference Jacobian', () => {
    const f = randomFlow(3, 6, 4, 5), x = Float64Array.of(0.3, -1.2, 0.7), h = 1e-6;
    const J: number[][] = [];
    for (let j = 0; j < 3; j++) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[j] += h; xm[j] -= h;
      const zp = f.forward(xp).z, zm = f.forward(xm).z;
      J.push([0, 1, 2].map((i) => (zp[i]! - zm[i]!) / (2 * h)));
    }
    const det = J[0]![0]! * (J[1]![1]! * J[2]![2]! - J[1]![2]! * J[2]![1]!) - J[0]![1]! * (J[1]![0]! * J[2]![2]! - J[1]![2]! * J[2]![0]!) + J[0]![2]! * (J[1]![0]! * J[2]![1]! - J[1]![1]! * J[2]![0]!);
    expect(f.forward(x).logdet).toBeCloseTo(Math.log(Math.abs(det)), 6);
  });

  it('parameter and input gradients match central finite differences', () => {
    const f = randomFlow(4, 5, 4, 6), rng = new Rng(7);
    const batch = Array.from({ length: 3 }, () => Float64Array.from({ length: 4 }, () => rng.normal()));
    const g = new Float64Array(f.params.length);
    batchNllGrad(f, batch, g);
    const h = 1e-6;
    let checked = 0;
    for (let k = 0; k < f.params.length; k += 7) {
      const v = f.params[k]!;
      f.params[k] = v + h; const up = meanNll(f, batch);
      f.params[k] = v - h; const dn = meanNll(f, batch);
      f.params[k] = v;
      expect(g[k]).toBeCloseTo((up - dn) / (2 * h), 5);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    const x = batch[0]!, { grad } = f.logProbGrad(x);
    for (let i = 0; i < 4; i++) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[i] += h; xm[i] -= h;
      expect(grad[i]).toBeCloseTo((f.logProb(xp) - f.logProb(xm)) / (2 * h), 5);
    }
  });

  it('the density of a random flow integrates to 1 on a 2-D grid', () => {
    const f = randomFlow(2, 8, 6, 8);
    let s = 0;
    const d = 0.08;
    for (let a = -12; a <= 12; a += d) for (let b = -12; b <= 12; b += d) s += Math.exp(f.logProb(Float64Array.of(a, b))) * d * d;
    expect(s).toBeGreaterThan(0.98);
    expect(s).toBeLessThan(1.02);
  });
});

describe('RealNVP fit on two moons', () => {
  const train = twoMoons(1500, 11), test = twoMoons(500, 12);
  const nlls: number[] = [];
  const flow = RealNvp.fit(train, { layers: 6, hidden: 24, steps: 700, batch: 64, lr: 3e-3, seed: 1, onProgress: (_s, nll) => nlls.push(nll) });

  it('held-out NLL beats a full-covariance Gaussian fitted to the same data', () => {
    const flowNll = meanNll(flow, test), gauss = gaussianNll(train, test);
    expect(nlls.length).toBe(700);
    expect(flowNll).toBeLessThan(gauss - 0.3);
  });

  it('the fitted density integrates to ≈ 1', () => {
    let s = 0;
    const d = 0.03;
    for (let a = -2.5; a <= 3.5; a += d) for (let b = -2; b <= 2.5; b += d) s += Math.exp(flow.logProb(Float64Array.of(a, b))) * d * d;
    expect(s).toBeGreaterThan(0.97);
    expect(s).toBeLessThan(1.02);
  });

  it('round-trips through JSON with identical log-probabilities', () => {
    const j = JSON.parse(JSON.stringify(flow.toJSON())) as { kind: string };
    expect(j.kind).toBe('realnvp');
    const back = RealNvp.fromJSON(j);
    for (const x of test.slice(0, 20)) expect(back.logProb(x)).toBe(flow.logProb(x));
    expect(() => RealNvp.fromJSON({ ...j, kind: 'vae' })).toThrow(InputError);
    expect(() => RealNvp.fromJSON({ ...j, params: [1, 2] })).toThrow(/params/);
  });

  it('stops with CancelledError when the signal is aborted', () => {
    const signal = { aborted: false };
    expect(() => RealNvp.fit(train, { steps: 50, onProgress: (s) => { if (s === 3) signal.aborted = true; }, signal })).toThrow(CancelledError);
  });
});

describe('RealNVP fit on a banana', () => {
  // x₁ ~ N(0, 1), x₂ = x₁²/2 + N(0, ¼): analytic mean (0, ½), var x₁ = 1, cov = 0, var x₂ = ½ + ¼ = ¾.
  const rng0 = new Rng(21, 1);
  const train = Array.from({ length: 2000 }, () => { const a = rng0.normal(); return Float64Array.of(a, 0.5 * a * a + 0.5 * rng0.normal()); });
  const flow = RealNvp.fit(train, { layers: 6, hidden: 24, steps: 1000, batch: 64, lr: 2e-3, seed: 1 });

  it('sample moments match the data and the analytic moments', () => {
    const rng = new Rng(13), xs = Array.from({ length: 4000 }, () => flow.sample(rng));
    const mom = (v: Float64Array[]) => {
      const m = [0, 0], c = [0, 0, 0];
      for (const x of v) { m[0] += x[0]! / v.length; m[1] += x[1]! / v.length; }
      for (const x of v) { const a = x[0]! - m[0]!, b = x[1]! - m[1]!; c[0] += (a * a) / v.length; c[1] += (a * b) / v.length; c[2] += (b * b) / v.length; }
      return [...m, ...c];
    };
    const ms = mom(xs), md = mom(train), truth = [0, 0.5, 1, 0, 0.75];
    // Standard errors with n = 2000 are ≈ 0.02 (means), 0.03–0.05 (second moments), 0.04 (cov, a³ term).
    const tol = [0.06, 0.06, 0.1, 0.12, 0.12];
    for (let i = 0; i < 5; i++) {
      expect(Math.abs(ms[i]! - md[i]!)).toBeLessThan(tol[i]!);
      expect(Math.abs(ms[i]! - truth[i]!)).toBeLessThan(tol[i]! + 0.05);
    }
  });
});
