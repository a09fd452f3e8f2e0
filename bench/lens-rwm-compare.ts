// Independent-sampler check of the lens fit (issue 8): for N simulated LSST 45 × 45 × 4 lenses
// (test/infer/lens-simulated.ts, well-specified variant by default), NUTS as the fit runs it (planLensFit →
// runLensChain, the job's MAP settings) against a long adaptive random-walk Metropolis run on the same log
// density (test/infer/lens-rwm.ts: same preconditioned z-space, value only). Prints per parameter the
// NUTS and RWM mean ± sd, the z-scores of the differences (compare-samplers.ts: Δ / √(MCSE_a² + MCSE_b²)),
// and the bulk-ESS of each; per system the cost: gradient (NUTS) or density (RWM) evaluations per second,
// min bulk-ESS per second and per evaluation, and the NUTS/RWM ratio of ESS per second. Both samplers run
// in this thread, one chain after another, so the per-second figures are per core and comparable.
//   npx tsx bench/lens-rwm-compare.ts [--n 3] [--seed 2026] [--variant well-specified|simulator] [--start 0]
//        [--chains 4] [--warmup 75] [--draws 500] [--rwm-chains 4] [--rwm-steps 50000] [--rwm-burnin 5000]
//        [--thin 10] [--json]
// --rwm-steps is per chain after burn-in (draws kept: steps / thin). Full run: ≈ 3.3 ms per density
// evaluation on 45 × 45 × 4 → 4 × 55 000 evaluations ≈ 12 min of RWM per system, plus ≈ 1 min of NUTS.
import { parseArgs } from 'node:util';
import { compareMoments, type MomentComparison } from '../test/infer/compare-samplers';
import { rhat } from '../src-core/infer/diagnostics';
import { lens12FromInput, planLensFit, runLensChain, toPhysicalChains } from '../src-core/infer/lens-fit';
import { LENS_PARAM_NAMES } from '../src-core/infer/lens-model';
import { runLensRwmChain, rwmAsChainResult } from '../test/infer/lens-rwm';
import { simulatedLens, type SimulatedVariant } from '../test/infer/lens-simulated';
import { parameterChains } from '../src-core/infer/summary';
import { DEFAULT_FIT_SETTINGS } from '../src-main/fit/fit-lens';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '3' }, seed: { type: 'string', default: '2026' }, start: { type: 'string', default: '0' },
    variant: { type: 'string', default: 'well-specified' }, chains: { type: 'string', default: '4' },
    warmup: { type: 'string', default: String(DEFAULT_FIT_SETTINGS.warmup) }, draws: { type: 'string', default: '500' },
    'rwm-chains': { type: 'string', default: '4' }, 'rwm-steps': { type: 'string', default: '50000' },
    'rwm-burnin': { type: 'string', default: '5000' }, thin: { type: 'string', default: '10' }, json: { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof values) => {
  const v = Number(values[k]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} must be a non-negative integer, got '${String(values[k])}'`);
  return v;
};
const N = num('n'), seed = num('seed'), start = num('start'), chains = num('chains'), warmup = num('warmup'), draws = num('draws');
const rwmChains = num('rwm-chains'), rwmSteps = num('rwm-steps'), rwmBurnin = num('rwm-burnin'), thin = Math.max(1, num('thin'));
const variant = values.variant as SimulatedVariant;
if (variant !== 'well-specified' && variant !== 'simulator') throw new Error(`--variant must be well-specified or simulator`);
if (chains < 2 || rwmChains < 2) throw new Error('R̂ and split-chain ESS need ≥ 2 chains of each sampler');

const fmt = (x: number, p = 5) => (Number.isFinite(x) ? x.toPrecision(p) : String(x));
interface SystemResult {
  index: number; truth: number[]; mapChi2: number;
  nuts: { seconds: number; gradients: number; essBulkMin: number; rhatMax: number; divergences: number };
  rwm: { seconds: number; evaluations: number; essBulkMin: number; rhatMax: number; acceptRate: number[] };
  params: Array<{ name: string; truth: number; nuts: { mean: number; sd: number; mcseMean: number; essBulk: number }; rwm: { mean: number; sd: number; mcseMean: number; essBulk: number }; zMean: number; zSd: number }>;
}
const results: SystemResult[] = [];
console.error(`lens-rwm-compare: ${N} × LSST 45×45×4 (${variant}, seed ${seed}, indices ${start}…${start + N - 1}); NUTS ${chains} × (${warmup} + ${draws}); RWM ${rwmChains} × (${rwmBurnin} + ${rwmSteps}) thinned by ${thin}`);

for (let index = start; index < start + N; index++) {
  const sim = simulatedLens({ preset: 'lsst', lensFraction: 1 }, seed, index, variant);
  const model = lens12FromInput(sim.input);
  const s = DEFAULT_FIT_SETTINGS;
  let t = performance.now();
  const plan = planLensFit(model, { seed: 0, chains: Math.max(chains, rwmChains), nStarts: s.nStarts, maxEvals: s.maxEvals, refineBest: s.refineBest, refineEvals: s.refineEvals });
  console.error(`#${index}: MAP χ² ${plan.mapChi2.toFixed(1)} (${((performance.now() - t) / 1000).toFixed(1)} s); NUTS…`);
  t = performance.now();
  const nuts = Array.from({ length: chains }, (_, chain) => runLensChain(model, plan, { chain, seed: 0, nWarmup: warmup, nSamples: draws }));
  const nutsSeconds = (performance.now() - t) / 1000;
  console.error(`#${index}: NUTS ${nutsSeconds.toFixed(1)} s; RWM…`);
  t = performance.now();
  const rwm = Array.from({ length: rwmChains }, (_, chain) => runLensRwmChain(model, plan, { chain, seed: 0, nBurnin: rwmBurnin, nSamples: rwmSteps, thin }));
  const rwmSeconds = (performance.now() - t) / 1000;
  const pn = toPhysicalChains(nuts, plan);
  const pr = toPhysicalChains(rwm.map(rwmAsChainResult), plan);
  const rows: MomentComparison[] = LENS_PARAM_NAMES.map((name, k) => compareMoments(name, parameterChains(pn, k), parameterChains(pr, k)));
  const rhats = (res: typeof pn) => LENS_PARAM_NAMES.map((_, k) => rhat(parameterChains(res, k)).rhat);
  const gradients = nuts.reduce((a, r) => a + r.gradientEvals.warmup + r.gradientEvals.sampling, 0);
  const evaluations = rwm.reduce((a, r) => a + r.evals.burnin + r.evals.sampling + 1, 0);
  const res: SystemResult = {
    index, truth: Array.from(sim.truth), mapChi2: plan.mapChi2,
    nuts: { seconds: nutsSeconds, gradients, essBulkMin: Math.min(...rows.map((r) => r.a.essBulk)), rhatMax: Math.max(...rhats(pn)), divergences: nuts.reduce((a, r) => a + r.stats.divergent.reduce((x, y) => x + y, 0), 0) },
    rwm: { seconds: rwmSeconds, evaluations, essBulkMin: Math.min(...rows.map((r) => r.b.essBulk)), rhatMax: Math.max(...rhats(pr)), acceptRate: rwm.map((r) => r.acceptRate) },
    params: rows.map((r, k) => ({
      name: r.name, truth: sim.truth[k]!, zMean: r.zMean, zSd: r.zSd,
      nuts: { mean: r.a.mean, sd: r.a.sd, mcseMean: r.a.mcseMean, essBulk: r.a.essBulk },
      rwm: { mean: r.b.mean, sd: r.b.sd, mcseMean: r.b.mcseMean, essBulk: r.b.essBulk },
    })),
  };
  results.push(res);

  console.log(`\nsystem #${index} (truth θE ${fmt(sim.truth[0]!)}″, MAP χ² ${plan.mapChi2.toFixed(1)} for ${model.npix * sim.input.bands.length} pixels)`);
  console.log(`${'param'.padEnd(9)} ${'NUTS mean ± sd'.padStart(25)} ${'RWM mean ± sd'.padStart(25)} ${'z(mean)'.padStart(8)} ${'z(sd)'.padStart(7)} ${'ESS NUTS'.padStart(9)} ${'ESS RWM'.padStart(8)}`);
  for (const p of res.params)
    console.log(`${p.name.padEnd(9)} ${`${fmt(p.nuts.mean, 6)} ± ${fmt(p.nuts.sd, 3)}`.padStart(25)} ${`${fmt(p.rwm.mean, 6)} ± ${fmt(p.rwm.sd, 3)}`.padStart(25)} ${p.zMean.toFixed(2).padStart(8)} ${p.zSd.toFixed(2).padStart(7)} ${p.nuts.essBulk.toFixed(0).padStart(9)} ${p.rwm.essBulk.toFixed(0).padStart(8)}`);
  const n = res.nuts, r = res.rwm;
  console.log(`NUTS: ${n.seconds.toFixed(1)} s, ${n.gradients} gradients (${(n.gradients / n.seconds).toFixed(0)}/s), min bulk-ESS ${n.essBulkMin.toFixed(0)} → ${(n.essBulkMin / n.seconds).toFixed(2)} ESS/s, ${(n.gradients / n.essBulkMin).toFixed(1)} gradients/ESS; R̂ max ${n.rhatMax.toFixed(3)}, ${n.divergences} divergences`);
  console.log(`RWM:  ${r.seconds.toFixed(1)} s, ${r.evaluations} densities (${(r.evaluations / r.seconds).toFixed(0)}/s), min bulk-ESS ${r.essBulkMin.toFixed(0)} → ${(r.essBulkMin / r.seconds).toFixed(2)} ESS/s, ${(r.evaluations / r.essBulkMin).toFixed(1)} densities/ESS; R̂ max ${r.rhatMax.toFixed(3)}, acceptance ${r.acceptRate.map((a) => a.toFixed(3)).join(' ')}`);
  console.log(`NUTS / RWM ESS per second (min over parameters): ${((n.essBulkMin / n.seconds) / (r.essBulkMin / r.seconds)).toFixed(1)}`);
}

const all = results.flatMap((r) => r.params);
const zs = all.flatMap((p) => [p.zMean, p.zSd]);
const beyond = (c: number) => zs.filter((z) => Math.abs(z) > c).length;
console.log(`\nsummary: ${results.length} systems × 12 parameters; |z| > 2: ${beyond(2)} of ${zs.length} (≈ ${(0.0455 * zs.length).toFixed(1)} expected by chance), |z| > 3: ${beyond(3)}, |z| > 4: ${beyond(4)}; max |z(mean)| ${Math.max(...all.map((p) => Math.abs(p.zMean))).toFixed(2)}, max |z(sd)| ${Math.max(...all.map((p) => Math.abs(p.zSd))).toFixed(2)}`);
if (values.json) console.log(JSON.stringify({ settings: { N, seed, start, variant, chains, warmup, draws, rwmChains, rwmSteps, rwmBurnin, thin }, systems: results }));
