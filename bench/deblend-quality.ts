// Quality table of docs/deblend.md: simulated 2–4-galaxy blends (known truth, LSST-like noise) and
// lens-light subtraction on simulated lenses. Run: npx tsx bench/deblend-quality.ts [blends] [lenses]
import { deblend, simulateBlend, evaluateLensLight, type ConstraintName } from '../src-core/deblend/index';

const nBlends = Number(process.argv[2] ?? 10), nLenses = Number(process.argv[3] ?? 8);
const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : 0.5 * (s[s.length / 2 - 1]! + s[s.length / 2]!); };
for (const cons of [['positive', 'monotonic'], ['positive', 'monotonic', 'symmetric']] as ConstraintName[][]) {
  const fluxErr: number[] = [], morph: number[] = [];
  let missed = 0;
  for (let s = 0; s < nBlends; s++) {
    const sim = simulateBlend(200 + s);
    const r = deblend({ images: sim.images, rows: 45, cols: 45, variance: sim.variance, psfs: sim.psfs, constraints: new Set(cons) });
    for (const t of sim.truth) {
      // The nearest deblended source within 2 px, else counted as missed.
      const m = r.sources.reduce<(typeof r.sources)[number] | null>((a, x) => (Math.hypot(x.x - t.x, x.y - t.y) < 2 && (!a || Math.hypot(x.x - t.x, x.y - t.y) < Math.hypot(a.x - t.x, a.y - t.y)) ? x : a), null);
      if (!m) { missed++; continue; }
      t.flux.forEach((f, b) => fluxErr.push(Math.abs(m.flux[b]! / f - 1)));
      let d = 0, tot = 0;
      t.image.forEach((img, b) => img.forEach((v, i) => { d += Math.abs(m.model[b]![i]! - v); tot += v; }));
      morph.push(d / tot);
    }
  }
  console.log(`${cons.join('+')}: ${nBlends} blends, missed ${missed}; median |flux error| ${(100 * med(fluxErr)).toFixed(1)} %, median morphology residual Σ|model−truth|/Σtruth ${(100 * med(morph)).toFixed(1)} %`);
}
const rows = evaluateLensLight(1, nLenses);
const m = (f: (r: (typeof rows)[number]) => number) => med(rows.map(f)).toFixed(3);
console.log(`lens light (${nLenses} LSST lenses, band g): baseline g−α·i arc recovered ${m((r) => r.baseline.arcRecovered)}, residual ${m((r) => r.baseline.lensResidual)}; deflector-as-one-source arc recovered ${m((r) => r.deblender.arcRecovered)}, residual ${m((r) => r.deblender.lensResidual)}`);
