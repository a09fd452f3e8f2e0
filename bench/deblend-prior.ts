// Learned morphology prior vs constraints only (issue 14 quality goal) on simulated 2–4-galaxy blends
// (src-core/deblend/sim-blend.ts: known truth, LSST 10-year noise and seeing), sources at their true
// positions (a catalog) so both runs deblend the same sources. Per source: |flux error| per band
// (model flux / true − 1) and the morphology residual Σ|model − truth| / Σ truth over all bands.
// Run: npx tsx bench/deblend-prior.ts [blends=12] [priorDir=bundled] [sigmaStart sigmaEnd weight anneal]
import { deblend, deblendAsync, simulateBlend, type DeblendResult } from '../src-core/deblend/index';
import { loadDeblendPrior } from '../src-main/deblend/learned-prior';

const nBlends = Number(process.argv[2] ?? 12);
const priorSpec = process.argv[3] ?? 'score'; // 'auto' is now the flow prior (bench/deblend-flow-prior.ts)
const keep = process.env.KEEP_CONSTRAINTS === '1';
const [s0, s1, w, anneal] = [4, 5, 6, 7].map((i) => (process.argv[i] !== undefined ? Number(process.argv[i]) : undefined));
const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : 0.5 * (s[s.length / 2 - 1]! + s[s.length / 2]!); };

const loaded = await loadDeblendPrior(priorSpec, { threads: 1, window: { sigmaStart: s0, sigmaEnd: s1, weight: w, anneal, keepConstraints: keep } });
if (!loaded.prior) { console.error(`no learned prior (${loaded.notes.join('; ')}); give a prior folder`); process.exit(2); }
console.log(`prior ${loaded.name}; σ ${s0 ?? 'default'} → ${s1 ?? 'default'}, weight ${w ?? 'default'}, anneal ${anneal ?? 'default'}, constraints kept: ${keep}`);
const stats = { none: { flux: [] as number[], morph: [] as number[], secs: 0 }, prior: { flux: [] as number[], morph: [] as number[], secs: 0 } };
const perBlend: string[] = [];
for (let s = 0; s < nBlends; s++) {
  const sim = simulateBlend(300 + s);
  const inp = { images: sim.images, rows: sim.rows, cols: sim.cols, variance: sim.variance, psfs: sim.psfs, positions: sim.truth.map((t) => ({ x: t.x, y: t.y })), maxIter: 200 };
  const line: string[] = [`blend ${s} (${sim.truth.length} src)`];
  for (const mode of ['none', 'prior'] as const) {
    const t0 = performance.now();
    const r: DeblendResult = mode === 'none' ? deblend(inp) : await deblendAsync(inp, loaded.prior);
    stats[mode].secs += (performance.now() - t0) / 1000;
    const m: number[] = [];
    sim.truth.forEach((t, k) => {
      const src = r.sources[k]!;
      t.flux.forEach((f, b) => stats[mode].flux.push(Math.abs(src.flux[b]! / f - 1)));
      let d = 0, tot = 0;
      t.image.forEach((img, b) => img.forEach((v, i) => { d += Math.abs(src.model[b]![i]! - v); tot += v; }));
      stats[mode].morph.push(d / tot);
      m.push(d / tot);
    });
    line.push(`${mode}: morph ${m.map((x) => (100 * x).toFixed(1)).join('/')} % χ² ${r.chi2PerPixel.toFixed(2)} it ${r.iterations}`);
  }
  perBlend.push(line.join('  '));
}
await loaded.dispose();
for (const l of perBlend) console.log(l);
for (const mode of ['none', 'prior'] as const) {
  const st = stats[mode];
  console.log(`${mode === 'none' ? 'constraints only (monotonic)' : 'learned prior'}: ${st.morph.length} sources; median |flux error| ${(100 * med(st.flux)).toFixed(2)} %, median morphology residual ${(100 * med(st.morph)).toFixed(2)} %, ${(st.secs / nBlends).toFixed(2)} s/blend`);
}
const red = 1 - med(stats.prior.morph) / med(stats.none.morph);
console.log(`median morphology residual reduction with the prior: ${(100 * red).toFixed(1)} % (goal ≥ 30 %); flux error ratio prior/none ${(med(stats.prior.flux) / med(stats.none.flux)).toFixed(3)} (goal ≤ 1)`);
