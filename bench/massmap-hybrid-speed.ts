// Hybrid-prior sampling cost on a side × side field (issue 15's speed goal: 100 posterior samples on 360² within
// 10 min on 2 cores). The machine this runs on is often shared, so besides wall time it reports the process's
// CPU time (user + system, process.cpuUsage) and the load average: CPU seconds per sample are what carry over
// to an idle machine; the 100-sample figure is extrapolated linearly (samples are independent, the cost is one
// network call per level and sample, plus the Gibbs sweeps for masked grids).
//
//   npx tsx bench/massmap-hybrid-speed.ts [--side 360] [--samples 4] [--threads 1] [--sampler auto] [--levels L]
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { sampleHybrid, type HybridSampler } from '../src-core/massmap/hybrid';
import { cropMap } from '../src-core/massmap/kappa-fields';
import { ARCMIN_RAD, ksKernel } from '../src-core/massmap/ks93';
import { simulateShearOnMap } from '../src-core/massmap/simulate-shear';
import { modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { openFitsFile } from '../src-main/fits/file-source';
import { readScoreModel } from '../src-main/score/model-files';
import { unetBatchScore } from '../src-main/score/unet-engine';
import { createKappaResidualScorer } from '../src-main/score/kappa-training';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({
  options: {
    side: { type: 'string', default: '360' }, samples: { type: 'string', default: '4' }, threads: { type: 'string', default: '1' },
    sampler: { type: 'string', default: 'auto' }, levels: { type: 'string' }, prior: { type: 'string', default: 'models/priors/kappa-hybrid' },
  },
});
const S = Number(values.side), B = Number(values.samples), n = S * S, pix = 0.29;
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const file = openFitsFile(join(D, 'ktng_cosmos_kappa360.fits'));
const map = Float64Array.from(readImage(file, file.hdu(0)).data as ArrayLike<number>);
const crop = new Float64Array(n);
cropMap(map, 360, 360, S, 0, 0, 0, crop);
const { shear: { g1, g2, variance: noiseVariance } } = simulateShearOnMap(crop, S, S, { pixArcmin: pix, ngal: 30, sigmaE: 0.26, poisson: false, seed: 1 });
const k = ksKernel(S, S, pix * ARCMIN_RAD), P = modeVariance(k, table);
const model = readScoreModel(values.prior!);
const scorer = await createKappaResidualScorer(model, S, Number(values.threads));
const load0 = loadavg(), c0 = process.cpuUsage(), t0 = performance.now();
const h = await sampleHybrid({
  kernel: k, g1, g2, variance: noiseVariance, modeVariance: P, residual: unetBatchScore(scorer, S, 8), chains: B, rng: new Rng(1, 2),
  sampler: values.sampler as HybridSampler, levels: values.levels ? Number(values.levels) : undefined,
});
const wall = (performance.now() - t0) / 1000, cu = process.cpuUsage(c0), cpu = (cu.user + cu.system) / 1e6, load1 = loadavg();
await scorer.dispose();
const out = {
  side: S, samples: h.samples.length, sampler: h.sampler, levels: h.sigmas.length, networkCalls: h.scoreEvaluations, threads: Number(values.threads),
  wallSeconds: +wall.toFixed(1), cpuSeconds: +cpu.toFixed(1), cpuSecondsPerSample: +(cpu / h.samples.length).toFixed(2),
  cpuMinutesFor100Samples: +((100 * cpu) / h.samples.length / 60).toFixed(1), loadAverage1minStartEnd: [+load0[0]!.toFixed(1), +load1[0]!.toFixed(1)],
};
console.log(JSON.stringify(out));
