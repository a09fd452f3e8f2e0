// Blink frames beyond the stamp's own (cutouts of other kinds, src-main/store/products.ts): their labels
// and how each is shown. The fit's model is drawn in colour like the data and its normalised residual in
// one band (signed, min–max); an image product's frames are '<kind>-<frame>' (restore-mean, restore-std,
// deblend-comp1, …). A posterior mean is an image of the sky, so it is drawn like the data (colour when
// there are ≥ 3 bands); a posterior std is a non-negative uncertainty map, drawn in the middle band from
// 0 (black) to its maximum, linear, so that where the restoration is unsure stands out and a stationary
// (Wiener) std shows as one flat level.
import type { DisplaySettings } from '../../lib/stamps';

export interface FrameCutout { kind: string; path: string; bands: string[] }
export interface ExtraFrame { label: string; path: string; override: Partial<DisplaySettings> }

const SIGNED = { interval: 'minmax' as const, scale: 'linear' as const };

/** Bands of a colour composite, in plane order (e.g. 'g,r,i' for rgb [2, 1, 0]). */
function compositeBands(bands: string[], rgb: [number, number, number]): string {
  return [...new Set(rgb.map((i) => Math.min(i, bands.length - 1)))].sort((a, b) => a - b).map((i) => bands[i]).join(',');
}

export function extraFrames(cutouts: FrameCutout[], stampBands: string[], rgb: [number, number, number]): ExtraFrame[] {
  const mid = Math.floor((stampBands.length - 1) / 2);
  const colour = stampBands.length >= 3;
  return cutouts
    .filter((c) => c.kind !== 'stamp' && c.kind !== 'context')
    .map((c) => {
      const bands = c.bands.length ? c.bands : stampBands;
      const one = bands[Math.min(mid, bands.length - 1)] ?? '';
      const dash = c.kind.indexOf('-');
      const product = dash > 0 ? c.kind.slice(0, dash) : c.kind;
      const frame = dash > 0 ? c.kind.slice(dash + 1) : '';
      if (c.kind === 'model') return { label: 'model', path: c.path, override: colour ? { mode: 'colour' } : { mode: 'band', band: mid, ...SIGNED } };
      if (frame === 'mean' && colour && bands.length >= 3)
        return { label: `${product} mean (${compositeBands(bands, rgb)})`, path: c.path, override: { mode: 'colour' } };
      if (frame === 'std') return { label: `${product} std (${one})`, path: c.path, override: { mode: 'band', band: mid, interval: 'zeromax', scale: 'linear' } };
      const name = frame ? `${product} ${frame}` : product;
      return { label: c.kind === 'residual' ? 'residual' : `${name} (${one})`, path: c.path, override: { mode: 'band', band: mid, ...SIGNED } };
    });
}
