// Lens-fit benchmark: wall time per candidate to R̂ < 1.01 and bulk-ESS ≥ 400 for θE on a 45×45×4 LSST
// cutout, 2 cores. Default cutout: the first lens of LensDesk's simulator, simulateCutout('lsst', seed, i)
// (--cutout sim; --variant well-specified re-renders it inside the fit's model family, see
// src-core/infer/lens-simulated.ts), or the fit's own synthetic cutout (--cutout synthetic). Runs the
// 'fit' job's pipeline (src-main/fit/fit-lens.ts: MAP, Laplace preconditioning, chains in worker threads)
// and the per-evaluation costs, and the emcee peer's likelihood (shared/peers/lens_fit_emcee.py
// LensPosterior.solve, Debian python3, emcee stubbed) timed in the same run for a cost ratio.
//   npx tsx bench/lens-fit.ts [--cutout sim|synthetic] [--variant simulator|well-specified] [--seed 1]
//        [--warmup 150] [--samples 150] [--chains 4] [--starts 4] [--workers 2] [--no-peer]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lens12FromInput, type LensFitInput } from '../src-core/infer/lens-fit';
import { LensGradient } from '../src-core/infer/lens-gradient';
import { simulatedLens, type SimulatedVariant } from '../test/infer/lens-simulated';
import { syntheticLens } from '../src-core/infer/lens-synthetic';
import { getPreset } from '../src-core/lens/presets';
import { simulateCutout } from '../src-core/lens/simulate';
import { DEFAULT_FIT_SETTINGS, fitLens } from '../src-main/fit/fit-lens';

const { values } = parseArgs({
  options: {
    cutout: { type: 'string', default: 'sim' }, variant: { type: 'string', default: 'simulator' }, seed: { type: 'string', default: '1' },
    warmup: { type: 'string', default: String(DEFAULT_FIT_SETTINGS.warmup) }, samples: { type: 'string', default: String(DEFAULT_FIT_SETTINGS.samples) },
    chains: { type: 'string', default: String(DEFAULT_FIT_SETTINGS.chains) }, starts: { type: 'string', default: String(DEFAULT_FIT_SETTINGS.nStarts) },
    workers: { type: 'string', default: '2' }, 'no-peer': { type: 'boolean', default: false },
  },
});
const seed = +values.seed!;
let input: LensFitInput;
let truth: Float64Array;
let label: string;
if (values.cutout === 'synthetic') {
  const bands = ['g', 'r', 'i', 'z'];
  const s = syntheticLens({ seed, size: 45, bands });
  const preset = getPreset('lsst');
  input = { bands, size: 45, pixelScale: 0.2, image: s.cutout.image, variance: s.cutout.variance, psf: bands.map((b) => ({ type: 'gaussian' as const, fwhm: preset.bands[b]!.seeing })) };
  truth = s.truth;
  label = `synthetic seed ${seed}`;
} else {
  let i = 0;
  while (simulateCutout('lsst', seed, i).truth.is_lens !== 1) i++;
  const s = simulatedLens({ preset: 'lsst' }, seed, i, values.variant as SimulatedVariant);
  input = s.input;
  truth = s.truth;
  label = `simulateCutout('lsst', ${seed}, ${i}) ${values.variant}`;
}
const model = lens12FromInput(input);

// Per-call costs (median of 5 blocks).
const median = (f: () => void, reps: number) => {
  const t: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    t.push((performance.now() - t0) / reps);
  }
  return t.sort((a, b) => a - b)[2]!;
};
const g = new Float64Array(12);
const lg = new LensGradient(model);
const evalMs = median(() => model.solve(truth), 20);
const gradMs = median(() => lg.chi2AndGradient(truth, g), 10);

// The peer's likelihood (templates + NNLS), same machine, same run, its own cutout of the same size.
let peer: Record<string, unknown> = { available: false };
const peersDir = '/work/shared/peers';
if (!values['no-peer'] && existsSync(join(peersDir, 'lens_fit_emcee.py'))) {
  const PY = `
import sys, types, json, time
sys.path.insert(0, sys.argv[1]); sys.modules['emcee'] = types.ModuleType('emcee')
import lens_sim_numpy as sim, lens_fit_emcee as fit
image, var, model, p = sim.simulate_cutout(1, 0, 'lsst')
post = fit.LensPosterior(image.astype(float), var.astype(float), 'lsst'); t = fit.truth_vector(p)
ts = []
for k in range(5):
    t0 = time.perf_counter()
    for r in range(20): post.solve(t)
    ts.append((time.perf_counter() - t0) / 20 * 1000)
print(json.dumps({'evalMs': sorted(ts)[2]}))`;
  const py = spawnSync('/usr/bin/python3', ['-c', PY, peersDir], { encoding: 'utf8' });
  peer = py.status === 0
    ? { available: true, ...JSON.parse(py.stdout), note: 'peer LensPosterior.solve (numpy), emcee stubbed; emcee itself is not installed' }
    : { available: false, reason: (py.stderr || String(py.error)).trim().split('\n').pop() };
}

const settings = { ...DEFAULT_FIT_SETTINGS, seed: 0, chains: +values.chains!, warmup: +values.warmup!, samples: +values.samples!, nStarts: +values.starts! };
const fit = await fitLens(input, settings, { workers: +values.workers! });
const rep = fit.report;
const te = rep.params[0]!;
const peerEval = peer.available ? (peer.evalMs as number) : NaN;
console.log(JSON.stringify({
  date: new Date().toISOString(), node: process.version, cutout: `45x45x4 ${label}`, settings,
  evalMs: +evalMs.toFixed(2), gradMs: +gradMs.toFixed(2), gradOverEval: +(gradMs / evalMs).toFixed(2),
  peerEvalMs: peer.available ? +peerEval.toFixed(2) : null, evalOverPeer: peer.available ? +(evalMs / peerEval).toFixed(2) : null, peer,
  mapSeconds: +fit.mapSeconds.toFixed(1), mapEvaluations: fit.plan.mapEvaluations, mapChi2: +fit.plan.mapChi2.toFixed(1), truthChi2: +model.solve(truth).chi2.toFixed(1),
  wallSeconds: +fit.wallSeconds.toFixed(1), gradientEvaluations: rep.sampler.gradientEvals,
  gradientEvalsPerSecondPerWorker: +(rep.sampler.gradientEvals / (fit.wallSeconds - fit.mapSeconds) / +values.workers!).toFixed(1),
  thetaE: {
    truth: +truth[0]!.toFixed(5), mean: +te.mean.toFixed(5), sd: +te.sd.toPrecision(3), essBulk: Math.round(te.essBulk), essTail: Math.round(te.essTail),
    rhat: +te.rhat.toFixed(4), rhatBulk: +te.rhatBulk.toFixed(4), rhatTail: +te.rhatTail.toFixed(4),
    chainMeans: fit.physical.map((r) => { let m = 0; for (let k = 0; k < r.nSamples; k++) m += r.draws[k * r.dim]!; return +(m / r.nSamples).toFixed(5); }),
  },
  worstParams: rep.params.filter((p) => p.rhat >= 1.01).map((p) => `${p.name} ${p.rhatBulk.toFixed(3)}/${p.rhatTail.toFixed(3)}`),
  stepSize: rep.sampler.stepSize.map((x) => +x.toFixed(3)), ebfmi: rep.sampler.ebfmi.map((x) => +x.toFixed(2)),
  essThetaEPerSecond: +(te.essBulk / fit.wallSeconds).toFixed(1),
  converged: te.rhat < 1.01 && te.essBulk >= 400,
  gradientEvalsPerEssThetaE: +(rep.sampler.gradientEvals / te.essBulk).toFixed(1),
  rhatMax: +rep.rhatMax.toFixed(4), essBulkMin: Math.round(rep.essBulkMin), essTailMin: Math.round(rep.essTailMin),
  divergences: rep.sampler.divergences, treeDepthSaturated: rep.sampler.treeDepthSaturated,
  coverage68: rep.params.filter((p, i) => p.q16 <= truth[i]! && truth[i]! <= p.q84).length,
  coverage95: rep.params.filter((p, i) => p.q2_5 <= truth[i]! && truth[i]! <= p.q97_5).length,
  outside95: rep.params.filter((p, i) => !(p.q2_5 <= truth[i]! && truth[i]! <= p.q97_5)).map((p) => `${p.name}: truth ${truth[rep.params.indexOf(p)]!.toPrecision(4)} vs ${p.q50.toPrecision(4)} ± ${p.sd.toPrecision(2)}`),
}));
