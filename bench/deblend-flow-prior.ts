// The explicit-likelihood (PCA + RealNVP) morphology prior vs constraints only (issue 14 quality goal),
// on the simulated blends of bench/deblend-prior.ts (seeds 300…, sources at their true positions, LSST
// 10-year noise and seeing). Per source: |flux error| per band and the morphology residual
// Σ|model − truth| / Σ truth over all bands; medians over all sources.
// Run: npx tsx bench/deblend-flow-prior.ts [blends=12] ['[{"weight":1,...}, ...]' settings of FlowPriorOptions
// over the shipped DEBLEND_FLOW_PRIOR; '[{}]' = the shipped default; {"constraintsOnly": "monotonic,symmetric"}
// is another constraints-only run; {"noFrame": true} skips the observed-frame blur (trainPsfSigma = model PSF σ)]
import { deblend, deblendAsync, parseConstraints, simulateBlend, MODEL_PSF_SIGMA, type DeblendResult } from '../src-core/deblend/index';
import { morphologyFlowPrior, type FlowPriorOptions } from '../src-core/deblend/flow-prior';
import { resolveBlendModel } from '../src-main/deblend/blend-model';
import { DEBLEND_FLOW_PRIOR, flowPriorTrainSigma } from '../src-main/deblend/learned-prior';

const nBlends = Number(process.argv[2] ?? 12);
type Setting = Partial<FlowPriorOptions> & { constraintsOnly?: string; noFrame?: boolean };
/** First blend seed (SEED0=…, default 300 = bench/deblend-prior.ts's blends); another range is a held-out check of settings chosen on 300…. */
const seed0 = Number(process.env.SEED0 ?? 300);
/** Or SEEDS=312-335,400-423: these blend seeds (ranges pooled into one median), ignoring SEED0 and the count. */
const seeds = process.env.SEEDS
  ? process.env.SEEDS.split(',').flatMap((r) => { const [a, b] = r.split('-').map(Number); return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i); })
  : Array.from({ length: nBlends }, (_, i) => seed0 + i);
const settings = JSON.parse(process.argv[3] ?? '[{}]') as Setting[];
const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : 0.5 * (s[s.length / 2 - 1]! + s[s.length / 2]!); };
const { model } = resolveBlendModel();
const trainPsfSigma = flowPriorTrainSigma();

function score(sim: ReturnType<typeof simulateBlend>, r: DeblendResult, acc: { flux: number[]; dataFlux: number[]; morph: number[] }): number[] {
  return sim.truth.map((t, k) => {
    const src = r.sources[k]!;
    t.flux.forEach((f, b) => acc.flux.push(Math.abs(src.flux[b]! / f - 1)));
    // scarlet's photometry: the data re-apportioned by the model ratios (flux-conserving).
    t.flux.forEach((f, b) => acc.dataFlux.push(Math.abs(src.dataFlux[b]! / f - 1)));
    let d = 0, tot = 0;
    t.image.forEach((img, b) => img.forEach((v, i) => { d += Math.abs(src.model[b]![i]! - v); tot += v; }));
    acc.morph.push(d / tot);
    return d / tot;
  });
}

const runs = [{ name: 'constraints only (monotonic)', opt: null as Setting | null }, ...settings.map((s) => ({ name: s.constraintsOnly ? `constraints only (${s.constraintsOnly})` : `flow ${JSON.stringify(s)}`, opt: s }))];
const acc = runs.map(() => ({ flux: [] as number[], dataFlux: [] as number[], morph: [] as number[], secs: 0 }));
for (let s = 0; s < seeds.length; s++) {
  const sim = simulateBlend(seeds[s]!);
  const inp = { images: sim.images, rows: sim.rows, cols: sim.cols, variance: sim.variance, psfs: sim.psfs, positions: sim.truth.map((t) => ({ x: t.x, y: t.y })), maxIter: 200 };
  const line: string[] = [`blend ${s} (${sim.truth.length})`];
  for (let j = 0; j < runs.length; j++) {
    const t0 = performance.now();
    const o = runs[j]!.opt;
    const r = !o ? deblend(inp)
      : o.constraintsOnly ? deblend({ ...inp, constraints: parseConstraints(o.constraintsOnly) })
      : await deblendAsync(inp, morphologyFlowPrior(model, { trainPsfSigma: o.noFrame ? MODEL_PSF_SIGMA : trainPsfSigma, ...DEBLEND_FLOW_PRIOR, ...o }));
    acc[j]!.secs += (performance.now() - t0) / 1000;
    line.push(`${score(sim, r, acc[j]!).map((x) => (100 * x).toFixed(1)).join('/')} χ²${r.chi2PerPixel.toFixed(2)}`);
  }
  console.log(line.join(' | '));
}
const base = med(acc[0]!.morph), baseFlux = med(acc[0]!.flux);
runs.forEach((r, j) => {
  const a = acc[j]!;
  console.log(`${r.name}: ${a.morph.length} sources; median |flux error| ${(100 * med(a.flux)).toFixed(2)} % (model) / ${(100 * med(a.dataFlux)).toFixed(2)} % (data re-apportioned), median morphology residual ${(100 * med(a.morph)).toFixed(2)} % (${(100 * (1 - med(a.morph) / base)).toFixed(1)} % lower), flux ratio ${(med(a.flux) / baseFlux).toFixed(3)}, ${(a.secs / seeds.length).toFixed(2)} s/blend`);
});
