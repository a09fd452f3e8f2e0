// Stand-alone SVG figures of an evaluation (for `lensdesk evaluate --plots`): the ROC curve with
// TPR0 / TPR10 marked, and the reliability curve against the diagonal. Pure strings, no DOM.
import { escapeXml as esc } from '../xml';

export interface PlotSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  colour?: string;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

/** A square unit plot ([0, 1]² axes) with series as polylines, a dashed diagonal and extras. */
export function unitSquareSvg(o: { title: string; xLabel: string; yLabel: string; series: PlotSeries[]; hLines?: { y: number; label: string; colour: string }[]; dots?: boolean }): string {
  const S = 300, P = 48;
  const px = (x: number) => (P + x * S).toFixed(1);
  const py = (y: number) => (P + S - y * S).toFixed(1);
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<text x="${px(t)}" y="${P + S + 14}" font-size="10" text-anchor="middle">${t}</text><text x="${P - 6}" y="${py(t)}" font-size="10" text-anchor="end" dominant-baseline="middle">${t}</text>`)
    .join('');
  const lines = o.series
    .map((s, i) => {
      const c = s.colour ?? PALETTE[i % PALETTE.length]!;
      const pts = Array.from({ length: s.x.length }, (_, k) => `${px(s.x[k]!)},${py(s.y[k]!)}`).join(' ');
      const dots = o.dots ? Array.from({ length: s.x.length }, (_, k) => `<circle cx="${px(s.x[k]!)}" cy="${py(s.y[k]!)}" r="2.5" fill="${c}"/>`).join('') : '';
      return `<polyline fill="none" stroke="${c}" stroke-width="1.8" points="${pts}"/>${dots}<text x="${P + S + 10}" y="${P + 14 + 16 * i}" font-size="12" fill="${c}">${esc(s.name)}</text>`;
    })
    .join('\n');
  const h = (o.hLines ?? [])
    .map((l) => `<line x1="${P}" x2="${P + S}" y1="${py(l.y)}" y2="${py(l.y)}" stroke="${l.colour}" stroke-dasharray="4 3"/><text x="${P + S - 4}" y="${Number(py(l.y)) - 4}" font-size="10" text-anchor="end" fill="${l.colour}">${esc(l.label)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${S + 2 * P + 170}" height="${S + 2 * P}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/><text x="${P}" y="22" font-size="14">${esc(o.title)}</text>
<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="none" stroke="#888"/>
<line x1="${P}" y1="${P + S}" x2="${P + S}" y2="${P}" stroke="#bbb" stroke-dasharray="3 3"/>${ticks}
<text x="${P + S / 2}" y="${P + S + 32}" font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>
<text x="14" y="${P + S / 2}" font-size="12" transform="rotate(-90 14 ${P + S / 2})" text-anchor="middle">${esc(o.yLabel)}</text>
${lines}${h}</svg>
`;
}

export function rocSvg(title: string, roc: { fpr: ArrayLike<number>; tpr: ArrayLike<number> }, m: { auroc: number; tpr0: number; tpr10: number }): string {
  return unitSquareSvg({
    title,
    xLabel: 'false-positive rate',
    yLabel: 'true-positive rate',
    series: [{ name: `AUROC ${m.auroc.toFixed(4)}`, x: roc.fpr, y: roc.tpr }],
    hLines: [
      { y: m.tpr0, label: `TPR0 ${m.tpr0.toFixed(3)}`, colour: '#d62728' },
      { y: m.tpr10, label: `TPR10 ${m.tpr10.toFixed(3)}`, colour: '#2ca02c' },
    ],
  });
}

export function reliabilitySvg(title: string, cal: { bins: { meanPredicted: number; fractionPositive: number }[]; brier: number; ece: number }): string {
  return unitSquareSvg({
    title,
    xLabel: 'mean predicted probability',
    yLabel: 'fraction of lenses',
    series: [{ name: `Brier ${cal.brier.toFixed(4)}, ECE ${cal.ece.toFixed(4)}`, x: cal.bins.map((b) => b.meanPredicted), y: cal.bins.map((b) => b.fractionPositive), colour: '#ff7f0e' }],
    dots: true,
  });
}
