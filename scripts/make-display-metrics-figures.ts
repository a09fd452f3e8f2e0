// Regenerates the figures in docs/display.md and docs/metrics.md from the reference FITS files in
// ../shared and from a seeded synthetic score set. Run: npx tsx scripts/make-display-metrics-figures.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FitsFile, readImage, sourceFromBytes } from '../src-core/fits/index';
import { HistEqStretch } from '../src-core/image/histeq-stretch';
import { MinMaxInterval, PercentileInterval, ZScaleInterval, type Interval } from '../src-core/image/interval';
import { makeLuptonRgb } from '../src-core/image/lupton-rgb';
import { encodePng } from '../src-core/image/png';
import { renderGray } from '../src-core/image/render';
import { asinhStretch, linearStretch, logStretch, powerStretch, sinhStretch, sqrtStretch, type Stretch } from '../src-core/image/stretch';
import { calibrationCurve, rocCurve, tprAtFpBelow } from '../src-core/metrics/index';
import { Rng } from '../src-core/rng';
import { FITS_DIR } from '../test/shared';

const OUT = join(import.meta.dirname, '..', 'docs', 'figures');
mkdirSync(OUT, { recursive: true });
const read = (name: string, hdu = 0) => {
  const f = new FitsFile(sourceFromBytes(name, readFileSync(join(FITS_DIR, name))));
  const img = readImage(f, f.hdu(hdu));
  return { w: img.shape[1]!, h: img.shape[0]!, data: img.data as Float32Array };
};

// 1. m13 under four interval/stretch pairs, side by side (origin lower).
const m13 = read('m13.fits');
const panels: Array<[string, Interval, Stretch]> = [
  ['minmax-linear', new MinMaxInterval(), linearStretch()],
  ['zscale-linear', new ZScaleInterval(), linearStretch()],
  ['zscale-asinh', new ZScaleInterval(), asinhStretch(0.1)],
  ['p99.5-log', new PercentileInterval(99.5), logStretch(1000)],
];
const W = m13.w;
const strip = new Uint8Array(4 * W * m13.h);
panels.forEach(([, iv, st], k) => {
  const g = renderGray(m13.data, m13.w, m13.h, { interval: iv, stretch: st });
  for (let y = 0; y < m13.h; y++) strip.set(g.data.subarray(y * W, (y + 1) * W), y * 4 * W + k * W);
});
writeFileSync(join(OUT, 'display-m13-intervals.png'), encodePng({ width: 4 * W, height: m13.h, channels: 1, data: strip }, { flipY: true }));

// 2. 2MASS K,H,J Lupton composite (astropy reference parameters), central 240×240 crop.
const [k, h, j] = ['k', 'h', 'j'].map((b) => read(`gc_2mass_${b}.fits`));
const rgb = makeLuptonRgb(k!.data, h!.data, j!.data, { minimum: [535, 509, 156], stretch: 120, Q: 8 });
const c = 240, x0 = 240, y0 = 240;
const crop = new Uint8Array(3 * c * c);
for (let y = 0; y < c; y++) crop.set(rgb.subarray(3 * ((y0 + y) * k!.w + x0), 3 * ((y0 + y) * k!.w + x0 + c)), 3 * y * c);
writeFileSync(join(OUT, 'display-2mass-lupton-crop.png'), encodePng({ width: c, height: c, channels: 3, data: crop }, { flipY: true }));

// 3. stretch curves (SVG).
const svgPlot = (title: string, series: Array<[string, Array<[number, number]>, string]>, xl: string, yl: string, extra = '') => {
  const S = 300, P = 40;
  const px = (x: number) => P + x * S, py = (y: number) => P + S - y * S;
  const lines = series.map(([name, pts, col], i) =>
    `<polyline fill="none" stroke="${col}" stroke-width="1.6" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>` +
    `<text x="${P + S + 10}" y="${P + 14 + 16 * i}" fill="${col}" font-size="12">${name}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${S + 2 * P + 150}" height="${S + 2 * P}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/><text x="${P}" y="20" font-size="14">${title}</text>
<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="none" stroke="#888"/>
<text x="${P + S / 2}" y="${P + S + 30}" font-size="12" text-anchor="middle">${xl}</text>
<text x="12" y="${P + S / 2}" font-size="12" transform="rotate(-90 12 ${P + S / 2})" text-anchor="middle">${yl}</text>
<text x="${P}" y="${P + S + 14}" font-size="10">0</text><text x="${P + S - 6}" y="${P + S + 14}" font-size="10">1</text>
${lines.join('\n')}${extra}</svg>\n`;
};
const grid = Array.from({ length: 201 }, (_, i) => i / 200);
const rng0 = new Rng(5, 0);
const colours = ['#000', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const stretches: Array<[string, Stretch]> = [
  ['linear', linearStretch()], ['sqrt', sqrtStretch()], ['power 2', powerStretch(2)], ['log a=1000', logStretch(1000)],
  ['asinh a=0.1', asinhStretch(0.1)], ['sinh a=1/3', sinhStretch()],
  ['histeq (N(0,1)³)', new HistEqStretch(Float64Array.from({ length: 2000 }, () => rng0.normal() ** 3))],
];
writeFileSync(join(OUT, 'display-stretches.svg'), svgPlot('Stretches on [0, 1]', stretches.map(([n, s], i) => [n, grid.map((x) => [x, s.forward(x)] as [number, number]), colours[i]!]), 'input x', 'output y'));

// 4. ROC and reliability for a seeded tie-heavy synthetic set (the metrics tests' generator).
const rng = new Rng(12, 0);
const y: number[] = [], s: number[] = [];
for (let i = 0; i < 2000; i++) {
  const pos = rng.uniform() < 0.3 ? 1 : 0;
  y.push(pos);
  s.push(Number((1 / (1 + Math.exp(-(rng.normal() + 1.5 * pos - 0.7)))).toFixed(2)));
}
const roc = rocCurve(y, s);
const t0 = tprAtFpBelow(roc, 1), t10 = tprAtFpBelow(roc, 10);
const mark = (label: string, tpr: number, col: string) => `<line x1="40" x2="340" y1="${(40 + 300 - tpr * 300).toFixed(1)}" y2="${(40 + 300 - tpr * 300).toFixed(1)}" stroke="${col}" stroke-dasharray="4 3"/><text x="300" y="${(36 + 300 - tpr * 300).toFixed(1)}" font-size="10" fill="${col}">${label} ${tpr.toFixed(3)}</text>`;
writeFileSync(join(OUT, 'metrics-roc.svg'), svgPlot('ROC (synthetic, 2000 examples, scores to 2 decimals)', [['ROC', Array.from(roc.fpr, (f, i) => [f, roc.tpr[i]!] as [number, number]), '#1f77b4'], ['chance', [[0, 0], [1, 1]], '#aaa']], 'FPR', 'TPR', mark('TPR0', t0, '#d62728') + mark('TPR10', t10, '#2ca02c')));
const cal = calibrationCurve(y, s, { nBins: 10 });
writeFileSync(join(OUT, 'metrics-reliability.svg'), svgPlot('Reliability curve (10 uniform bins)', [['observed', cal.bins.map((b) => [b.meanPredicted, b.fractionPositive] as [number, number]), '#ff7f0e'], ['perfect', [[0, 0], [1, 1]], '#aaa']], 'mean predicted probability', 'fraction positive'));
console.log(JSON.stringify({ tpr0: t0, tpr10: t10, brier: cal.brier, ece: cal.ece }));
