// Hybrid-prior mass maps on held-out κTNG fields (docs/massmap.md "Hybrid prior"): the held-out map
// (ktng_cosmos_kappa360, never seen in training) is cut into side × side fields (each treated as periodic, as
// the 360² evaluation of massmap-eval.ts treats the whole map), shear from κ through the forward operator,
// white shape noise for n_gal = 30/arcmin² and σ_e = 0.26 at 0.29′ pixels (σ_pix = 0.164), several seeds.
// Scores on the interior (10-pixel border left out): RMSE and Pearson r to the truth for KS93, the
// closed-form Wiener filter, the hybrid chains' mean and the hybrid's exact (Tweedie, MC-free) posterior mean
// (hybrid.ts tweedieWhiteMean), and per-pixel coverage of the ±1 / ±1.96 std intervals (hybrid: sample std of
// the chains around either mean; Wiener: its exact posterior std). --fields picks fields by index (row-major
// over the map's side × side grid); --chains 0 skips sampling (Tweedie mean only, no coverage).
// --sampler auto (default: diffusion here, white noise), diffusion (--levels, --sigma-min), pcn (--delta,
// --samples-per-chain, --thin, --final-steps, --no-mh, --no-adapt) or langevin (the earlier one).
// Peak counts (mass-mapping.md §7 plan 5): 8-neighbour maxima in the interior, S/N ν = κ/σ_W with one κ scale
// for every map (σ_W = the Wiener posterior pixel std), histogram per map; `peaks` in the JSON (mean per run).
//
//   npx tsx bench/massmap-hybrid-eval.ts --prior models/priors/kappa-hybrid [--fields 0,4,8] [--seeds 2]
//        [--side 120] [--chains 16] [--levels L] [--steps-per-level T] [--threads 1] [--gaussian]
//        [--sampler auto|diffusion|pcn|langevin] [--sigma-min S] [--samples-per-chain K] [--thin 2] [--final-steps F] [--delta 1] [--sigma-max S]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { sampleHybrid, tweedieWhiteMean } from '../src-core/massmap/hybrid';
import { intervalCoverage } from '../src-core/massmap/coverage';
import { cropMap } from '../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ks93, ksKernel } from '../src-core/massmap/ks93';
import { simulateShearOnMap } from '../src-core/massmap/simulate-shear';
import { compareMaps, metricPixels } from '../src-core/massmap/metrics';
import { findPeaks, peakCounts } from '../src-core/massmap/peaks';
import type { HybridSampler } from '../src-core/massmap/hybrid';
import { measurePowerSpectrum, modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { wienerWhite } from '../src-core/massmap/wiener';
import { openFitsFile } from '../src-main/fits/file-source';
import { readScoreModel } from '../src-main/score/model-files';
import { unetBatchScore } from '../src-main/score/unet-engine';
import { createKappaResidualScorer } from '../src-main/score/kappa-training';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({
  options: {
    prior: { type: 'string' }, fields: { type: 'string', default: '0,4,8' }, seeds: { type: 'string', default: '2' }, side: { type: 'string', default: '120' },
    chains: { type: 'string', default: '16' }, levels: { type: 'string' }, 'steps-per-level': { type: 'string' },
    threads: { type: 'string', default: '1' }, gaussian: { type: 'boolean', default: false }, sampler: { type: 'string', default: 'auto' },
    'samples-per-chain': { type: 'string' }, thin: { type: 'string' }, 'final-steps': { type: 'string' }, delta: { type: 'string' }, 'sigma-max': { type: 'string' }, 'sigma-min': { type: 'string' },
    'no-mh': { type: 'boolean', default: false }, 'no-adapt': { type: 'boolean', default: false },
  },
});
const S = Number(values.side), fieldList = values.fields!.split(',').map(Number), nFields = fieldList.length, seeds = Number(values.seeds), B = Number(values.chains);
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const pix = 0.29, ngal = 30, sigmaE = 0.26, sigmaPix = sigmaE / Math.sqrt(ngal * pix * pix);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const file = openFitsFile(join(D, 'ktng_cosmos_kappa360.fits'));
const img = readImage(file, file.hdu(0));
const map = Float64Array.from(img.data as ArrayLike<number>);
const k = ksKernel(S, S, pix * ARCMIN_RAD), P = modeVariance(k, table), n = S * S;
const model = values.gaussian ? null : readScoreModel(values.prior!);
const scorer = model ? await createKappaResidualScorer(model, S, Number(values.threads)) : null;
const residual = scorer ? unetBatchScore(scorer, S, 8) : null;
const per = Math.floor(360 / S);
const opt = (name: string) => (values[name as keyof typeof values] === undefined ? undefined : Number(values[name as keyof typeof values]));
const sampler = values.sampler as HybridSampler;
// peak counts: ν = κ/σ_W bins, counts summed over runs
const PEAK_EDGES = [0, 1, 2, 3, 4, 6, Infinity], peaks: Record<string, number[]> = {};
const addPeaks = (key: string, m: ArrayLike<number>, scale: number) => {
  const c = peakCounts(findPeaks(m, scale, S, S, { threshold: PEAK_EDGES[0], margin: 10 }), PEAK_EDGES);
  const a = (peaks[key] ??= new Array<number>(c.length).fill(0));
  c.forEach((v, b) => (a[b] = a[b]! + v));
};
type Acc = { rmse: number[]; r: number[]; cov68: number[]; cov95: number[] };
const acc: Record<string, Acc> = {};
const push = (key: string, c: { rmse: number; pearson: number }, cov?: number[]) => {
  const a = (acc[key] ??= { rmse: [], r: [], cov68: [], cov95: [] });
  a.rmse.push(c.rmse);
  a.r.push(c.pearson);
  if (cov) { a.cov68.push(cov[0]!); a.cov95.push(cov[1]!); }
};
const rmseMcFree: number[] = [], meanGap: number[] = [], acceptance: number[][] = [];
// power spectra (mass-mapping.md §7 plan 4): measured/true power in 6 log bins of ℓ, summed over runs
const PB = 6, power: Record<string, Float64Array> = {};
let powerEll: number[] = [];
const addPower = (key: string, m: ArrayLike<number>, truth: ArrayLike<number>) => {
  const a = measurePowerSpectrum(k, m, { bins: PB }), t = measurePowerSpectrum(k, truth, { bins: PB });
  powerEll = Array.from(t.ell, (v) => Math.round(v));
  const acc2 = (power[key] ??= new Float64Array(PB));
  for (let b = 0; b < PB; b++) acc2[b] = acc2[b]! + a.cl[b]! / t.cl[b]!;
};
for (const f of fieldList) {
  const r0 = Math.floor(f / per) * S, c0 = (f % per) * S, crop = new Float64Array(n);
  cropMap(map, 360, 360, S, r0, c0, 0, crop);
  for (let seed = 0; seed < seeds; seed++) {
    // the evaluations' shared noise stream (simulate-shear.ts): white noise, fixed counts, no mask
    const { truth, shear: { g1, g2 } } = simulateShearOnMap(crop, S, S, { pixArcmin: pix, ngal, sigmaE, poisson: false, seed: 100 * f + seed });
    const sel = metricPixels(S, S, { margin: 10 });
    const w = wienerWhite(k, g1, g2, sigmaPix ** 2, P);
    const ks = ks93(k, g1, g2).kE;
    const tw = await tweedieWhiteMean(k, g1, g2, sigmaPix ** 2, P, residual);
    push('ks', compareMaps(ks, truth, sel), intervalCoverage(ks, new Float64Array(n).fill(sigmaPix), truth, sel));
    push('wiener', compareMaps(w.kappa, truth, sel), intervalCoverage(w.kappa, new Float64Array(n).fill(w.pixelStd), truth, sel));
    let line = `field ${f} seed ${seed}: RMSE KS ${acc.ks!.rmse.at(-1)!.toFixed(4)} Wiener ${acc.wiener!.rmse.at(-1)!.toFixed(4)}`;
    if (B > 0) {
      const t0 = performance.now();
      const h = await sampleHybrid({
        kernel: k, g1, g2, variance: new Float64Array(n).fill(sigmaPix ** 2), modeVariance: P, residual,
        chains: B, rng: new Rng(seed, 99 + f), sampler, levels: opt('levels'), stepsPerLevel: opt('steps-per-level'),
        metropolis: !values['no-mh'], adaptPreconditioner: !values['no-adapt'], samplesPerChain: opt('samples-per-chain'), thin: opt('thin'), finalSteps: opt('final-steps'), delta: opt('delta'), sigmaMax: opt('sigma-max'), sigmaMin: opt('sigma-min'),
      });
      const secs = (performance.now() - t0) / 1000;
      push('hybridChains', compareMaps(h.mean, truth, sel), intervalCoverage(h.mean, h.std, truth, sel));
      addPower('wiener', w.kappa, truth);
      addPower('hybridTweedie', tw, truth);
      addPower('hybridChainMean', h.mean, truth);
      addPower('hybridSample', h.samples[0]!, truth);
      for (const [key, m] of [['truth', truth], ['ks', ks], ['wiener', w.kappa], ['hybridTweedie', tw], ['hybridChainMean', h.mean], ['hybridSample', h.samples[0]!]] as const) addPeaks(key, m, w.pixelStd);
      push('hybridTweedie', compareMaps(tw, truth, sel), intervalCoverage(tw, h.std, truth, sel));
      // the mean of the samples carries Monte-Carlo error of variance std²/(number of samples) per pixel (thinned draws of one chain counted as independent): remove it in quadrature
      let mc = 0, ns = 0, gap = 0;
      for (let i = 0; i < n; i++) if (sel[i]) { mc += h.std[i]! ** 2 / h.samples.length; gap += (h.mean[i]! - tw[i]!) ** 2; ns++; }
      rmseMcFree.push(Math.sqrt(Math.max(0, acc.hybridChains!.rmse.at(-1)! ** 2 - mc / ns)));
      // rms (chain mean − Tweedie mean) in units of the expected MC error √(mean std²/B): ≈ 1 if they agree
      meanGap.push(Math.sqrt(gap / mc));
      line += ` (${h.samples.length} samples, ${h.scoreEvaluations} network evaluations${h.acceptance ? `, acceptance per level ${Array.from(h.acceptance, (v) => v.toFixed(2)).join(' ')}` : ''})`;
      if (h.acceptance) acceptance.push(Array.from(h.acceptance));
      line += ` hybrid chains ${acc.hybridChains!.rmse.at(-1)!.toFixed(4)} Tweedie ${acc.hybridTweedie!.rmse.at(-1)!.toFixed(4)}; 68 % coverage Wiener ${acc.wiener!.cov68.at(-1)!.toFixed(3)} hybrid ${acc.hybridChains!.cov68.at(-1)!.toFixed(3)} / ${acc.hybridTweedie!.cov68.at(-1)!.toFixed(3)}; chain−Tweedie gap ${meanGap.at(-1)!.toFixed(2)}× MC; ${secs.toFixed(0)} s`;
    } else {
      push('hybridTweedie', compareMaps(tw, truth, sel));
      line += ` hybrid Tweedie ${acc.hybridTweedie!.rmse.at(-1)!.toFixed(4)}`;
    }
    log(line);
  }
}
await scorer?.dispose();
const ms = (a: number[]) => {
  if (!a.length) return undefined;
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
  return `${m.toFixed(4)} ± ${sd.toFixed(4)}`;
};
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const out = {
  date: new Date().toISOString(), prior: values.gaussian ? 'Gaussian part only (residual 0)' : values.prior, side: S, fields: fieldList, seeds, chains: B,
  sampler, levels: opt('levels') ?? 'default', stepsPerLevel: opt('steps-per-level') ?? 'default', samplesPerChain: opt('samples-per-chain') ?? 1,
  thin: opt('thin'), finalSteps: opt('final-steps'), delta: opt('delta'), sigmaMax: opt('sigma-max'), sigmaPix,
  ...Object.fromEntries(Object.entries(acc).map(([key, v]) => [key, { rmse: ms(v.rmse), pearson: ms(v.r), coverage68: ms(v.cov68), coverage95: ms(v.cov95) }])),
  hybridChainsRmseWithoutMcError: ms(rmseMcFree),
  powerRatio: { ell: powerEll, ...Object.fromEntries(Object.entries(power).map(([key, v]) => [key, Array.from(v, (x) => +(x / (fieldList.length * seeds)).toFixed(2))])) }, chainMinusTweedieInMcUnits: ms(meanGap),
  acceptancePerLevel: acceptance.length ? acceptance[0]!.map((_, l) => +(acceptance.reduce((t, a) => t + a[l]!, 0) / acceptance.length).toFixed(2)) : undefined,
  metropolis: !values['no-mh'], adaptPreconditioner: !values['no-adapt'],
  peaks: { snrEdges: PEAK_EDGES.map(String), snrScale: 'Wiener posterior pixel std', ...Object.fromEntries(Object.entries(peaks).map(([key, v]) => [key, v.map((x) => +(x / (fieldList.length * seeds)).toFixed(1))])) },
  rmseGainVsWiener: Object.fromEntries(['hybridChains', 'hybridTweedie'].filter((key) => acc[key]).map((key) => [key, `${(100 * (1 - sum(acc[key]!.rmse) / sum(acc.wiener!.rmse))).toFixed(1)} %`])),
};
log(JSON.stringify(out, null, 1));
console.log(JSON.stringify(out));
