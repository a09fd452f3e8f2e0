// Geometry for the Mass map view's overlays (pure): an RA/Dec coordinate grid drawn through the map's WCS,
// the candidates near a peak, and colour-bar tick values through a display stretch. The WCS enters as two
// functions (0-based pixel ↔ sky, degrees) so the view can pass src-core/wcs and the tests the grid's TAN.

export type ToSky = (x: number, y: number) => [number, number];
export type ToPixel = (ra: number, dec: number) => [number, number];

export interface GraticuleLine {
  /** 'ra' = a line of constant RA (a meridian), 'dec' = constant Dec. */
  axis: 'ra' | 'dec';
  value: number;
  label: string;
  /** 0-based pixel positions along the line (NaN-free; split where it leaves the projection). */
  points: [number, number][];
}

const D2R = Math.PI / 180;
const STEPS_DEG = [1 / 3600, 2 / 3600, 5 / 3600, 10 / 3600, 15 / 3600, 30 / 3600, 1 / 60, 2 / 60, 5 / 60, 10 / 60, 15 / 60, 20 / 60, 30 / 60, 1, 2, 5, 10, 15, 30, 45, 90];

/** The smallest step of the sexagesimal-friendly ladder giving at most `maxLines` lines over `span` degrees. */
export function niceStep(spanDeg: number, maxLines = 6): number {
  for (const s of STEPS_DEG) if (spanDeg / s <= maxLines) return s;
  return 90;
}

/** Degrees as a compact label: 12.5° → "12.5°", 0.25° → "15′", small steps in arcsec. */
export function formatDeg(v: number, step: number): string {
  const r = (x: number, d: number) => Number(x.toFixed(d)).toString();
  if (step >= 1) return `${r(v, 0)}°`;
  const deg = Math.trunc(v), rest = Math.abs(v - deg) * 60, sign = v < 0 && deg === 0 ? '-' : '';
  if (step >= 1 / 60) return `${sign}${deg}°${r(rest, 0).padStart(2, '0')}′`;
  const m = Math.floor(rest + 1e-9), s = (rest - m) * 60;
  return `${sign}${deg}°${String(m).padStart(2, '0')}′${r(s, 0).padStart(2, '0')}″`;
}

/** Signed RA difference a − b wrapped into (−180, 180]. */
const dRa = (a: number, b: number) => ((((a - b) % 360) + 540) % 360) - 180;

/**
 * Lines of constant RA and Dec crossing a width × height map, at a nice step, each sampled at `samples`
 * points through `toPixel` and clipped to the map (with a one-pixel margin). RA wrap-around is handled
 * by measuring RA from the map centre.
 */
export function graticule(toSky: ToSky, toPixel: ToPixel, width: number, height: number, o: { maxLines?: number; samples?: number } = {}): GraticuleLine[] {
  const [raC, decC] = toSky((width - 1) / 2, (height - 1) / 2);
  let dMin = Infinity, dMax = -Infinity, aMin = Infinity, aMax = -Infinity;
  const edge = 24;
  for (let i = 0; i <= edge; i++) {
    const t = i / edge;
    for (const [x, y] of [[t * (width - 1), 0], [t * (width - 1), height - 1], [0, t * (height - 1)], [width - 1, t * (height - 1)]] as const) {
      const [ra, dec] = toSky(x, y);
      if (!Number.isFinite(ra) || !Number.isFinite(dec)) continue;
      dMin = Math.min(dMin, dec);
      dMax = Math.max(dMax, dec);
      const a = dRa(ra, raC);
      aMin = Math.min(aMin, a);
      aMax = Math.max(aMax, a);
    }
  }
  if (!Number.isFinite(dMin)) return [];
  const maxLines = o.maxLines ?? 6, n = o.samples ?? 48;
  const decStep = niceStep(dMax - dMin, maxLines);
  const raSpanSky = (aMax - aMin) * Math.cos(decC * D2R);
  // RA lines at a step chosen on the sky (so the spacing looks alike in both directions), in RA degrees.
  const raStep = Math.min(90, niceStep(Math.max(raSpanSky, 1e-9), maxLines) / Math.max(Math.cos(decC * D2R), 1e-3));
  const inside = (x: number, y: number) => x >= -1 && x <= width && y >= -1 && y <= height;
  const lines: GraticuleLine[] = [];
  const trace = (axis: 'ra' | 'dec', value: number, label: string, at: (t: number) => [number, number]) => {
    let cur: [number, number][] = [];
    const flush = () => {
      if (cur.length >= 2) lines.push({ axis, value, label, points: cur });
      cur = [];
    };
    for (let i = 0; i <= n; i++) {
      const [ra, dec] = at(i / n);
      const [x, y] = toPixel(ra, dec);
      if (Number.isFinite(x) && Number.isFinite(y) && inside(x, y)) cur.push([x, y]);
      else flush();
    }
    flush();
  };
  for (let d = Math.ceil(dMin / decStep) * decStep; d <= dMax + 1e-12; d += decStep) {
    trace('dec', d, formatDeg(d, decStep), (t) => [raC + aMin + t * (aMax - aMin), d]);
  }
  const raStart = raC + aMin, raEnd = raC + aMax;
  for (let a = Math.ceil(raStart / raStep) * raStep; a <= raEnd + 1e-12; a += raStep) {
    const ra = ((a % 360) + 360) % 360;
    trace('ra', ra, formatDeg(ra, raStep), (t) => [ra, dMin + t * (dMax - dMin)]);
  }
  return lines;
}

/** Great-circle separation, arcmin (haversine: accurate at small angles). */
export function separationArcmin(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const a = Math.sin(((dec2 - dec1) * D2R) / 2) ** 2 + Math.cos(dec1 * D2R) * Math.cos(dec2 * D2R) * Math.sin(((ra2 - ra1) * D2R) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(a))) * 10800) / Math.PI;
}

/** Candidates within `radiusArcmin` of (ra, dec), nearest first, with their separation. */
export function nearbyCandidates<T extends { ra: number; dec: number }>(ra: number, dec: number, cands: readonly T[], radiusArcmin: number): (T & { sepArcmin: number })[] {
  const out: (T & { sepArcmin: number })[] = [];
  for (const c of cands) {
    const s = separationArcmin(ra, dec, c.ra, c.dec);
    if (s <= radiusArcmin) out.push({ ...c, sepArcmin: s });
  }
  return out.sort((a, b) => a.sepArcmin - b.sepArcmin);
}

/**
 * Colour-bar ticks: `count` evenly spaced positions t ∈ [0, 1] along the bar and the data value each shows,
 * v = lo + (hi − lo)·S⁻¹(t) for a display stretch S (the stamps' linear/sqrt/log/asinh).
 */
export function colourBarTicks(lo: number, hi: number, inverse: (t: number) => number, count = 5): { t: number; value: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const t = i / (count - 1);
    return { t, value: lo + (hi - lo) * inverse(t) };
  });
}
