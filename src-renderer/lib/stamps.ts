// Loading cutout FITS through the image protocol and drawing them on canvases. Parsing uses the
// same src-core FITS reader as the backend; rendering uses src-core/image (astropy-matching
// intervals, stretches and the Lupton et al. 2004 composite).
import { sourceFromBytes, type FitsHeader } from '../../src-core/fits/index';
import { decodeStamp } from '../../src-core/stamps/format';
import { robustSigma } from '../../src-core/stamps/stamp';
import { makeLuptonRgb } from '../../src-core/image/lupton-rgb';
import { ZScaleInterval, PercentileInterval, MinMaxInterval, ManualInterval, type Interval } from '../../src-core/image/interval';
import { asinhStretch, linearStretch, logStretch, sqrtStretch, type Stretch } from '../../src-core/image/stretch';
import { colormapIndex, colormapTable, type ColormapName } from '../../src-core/image/colormap';
import { api } from './api';

export interface StampData {
  width: number;
  height: number;
  planes: Float32Array[];
  bands: string[];
  /** Robust per-band noise (1.4826 × MAD), used to put bands on a common scale for colour. */
  sigma: number[];
  /** Primary (first image) header: the header view and the WCS under the cursor. */
  header: FitsHeader;
}

export interface DisplaySettings {
  mode: 'colour' | 'band';
  /** Plane indices for R, G, B. */
  rgb: [number, number, number];
  band: number;
  Q: number;
  /** Lupton linear range in units of each band's noise σ. */
  stretch: number;
  /** zeromax: 0 … the plane's max (uncertainty maps: zero is black, levels compare across the frame). */
  interval: 'zscale' | 'percentile' | 'minmax' | 'zeromax' | 'manual';
  scale: 'linear' | 'sqrt' | 'log' | 'asinh';
  /** Colour map of the single-band view. */
  colormap: ColormapName;
  /** DS9 contrast / bias (right-drag on the image); 1 / 0.5 leave the map as it is. */
  contrast: number;
  bias: number;
  /** Data limits when interval = 'manual' (in the image's units, BUNIT). */
  limits: [number, number] | null;
}

const cache = new Map<string, Promise<StampData>>();
const MAX_CACHE = 3000;

export function parseStamp(bytes: Uint8Array, name: string): StampData {
  const s = decodeStamp(sourceFromBytes(name, bytes));
  return { width: s.width, height: s.height, planes: s.planes, bands: s.bands, sigma: s.planes.map((p) => robustSigma(p)), header: s.header };
}

export function loadStamp(path: string): Promise<StampData> {
  let p = cache.get(path);
  if (p) {
    cache.delete(path); // LRU: move to the end
    cache.set(path, p);
    return p;
  }
  p = fetch(api.imageUrl(path), { credentials: 'omit', referrerPolicy: 'no-referrer' }).then(async (r) => {
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return parseStamp(new Uint8Array(await r.arrayBuffer()), path);
  });
  p.catch(() => cache.delete(path));
  cache.set(path, p);
  if (cache.size > MAX_CACHE) cache.delete(cache.keys().next().value!);
  return p;
}

const intervals: Record<Exclude<DisplaySettings['interval'], 'manual'>, () => Interval> = {
  zscale: () => new ZScaleInterval(),
  percentile: () => new PercentileInterval(99.5),
  minmax: () => new MinMaxInterval(),
  zeromax: () => new ManualInterval(0),
};

/** The data limits a single-band frame is displayed between (manual limits when set and valid). */
export function displayLimits(plane: Float32Array, d: DisplaySettings): [number, number] {
  if (d.interval === 'manual' && d.limits && Number.isFinite(d.limits[0]) && Number.isFinite(d.limits[1]) && d.limits[1] !== d.limits[0]) return d.limits;
  const [lo, hi] = intervals[d.interval === 'manual' ? 'zscale' : d.interval]().limits(plane);
  return [lo, hi];
}
const stretches: Record<DisplaySettings['scale'], () => Stretch> = {
  linear: () => linearStretch(),
  sqrt: () => sqrtStretch(),
  log: () => logStretch(),
  asinh: () => asinhStretch(),
};

/** RGBA pixels for a stamp, flipped so that FITS row 1 is at the bottom (DS9/astropy origin='lower'). */
export function renderRgba(s: StampData, d: DisplaySettings): ImageData {
  const { width: w, height: h } = s;
  const out = new ImageData(w, h);
  const px = out.data;
  if (d.mode === 'colour' && s.planes.length >= 3) {
    const [ri, gi, bi] = d.rgb.map((i) => Math.min(i, s.planes.length - 1)) as [number, number, number];
    const norm = (i: number) => {
      const src = s.planes[i]!;
      const k = 1 / s.sigma[i]!;
      const o = new Float32Array(src.length);
      for (let j = 0; j < src.length; j++) o[j] = src[j]! * k;
      return o;
    };
    const rgb = makeLuptonRgb(norm(ri), norm(gi), norm(bi), { minimum: 0, stretch: d.stretch, Q: d.Q });
    // Contrast/bias on each channel (a 256-entry remap; identity at the defaults).
    const remap = new Uint8ClampedArray(256);
    for (let i = 0; i < 256; i++) remap[i] = colormapIndex(i / 255, d.contrast ?? 1, d.bias ?? 0.5);
    for (let y = 0; y < h; y++) {
      const dst = (h - 1 - y) * w * 4;
      for (let x = 0; x < w; x++) {
        const si = (y * w + x) * 3;
        const di = dst + x * 4;
        px[di] = remap[rgb[si]!]!;
        px[di + 1] = remap[rgb[si + 1]!]!;
        px[di + 2] = remap[rgb[si + 2]!]!;
        px[di + 3] = 255;
      }
    }
    return out;
  }
  const plane = s.planes[Math.min(d.band, s.planes.length - 1)]!;
  const [lo, hi] = displayLimits(plane, d);
  const st = stretches[d.scale]();
  const lut = colormapTable(d.colormap ?? 'grey');
  const span = hi - lo || 1;
  for (let y = 0; y < h; y++) {
    const dst = (h - 1 - y) * w * 4;
    for (let x = 0; x < w; x++) {
      const v = plane[y * w + x]!;
      const t = Number.isFinite(v) ? Math.min(1, Math.max(0, st.forward(Math.min(1, Math.max(0, (v - lo) / span))))) : NaN;
      const k = colormapIndex(t, d.contrast ?? 1, d.bias ?? 0.5) * 3;
      const di = dst + x * 4;
      px[di] = lut[k]!;
      px[di + 1] = lut[k + 1]!;
      px[di + 2] = lut[k + 2]!;
      px[di + 3] = 255;
    }
  }
  return out;
}

export function drawStamp(canvas: HTMLCanvasElement, s: StampData, d: DisplaySettings): void {
  if (canvas.width !== s.width) canvas.width = s.width;
  if (canvas.height !== s.height) canvas.height = s.height;
  canvas.getContext('2d')!.putImageData(renderRgba(s, d), 0, 0);
}
