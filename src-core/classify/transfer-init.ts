// Starting a finder for another survey layout from a trained one (transfer learning). CMUDeepLens is
// fully convolutional up to a global average pool (Lanusse et al. 2018, Table 1; model.ts), so every
// weight but the stem's 7×7 kernel is independent of the cutout's size and of which bands it has:
// the same weights run on 45×45 or 101×101 cutouts. The stem kernel has one input slice per band;
// a child band the parent had keeps its slice, a band it lacked (u for a g,r,i,z parent) takes the
// slice of the parent band nearest in wavelength, which sees the most similar morphology and colour
// (a lensed blue source is bright in u and g alike). Fine-tuning then corrects what the copy gets
// wrong. The input normalisation is refitted on the new data: the asinh policy (normalise.ts) works
// in units of each band's noise, so inputs keep the scale the parent's weights learned.
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors';
import { buildCmuDeepLens, layerNames } from './model';
import { normaliseBandName } from '../stamps/band-names';

/**
 * Effective wavelengths, nm, of the bands a transfer may map between: the LSST filters (Rubin
 * Observatory filter throughputs, LSST Science Book 2009 Table 1.1 / SMTN-002: u 367, g 482,
 * r 622, i 755, z 869, y 971), which SDSS/HSC/DECam/KiDS bands of the same letter match to a few
 * per cent — enough to pick the nearest one.
 */
export const BAND_WAVELENGTH_NM: Readonly<Record<string, number>> = { u: 367, g: 482, r: 622, i: 755, z: 869, y: 971, Y: 990 };

export interface BandMapping {
  /** Child band → the parent band whose stem slice it starts from. */
  from: Record<string, string>;
  /** Child bands the parent did not have (their slice is a neighbour's copy). */
  borrowed: string[];
}

/** Which parent band each child band starts from: itself when the parent has it, else the nearest in wavelength. */
export function mapBands(parentBands: string[], childBands: string[]): BandMapping {
  const parent = parentBands.map(normaliseBandName);
  const from: Record<string, string> = {};
  const borrowed: string[] = [];
  for (const raw of childBands) {
    const b = normaliseBandName(raw);
    if (parent.includes(b)) {
      from[b] = b;
      continue;
    }
    const w = BAND_WAVELENGTH_NM[b];
    const known = parent.filter((p) => BAND_WAVELENGTH_NM[p] !== undefined);
    if (w === undefined || !known.length) {
      throw new InputError('MODEL_MISMATCH', `cannot start band ${b} from a model trained on ${parent.join(',')}: no wavelength known for ${w === undefined ? b : parent.join(',')} to pick the nearest band`, { field: 'bands' });
    }
    known.sort((p, q) => Math.abs(BAND_WAVELENGTH_NM[p]! - w) - Math.abs(BAND_WAVELENGTH_NM[q]! - w));
    from[b] = known[0]!;
    borrowed.push(b);
  }
  return { from, borrowed };
}

/**
 * A new CMUDeepLens for `size`×`size` cutouts of `bands`, with every weight copied from `parent`
 * (same layer names) and the stem kernel's band slices chosen by `mapBands`. The parent is not
 * disposed. Throws when a layer's weights do not line up (a parent of another architecture).
 */
export function transferCmuDeepLens(parent: tf.LayersModel, parentBands: string[], opts: { size: number; bands: string[]; seed?: number }): { model: tf.LayersModel; mapping: BandMapping } {
  const mapping = mapBands(parentBands, opts.bands);
  const parentIdx = parentBands.map(normaliseBandName);
  const model = buildCmuDeepLens({ size: opts.size, bands: opts.bands.length, seed: opts.seed ?? 1 });
  for (const layer of model.layers) {
    const dst = layer.getWeights();
    if (!dst.length) continue;
    let src: ReturnType<tf.LayersModel['getLayer']>;
    try {
      src = parent.getLayer(layer.name);
    } catch {
      model.dispose();
      throw new InputError('MODEL_MISMATCH', `cannot transfer: the parent model has no layer ${layer.name}`, { field: 'layer' });
    }
    const w = src.getWeights();
    if (layer.name === layerNames.stemConv) {
      // Kernel [k, k, bands, filters]: gather the child's band slices along axis 2.
      const idx = opts.bands.map((b) => parentIdx.indexOf(mapping.from[normaliseBandName(b)]!));
      const k = tf.tidy(() => tf.gather(w[0]!, tf.tensor1d(idx, 'int32'), 2));
      layer.setWeights([k, ...w.slice(1)]);
      k.dispose();
    } else {
      const bad = w.length !== dst.length || w.some((t, i) => t.shape.join('×') !== dst[i]!.shape.join('×'));
      if (bad) {
        model.dispose();
        throw new InputError('MODEL_MISMATCH', `cannot transfer layer ${layer.name}: weight shapes ${w.map((t) => t.shape.join('×')).join(',')} vs ${dst.map((t) => t.shape.join('×')).join(',')}`, { field: 'layer' });
      }
      layer.setWeights(w);
    }
  }
  return { model, mapping };
}
