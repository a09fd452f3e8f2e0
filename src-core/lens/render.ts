// Renders a scene to noiseless per-band models (e⁻ per pixel over the co-add): one pass of ray
// shooting on the shared sub-pixel grid, each light profile evaluated once (bands differ only in
// amplitude), per-band linear combination, PSF ('valid' convolution from the padded frame), then
// artefacts. All buffers live in a Workspace reused across cutouts: no allocation per cutout.
import { type SubpixelGrid, subpixelGrid } from './grid';
import { lightProfile, massProfile } from './profiles/registry';
import { convolveValid, type PsfKernel } from './psf';
import type { Scene } from './scene';

export interface Instrument {
  pixelScale: number;
  size: number;
  bands: string[];
  /** e⁻ over the co-add for magnitude 0 in each band: 10^{0.4 zp} · t_total. */
  e0: number[];
  sky: number[];
  readVar: number[];
  seeing: number[];
  kernels: PsfKernel[];
  grid: SubpixelGrid;
}

export interface Workspace {
  ax: Float64Array; ay: Float64Array; bx: Float64Array; by: Float64Array;
  comp: Float64Array[]; // one padded-frame image per light component slot
  stack: Float64Array; srcStack: Float64Array; tmp: Float64Array;
  models: Float64Array[]; // per band, stamp
  sourceModel: Float64Array; // stamp: lensed source alone, in the S/N band (for detectability)
}

export function makeInstrumentGrid(size: number, margin: number, pixelScale: number, ss: number): SubpixelGrid {
  return subpixelGrid({ size, margin, pixelScale, ss });
}

export function makeWorkspace(ins: Instrument): Workspace {
  const g = ins.grid;
  const frame = g.side * g.side;
  const stamp = g.size * g.size;
  return {
    ax: new Float64Array(g.n), ay: new Float64Array(g.n), bx: new Float64Array(g.n), by: new Float64Array(g.n),
    comp: [], stack: new Float64Array(frame), srcStack: new Float64Array(frame),
    tmp: new Float64Array(g.side * g.size),
    models: ins.bands.map(() => new Float64Array(stamp)),
    sourceModel: new Float64Array(stamp),
  };
}

export interface RenderInfo {
  /** Total magnification of the lensed light: Σ lensed flux / Σ unlensed flux (no PSF). */
  mu: number;
  /** Lensed-light e⁻ per band before the PSF (−1 when nothing is lensed). */
  lensedElectrons: number[];
  /**
   * Band whose lensed light alone is in ws.sourceModel (after the PSF): the one with the largest
   * lensed e⁻ / √(sky + read variance) per pixel, a proxy for where the S/N peaks. −1 if none.
   */
  snrBand: number;
}

const mag2flux = (m: number) => 10 ** (-0.4 * m);

/** Fills ws.models (and ws.sourceModel when the scene has lensed light). */
export function renderScene(scene: Scene, ins: Instrument, ws: Workspace): RenderInfo {
  const g = ins.grid;
  const frame = g.side * g.side;
  const anyLensed = scene.light.some((c) => c.lensed);
  if (anyLensed) {
    ws.ax.fill(0);
    ws.ay.fill(0);
    for (const m of scene.mass) massProfile(m.profile).addDeflections(g.x, g.y, g.n, m.params, ws.ax, ws.ay);
    for (let i = 0; i < g.n; i++) {
      ws.bx[i] = g.x[i] - ws.ax[i];
      ws.by[i] = g.y[i] - ws.ay[i];
    }
  }
  while (ws.comp.length < scene.light.length) ws.comp.push(new Float64Array(frame));
  let lensedSum = 0;
  let unlensedTotal = 0;
  const compSum = new Float64Array(scene.light.length);
  scene.light.forEach((c, k) => {
    const img = ws.comp[k];
    img.fill(0);
    const prof = lightProfile(c.profile);
    prof.addToPixels(c.lensed ? ws.bx : g.x, c.lensed ? ws.by : g.y, g.n, g.pix, g.wt, c.params, img);
    if (c.lensed) {
      let sum = 0;
      for (let i = 0; i < frame; i++) sum += img[i];
      compSum[k] = sum;
      lensedSum += sum;
      unlensedTotal += prof.totalFlux(c.params);
    }
  });
  const lensedElectrons = ins.bands.map((band, b) => (anyLensed
    ? scene.light.reduce((acc, c, k) => acc + (c.lensed ? ins.e0[b] * mag2flux(c.mags[band]) * compSum[k] : 0), 0) : -1));
  let snrBand = -1;
  if (anyLensed) {
    let best = -1;
    ins.bands.forEach((_, b) => {
      const proxy = lensedElectrons[b] / Math.sqrt(ins.sky[b] + ins.readVar[b]);
      if (proxy > best) { best = proxy; snrBand = b; }
    });
  }
  const cIdx = (g.side - 1) / 2;
  const nl = scene.light.length;
  for (let b = 0; b < ins.bands.length; b++) {
    const band = ins.bands[b];
    const stack = ws.stack;
    const src = ws.srcStack;
    stack.fill(0);
    if (b === snrBand) src.fill(0);
    for (let k = 0; k < nl; k++) {
      const c = scene.light[k];
      const amp = ins.e0[b] * mag2flux(c.mags[band]);
      const img = ws.comp[k];
      for (let i = 0; i < frame; i++) stack[i] += amp * img[i];
      if (b === snrBand && c.lensed) for (let i = 0; i < frame; i++) src[i] += amp * img[i];
    }
    // Point sources: bilinear deposit of the flux onto the four nearest pixel centres, then the PSF.
    for (const p of scene.points) {
      const e = ins.e0[b] * mag2flux(p.mags[band]);
      const fx = p.x / g.pixelScale + cIdx;
      const fy = p.y / g.pixelScale + cIdx;
      const i0 = Math.floor(fx), j0 = Math.floor(fy);
      const tx = fx - i0, ty = fy - j0;
      deposit(stack, g.side, i0, j0, e * (1 - tx) * (1 - ty));
      deposit(stack, g.side, i0 + 1, j0, e * tx * (1 - ty));
      deposit(stack, g.side, i0, j0 + 1, e * (1 - tx) * ty);
      deposit(stack, g.side, i0 + 1, j0 + 1, e * tx * ty);
    }
    const model = ws.models[b];
    convolveValid(stack, g.side, g.margin, ins.kernels[b], model, ws.tmp);
    // The lensed light alone is convolved in one band only (for the S/N cut): 5 convolutions a
    // lens instead of 8 for griz.
    if (b === snrBand) convolveValid(src, g.side, g.margin, ins.kernels[b], ws.sourceModel, ws.tmp);
    for (const a of scene.artefacts) if (a.band === band) addArtefact(a, ins, b, model);
  }
  return { mu: unlensedTotal > 0 ? lensedSum / unlensedTotal : 0, lensedElectrons, snrBand };
}

function deposit(img: Float64Array, side: number, i: number, j: number, v: number): void {
  if (i >= 0 && j >= 0 && i < side && j < side) img[j * side + i] += v;
}

function addArtefact(a: Scene['artefacts'][number], ins: Instrument, b: number, model: Float64Array): void {
  const n = ins.size;
  const c = (n - 1) / 2;
  if (a.kind === 'cosmic_ray') {
    // A sharp, unconvolved track (cosmic rays hit the detector, not the sky): `length` pixels.
    const per = a.electrons / Math.max(1, a.length);
    for (let s = 0; s < a.length; s++) {
      const i = Math.round(a.x / ins.pixelScale + c + s * Math.cos(a.angle));
      const j = Math.round(a.y / ins.pixelScale + c + s * Math.sin(a.angle));
      if (i >= 0 && j >= 0 && i < n && j < n) model[j * n + i] += per;
    }
  } else {
    // Satellite trail: a straight line through the PSF, Gaussian across with the seeing σ.
    const sigma = (ins.seeing[b] / (2 * Math.sqrt(2 * Math.LN2))) / ins.pixelScale;
    const peak = a.peakSigmas * Math.sqrt(ins.sky[b] + ins.readVar[b]);
    const nx = -Math.sin(a.angle), ny = Math.cos(a.angle);
    const off = a.offset / ins.pixelScale;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const d = (i - c) * nx + (j - c) * ny - off;
      if (Math.abs(d) < 5 * sigma) model[j * n + i] += peak * Math.exp((-0.5 * d * d) / (sigma * sigma));
    }
  }
}
