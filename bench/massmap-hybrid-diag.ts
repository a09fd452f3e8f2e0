// Diagnostics of the hybrid κ prior (docs/massmap.md "Hybrid prior: diagnosis"), no sampling:
//  1. DSM loss per pixel ‖ε + σ s(κ + σε, σ)‖²/D per σ on held-out κTNG fields at the evaluation size, for
//     the Gaussian score alone (s_G, theory spectrum) and for s_G + r_θ: is the residual learning anything,
//     and at which σ? (loss/σ² is the MSE of the Tweedie denoiser κ̃ + σ²s, so loss ratios are MSE ratios.)
//  2. The one-step posterior mean. With white noise and no mask, P is unitary, so the KS E map is a
//     sufficient statistic, κ_KS = κ + n with n white of variance σ_pix² (mass-mapping.md §5a), and the
//     posterior mean is Tweedie's formula at σ = σ_pix: E[κ | γ] = κ_KS + σ_pix² ∇log p_σpix(κ_KS)
//     (Robbins 1956; Efron 2011). With r_θ = 0 this is exactly the Wiener filter (s_G = −κ̂/(P + σ²)), so
//     "Tweedie hybrid" = Wiener + σ_pix² r_θ(κ_KS, σ_pix): the MC-free posterior mean under the learned prior.
//
//   npx tsx bench/massmap-hybrid-diag.ts --prior models/priors/kappa-hybrid [--side 120] [--seeds 2]
//        [--map ktng_cosmos_kappa360.fits] [--ngal 30] [--threads 1] [--checkpoint]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { GaussianKappaScore } from '../src-core/massmap/gaussian-score';
import { cropMap } from '../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ks93, ksKernel, shearFromKappa } from '../src-core/massmap/ks93';
import { compareMaps, metricPixels } from '../src-core/massmap/metrics';
import { modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { wienerWhite } from '../src-core/massmap/wiener';
import { openFitsFile } from '../src-main/fits/file-source';
import { readCheckpoint, readScoreModel } from '../src-main/score/model-files';
import { createKappaResidualScorer } from '../src-main/score/kappa-training';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({
  options: {
    prior: { type: 'string' }, side: { type: 'string', default: '120' }, seeds: { type: 'string', default: '2' },
    map: { type: 'string', default: 'ktng_cosmos_kappa360.fits' }, ngal: { type: 'string', default: '30' }, threads: { type: 'string', default: '1' }, checkpoint: { type: 'boolean', default: false },
  },
});
const S = Number(values.side), seeds = Number(values.seeds), n = S * S;
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const pix = 0.29, sigmaPix = 0.26 / Math.sqrt(Number(values.ngal) * pix * pix);
const file = openFitsFile(join(D, values.map!));
const map = Float64Array.from(readImage(file, file.hdu(0)).data as ArrayLike<number>);
const k = ksKernel(S, S, pix * ARCMIN_RAD), P = modeVariance(k, table);
const gauss = new GaussianKappaScore(S, S, P);
// --checkpoint: score with the folder's training checkpoint (a run still under way) instead of its model
const ck = values.checkpoint ? readCheckpoint(values.prior!) : null;
const model = ck ? { card: { config: ck.ck.config, residualOf: (ck.ck.options as { residual?: unknown }).residual }, weights: ck.weights } : readScoreModel(values.prior!);
if (ck) console.error(`checkpoint at step ${ck.ck.step}`);
const scorer = await createKappaResidualScorer(model, S, Number(values.threads));
const residual = async (x: Float64Array, s: number) => scorer.score(Float32Array.from(x), new Float32Array([s]));
const per = Math.floor(360 / S), fields: Float64Array[] = [];
for (let f = 0; f < per * per; f++) {
  const t = new Float64Array(n);
  cropMap(map, 360, 360, S, Math.floor(f / per) * S, (f % per) * S, 0, t);
  let m = 0;
  for (const v of t) m += v / n;
  fields.push(t.map((v) => v - m));
}
const sel = metricPixels(S, S, { margin: 10 });
const sigmas = [0.3, sigmaPix, 0.08, 0.04, 0.02, 0.01, 0.005];
const lossRows: { sigma: number; gaussian: number; hybrid: number; ratio: number }[] = [];
for (const s of sigmas) {
  let lg = 0, lh = 0, cnt = 0;
  const g = new Float64Array(n);
  for (let f = 0; f < fields.length; f++) {
    const rng = new Rng(7, 500 + f), e = new Float64Array(n), x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      e[i] = rng.normal();
      x[i] = fields[f]![i]! + s * e[i]!;
    }
    gauss.score(x, s, g);
    const r = await residual(x, s);
    for (let i = 0; i < n; i++) {
      lg += (e[i]! + s * g[i]!) ** 2;
      lh += (e[i]! + s * (g[i]! + r[i]!)) ** 2;
    }
    cnt += n;
  }
  lossRows.push({ sigma: +s.toFixed(4), gaussian: +(lg / cnt).toFixed(5), hybrid: +(lh / cnt).toFixed(5), ratio: +(lh / lg).toFixed(4) });
  console.error(JSON.stringify(lossRows.at(-1)));
}
const acc = { ks: [] as number[], wiener: [] as number[], tweedie: [] as number[], rW: [] as number[], rT: [] as number[] };
for (let f = 0; f < fields.length; f++) {
  const truth = fields[f]!;
  for (let seed = 0; seed < seeds; seed++) {
    const rng = new Rng(seed, 1315 + f);
    const { g1, g2 } = shearFromKappa(k, truth);
    for (let i = 0; i < n; i++) {
      g1[i] = g1[i]! + sigmaPix * rng.normal();
      g2[i] = g2[i]! + sigmaPix * rng.normal();
    }
    const ks = ks93(k, g1, g2).kE, w = wienerWhite(k, g1, g2, sigmaPix ** 2, P).kappa;
    const r = await residual(ks, sigmaPix), tw = new Float64Array(n);
    for (let i = 0; i < n; i++) tw[i] = w[i]! + sigmaPix ** 2 * r[i]!;
    const cw = compareMaps(w, truth, sel), ct = compareMaps(tw, truth, sel);
    acc.ks.push(compareMaps(ks, truth, sel).rmse);
    acc.wiener.push(cw.rmse);
    acc.tweedie.push(ct.rmse);
    acc.rW.push(cw.pearson);
    acc.rT.push(ct.pearson);
    console.error(`field ${f} seed ${seed}: RMSE Wiener ${cw.rmse.toFixed(4)} Tweedie-hybrid ${ct.rmse.toFixed(4)} (${(100 * (1 - ct.rmse / cw.rmse)).toFixed(1)} %)`);
  }
}
await scorer.dispose();
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(JSON.stringify({
  prior: values.prior, map: values.map, side: S, fields: fields.length, seeds, sigmaPix, lossPerSigma: lossRows,
  rmse: { ks: mean(acc.ks), wiener: mean(acc.wiener), tweedieHybrid: mean(acc.tweedie) }, pearson: { wiener: mean(acc.rW), tweedieHybrid: mean(acc.rT) },
  tweedieGainVsWiener: `${(100 * (1 - mean(acc.tweedie) / mean(acc.wiener))).toFixed(1)} %`,
}));
