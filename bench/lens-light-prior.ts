// Lens-light subtraction with and without the learned morphology prior (issue 14: "the learned prior must
// do better" than the RingFinder baseline), on LensDesk's simulated LSST lenses with known truth: the same
// positions as the app's Deblend job (candidatePositions), the deflector = the component at the centre.
// Measures as src-core/deblend/lens-eval.ts. Run: npx tsx bench/lens-light-prior.ts [N=12] [SEED=1] [maxIter=50]
import { engineFor, simulateCutout } from '../src-core/lens/simulate';
import { renderScene } from '../src-core/lens/render';
import { ringFinderSubtract } from '../src-core/deblend/lens-light';
import { scoreSubtraction, median } from '../src-core/deblend/lens-eval';
import { deblend, deblendAsync, type DeblendInput } from '../src-core/deblend/solver';
import { candidatePositions, summariseCandidate } from '../src-core/deblend/candidate';
import { loadDeblendPrior } from '../src-main/deblend/learned-prior';
const n = Number(process.argv[2] ?? 12), seed = Number(process.argv[3] ?? 1);
const config = { preset: 'lsst', lensFraction: 1 };
const e = engineFor(config);
const bands = e.ins.bands, gi = bands.indexOf('g'), ii = bands.indexOf('i');
const size = e.ins.size;
const psfs = e.ins.kernels.map((k) => ({ kernel: Float64Array.from(k.k2).reverse(), height: 2 * k.h + 1, width: 2 * k.h + 1 }));
async function main(): Promise<void> {
const loaded = await loadDeblendPrior('auto', { pixelScale: 0.2 });
console.log(loaded.name, loaded.notes);
const res: Record<string, number[][]> = { base: [], cons: [], prior: [] };
for (let index = 0; index < n; index++) {
  const cut = simulateCutout(config, seed, index, { scene: true, model: true });
  const scene = cut.scene!;
  renderScene({ ...scene, light: scene.light.filter((c) => c.lensed), points: [], artefacts: [] }, e.ins, e.ws);
  const arcs = Float64Array.from(e.ws.models[gi]!);
  renderScene({ ...scene, light: scene.light.filter((c) => c.role === 'lens'), points: [], artefacts: [] }, e.ins, e.ws);
  const lens = Float64Array.from(e.ws.models[gi]!);
  const model = cut.model!.map((m) => Float64Array.from(m));
  const base = ringFinderSubtract(cut.bands[gi]!, cut.bands[ii]!, size, size);
  const sc = (def: Float64Array) => scoreSubtraction(Float64Array.from(model[gi]!, (v, k) => v - def[k]!), model[gi]!, arcs, lens);
  const b = scoreSubtraction(Float64Array.from(model[gi]!, (v, k) => v - base.alpha * model[ii]![k]!), model[gi]!, arcs, lens);
  const positions = candidatePositions(cut.bands, size, size, { variance: cut.variance });
  const input = { images: cut.bands, rows: size, cols: size, variance: cut.variance, psfs, positions, constraints: new Set(['positive', 'monotonic', 'symmetric'] as const), maxIter: Number(process.argv[4] ?? 50), eRel: 1e-3 } as DeblendInput;
  const r1 = deblend(input);
  const r2 = await deblendAsync(input, loaded.prior!);
  const d1 = summariseCandidate(r1, bands).deflector, d2 = summariseCandidate(r2, bands).deflector;
  const s1 = sc(d1 ? r1.sources[d1 - 1]!.model[gi]! : new Float64Array(size * size));
  const s2 = sc(d2 ? r2.sources[d2 - 1]!.model[gi]! : new Float64Array(size * size));
  res.base!.push([b.arcRecovered, b.lensResidual]); res.cons!.push([s1.arcRecovered, s1.lensResidual]); res.prior!.push([s2.arcRecovered, s2.lensResidual]);
  console.log(index, b.lensResidual.toFixed(2), s1.lensResidual.toFixed(2), s2.lensResidual.toFixed(2), '| arc', b.arcRecovered.toFixed(2), s1.arcRecovered.toFixed(2), s2.arcRecovered.toFixed(2));
}
for (const [k, v] of Object.entries(res)) console.log(k, 'arc', median(v.map((x) => x[0]!)).toFixed(3), 'resid', median(v.map((x) => x[1]!)).toFixed(3));
await loaded.dispose();
}
void main();
