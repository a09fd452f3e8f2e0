// Colour maps and DS9's contrast/bias for single-band display. A colour map takes t ∈ [0, 1] (the
// stretched, normalised value) to 8-bit RGB through a 256-entry table.
//   grey     t ↦ (t, t, t)
//   viridis  matplotlib's perceptually uniform map (van der Walt & Smith 2015), linearly
//            interpolated between its values at the deciles t = 0, 0.1, …, 1: luminance rises
//            monotonically, which the tests check
//   heat     DS9's "heat": red, then green, then blue ramp in, black → red → yellow → white
//   cool     matplotlib's "cool": (t, 1 − t, 1), cyan → magenta
// Contrast/bias as DS9 applies them (right-drag on the image): the map is read at
//   t' = (t − bias)·contrast + 0.5, clipped to [0, 1]; contrast 1, bias 0.5 is the identity.

export const COLORMAPS = ['grey', 'viridis', 'heat', 'cool'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

const VIRIDIS_ANCHORS: [number, number, number][] = [
  [0.267004, 0.004874, 0.329415],
  [0.282623, 0.140926, 0.457517],
  [0.253935, 0.265254, 0.529983],
  [0.206756, 0.371758, 0.553117],
  [0.163625, 0.471133, 0.558148],
  [0.127568, 0.566949, 0.550556],
  [0.134692, 0.658636, 0.517649],
  [0.266941, 0.748751, 0.440573],
  [0.477504, 0.821444, 0.318195],
  [0.741388, 0.873449, 0.149561],
  [0.993248, 0.906157, 0.143936],
];

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

function fromAnchors(anchors: [number, number, number][], t: number): [number, number, number] {
  const f = clamp01(t) * (anchors.length - 1);
  const i = Math.min(anchors.length - 2, Math.floor(f));
  const w = f - i;
  const a = anchors[i]!;
  const b = anchors[i + 1]!;
  return [a[0] + w * (b[0] - a[0]), a[1] + w * (b[1] - a[1]), a[2] + w * (b[2] - a[2])];
}

const definitions: Record<ColormapName, (t: number) => [number, number, number]> = {
  grey: (t) => [t, t, t],
  viridis: (t) => fromAnchors(VIRIDIS_ANCHORS, t),
  heat: (t) => [clamp01(t / 0.34), clamp01((t - 0.17) / 0.58), clamp01((t - 0.65) / 0.35)],
  cool: (t) => [t, 1 - t, 1],
};

const tables = new Map<ColormapName, Uint8ClampedArray>();

/** The 256 × RGB table of a colour map (cached). */
export function colormapTable(name: ColormapName): Uint8ClampedArray {
  let lut = tables.get(name);
  if (!lut) {
    const f = definitions[name];
    if (!f) throw new Error(`unknown colour map ${name}`);
    lut = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = f(i / 255);
      lut[i * 3] = Math.round(255 * r);
      lut[i * 3 + 1] = Math.round(255 * g);
      lut[i * 3 + 2] = Math.round(255 * b);
    }
    tables.set(name, lut);
  }
  return lut;
}

/** DS9 contrast/bias on a display value t ∈ [0, 1]. */
export function contrastBias(t: number, contrast: number, bias: number): number {
  return clamp01((t - bias) * contrast + 0.5);
}

/** Table index (0–255) of a display value after contrast/bias; NaN maps to 0 (black, as DS9's NaN colour default). */
export function colormapIndex(t: number, contrast = 1, bias = 0.5): number {
  if (!Number.isFinite(t)) return 0;
  return Math.round(255 * contrastBias(t, contrast, bias));
}
