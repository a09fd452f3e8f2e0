// Calibration of the lens fit on simulated lenses with known parameters (issue 8 "Correct means"):
// N lenses from LensDesk's simulator (lsst preset, lensFraction 1, seed S, indices 0…N−1), each fitted with
// the 'fit' job's pipeline and settings (src-main/fit/fit-lens.ts); then the 68 % / 95 % interval coverage of
// θE, mass q, γ1, γ2 (and e1, e2) with exact two-sided binomial p-values, the fraction with R̂ < 1.01, and
// the bias and scatter of θE.
// --variant well-specified (default) re-renders each draw inside the fit's model family (lens light q, φ =
// the mass's, smooth Sérsic source without knots, no stars/artefacts; src-core/infer/lens-simulated.ts);
// --variant simulator fits the simulator's cutouts as they are (misspecified: expect under-coverage).
// One JSON line per fit goes to --out (default /tmp/lens-calibration.jsonl); an existing file is resumed.
//   npx tsx bench/lens-calibration.ts [--n 100] [--seed 2026] [--variant well-specified|simulator] [--out FILE]
//        [--warmup W] [--samples S] [--chains C] [--workers 2] [--shard k/m]
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { coverage, intervalOf, type IntervalRecord } from '../src-core/infer/coverage';
import { ellipticityToQPhi } from '../src-core/infer/lens-model';
import { lensModelFromInput } from '../src-core/infer/lens-fit';
import { simulatedLens, type SimulatedVariant } from '../src-core/infer/lens-simulated';
import { DEFAULT_FIT_SETTINGS, fitLens } from '../src-main/fit/fit-lens';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' }, seed: { type: 'string', default: '2026' }, variant: { type: 'string', default: 'well-specified' },
    out: { type: 'string', default: '/tmp/lens-calibration.jsonl' }, workers: { type: 'string', default: '2' },
    warmup: { type: 'string' }, samples: { type: 'string' }, chains: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
  },
});
const N = +values.n!, seed = +values.seed!;
const settings = {
  ...DEFAULT_FIT_SETTINGS,
  ...(values.warmup ? { warmup: +values.warmup } : {}), ...(values.samples ? { samples: +values.samples } : {}), ...(values.chains ? { chains: +values.chains } : {}),
};
const QUANTITIES = ['theta_E', 'q', 'gamma1', 'gamma2', 'e1', 'e2'] as const;
type Q = (typeof QUANTITIES)[number];
interface FitLine { index: number; variant: string; settings: typeof settings; rhatMax: number; rhat?: Record<string, number>; rounds?: number; converged?: boolean; drawsPerChain?: number; rhatThetaE: number; essThetaE: number; wallSeconds: number; divergences: number; mapChi2?: number; truthChi2?: number; intervals: Record<Q, IntervalRecord> }

const lines: FitLine[] = existsSync(values.out!)
  ? readFileSync(values.out!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FitLine)
    .filter((l) => l.variant === values.variant && JSON.stringify(l.settings) === JSON.stringify(settings))
  : [];
const done = new Set(lines.map((l) => l.index));
// --shard k/m fits only indices ≡ k (mod m): m processes with --workers 1 each keep both cores busy while
// one of them runs its (single-threaded) MAP search. They may share one --out file (appends are whole lines).
const [shardK, shardM] = values.shard!.split('/').map(Number) as [number, number];
for (let i = 0; i < N; i++) {
  if (done.has(i) || i % shardM !== shardK) continue;
  const sim = simulatedLens({ preset: 'lsst', lensFraction: 1 }, seed, i, values.variant as SimulatedVariant);
  const fit = await fitLens(sim.input, settings, { workers: +values.workers! });
  // Derived draws: mass q from (e1, e2).
  const cols: Record<Q, number[]> = { theta_E: [], q: [], gamma1: [], gamma2: [], e1: [], e2: [] };
  for (const r of fit.physical)
    for (let k = 0; k < r.nSamples; k++) {
      const d = r.draws.subarray(k * r.dim, (k + 1) * r.dim);
      cols.theta_E.push(d[0]!);
      cols.e1.push(d[1]!);
      cols.e2.push(d[2]!);
      cols.q.push(ellipticityToQPhi(d[1]!, d[2]!).q);
      cols.gamma1.push(d[3]!);
      cols.gamma2.push(d[4]!);
    }
  const t = sim.truth;
  const truth: Record<Q, number> = { theta_E: t[0]!, e1: t[1]!, e2: t[2]!, q: ellipticityToQPhi(t[1]!, t[2]!).q, gamma1: t[3]!, gamma2: t[4]! };
  const intervals = Object.fromEntries(QUANTITIES.map((q) => [q, intervalOf(cols[q], truth[q])])) as Record<Q, IntervalRecord>;
  const te = fit.report.params[0]!;
  const line: FitLine = {
    index: i, variant: values.variant!, settings, rhatMax: fit.report.rhatMax,
    rhat: Object.fromEntries(fit.report.params.map((p) => [p.name, +p.rhat.toFixed(5)])), rounds: fit.rounds, converged: fit.converged,
    drawsPerChain: fit.physical[0]!.nSamples, rhatThetaE: te.rhat, essThetaE: te.essBulk,
    wallSeconds: fit.wallSeconds, divergences: fit.report.sampler.divergences, mapChi2: fit.plan.mapChi2,
    truthChi2: lensModelFromInput(sim.input).solve(sim.truth).chi2, intervals,
  };
  appendFileSync(values.out!, JSON.stringify(line) + '\n');
  lines.push(line);
  const iv = intervals.theta_E;
  console.error(`#${i}: θE ${iv.mean.toFixed(4)} ± ${iv.sd.toFixed(4)} (truth ${iv.truth.toFixed(4)}), R̂max ${line.rhatMax.toFixed(4)} (${Object.entries(line.rhat!).filter(([, r]) => r >= 1.01).map(([k, r]) => `${k} ${r.toFixed(3)}`).join(', ') || 'all < 1.01'}), ${line.rounds} round(s), χ² MAP ${line.mapChi2!.toFixed(1)} / truth ${line.truthChi2!.toFixed(1)}, ${line.wallSeconds.toFixed(1)} s`);
}

const rows = lines.filter((l) => l.index < N);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`calibration: ${rows.length} fits, variant ${values.variant}, seed ${seed}, settings ${JSON.stringify(settings)}`);
console.log('quantity   n   in68   rate68   p(68)    in95   rate95   p(95)    bias        scatter     z-rms');
for (const q of QUANTITIES) {
  const c = coverage(rows.map((l) => l.intervals[q]));
  console.log(`${q.padEnd(9)} ${String(c.n).padStart(3)}  ${String(c.in68).padStart(4)}  ${pct(c.rate68).padStart(7)}  ${c.p68.toFixed(3).padStart(6)}  ${String(c.in95).padStart(5)}  ${pct(c.rate95).padStart(7)}  ${c.p95.toFixed(3).padStart(6)}  ${c.bias.toExponential(2).padStart(10)}  ${c.scatter.toExponential(2).padStart(10)}  ${c.zSd.toFixed(2)}`);
}
const conv = rows.filter((l) => l.rhatMax < 1.01).length;
const convTe = rows.filter((l) => l.rhatThetaE < 1.01 && l.essThetaE >= 400).length;
const wall = rows.map((l) => l.wallSeconds).sort((a, b) => a - b);
console.log(`R̂max < 1.01: ${conv}/${rows.length} (${pct(conv / rows.length)}); θE R̂ < 1.01 and bulk-ESS ≥ 400: ${convTe}/${rows.length}; divergent fits: ${rows.filter((l) => l.divergences > 0).length}`);
const mapMiss = rows.filter((l) => l.mapChi2 !== undefined && l.truthChi2 !== undefined && l.mapChi2 > l.truthChi2 + 1).length;
console.log(`MAP above χ²(truth) + 1 (optimiser missed the mode): ${mapMiss}/${rows.filter((l) => l.mapChi2 !== undefined).length}`);
console.log(`wall per fit: median ${wall[wall.length >> 1]?.toFixed(1)} s, max ${wall[wall.length - 1]?.toFixed(1)} s`);
console.log(JSON.stringify({ n: rows.length, variant: values.variant, seed, settings, coverage: Object.fromEntries(QUANTITIES.map((q) => [q, coverage(rows.map((l) => l.intervals[q]))])), rhatBelow101: conv, thetaEConverged: convTe }));
