// Deblender speed (issue 14 "Speed"): a 45 × 45 × 4 LSST-like stamp with 3 Sérsic sources,
// constraints only (positivity + monotonicity), and lens-light subtraction stamps/s on simulated
// lenses, and the same stamps with the learned morphology-flow prior (--prior auto; goal < 30 s).
// Run: npx tsx bench/deblend.ts. No peer: scarlet is not installed here.
import { deblend, deblendAsync, simulateBlend, deflectorSubtract } from '../src-core/deblend/index';
import { loadDeblendPrior } from '../src-main/deblend/learned-prior';
import { simulateCutout } from '../src-core/lens/simulate';

const reps = 3;
const times: number[] = [];
for (let s = 0; s < reps; s++) {
  const sim = simulateBlend(100 + s, { nSources: 3 });
  const t0 = performance.now();
  const r = deblend({ images: sim.images, rows: 45, cols: 45, variance: sim.variance, psfs: sim.psfs });
  times.push((performance.now() - t0) / 1000);
  console.log(`blend ${s}: ${r.sources.length} sources, ${r.iterations} iterations, ${times[s]!.toFixed(2)} s`);
}
times.sort((a, b) => a - b);
console.log(`deblend 45×45×4, 3 sources: median ${times[1]!.toFixed(2)} s per stamp (goal < 5 s)`);
const n = 8;
const cuts = Array.from({ length: n + 2 }, (_, i) => simulateCutout({ preset: 'lsst', lensFraction: 1 }, 9, i));
for (const c of cuts.slice(n)) deflectorSubtract(c.bands, 45, 45, { variance: c.variance }); // JIT warm-up
const t0 = performance.now(), c0 = process.cpuUsage();
let iterations = 0, neighbours = 0;
for (const c of cuts.slice(0, n)) {
  const r = deflectorSubtract(c.bands, 45, 45, { variance: c.variance });
  iterations += r.iterations;
  neighbours += r.neighbours.length;
}
const dt = (performance.now() - t0) / 1000, used = process.cpuUsage(c0), cpu = (used.user + used.system) / 1e6;
// CPU seconds too: on a shared machine wall time says more about the load than about the code.
console.log(`lens-light subtraction (deflector + ${(neighbours / n).toFixed(1)} neighbours on average, no PSF file, ${(iterations / n).toFixed(0)} iterations on average): ${(n / dt).toFixed(2)} stamps/s wall, ${(n / cpu).toFixed(2)} per CPU-second (goal ≥ 10)`);
const loaded = await loadDeblendPrior('auto', { pixelScale: 0.2 });
if (loaded.prior) {
  const tp: number[] = [];
  for (let s = 0; s < reps; s++) {
    const sim = simulateBlend(100 + s, { nSources: 3 });
    const t1 = performance.now();
    const r = await deblendAsync({ images: sim.images, rows: 45, cols: 45, variance: sim.variance, psfs: sim.psfs }, loaded.prior);
    tp.push((performance.now() - t1) / 1000);
    console.log(`blend ${s} with ${loaded.name}: ${r.sources.length} sources, ${r.iterations} iterations, ${tp[s]!.toFixed(2)} s`);
  }
  tp.sort((a, b) => a - b);
  console.log(`deblend 45×45×4, 3 sources, learned flow prior: median ${tp[1]!.toFixed(2)} s per stamp (goal < 30 s)`);
}
