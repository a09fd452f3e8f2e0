import { lens12FromInput } from '../src-core/infer/lens-fit';
import { LensGradient } from '../src-core/infer/lens-gradient';
import { simulatedLens } from '../test/infer/lens-simulated';
import { simulateCutout } from '../src-core/lens/simulate';
let i = 0;
while (simulateCutout('lsst', 1, i).truth.is_lens !== 1) i++;
const s = simulatedLens({ preset: 'lsst' }, 1, i, 'simulator');
const model = lens12FromInput(s.input);
const g = new Float64Array(12);
const lg = new LensGradient(model);
const t = s.truth;
console.log('grid subpixels', (model.grid as any).n ?? Object.keys(model.grid), 'npix', model.npix);
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now(); for (let k = 0; k < 50; k++) model.solve(t); const e = (performance.now() - t0) / 50;
  t0 = performance.now(); for (let k = 0; k < 50; k++) lg.chi2AndGradient(t, g); const gr = (performance.now() - t0) / 50;
  console.log('eval ms', e.toFixed(2), 'grad ms', gr.toFixed(2));
}
if (process.argv[2] === 'prof') { const t0 = performance.now(); while (performance.now() - t0 < 8000) lg.chi2AndGradient(t, g); }
