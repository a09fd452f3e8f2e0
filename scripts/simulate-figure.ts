// Example montage for docs/simulate.md: simulated LSST cutouts (Lupton RGB from i, r, g), lenses in
// the top rows and one of each negative kind below, labelled by truth in the printed legend.
//   npx tsx scripts/simulate-figure.ts docs/img/simulate-examples.png
import { writeFileSync } from 'node:fs';
import { makeLuptonRgb } from '../src-core/image/lupton-rgb';
import { encodePng } from '../src-core/image/png';
import { simulateCutout } from '../src-core/lens/simulate';
import { NEGATIVE_KINDS } from '../src-core/lens/negatives';
import { PRESETS } from '../src-core/lens/presets';

const out = process.argv[2] ?? 'docs/img/simulate-examples.png';
const cols = 6, zoom = 3, n = 45, gap = 4;
const picks: { index: number; label: string }[] = [];
for (let i = 0, lenses = 0; lenses < 12; i++) {
  const c = simulateCutout('lsst', 2026, i);
  if (c.truth.is_lens === 1) { picks.push({ index: i, label: `lens θE=${Number(c.truth.theta_E).toFixed(2)} μ=${Number(c.truth.mu).toFixed(1)}` }); lenses++; }
}
for (const kind of NEGATIVE_KINDS) {
  for (let i = 0; ; i++) {
    const c = simulateCutout('lsst', 2026, i);
    // Show a ring bright enough to see (the prior goes down to r = 22.5 at 2.5″, nearly invisible).
    if (c.truth.kind === kind && (kind !== 'ring' || Number(c.truth.ring_rmag) < 21)) { picks.push({ index: i, label: kind }); break; }
  }
}
const rows = Math.ceil(picks.length / cols);
const W = cols * (n * zoom + gap), H = rows * (n * zoom + gap);
const data = new Uint8Array(W * H * 3).fill(255);
picks.forEach((p, k) => {
  const c = simulateCutout('lsst', 2026, p.index);
  const [g, r, i] = [c.bands[0], c.bands[1], c.bands[2]];
  // Balance the bands to equal AB flux (e⁻ per unit flux differ by zero point and exposure).
  const B = PRESETS.lsst.bands;
  const per = (b: 'g' | 'r' | 'i') => 10 ** (0.4 * B[b].zeroPoint) * B[b].nExp * B[b].tExp;
  const scales: [number, number, number] = [per('r') / per('i'), 1, per('r') / per('g')];
  const rgb = makeLuptonRgb(i, r, g, { stretch: 2e4, Q: 8, minimum: 0, scales });
  const ox = (k % cols) * (n * zoom + gap), oy = Math.floor(k / cols) * (n * zoom + gap);
  for (let y = 0; y < n * zoom; y++) for (let x = 0; x < n * zoom; x++) {
    const src = ((n - 1 - Math.floor(y / zoom)) * n + Math.floor(x / zoom)) * 3; // north up
    const dst = ((oy + y) * W + ox + x) * 3;
    data[dst] = rgb[src]; data[dst + 1] = rgb[src + 1]; data[dst + 2] = rgb[src + 2];
  }
  console.log(`row ${Math.floor(k / cols) + 1} col ${(k % cols) + 1}: index ${p.index} ${p.label}`);
});
writeFileSync(out, encodePng({ width: W, height: H, channels: 3, data }, { text: { Software: 'LensDesk simulate' } }));
console.log(`wrote ${out} (${W}×${H})`);
