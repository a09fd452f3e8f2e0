// Lens-fit benchmark: one LSST-like 45×45×4 synthetic cutout (src-core/infer/lens-synthetic), the full
// `lensdesk fit` pipeline (multi-start LM MAP, 4 NUTS chains in 2 worker threads), and the per-evaluation
// costs. Prints one JSON line. The emcee peer (shared/peers/lens_fit_emcee.py) is run in the same
// invocation when Debian's python3 has numpy, scipy and emcee; otherwise the reason is printed and only the
// peer's published figures (peers/README.md, measured elsewhere) can be quoted, not a ratio.
//   npx tsx bench/lens-fit.ts [--warmup 300] [--samples 250] [--workers 2]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { lensModelFromInput, planLensFit, reportLensFit, type LensFitInput } from '../src-core/infer/lens-fit';
import { LensGradient } from '../src-core/infer/lens-gradient';
import { syntheticLens } from '../src-core/infer/lens-synthetic';
import { getPreset } from '../src-core/lens/presets';
import { runFitChains } from '../src-main/workers/fit-pool';

const { values } = parseArgs({ options: { warmup: { type: 'string', default: '300' }, samples: { type: 'string', default: '250' }, workers: { type: 'string', default: '2' } } });
const bands = ['g', 'r', 'i', 'z'];
const s = syntheticLens({ seed: 1, size: 45, bands });
const preset = getPreset('lsst');
const input: LensFitInput = { bands, size: 45, pixelScale: 0.2, image: s.cutout.image, variance: s.cutout.variance, psf: bands.map((b) => ({ type: 'gaussian', fwhm: preset.bands[b]!.seeing })) };
const model = lensModelFromInput(input);

// Per-call costs (median of 5 blocks).
const median = (f: () => void, reps: number) => {
  const t: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    t.push((performance.now() - t0) / reps);
  }
  return t.sort((a, b) => a - b)[2]!;
};
const g = new Float64Array(12);
const lg = new LensGradient(model);
const evalMs = median(() => model.solve(s.truth), 40);
const gradMs = median(() => lg.chi2AndGradient(s.truth, g), 20);

const t0 = performance.now();
const chains = 4;
const plan = planLensFit(model, { seed: 0, chains });
const mapS = (performance.now() - t0) / 1000;
const results = await runFitChains(
  Array.from({ length: chains }, (_, chain) => ({ input, plan, chain, seed: 0, nWarmup: +values.warmup!, nSamples: +values.samples! })),
  { workers: +values.workers! },
);
const wall = (performance.now() - t0) / 1000;
const rep = reportLensFit(results, plan);
const te = rep.params[0]!;

const py = spawnSync('/usr/bin/python3', ['-c', 'import numpy, scipy, emcee'], { encoding: 'utf8' });
const peer = py.status === 0
  ? 'available: run shared/peers/lens_fit_emcee.py on the same machine for a ratio (not automated here: ~9.5 min per cutout)'
  : `unavailable: ${(py.stderr || py.error?.message || '').trim().split('\n').pop()}`;

console.log(JSON.stringify({
  date: new Date().toISOString().slice(0, 10), node: process.version, cutout: '45x45x4 synthetic (lsst preset)',
  evalMs: +evalMs.toFixed(2), gradMs: +gradMs.toFixed(2), gradOverEval: +(gradMs / evalMs).toFixed(2),
  mapSeconds: +mapS.toFixed(1), mapEvaluations: plan.mapEvaluations, mapChi2: +plan.mapChi2.toFixed(1), truthChi2: +model.solve(s.truth).chi2.toFixed(1),
  chains, workers: +values.workers!, warmup: +values.warmup!, samples: +values.samples!,
  wallSeconds: +wall.toFixed(1), gradientEvaluations: rep.sampler.gradientEvals,
  thetaE: { truth: s.truth[0], mean: +te.mean.toFixed(5), sd: +te.sd.toPrecision(3), essBulk: Math.round(te.essBulk), essTail: Math.round(te.essTail), rhat: +te.rhat.toFixed(4) },
  gradientEvalsPerEssThetaE: +(rep.sampler.gradientEvals / te.essBulk).toFixed(1),
  rhatMax: +rep.rhatMax.toFixed(4), essBulkMin: Math.round(rep.essBulkMin), essTailMin: Math.round(rep.essTailMin),
  divergences: rep.sampler.divergences, treeDepthSaturated: rep.sampler.treeDepthSaturated,
  coverage68: rep.params.filter((p, i) => p.q16 <= s.truth[i]! && s.truth[i]! <= p.q84).length,
  coverage95: rep.params.filter((p, i) => p.q2_5 <= s.truth[i]! && s.truth[i]! <= p.q97_5).length,
  peer,
}));
