// Times one lens-likelihood evaluation (templates + 2-column NNLS) and one finite-difference gradient.
import { LensModel } from '../src-core/infer/lens-model';
import { LensPosterior, toUnconstrained } from '../src-core/infer/lens-posterior';
import { syntheticLens } from '../src-core/infer/lens-synthetic';

const s = syntheticLens({ seed: 1 });
const m = new LensModel(s.cutout);
const post = new LensPosterior(m);
const u = new Float64Array(12);
toUnconstrained(s.truth, u);
const g = new Float64Array(12);
for (let i = 0; i < 20; i++) m.solve(s.truth);
let t0 = performance.now();
const n = 200;
for (let i = 0; i < n; i++) m.solve(s.truth);
const evalMs = (performance.now() - t0) / n;
t0 = performance.now();
for (let i = 0; i < 20; i++) post.logDensityAndGrad(u, g);
const gradMs = (performance.now() - t0) / 20;
console.log(JSON.stringify({ grid: m.grid.n, side: m.grid.side, evalMs: +evalMs.toFixed(3), gradMs: +gradMs.toFixed(2), chi2Truth: +m.solve(s.truth).chi2.toFixed(1), npix: m.npix * 4 }));
