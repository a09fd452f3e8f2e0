// Quality table of docs/learned-priors.md ("Learned prior: quality"): deconvolution of held-out simulated
// galaxies (the training set's Sérsic + clumps model, a different seed) at an LSST-like setting, restored
// with Wiener (exact Gaussian posterior, data spectrum), TV and ℓ1-starlet (MAP by FISTA; λ picked per
// run from a small grid by the best mean PSNR — an oracle choice that favours the classic priors) and
// the learned score prior (annealed Langevin, src-main/restore/learned.ts). PSNR/SSIM (mean ± sd over
// the images; src-core/metrics/image-quality.ts), per-pixel 68/95 % coverage and the z histogram for
// the priors with a posterior std, and seconds per image (one thread; the machine is shared).
// Setting ("LSST-like"): 0.2″ pixels, Gaussian PSF FWHM 0.7″ (3.5 px, median LSST seeing), white noise
// σ_n = 0.02 × the galaxy's intrinsic (pre-PSF) peak, i.e. a peak S/N of 50 — a galaxy whose central
// surface brightness is ≈ 22.6 mag/arcsec² in the 10-year i-band coadd (5σ point-source depth 26.8).
// Run: npx tsx bench/restore-quality.ts [--n 20] [--chains 8] [--model DIR] [--noise 0.02] [--levels L]
//      [--steps T] [--sigma-max S] [--start wiener|noise] [--oracle-scale] [--priors wiener,tv,l1,learned]
//      [--first I] [--size S (default: the model's grid, else 64)] [--json OUT.json]; runs split by --first/--n (images) and --priors are joined by
//      npx tsx bench/restore-quality.ts --merge a.json,b.json,… (same setting; per-image rows concatenated)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { convolutionOperator, gaussianPsf } from '../src-core/inverse/operators/convolution';
import { coverageStats, psnr, ssim } from '../src-core/metrics/image-quality';
import { Rng } from '../src-core/rng';
import { drawGalaxy } from '../src-core/score/galaxies';
import { restoreLearnedBands, type LearnedOptions } from '../src-main/restore/learned';
import { restoreBand, type BandProblem } from '../src-main/restore/solve';
import { bundledScorePrior } from '../src-main/score/bundled-prior';

const { values: a } = parseArgs({
  options: {
    n: { type: 'string', default: '20' }, chains: { type: 'string', default: '8' }, model: { type: 'string' }, noise: { type: 'string', default: '0.02' },
    fwhm: { type: 'string', default: '0.7' }, scale: { type: 'string', default: '0.2' }, seed: { type: 'string', default: '20261207' },
    levels: { type: 'string' }, steps: { type: 'string' }, 'sigma-max': { type: 'string' }, 'sigma-min-ratio': { type: 'string' }, start: { type: 'string' },
    'oracle-scale': { type: 'boolean', default: false }, 'no-tweedie': { type: 'boolean', default: false },
    size: { type: 'string' }, priors: { type: 'string', default: 'wiener,tv,l1,learned' }, grid: { type: 'boolean', default: false }, merge: { type: 'string' }, json: { type: 'string' }, first: { type: 'string', default: '0' },
  },
});
interface Cov { pixels: number; c68: number; c95: number; zSum: number; z2Sum: number; counts: number[]; p68?: number; p95?: number; samples?: number; zStdExpected?: number }
interface Row { prior: string; detail: string; psnr: number[]; ssim: number[]; seconds: number; cov?: Cov; core?: Cov }
const avg = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + (x - avg(v)) ** 2, 0) / Math.max(1, v.length - 1));

/** Image side: --size, else the model's grid (card.json), else 64. */
const N = Number(a.size ?? (a.model && existsSync(`${a.model}/card.json`) ? (JSON.parse(readFileSync(`${a.model}/card.json`, 'utf8')) as { config: { size: number } }).config.size : 64));

function report(rows: Row[]): void {
  const n = rows[0]!.psnr.length;
  console.log(`restore quality: ${n} held-out ${N}² galaxies (seed ${a.seed}), PSF FWHM ${a.fwhm}″ = ${(Number(a.fwhm) / Number(a.scale)).toFixed(2)} px at ${a.scale}″/px, σ_n = ${a.noise} × intrinsic peak, ${a.chains} posterior samples`);
  console.log('| prior | PSNR (dB) | SSIM | 68 % cov. | 95 % cov. | z mean ± sd | s/image | setting |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const c = r.cov, zm = c ? c.zSum / c.pixels : 0, zs = c ? Math.sqrt(c.z2Sum / c.pixels - zm * zm) : 0;
    console.log(`| ${r.prior} | ${avg(r.psnr).toFixed(2)} ± ${sd(r.psnr).toFixed(2)} | ${avg(r.ssim).toFixed(3)} ± ${sd(r.ssim).toFixed(3)} | ${c ? (100 * c.c68 / c.pixels).toFixed(1) + ' %' : '–'} | ${c ? (100 * c.c95 / c.pixels).toFixed(1) + ' %' : '–'} | ${c ? `${zm.toFixed(2)} ± ${zs.toFixed(2)}` : '–'} | ${r.seconds.toFixed(2)} | ${r.detail} |`);
  }
  const pc = (c: Cov) => `${(100 * c.p68! / c.pixels).toFixed(1)} % / ${(100 * c.p95! / c.pixels).toFixed(1)} %`;
  const zs = (c: Cov) => { const m = c.zSum / c.pixels; return `${m.toFixed(2)} ± ${Math.sqrt(c.z2Sum / c.pixels - m * m).toFixed(2)}`; };
  for (const r of rows.filter((x) => x.cov?.p68 !== undefined)) {
    console.log(`${r.prior}: ${r.cov!.samples}-sample prediction intervals (calibrated → 68.3 % / 95 %; Student t, image-quality.ts): all pixels ${pc(r.cov!)}, z ${zs(r.cov!)} (calibrated sd ${r.cov!.zStdExpected!.toFixed(2)})` +
      (r.core ? `; galaxy pixels (truth > 10 % of peak, ${r.core.pixels}) ${pc(r.core)}, z ${zs(r.core)}` : ''));
  }
  for (const r of rows.filter((x) => x.cov)) console.log(`z histogram ${r.prior} (bins of 0.5 on −5…5, ends include the tails): ${r.cov!.counts.join(' ')}`);
  const best = rows.filter((r) => ['wiener', 'tv', 'l1'].includes(r.prior)).sort((x, y) => avg(y.psnr) - avg(x.psnr))[0];
  const learned = rows.find((r) => r.prior === 'learned');
  if (best && learned && best.psnr.length === learned.psnr.length) {
    const d = learned.psnr.map((v, i) => v - best.psnr[i]!);
    console.log(`learned − best classic (${best.prior}): ${avg(d).toFixed(2)} ± ${(sd(d) / Math.sqrt(d.length)).toFixed(2)} dB (paired, ± standard error); wins on ${d.filter((x) => x > 0).length}/${d.length} images`);
  }
}

if (a.merge) {
  // Parts are joined in the order given (give image chunks in order, so the paired difference pairs images).
  const joined = new Map<string, Row>();
  for (const f of a.merge.split(',')) for (const r of (JSON.parse(readFileSync(f, 'utf8')) as { rows: Row[] }).rows) {
    const j = joined.get(r.prior);
    if (!j) { joined.set(r.prior, { ...r, seconds: r.seconds * r.psnr.length }); continue; }
    j.seconds += r.seconds * r.psnr.length;
    j.psnr.push(...r.psnr); j.ssim.push(...r.ssim);
    for (const key of ['cov', 'core'] as const) {
      const jc = j[key], rc = r[key];
      if (!jc || !rc) continue;
      for (const k of ['pixels', 'c68', 'c95', 'zSum', 'z2Sum', 'p68', 'p95'] as const) if (jc[k] !== undefined) jc[k] = jc[k]! + rc[k]!;
      jc.counts = jc.counts.map((v, i) => v + rc.counts[i]!);
    }
  }
  report([...joined.values()].map((r) => ({ ...r, seconds: r.seconds / r.psnr.length })));
  process.exit(0);
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const nImg = Number(a.n), chains = Number(a.chains), sigmaN = Number(a.noise), fwhmPx = Number(a.fwhm) / Number(a.scale);
const priors = a.priors!.split(',');

/** The newest snapshot of the running training (/work/prior-snap/sN), else the bundled prior. */
function defaultModel(): string | null {
  const snap = '/work/prior-snap';
  if (existsSync(snap)) {
    const s = readdirSync(snap).filter((d) => /^s\d+$/.test(d)).sort((x, y) => Number(y.slice(1)) - Number(x.slice(1)));
    if (s.length) return `${snap}/${s[0]}`;
  }
  return bundledScorePrior();
}
const model = a.model ?? (priors.includes('learned') ? defaultModel() : null);
if (priors.includes('learned') && !model) throw new Error('no score prior: pass --model DIR (a `lensdesk prior train` folder)');

// Held-out truths: the training set's model (drawGalaxy) with another seed; training used seed 1.
const psf = gaussianPsf(fwhmPx), conv = convolutionOperator({ bands: 1, rows: N, cols: N, psfs: [psf], boundary: 'periodic' });
const first = Number(a.first);
const truths: Float64Array[] = [], problems: BandProblem[] = [];
for (let i = first; i < first + nImg; i++) {
  const t = new Float64Array(N * N);
  drawGalaxy(new Rng(Number(a.seed), i), N, t);
  const noise = new Rng(Number(a.seed), i, 7);
  const y = conv.apply(t).map((v) => v + sigmaN * noise.normal());
  truths.push(t);
  problems.push({ rows: N, cols: N, y, noiseVariance: sigmaN * sigmaN, psf });
}

const rows: Row[] = [];
const score = (prior: string, detail: string, means: Float64Array[], seconds: number, stds?: Float64Array[]): Row => ({
  prior, detail, seconds: seconds / nImg,
  psnr: means.map((m, i) => psnr(truths[i]!, m)), ssim: means.map((m, i) => ssim(truths[i]!, m, N, N)),
  ...(stds ? {
    cov: covOf(coverageStats(means.map((m, i) => ({ truth: truths[i]!, mean: m, std: stds[i]! })), 20, { samples: chains })),
    core: covOf(coverageStats(means.map((m, i) => galaxyPixels(truths[i]!, m, stds[i]!)), 20, { samples: chains })),
  } : {}),
});
/** Only the pixels where the truth exceeds 10 % of its peak (the galaxy, where a prior matters most). */
function galaxyPixels(t: Float64Array, m: Float64Array, s: Float64Array) {
  const top = t.reduce((x, v) => Math.max(x, v), 0), keep = [...t.keys()].filter((i) => t[i]! > 0.1 * top);
  return { truth: keep.map((i) => t[i]!), mean: keep.map((i) => m[i]!), std: keep.map((i) => s[i]!) };
}
function covOf(c: ReturnType<typeof coverageStats>): Cov {
  return {
    pixels: c.pixels, c68: c.coverage68 * c.pixels, c95: c.coverage95 * c.pixels, zSum: c.zMean * c.pixels, z2Sum: (c.zStd ** 2 + c.zMean ** 2) * c.pixels, counts: c.histogram.counts,
    ...(c.predictive ? { p68: c.predictive.coverage68 * c.pixels, p95: c.predictive.coverage95 * c.pixels, samples: c.predictive.samples, zStdExpected: c.predictive.zStdExpected } : {}),
  };
}
const timed = <T>(f: () => T): [T, number] => { const t = performance.now(); const r = f(); return [r, (performance.now() - t) / 1000]; };

rows.push(score('none', 'blurred, noisy data', problems.map((p) => p.y), 0));
if (priors.includes('wiener')) {
  const [r, s] = timed(() => problems.map((p, i) => restoreBand('deconvolve', 'wiener', p, { samples: chains, rng: new Rng(5, i) })));
  rows.push(score('wiener', 'exact Gaussian posterior, data spectrum', r.map((x) => x.mean), s, r.map((x) => x.std!)));
}
for (const [prior, grid] of [['tv', a.grid ? [0.5, 1].map((k) => k / sigmaN) : [0.5 / sigmaN]], ['l1', a.grid ? [2, 3] : [2]]] as const) {
  if (!priors.includes(prior)) continue;
  let best: Row | undefined;
  for (const lambda of grid) {
    const [r, s] = timed(() => problems.map((p, i) => restoreBand('deconvolve', prior, p, { samples: 0, rng: new Rng(5, i), lambda, maxIter: 100 })));
    const row = score(prior, `MAP by FISTA, λ = ${lambda.toPrecision(3)} (best of ${grid.length})`, r.map((x) => x.mean), s);
    console.error(`${prior} λ=${lambda}: PSNR ${avg(row.psnr).toFixed(2)}`);
    if (!best || avg(row.psnr) > avg(best.psnr)) best = row;
  }
  rows.push(best!);
}
if (priors.includes('learned')) {
  const o: LearnedOptions = {
    samples: chains, rng: new Rng(6), threads: 1, levels: num(a.levels), stepsPerLevel: num(a.steps), sigmaMax: num(a['sigma-max']),
    sigmaMinRatio: num(a['sigma-min-ratio']), start: a.start as LearnedOptions['start'], tweedie: !a['no-tweedie'],
  };
  const means: Float64Array[] = [], stds: Float64Array[] = [];
  let method = '', secs = 0;
  for (const [i, p] of problems.entries()) {
    const t = performance.now();
    const [r] = await restoreLearnedBands(model!, 'deconvolve', [p], { ...o, ...(a['oracle-scale'] ? { scale: truths[i]!.reduce((m, v) => Math.max(m, v), 0) } : {}) });
    secs += (performance.now() - t) / 1000;
    means.push(r!.mean); stds.push(r!.std!); method = r!.method;
    if (a.json) { // partial results survive a timeout: every row cut to the images done so far
      const k = means.length, cut = (x: Row): Row => ({ ...x, psnr: x.psnr.slice(0, k), ssim: x.ssim.slice(0, k) });
      const part = score('learned', method, means, secs * nImg / k, stds);
      writeFileSync(a.json, JSON.stringify({ args: a, partial: `${k}/${nImg}`, rows: [...rows.filter((x) => !x.cov).map(cut), { ...part, psnr: part.psnr.slice(0, k), ssim: part.ssim.slice(0, k) }] }, null, 1));
    }
    console.error(`learned ${i + 1}/${nImg}: PSNR ${psnr(truths[i]!, r!.mean).toFixed(2)} (${((performance.now() - t) / 1000).toFixed(1)} s) ${r!.notes.join("; ")}`);
  }
  rows.push(score('learned', `${method}; ${model}${a['oracle-scale'] ? '; oracle scale' : ''}`, means, secs, stds));
}

if (a.json) writeFileSync(a.json, JSON.stringify({ args: a, rows }, null, 1));
report(rows);
