// Scores real lenses with the bundled finder: the 14 HST quads of test/data/real-lenses/ (samana, MIT)
// and 6 real HST galaxies (GalSim, BSD-3) as non-lenses, each degraded to the LSST-like preset the
// finder was trained on (bench/lib/real-lens-stamps.ts), under several colour/brightness assumptions.
// Controls in the same run: simulator cutouts as the finder saw in training, and the same simulated
// lenses reduced to one band with the 'grey' colour (what one-band real data can give the finder).
//
//   npx tsx bench/real-lenses.ts [--model DIR] [--seed 1] [--sim 200] [--json]
//
// Prints a Markdown table (docs/real-skies.md holds a copy of one run) or JSON. Scores are reported as
// they come: nothing here is tuned on them.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadScorer } from '../src-main/scoring/scorer';
import { auroc } from '../src-core/metrics/roc';
import { simulateCutout } from '../src-core/lens/simulate';
import { getPreset, skyPerPixel } from '../src-core/lens/presets';
import { addNoise } from '../src-core/lens/noise';
import { Rng } from '../src-core/rng';
import type { Stamp } from '../src-core/stamps/stamp';
import { COLOURS, lensAbImage, nonLensAbImage, readManifest, toLsstStamp, type Variant } from './lib/real-lens-stamps';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, seed: { type: 'string', default: '1' }, sim: { type: 'string', default: '200' }, json: { type: 'boolean', default: false },
} });
const seed = Number(values.seed);
const nSim = Number(values.sim);
const modelDir = values.model ?? join(import.meta.dirname, '..', 'models', 'cmudeeplens-lsst');
const scorer = await loadScorer({ modelPath: modelDir });
if (scorer.model.kind === 'placeholder') throw new Error(`no network model loaded from ${modelDir}; scores would be the placeholder heuristic`);

const m = readManifest();
const variants: Variant[] = [];
for (const colour of Object.keys(COLOURS)) for (const dmag of [-1, 0, 1]) variants.push({ colour, dmag });
const vName = (v: Variant): string => `${v.colour}${v.dmag ? (v.dmag > 0 ? ` +${v.dmag}` : ` ${v.dmag}`) : ''} mag`;

const lensImgs = m.lenses.map(lensAbImage);
const nonImgs = m.nonLenses.map(nonLensAbImage);
// Total F814W AB magnitude inside each lens cutout (deflector + quasar images + arcs).
const abMag = (img: { planes: Record<string, Float64Array> }): number => -2.5 * Math.log10(img.planes.F814W!.reduce((a, b) => a + b, 0));
const lensMags = lensImgs.map(abMag);
// The GalSim galaxies are 2–6 mag fainter than the lenses; a brightness-matched copy of each, scaled to
// the lenses' median magnitude, asks whether the finder separates lenses from bright real galaxies.
const medMag = median(lensMags);
const matched = nonImgs.map((img) => {
  const k = 10 ** (-0.4 * (medMag - abMag(img)));
  return { ...img, planes: { F814W: img.planes.F814W!.map((x) => x * k) } };
});
const rows: Record<string, Record<string, number>> = {};
const aurocs: Record<string, number> = {};
for (const [vi, v] of variants.entries()) {
  const stamps = [...lensImgs, ...nonImgs].map((img, k) => toLsstStamp(img, v, seed, vi * 1000 + k));
  const s = await scorer.score(stamps);
  const labels = [...lensImgs.map(() => 1), ...nonImgs.map(() => 0)];
  aurocs[vName(v)] = auroc(labels, s);
  [...m.lenses.map((l) => l.id), ...m.nonLenses.map((n) => n.id)].forEach((id, k) => { (rows[id] ??= {})[vName(v)] = s[k]!; });
}
const matchedScores: Record<string, number[]> = {};
const matchedAuroc: Record<string, number> = {};
for (const [vi, v] of variants.filter((x) => x.dmag === 0).entries()) {
  const s = await scorer.score(matched.map((img, k) => toLsstStamp(img, v, seed, 5000 + vi * 100 + k)));
  matchedScores[vName(v)] = Array.from(s);
  const lensS = m.lenses.map((l) => rows[l.id]![vName(v)]!);
  matchedAuroc[vName(v)] = auroc([...lensS.map(() => 1), ...matched.map(() => 0)], [...lensS, ...s]);
}
// HE0435 has F555W too: per-pixel colours from the two HST bands (its quasar images stay blue).
const he = m.lenses.findIndex((l) => l.files.some((f) => f.filter === 'F555W'));
const twoBand: Record<string, number> = {};
if (he >= 0) {
  for (const dmag of [-1, 0, 1]) {
    const s = await scorer.score([toLsstStamp(lensImgs[he]!, { colour: 'two-band', dmag }, seed, 9000 + dmag)]);
    twoBand[vName({ colour: 'two-band', dmag })] = s[0]!;
  }
}

// Controls: simulator cutouts (native colours), and the same lenses/non-lenses rebuilt from the i band
// alone with grey colours and fresh noise (the information one HST band can carry).
const preset = getPreset('lsst');
const sims = Array.from({ length: nSim }, (_, i) => simulateCutout('lsst', seed + 100, i, { model: true }));
const simLabels = sims.map((c) => Number(c.truth.is_lens));
const native: Stamp[] = sims.map((c) => ({ width: 45, height: 45, bands: preset.defaultBands, planes: c.bands }));
const greyStamps: Stamp[] = sims.map((c, i) => {
  const iBand = preset.bands.i!;
  const model = c.model![preset.defaultBands.indexOf('i')]!;
  const rng = new Rng(seed + 100, i, 9);
  const planes = preset.defaultBands.map((band) => {
    const b = preset.bands[band]!;
    // e⁻(i) → AB flux → e⁻(band) at equal AB magnitude.
    const k = 10 ** (0.4 * (b.zeroPoint - iBand.zeroPoint)) * (b.nExp * b.tExp) / (iBand.nExp * iBand.tExp);
    const mod = Float64Array.from(model, (x) => x * k);
    const im = new Float32Array(45 * 45), va = new Float32Array(45 * 45);
    addNoise(mod, 45 * 45, { sky: skyPerPixel(b, preset.pixelScale), readVar: b.nExp * preset.readNoise ** 2, gaussianAbove: 1e4 }, rng, im, va);
    return im;
  });
  return { width: 45, height: 45, bands: preset.defaultBands, planes };
});
const sNative = await scorer.score(native);
const sGrey = await scorer.score(greyStamps);
const control = {
  n: nSim, lenses: simLabels.filter((x) => x).length,
  aurocNative: auroc(simLabels, sNative), aurocGreyFromI: auroc(simLabels, sGrey),
  medianLensScoreNative: median(sNative.filter((_, i) => simLabels[i])), medianLensScoreGrey: median(sGrey.filter((_, i) => simLabels[i])),
};
await scorer.dispose();

function median(a: ArrayLike<number>): number {
  const s = Array.from(a).sort((x, y) => x - y);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
}

if (values.json) {
  console.log(JSON.stringify({ model: scorer.model.name, runtime: scorer.runtime, seed, variants: variants.map(vName), lensMagF814W: Object.fromEntries(m.lenses.map((l, i) => [l.id, lensMags[i]])), scores: rows, auroc: aurocs, brightnessMatched: { magF814W: medMag, scores: matchedScores, auroc: matchedAuroc }, twoBandHE0435: twoBand, control }, null, 1));
} else {
  const names = variants.map(vName);
  const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));
  console.log(`model ${scorer.model.name} (${scorer.runtime}), noise seed ${seed}\n`);
  console.log(`| object | F814W (AB) | θE / r̄_img (″) | ${names.join(' | ')} |`);
  console.log(`|---|---|---|${names.map(() => '---').join('|')}|`);
  m.lenses.forEach((l, i) => console.log(`| ${l.name} (lens) | ${lensMags[i]!.toFixed(1)} | ${l.thetaELiterature ? l.thetaELiterature.value.toFixed(2) : '–'} / ${l.imageRadiusMean.toFixed(2)} | ${names.map((n) => f(rows[l.id]![n])).join(' | ')} |`));
  for (const n of m.nonLenses) console.log(`| ${n.id} (non-lens) | ${n.mag.toFixed(1)} | – | ${names.map((v) => f(rows[n.id]![v])).join(' | ')} |`);
  console.log(`| **AUROC** (${m.lenses.length} lenses vs ${m.nonLenses.length} galaxies) | | | ${names.map((n) => f(aurocs[n])).join(' | ')} |`);
  console.log(`\nnon-lenses brightness-matched to the lenses' median F814W ${medMag.toFixed(2)}: ` +
    Object.entries(matchedScores).map(([k, v]) => `${k}: scores ${v.map((x) => x.toFixed(3)).join(', ')} → AUROC ${f(matchedAuroc[k])}`).join('; '));
  console.log(`\nHE0435 with per-pixel colours from F555W + F814W: ${Object.entries(twoBand).map(([k, v]) => `${k}: ${f(v)}`).join(', ')}`);
  console.log(`\ncontrol (${control.n} simulator cutouts, seed ${seed + 100}, ${control.lenses} lenses): AUROC native colours ${f(control.aurocNative)}, ` +
    `i band only with grey colours ${f(control.aurocGreyFromI)}; median lens score ${f(control.medianLensScoreNative)} → ${f(control.medianLensScoreGrey)}`);
}
