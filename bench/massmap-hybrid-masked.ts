// Hybrid samplers on held-out κTNG fields with Poisson galaxy counts (empty pixels masked, unequal noise):
// the case of real catalogs, where the white-noise diffusion does not apply and `auto` runs `gibbs`. No
// closed-form posterior mean here, so the reference is the messenger-field Wiener map; scored like
// massmap-hybrid-eval.ts (interior, 10-pixel border left out): RMSE, ±1/±1.96 std coverage, power of one
// sample / truth, peaks (ν = κ/σ with σ the Wiener white-noise posterior std for the mean count).
//
//   npx tsx bench/massmap-hybrid-masked.ts [--fields 0,12,24] [--side 64] [--chains 8] [--samplers gibbs,langevin]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { sampleHybrid, type HybridSampler } from '../src-core/massmap/hybrid';
import { intervalCoverage } from '../src-core/massmap/coverage';
import { cropMap } from '../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ksKernel } from '../src-core/massmap/ks93';
import { simulateShearOnMap } from '../src-core/massmap/simulate-shear';
import { compareMaps, metricPixels } from '../src-core/massmap/metrics';
import { findPeaks, peakCounts } from '../src-core/massmap/peaks';
import { measurePowerSpectrum, modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { wienerFilter, wienerWhite } from '../src-core/massmap/wiener';
import { openFitsFile } from '../src-main/fits/file-source';
import { readScoreModel } from '../src-main/score/model-files';
import { unetBatchScore } from '../src-main/score/unet-engine';
import { createKappaResidualScorer } from '../src-main/score/kappa-training';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({
  options: {
    fields: { type: 'string', default: '0,12,24' }, side: { type: 'string', default: '64' }, chains: { type: 'string', default: '8' },
    samplers: { type: 'string', default: 'gibbs,langevin' }, threads: { type: 'string', default: '1' }, prior: { type: 'string', default: 'models/priors/kappa-hybrid' },
  },
});
const S = Number(values.side), n = S * S, B = Number(values.chains), pix = 0.29, per = Math.floor(360 / S);
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const file = openFitsFile(join(D, 'ktng_cosmos_kappa360.fits'));
const map = Float64Array.from(readImage(file, file.hdu(0)).data as ArrayLike<number>);
const k = ksKernel(S, S, pix * ARCMIN_RAD), P = modeVariance(k, table);
const model = readScoreModel(values.prior!);
const scorer = await createKappaResidualScorer(model, S, Number(values.threads));
const residual = unetBatchScore(scorer, S, 8);
const EDGES = [0, 1, 2, 3, 4, 6, Infinity];
const rows: Record<string, { rmse: number[]; c68: number[]; c95: number[]; power: number[][]; peaks: number[][]; secs: number[] }> = {};
const add = (key: string, v: { rmse: number; c?: number[]; power?: number[]; peaks?: number[]; secs?: number }) => {
  const r = (rows[key] ??= { rmse: [], c68: [], c95: [], power: [], peaks: [], secs: [] });
  r.rmse.push(v.rmse);
  if (v.c) { r.c68.push(v.c[0]!); r.c95.push(v.c[1]!); }
  if (v.power) r.power.push(v.power);
  if (v.peaks) r.peaks.push(v.peaks);
  if (v.secs !== undefined) r.secs.push(v.secs);
};
for (const f of values.fields!.split(',').map(Number)) {
  const crop = new Float64Array(n);
  cropMap(map, 360, 360, S, Math.floor(f / per) * S, (f % per) * S, 0, crop);
  const sim = simulateShearOnMap(crop, S, S, { pixArcmin: pix, ngal: 30, sigmaE: 0.26, poisson: true, seed: 100 * f });
  const { g1, g2, variance } = sim.shear, truth = sim.truth;
  const sel = metricPixels(S, S, { margin: 10, mask: Array.from(variance, (v) => (Number.isFinite(v) ? 1 : 0)) });
  const scale = wienerWhite(k, g1, g2, sim.noisePerPixel ** 2, P).pixelStd;
  const tp = measurePowerSpectrum(k, truth, { bins: 6 });
  const power = (m: Float64Array) => Array.from(measurePowerSpectrum(k, m, { bins: 6 }).cl, (v, b) => +(v / tp.cl[b]!).toFixed(2));
  const peaks = (m: Float64Array) => peakCounts(findPeaks(m, scale, S, S, { threshold: 0, margin: 10 }), EDGES);
  add('truth', { rmse: 0, peaks: peaks(truth) });
  const w = wienerFilter(k, g1, g2, { modeVariance: P, variance });
  add('wiener', { rmse: compareMaps(w.kappa, truth, sel).rmse, power: power(w.kappa), peaks: peaks(w.kappa) });
  for (const sampler of values.samplers!.split(',') as HybridSampler[]) {
    const t0 = performance.now();
    const h = await sampleHybrid({ kernel: k, g1, g2, variance, modeVariance: P, residual, chains: B, rng: new Rng(f, 7), sampler });
    add(sampler, { rmse: compareMaps(h.mean, truth, sel).rmse, c: intervalCoverage(h.mean, h.std, truth, sel), power: power(h.samples[0]!), peaks: peaks(h.samples[0]!), secs: (performance.now() - t0) / 1000 });
    console.error(`field ${f} ${sampler}: RMSE ${rows[sampler]!.rmse.at(-1)!.toFixed(4)} (Wiener ${rows.wiener!.rmse.at(-1)!.toFixed(4)}), masked ${(100 * sim.maskedFraction).toFixed(1)} %`);
  }
}
await scorer.dispose();
const mean = (a: number[]) => (a.length ? +(a.reduce((x, y) => x + y, 0) / a.length).toFixed(4) : undefined);
const meanVec = (a: number[][]) => (a.length ? a[0]!.map((_, b) => +(a.reduce((t, v) => t + v[b]!, 0) / a.length).toFixed(2)) : undefined);
console.log(JSON.stringify(Object.fromEntries(Object.entries(rows).map(([key, r]) => [key, { rmse: mean(r.rmse), coverage68: mean(r.c68), coverage95: mean(r.c95), samplePowerRatio: meanVec(r.power), samplePeaks: meanVec(r.peaks), seconds: mean(r.secs) }]))));
