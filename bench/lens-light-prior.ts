// Lens-light subtraction with and without the learned morphology prior (issue 14: "the learned prior must
// do better" than the RingFinder baseline), on LensDesk's simulated LSST lenses with known truth: the same
// positions as the app's Deblend job (candidatePositions), the deflector = the component at the centre,
// scored as src-core/deblend/lens-eval.ts does. Run: npx tsx bench/lens-light-prior.ts [N=12] [SEED=1] [maxIter=50]
import { lensLightSetting, median } from '../src-core/deblend/lens-eval';
import { deblend, deblendAsync, type DeblendInput, type DeblendResult } from '../src-core/deblend/solver';
import { candidatePositions, summariseCandidate } from '../src-core/deblend/candidate';
import { loadDeblendPrior } from '../src-main/deblend/learned-prior';

const n = Number(process.argv[2] ?? 12), seed = Number(process.argv[3] ?? 1), maxIter = Number(process.argv[4] ?? 50);

async function main(): Promise<void> {
  const { bands, gi, size, psfs, lensCase } = lensLightSetting('lsst');
  const loaded = await loadDeblendPrior('auto', { pixelScale: 0.2 });
  console.log(loaded.name, loaded.notes.join('; '));
  const res: Record<string, Array<[number, number]>> = { 'RingFinder g − α·i': [], 'constraints only': [], [`learned prior (${loaded.name})`]: [] };
  const deflectorG = (r: DeblendResult) => {
    const d = summariseCandidate(r, bands).deflector;
    return d ? r.sources[d - 1]!.model[gi]! : new Float64Array(size * size);
  };
  for (let index = 0; index < n; index++) {
    const c = lensCase(seed, index);
    const positions = candidatePositions(c.cut.bands, size, size, { variance: c.cut.variance });
    const input: DeblendInput = { images: c.cut.bands, rows: size, cols: size, variance: c.cut.variance, psfs, positions, constraints: new Set(['positive', 'monotonic', 'symmetric']), maxIter, eRel: 1e-3 };
    const rows = [c.baseline, c.score(deflectorG(deblend(input))), c.score(deflectorG(await deblendAsync(input, loaded.prior!)))];
    Object.values(res).forEach((v, k) => v.push([rows[k]!.arcRecovered, rows[k]!.lensResidual]));
    console.log(index, rows.map((r) => `arc ${r.arcRecovered.toFixed(2)} residual ${r.lensResidual.toFixed(2)}`).join(' | '));
  }
  for (const [k, v] of Object.entries(res)) console.log(`${k}: median arc flux recovered ${median(v.map((x) => x[0])).toFixed(3)}, residual lens light ${median(v.map((x) => x[1])).toFixed(3)}`);
  await loaded.dispose();
}
void main();
