import { readFlowVaeModel } from './src-main/generative/model-files';
import { makeDecoderNet, decoderForward, makeDecoderCache } from './src-core/generative/decoder-net';
import { galaxyPosteriorDensity } from './src-core/generative/galaxy-likelihood';
import { sampleGalaxyPosterior } from './src-core/generative/galaxy-posterior';
import { gaussianPsf, observe } from './src-core/generative/observe';
import { createVaeCoder } from './src-main/generative/vae-engine';
import { Rng } from './src-core/rng';
const dir = 'models/generative/flowvae-lsst-32';
const { card, weights, density } = readFlowVaeModel(dir);
const net = makeDecoderNet(card.config, weights);
const coder = await createVaeCoder(card.config, weights, { threads: 1 });
const psf = gaussianPsf(7.3, 19);
const method = (process.argv[2] ?? 'nuts') as 'nuts'|'vi';
for (let trial = 0; trial < Number(process.argv[3] ?? 3); trial++) {
  const rng = new Rng(42, trial);
  const zt = density.sample(rng);
  const g = decoderForward(net, zt, makeDecoderCache(net));
  const clean = observe(g, 64, psf, 19);
  const sig = 457.46 / 12300;
  const x = Float64Array.from(clean, (v) => v + sig * rng.normal());
  const w = new Float64Array(1024).fill(1 / sig ** 2);
  const enc = await coder.encode(Float32Array.from(x), Float32Array.of(Math.log(sig)));
  const post = galaxyPosteriorDensity(net, density, { x, w, psf, psfSize: 19 });
  const t = performance.now();
  const r = sampleGalaxyPosterior(post, { method, samples: Number(process.argv[5] ?? 100), chains: 2, warmup: Number(process.argv[4] ?? 100), seed: 1, init: Float64Array.from(enc.mu), initSd: Float64Array.from(enc.logvar, (l) => Math.exp(0.5 * l)) });
  const secs = (performance.now() - t) / 1000;
  const L = 16; let in68 = 0, in95 = 0; const zs: string[] = [];
  for (let k = 0; k < L; k++) {
    const col = Array.from({ length: r.n }, (_, i) => r.z[i * L + k]!).sort((a, b) => a - b);
    const q = (p: number) => col[Math.min(col.length - 1, Math.floor(p * col.length))]!;
    if (zt[k]! >= q(0.16) && zt[k]! <= q(0.84)) in68++;
    if (zt[k]! >= q(0.025) && zt[k]! <= q(0.975)) in95++;
    const m = col.reduce((a, b) => a + b) / col.length, sd = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / (col.length - 1));
    zs.push(((zt[k]! - m) / sd).toFixed(1));
  }
  const d = r.diagnostics;
  console.log(method, 'trial', trial, 'secs', secs.toFixed(1), 'in68', in68, 'in95', in95, 'rhat', d.rhatMax.toFixed(3), 'ess', d.essBulkMin.toFixed(0), 'div', d.divergences, 'steps', d.stepSize.map((s) => s.toFixed(2)), 'evals', d.gradientEvals, 'depth', r.chains.map(c => Array.from(c.stats.treeDepth).reduce((a,b)=>a+b,0)/c.nSamples), 'elbo', d.elbo, 'map', JSON.stringify(d.map), 'z', zs.join(' '));
}
await coder.dispose();
