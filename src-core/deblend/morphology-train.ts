// Training of the explicit-likelihood morphology model (./morphology-density.ts) from simulated LSST-like
// galaxies, and its held-out evaluation: isolated galaxies against artificial blends of two
// (./morphology-stamps.ts). Seeds of the training, calibration and test sets are disjoint ranges, so
// no galaxy is seen twice. Pure: the CLI and the job call it and write the model folder.
import { CancelledError } from '../errors';
import { fitPca, pcaProject } from '../flows/pca';
import { RealNvp } from '../flows/realnvp';
import { auroc } from '../metrics/roc';
import { fitLogistic, fitModelVariance, scorePrepared, BLEND_THRESHOLD, type MorphologyDensity } from './morphology-density';
import { prepareStamp, simBlended, simIsolated, type PreparedStamp } from './morphology-stamps';

export interface MorphologyTrainOptions {
  /** Isolated training galaxies (default 3000). */
  nTrain?: number;
  /** Isolated and blended stamps each, for the logistic calibration (default 300). */
  nCalib?: number;
  /** Isolated and blended held-out stamps each (default 500). */
  nTest?: number;
  size?: number;
  k?: number;
  flow?: { layers?: number; hidden?: number; steps?: number; batch?: number; lr?: number };
  seed?: number;
  /** Survey preset of the simulated stamps (src-core/lens/presets.ts; default 'lsst'). */
  preset?: string;
  onProgress?: (phase: 'simulate' | 'pca' | 'flow' | 'evaluate', done: number, total: number, nll?: number) => void;
  signal?: { readonly aborted: boolean };
}

export interface MorphologyMetrics {
  nTrain: number; nCalib: number; nTest: number;
  /** Held-out mean −log p of isolated stamps: the flow on the PCA coefficients (nats per stamp) and the whole model (nats per pixel). */
  heldOutFlowNll: number;
  heldOutNllPerPixel: number;
  /** The same for a full-covariance Gaussian on the coefficients (the flow should do better). */
  heldOutGaussianNll: number;
  /** AUROC isolated (0) vs blend (1) on the held-out stamps, by the blend statistic and by raw −log p per pixel. */
  auroc: number;
  aurocRawLogp: number;
  /** At P(blend) ≥ threshold: the fraction of blends flagged and of isolated galaxies wrongly flagged. */
  threshold: number;
  tpr: number;
  fpr: number;
  /** Fraction of variance the k PCA components hold (training set). */
  pcaVarianceFraction: number;
}

export function trainMorphologyDensity(o: MorphologyTrainOptions = {}): { model: MorphologyDensity; metrics: MorphologyMetrics } {
  const size = o.size ?? 32, k = o.k ?? 32, seed = o.seed ?? 1, preset = o.preset ?? 'lsst';
  const nTrain = o.nTrain ?? 3000, nCalib = o.nCalib ?? 300, nTest = o.nTest ?? 500;
  const check = () => { if (o.signal?.aborted) throw new CancelledError('morphology model training cancelled'); };
  const total = nTrain + 2 * nCalib + 2 * nTest;
  let done = 0;
  const base = seed * 10_000_000;
  const iso = (s: number) => { const g = simIsolated(s, preset); check(); o.onProgress?.('simulate', ++done, total); return prepareStamp(g.img, g.rows, g.cols, size); };
  const bl = (s: number) => { const g = simBlended(s, 3, 9, preset); check(); o.onProgress?.('simulate', ++done, total); return prepareStamp(g.img, g.rows, g.cols, size); };
  const train = Array.from({ length: nTrain }, (_, i) => iso(base + i));
  const calIso = Array.from({ length: nCalib }, (_, i) => iso(base + 2_000_000 + i));
  const calBl = Array.from({ length: nCalib }, (_, i) => bl(base + 3_000_000 + i));
  const testIso = Array.from({ length: nTest }, (_, i) => iso(base + 4_000_000 + i));
  const testBl = Array.from({ length: nTest }, (_, i) => bl(base + 5_000_000 + i));

  o.onProgress?.('pca', 0, 1);
  const pca = fitPca(train.map((s) => s.x), k, { seed });
  check();
  o.onProgress?.('pca', 1, 1);
  const coeffs = train.map((s) => pcaProject(pca, s.x));
  const steps = o.flow?.steps ?? 2000;
  const flow = RealNvp.fit(coeffs, {
    layers: o.flow?.layers ?? 8, hidden: o.flow?.hidden ?? 48, steps, batch: o.flow?.batch ?? 64, lr: o.flow?.lr ?? 1e-3, seed,
    signal: o.signal, onProgress: (s, nll) => { if (s % 20 === 0 || s === steps) o.onProgress?.('flow', s, steps, nll); },
  });
  const modelVariance = fitModelVariance(pca, train);
  const model: MorphologyDensity = { size, pca, flow, modelVariance, calibration: { a: 1, b: 0 } };
  const tCal = [...calIso, ...calBl].map((s) => scorePrepared(model, s).statistic);
  model.calibration = fitLogistic(tCal, [...calIso.map(() => false), ...calBl.map(() => true)]);

  o.onProgress?.('evaluate', 0, 1);
  const sIso = testIso.map((s) => scorePrepared(model, s)), sBl = testBl.map((s) => scorePrepared(model, s));
  const labels = [...sIso.map(() => 0), ...sBl.map(() => 1)], all = [...sIso, ...sBl];
  const isoCoeffs = testIso.map((s) => pcaProject(pca, s.x));
  const totalVar = varianceTotal(train);
  const metrics: MorphologyMetrics = {
    nTrain, nCalib, nTest,
    heldOutFlowNll: -mean(isoCoeffs.map((c) => flow.logProb(c))),
    heldOutNllPerPixel: -mean(sIso.map((s) => s.logpPerPixel)),
    heldOutGaussianNll: gaussianNll(coeffs, isoCoeffs),
    auroc: auroc(labels, all.map((s) => s.blendProbability)),
    aurocRawLogp: auroc(labels, all.map((s) => -s.logpPerPixel)),
    threshold: BLEND_THRESHOLD,
    tpr: mean(sBl.map((s) => (s.likelyBlend ? 1 : 0))),
    fpr: mean(sIso.map((s) => (s.likelyBlend ? 1 : 0))),
    pcaVarianceFraction: pca.variance.reduce((a, v) => a + v, 0) / totalVar,
  };
  o.onProgress?.('evaluate', 1, 1);
  return { model, metrics };
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

function varianceTotal(st: readonly PreparedStamp[]): number {
  const N = st[0]!.x.length, mu = new Float64Array(N);
  for (const s of st) for (let i = 0; i < N; i++) mu[i] += s.x[i]! / st.length;
  let v = 0;
  for (const s of st) for (let i = 0; i < N; i++) v += (s.x[i]! - mu[i]!) ** 2 / st.length;
  return v;
}

/** Held-out NLL of a maximum-likelihood full-covariance Gaussian (Cholesky), nats per vector. */
export function gaussianNll(train: readonly Float64Array[], test: readonly Float64Array[]): number {
  const D = train[0]!.length, n = train.length, mu = new Float64Array(D), C = new Float64Array(D * D);
  for (const x of train) for (let i = 0; i < D; i++) mu[i] += x[i]! / n;
  for (const x of train) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) C[i * D + j] += ((x[i]! - mu[i]!) * (x[j]! - mu[j]!)) / n;
  const L = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) {
    let s = C[i * D + j]!;
    for (let q = 0; q < j; q++) s -= L[i * D + q]! * L[j * D + q]!;
    L[i * D + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * D + j]!;
  }
  let logdet = 0;
  for (let i = 0; i < D; i++) logdet += 2 * Math.log(L[i * D + i]!);
  let tot = 0;
  for (const x of test) {
    const y = new Float64Array(D);
    for (let i = 0; i < D; i++) { let s = x[i]! - mu[i]!; for (let q = 0; q < i; q++) s -= L[i * D + q]! * y[q]!; y[i] = s / L[i * D + i]!; }
    tot += 0.5 * y.reduce((a, v) => a + v * v, 0) + 0.5 * logdet + 0.5 * D * Math.log(2 * Math.PI);
  }
  return tot / test.length;
}
