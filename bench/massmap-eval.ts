// Mass-map quality on the shared κTNG maps and the lenspack catalogue with true κ (docs/massmap.md table):
// KS93, smoothed KS93 and the Wiener filter, RMSE and Pearson r to the truth, power ratios, peak counts,
// over several noise seeds.
//
//   npx tsx bench/massmap-eval.ts [--seeds 5]
//   npx tsx bench/massmap-eval.ts --coverage [--seeds 3] [--samples 20] [--crop 128]   (only the posterior-coverage table)
//
// --coverage: per-pixel coverage of the Wiener posterior (mean ± 1σ, ± 1.96σ) against the true κ on both κTNG
// maps: white noise (closed-form std) with the theory prior and with the spectrum fitted from the data
// (ps-fit.ts), and Poisson counts with masked empty pixels (std from --samples constrained realisations).
//
// κTNG: 360² at 0.29′ (jax-lensing's setting), shear from κ through the forward operator, n_gal = 30/arcmin²,
// σ_e = 0.26, fixed counts (white, closed-form Wiener) and Poisson counts (masked empty pixels,
// messenger field). Prior: shared/data/massmap/ktng_ps_theory.csv. Catalogue: lenspack 82,358 galaxies,
// its noise-free γ plus N(0, 0.26²) per component, 1′ pixels, truth = pixel mean of its κ column.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openFitsCatalog } from '../src-core/catalog/read';
import { readImage } from '../src-core/fits/image';
import { Rng } from '../src-core/rng';
import { evaluateOnMap, type EvalResult } from '../src-core/massmap/evaluate';
import { wienerCoverage, type CoverageResult } from '../src-core/massmap/coverage';
import { autoGrid, gridShear } from '../src-core/massmap/grid';
import { ARCMIN_RAD, gaussianSmooth, ks93, ksKernel } from '../src-core/massmap/ks93';
import { compareMaps, metricPixels } from '../src-core/massmap/metrics';
import { readShearCatalog } from '../src-core/massmap/shear-catalog';
import { modeVariance, parsePowerTable } from '../src-core/massmap/spectrum';
import { wienerFilter } from '../src-core/massmap/wiener';
import { openFitsFile } from '../src-main/fits/file-source';
import { SHARED_DIR } from '../test/shared';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' }, coverage: { type: 'boolean', default: false }, samples: { type: 'string', default: '20' }, crop: { type: 'string', default: '128' } } });
const seeds = Number(values.seeds);
const D = join(SHARED_DIR, 'data', 'massmap');
const table = parsePowerTable(readFileSync(join(D, 'ktng_ps_theory.csv'), 'utf8'));
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const f3 = (v: number) => v.toFixed(4);
const meanSd = (a: number[]) => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
  return `${f3(m)} ± ${f3(sd)}`;
};
const out: Record<string, unknown> = { date: new Date().toISOString(), seeds };

if (values.coverage) {
  const nSamples = Number(values.samples), cropSide = Number(values.crop);
  const pct = (a: number[]) => {
    const m = a.reduce((s, v) => s + v, 0) / a.length, sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
    return `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)} %`;
  };
  for (const name of ['ktng_kappa360v2', 'ktng_cosmos_kappa360']) {
    const file = openFitsFile(join(D, `${name}.fits`));
    const truth = Float64Array.from(readImage(file, file.hdu(0)).data as ArrayLike<number>);
    const P = modeVariance(ksKernel(360, 360, 0.29 * ARCMIN_RAD), table);
    // Sampled posteriors cost one messenger solve per draw: they run on the centre crop (--crop, default
    // 128², radix-2 FFTs) of the same map; the closed-form rows use the full 360².
    const c = cropSide, off = (360 - c) >> 1;
    const crop = Float64Array.from({ length: c * c }, (_, i) => truth[(off + Math.floor(i / c)) * 360 + off + (i % c)]!);
    const Pc = modeVariance(ksKernel(c, c, 0.29 * ARCMIN_RAD), table);
    for (const [label, poisson, prior, samples] of [['white, theory prior', false, 'table', 0], ['white, fitted prior', false, 'fit', 0], [`Poisson (masked), theory prior, ${nSamples} samples, ${c}² crop`, true, 'table', nSamples]] as const) {
      const rs: CoverageResult[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        rs.push(samples ? wienerCoverage(crop, c, c, Pc, { pixArcmin: 0.29, ngal: 30, sigmaE: 0.26, poisson, seed, samples, prior }) : wienerCoverage(truth, 360, 360, P, { pixArcmin: 0.29, ngal: 30, sigmaE: 0.26, poisson, seed, samples, prior }));
        log(name, label, `seed ${seed}: cov68 ${(100 * rs[seed]!.cov68).toFixed(1)} cov95 ${(100 * rs[seed]!.cov95).toFixed(1)} RMSE ${f3(rs[seed]!.rmse)}`);
      }
      const res = {
        rmse: meanSd(rs.map((r) => r.rmse)), pearson: meanSd(rs.map((r) => r.pearson)), cov68: pct(rs.map((r) => r.cov68)), cov95: pct(rs.map((r) => r.cov95)),
        expected: `${(100 * rs[0]!.expected68).toFixed(1)} / ${(100 * rs[0]!.expected95).toFixed(1)} %`, std: rs[0]!.stdKind, masked: meanSd(rs.map((r) => r.maskedFraction)),
      };
      out[`coverage/${name}/${label}`] = res;
      log(`  ${name} ${label}: RMSE ${res.rmse} r ${res.pearson} coverage 68: ${res.cov68} 95: ${res.cov95} (calibrated: ${res.expected})`);
    }
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

for (const name of ['ktng_kappa360v2', 'ktng_cosmos_kappa360']) {
  const file = openFitsFile(join(D, `${name}.fits`));
  const img = readImage(file, file.hdu(0));
  const truth = Float64Array.from(img.data as ArrayLike<number>);
  const k = ksKernel(360, 360, 0.29 * ARCMIN_RAD), P = modeVariance(k, table);
  for (const poisson of [false, true]) {
    const rs: EvalResult[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      rs.push(evaluateOnMap(truth, 360, 360, P, { pixArcmin: 0.29, ngal: 30, sigmaE: 0.26, poisson, smoothArcmin: 1, seed }));
    }
    const r0 = rs[0]!;
    const row = (key: 'ks' | 'ksSmoothed' | 'wiener') => ({
      rmse: meanSd(rs.map((r) => r[key].rmse)), pearson: meanSd(rs.map((r) => r[key].pearson)),
      peaks: meanSd(rs.map((r) => r[key].peaks)), powerRatio: r0[key].powerRatio.map((v) => Number(v.toPrecision(3))),
    });
    const res = {
      truthRms: r0.truthRms, noisePerPixel: r0.noisePerPixel, maskedFraction: meanSd(rs.map((r) => r.maskedFraction)), truePeaks: r0.truePeaks,
      wiener: `${r0.wiener.method}${r0.wiener.iterations ? `, ${r0.wiener.iterations} iterations` : ''}`, ell: r0.ell.map((v) => Math.round(v)),
      ks: row('ks'), ksSmoothed: row('ksSmoothed'), wienerScores: row('wiener'),
    };
    out[`${name}/${poisson ? 'poisson' : 'white'}`] = res;
    log(name, poisson ? 'poisson' : 'white', `κ rms ${f3(r0.truthRms)} σ_pix ${f3(r0.noisePerPixel)} masked ${res.maskedFraction} (${res.wiener})`);
    for (const [label, s] of [['KS93', res.ks], ['KS93 σ=1′', res.ksSmoothed], ['Wiener', res.wienerScores]] as const) {
      log(`  ${label.padEnd(10)} RMSE ${s.rmse}  r ${s.pearson}  peaks(S/N≥3) ${s.peaks} (truth ${r0.truePeaks})`);
    }
  }
}

// lenspack catalogue: noise-free γ per galaxy plus shape noise, several seeds.
{
  const path = join(D, 'lenspack_gal_cat.fits');
  const cat = await readShearCatalog(openFitsCatalog(openFitsFile(path), { skipInvalid: true }), { extra: ['kappa'] });
  const grid = autoGrid(cat.ra, cat.dec, { pixArcmin: 1 });
  const k = ksKernel(grid.rows, grid.cols, ARCMIN_RAD), P = modeVariance(k, table);
  const acc: Record<string, { rmse: number[]; r: number[] }> = { ks: { rmse: [], r: [] }, ksSmoothed: { rmse: [], r: [] }, wiener: { rmse: [], r: [] } };
  let info = '';
  for (let seed = 0; seed < seeds; seed++) {
    const rng = new Rng(seed, 82358);
    const e1 = cat.e1.map((v) => -v + 0.26 * rng.normal()), e2 = cat.e2.map((v) => v + 0.26 * rng.normal());
    // (−e1, +e2) is lenspack's sign on the east-left grid (grid.ts; tested in shear-catalog.test.ts).
    const gs = gridShear(grid, { ra: cat.ra, dec: cat.dec, e1, e2, extra: [cat.extra.kappa!] }, { sigmaE: 0.26, e1Sign: 1, e2Sign: 1 });
    const truth = gs.extra[0]!;
    const sel = metricPixels(grid.rows, grid.cols, { mask: gs.mask, margin: 3, truth });
    const ks = ks93(k, gs.g1, gs.g2).kE;
    const w = wienerFilter(k, gs.g1, gs.g2, { modeVariance: P, variance: gs.variance });
    info = `${grid.rows}² at 1′, masked ${(1 - gs.mask.reduce((s, v) => s + v, 0) / gs.mask.length).toFixed(3)}, Wiener ${w.method} ${w.iterations} it`;
    for (const [key, m] of [['ks', ks], ['ksSmoothed', gaussianSmooth(k, ARCMIN_RAD, ks).a], ['wiener', w.kappa]] as const) {
      const c = compareMaps(m, truth, sel);
      acc[key]!.rmse.push(c.rmse);
      acc[key]!.r.push(c.pearson);
    }
  }
  const res = Object.fromEntries(Object.entries(acc).map(([key, v]) => [key, { rmse: meanSd(v.rmse), pearson: meanSd(v.r) }]));
  out.lenspack = { info, ...res };
  log('lenspack catalogue', info);
  for (const [key, v] of Object.entries(res)) log(`  ${key.padEnd(10)} RMSE ${v.rmse}  r ${v.pearson}`);
}
console.log(JSON.stringify(out));
