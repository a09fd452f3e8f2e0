// Hybrid-prior mass maps on held-out κTNG fields (docs/massmap.md "Hybrid prior"): the held-out map
// (ktng_cosmos_kappa360, never seen in training) is cut into side × side fields (each treated as periodic, as
// the 360² evaluation of massmap-eval.ts treats the whole map), shear from κ through the forward operator,
// white shape noise for n_gal = 30/arcmin² and σ_e = 0.26 at 0.29′ pixels (σ_pix = 0.164), several seeds.
// Scores on the interior (10-pixel border left out): RMSE and Pearson r to the truth for KS93, the
// closed-form Wiener filter and the hybrid posterior mean, and per-pixel coverage of the ±1 std intervals
// (hybrid: sample std of the chains; Wiener: its exact posterior std, a check of the harness).
//
//   npx tsx bench/massmap-hybrid-eval.ts --prior models/priors/kappa-hybrid-32 [--fields 4] [--seeds 2]
//        [--side 120] [--chains 16] [--levels 30] [--steps-per-level 10] [--threads 1] [--gaussian]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { sampleHybrid } from '../src-core/massmap/hybrid';
import { cropMap } from '../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ks93, ksKernel, shearFromKappa } from '../src-core/massmap/ks93';
import { compareMaps, metricPixels } from '../src-core/massmap/metrics';
import { modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { wienerWhite } from '../src-core/massmap/wiener';
import { openFitsFile } from '../src-main/fits/file-source';
import { readScoreModel } from '../src-main/score/model-files';
import { createUnetScorer, unetBatchScore, unetInferenceOnnx } from '../src-main/score/unet-engine';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({
  options: {
    prior: { type: 'string' }, fields: { type: 'string', default: '4' }, seeds: { type: 'string', default: '2' }, side: { type: 'string', default: '120' },
    chains: { type: 'string', default: '16' }, levels: { type: 'string', default: '30' }, 'steps-per-level': { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' }, gaussian: { type: 'boolean', default: false },
  },
});
const S = Number(values.side), nFields = Number(values.fields), seeds = Number(values.seeds), B = Number(values.chains);
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const pix = 0.29, ngal = 30, sigmaE = 0.26, sigmaPix = sigmaE / Math.sqrt(ngal * pix * pix);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const file = openFitsFile(join(D, 'ktng_cosmos_kappa360.fits'));
const img = readImage(file, file.hdu(0));
const map = Float64Array.from(img.data as ArrayLike<number>);
const k = ksKernel(S, S, pix * ARCMIN_RAD), P = modeVariance(k, table), n = S * S;
const model = values.gaussian ? null : readScoreModel(values.prior!);
const scorer = model ? await createUnetScorer(unetInferenceOnnx({ ...model.card.config, size: S }, model.weights), S, { threads: Number(values.threads) }) : null;
const per = Math.floor(360 / S);
const acc: Record<string, { rmse: number[]; r: number[]; cov: number[] }> = { ks: { rmse: [], r: [], cov: [] }, wiener: { rmse: [], r: [], cov: [] }, hybrid: { rmse: [], r: [], cov: [] } };
const covPred: number[] = [], rmseMcFree: number[] = [];
// 68 % predictive interval from B samples: t_{B−1} quantile × √(1 + 1/B) × sample std (the mean is a B-sample estimate)
const t68 = (df: number) => 1 + 1 / (4 * df) + 0.5 / (df * df); // ≈ t_{0.84, df} for df ≥ 7 (within 1 %)
for (let f = 0; f < nFields; f++) {
  const r0 = Math.floor(f / per) * S, c0 = (f % per) * S, truth = new Float64Array(n);
  cropMap(map, 360, 360, S, r0, c0, 0, truth);
  let m = 0;
  for (const v of truth) m += v / n;
  for (let i = 0; i < n; i++) truth[i] = truth[i]! - m;
  for (let seed = 0; seed < seeds; seed++) {
    const rng = new Rng(seed, 1315 + f);
    const { g1, g2 } = shearFromKappa(k, truth);
    for (let i = 0; i < n; i++) {
      g1[i] = g1[i]! + sigmaPix * rng.normal();
      g2[i] = g2[i]! + sigmaPix * rng.normal();
    }
    const sel = metricPixels(S, S, { margin: 10 });
    const w = wienerWhite(k, g1, g2, sigmaPix ** 2, P);
    const ks = ks93(k, g1, g2).kE;
    const t0 = performance.now();
    const h = await sampleHybrid({
      kernel: k, g1, g2, variance: new Float64Array(n).fill(sigmaPix ** 2), modeVariance: P, residual: scorer ? unetBatchScore(scorer, S, 8) : null,
      chains: B, rng: new Rng(seed, 99 + f), levels: Number(values.levels), stepsPerLevel: Number(values['steps-per-level']),
    });
    const secs = (performance.now() - t0) / 1000;
    const cover = (mean: ArrayLike<number>, std: (i: number) => number) => {
      let c = 0, t = 0;
      for (let i = 0; i < n; i++) if (sel[i]) { t++; if (Math.abs(truth[i]! - mean[i]!) <= std(i)) c++; }
      return c / t;
    };
    const rows: [string, ArrayLike<number>, number][] = [['ks', ks, cover(ks, () => sigmaPix)], ['wiener', w.kappa, cover(w.kappa, () => w.pixelStd)], ['hybrid', h.mean, cover(h.mean, (i) => h.std[i]!)]];
    for (const [key, mm, cov] of rows) {
      const c = compareMaps(mm, truth, sel);
      acc[key]!.rmse.push(c.rmse);
      acc[key]!.r.push(c.pearson);
      acc[key]!.cov.push(cov);
    }
    // the B-chain mean carries Monte-Carlo error of variance std²/B per pixel: remove it (in quadrature) for
    // an estimate of the exact posterior mean's RMSE
    let mc = 0, ns = 0;
    for (let i = 0; i < n; i++) if (sel[i]) { mc += h.std[i]! ** 2 / B; ns++; }
    rmseMcFree.push(Math.sqrt(Math.max(0, acc.hybrid!.rmse.at(-1)! ** 2 - mc / ns)));
    const q = t68(B - 1) * Math.sqrt(1 + 1 / B);
    covPred.push(cover(h.mean, (i) => q * h.std[i]!));
    log(`field ${f} seed ${seed}: RMSE KS ${acc.ks!.rmse.at(-1)!.toFixed(4)} Wiener ${acc.wiener!.rmse.at(-1)!.toFixed(4)} hybrid ${acc.hybrid!.rmse.at(-1)!.toFixed(4)}; coverage Wiener ${acc.wiener!.cov.at(-1)!.toFixed(3)} hybrid ${acc.hybrid!.cov.at(-1)!.toFixed(3)} (predictive ${covPred.at(-1)!.toFixed(3)}); ${secs.toFixed(0)} s`);
  }
}
await scorer?.dispose();
const ms = (a: number[]) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
  return `${m.toFixed(4)} ± ${sd.toFixed(4)}`;
};
const out = {
  date: new Date().toISOString(), prior: values.gaussian ? 'Gaussian part only (residual 0)' : values.prior, side: S, fields: nFields, seeds, chains: B,
  levels: Number(values.levels), stepsPerLevel: Number(values['steps-per-level']), sigmaPix,
  ...Object.fromEntries(Object.entries(acc).map(([key, v]) => [key, { rmse: ms(v.rmse), pearson: ms(v.r), coverage68: ms(v.cov) }])),
  hybridPredictiveCoverage68: ms(covPred), hybridRmseWithoutMcError: ms(rmseMcFree),
  rmseGainVsWiener: `${(100 * (1 - acc.hybrid!.rmse.reduce((a, b) => a + b, 0) / acc.wiener!.rmse.reduce((a, b) => a + b, 0))).toFixed(1)} %`,
};
log(JSON.stringify(out, null, 1));
console.log(JSON.stringify(out));
