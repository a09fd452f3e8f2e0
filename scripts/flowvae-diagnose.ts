// Diagnostic (issue 16): separates the VAE's reconstruction quality from the latent density's. Encodes
// noisy stamps of galaxies whose noiseless truth is known, decodes the posterior means and compares the
// adaptive moments of those reconstructions (and of latent-density samples, and of N(0, I) samples) with
// the truth's. Usage: npx tsx scripts/flowvae-diagnose.ts MODEL_DIR [N]
import { simulateStamps } from '../src-core/generative/sim-stamps';
import { compareMoments, measureSet } from '../src-core/generative/moments-compare';
import { ksTwoSample } from '../src-core/generative/moments';
import { zigguratNormal } from '../src-core/lens/ziggurat';
import { Rng } from '../src-core/rng';
import { loadFlowVae } from '../src-main/generative/load';

const dir = process.argv[2]!, n = Number(process.argv[3] ?? 1000);
const m = await loadFlowVae(dir, { threads: 1 });
const set = simulateStamps({ preset: 'lsst', size: 32, count: n, psfSize: 19, rng: new Rng(7, 41), keepTruth: true });
const truth = measureSet(set.truth!, n, 64, set.pixelScale / 2);
const row = (name: string, imgs: Float32Array) => {
  const c = compareMoments(measureSet(imgs, n, m.size, m.pixelScale), truth, ksTwoSample);
  const s = c.stats;
  console.log(`${name.padEnd(14)} σ ${s.sigma.meanModel.toFixed(3)}/${s.sigma.meanTruth.toFixed(3)} D ${s.sigma.ksD.toFixed(3)}  |e| ${s.e.meanModel.toFixed(3)}/${s.e.meanTruth.toFixed(3)} D ${s.e.ksD.toFixed(3)}  fail ${c.n.modelFailed}`);
};
const { mu } = await m.encode(set.stamps, new Float32Array(n).fill(set.sigma));
row('recon(mu)', await m.decode(mu, n));
row('density', await m.decode(m.sampleLatent(n, new Rng(3, 4)), n));
const r = new Rng(5, 5), z = new Float32Array(n * m.latentDim).map(() => zigguratNormal(r));
row('N(0,I)', await m.decode(z, n));
await m.dispose();
