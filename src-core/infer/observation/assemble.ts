// A cutout as the lens fit needs it: image and variance in one working unit (e⁻ when the header says how,
// units.ts), bad pixels as infinite variance (weight 0 in LensModel), and a statement of where the noise came from.
// Pure: the FITS reading is src-main/fit/read-observation.ts.
import { InputError } from '../../errors';
import { backgroundSigma, toVariance, type NoiseKind } from './noise';
import { workingScale, workingUnit, type PixelUnits } from './units';

export interface ObservationPlanes {
  bands: string[];
  /** Odd side of the square stamp. */
  side: number;
  /** bands × side × side in the file's unit (NaN = no data). */
  image: Float64Array;
  /** A noise plane per pixel (same shape) from an HDU named `extname`. */
  noise?: { kind: NoiseKind; extname: string; data: Float64Array };
  /** 1 = bad pixel (mask HDU / file nonzero), same shape. */
  bad?: Uint8Array;
  units: PixelUnits;
}

export interface NoiseStatement {
  /** 'VARIANCE HDU', 'WHT HDU (inverse variance)', 'ERR HDU (σ)', or 'background' (estimated). */
  source: string;
  /** For an estimate: per band the background level and σ (working unit), the border width and pixels used. */
  background?: { band: string; level: number; sigma: number; used: number; border: number }[];
  /** Whether the Poisson variance of the model is added after the MAP (estimated noise and a known gain). */
  poissonFromModel: boolean;
  /** One line for people, e.g. 'background σ 0.012 e⁻ (sigma-clipped border, 8 px) + Poisson of the model'. */
  text: string;
}

export interface Observation {
  image: Float64Array;
  variance: Float64Array;
  /** Working unit ('electron' or the file's BUNIT) and the factor applied to the file's values. */
  unit: string;
  scale: number;
  noise: NoiseStatement;
  /** Pixels given no weight: from the mask, non-finite image values, and noise that carries no information. */
  masked: { mask: number; nan: number; noNoise: number; total: number };
}

const LABEL: Record<NoiseKind, string> = { variance: 'variance', 'inverse-variance': 'inverse variance', sigma: 'σ' };

export function assembleObservation(p: ObservationPlanes): Observation {
  const n = p.side * p.side;
  const nb = p.bands.length;
  if (p.image.length !== nb * n) throw new InputError('FIT_SHAPE', `image has ${p.image.length} pixels, expected ${nb} × ${p.side}²`, { side: p.side });
  if (p.noise && p.noise.data.length !== p.image.length) throw new InputError('FIT_SHAPE', `${p.noise.extname} HDU shape differs from the image`, { hdu: p.noise.extname });
  if (p.bad && p.bad.length !== p.image.length) throw new InputError('FIT_SHAPE', 'mask shape differs from the image', {});
  const k = workingScale(p.units);
  const image = new Float64Array(p.image.length);
  const valid = new Uint8Array(p.image.length);
  const masked = { mask: 0, nan: 0, noNoise: 0, total: 0 };
  for (let i = 0; i < image.length; i++) {
    const v = p.image[i]!;
    if (p.bad?.[i]) masked.mask++;
    else if (!Number.isFinite(v)) masked.nan++;
    else valid[i] = 1;
    image[i] = Number.isFinite(v) ? v * k : NaN;
  }
  let variance: Float64Array;
  let noise: NoiseStatement;
  if (p.noise) {
    variance = toVariance(p.noise.kind, p.noise.data);
    for (let i = 0; i < variance.length; i++) {
      variance[i] = variance[i]! * k * k;
      if (valid[i] && !Number.isFinite(variance[i]!)) { valid[i] = 0; masked.noNoise++; }
    }
    const source = `${p.noise.extname} HDU (${LABEL[p.noise.kind]})`;
    noise = { source, poissonFromModel: false, text: source };
  } else {
    if (p.units.kind === 'flux')
      throw new InputError('FIT_NOISE', `BUNIT '${p.units.bunit}' is a calibrated flux: give a noise HDU (VARIANCE, IVAR, WEIGHT/WHT, ERR/SIGMA) in the file`, { keyword: 'BUNIT', bunit: p.units.bunit });
    variance = new Float64Array(p.image.length);
    const background = p.bands.map((band, b) => {
      const plane = image.subarray(b * n, (b + 1) * n);
      const e = backgroundSigma(plane, p.side, p.side, valid.subarray(b * n, (b + 1) * n));
      variance.fill(e.sigma * e.sigma, b * n, (b + 1) * n);
      return { band, level: e.level, sigma: e.sigma, used: e.used, border: e.border };
    });
    const poissonFromModel = p.units.toElectrons !== null;
    const unit = workingUnit(p.units);
    noise = {
      source: 'background', background, poissonFromModel,
      text: `background σ ${background.map((e) => e.sigma.toPrecision(3)).join(', ')} ${unit} (sigma-clipped neighbour differences in the ${background[0]!.border}-pixel border)`
        + (poissonFromModel ? ' + Poisson variance of the model (gain known)' : ' (no Poisson term: gain unknown)'),
    };
  }
  for (let i = 0; i < variance.length; i++) if (!valid[i]) variance[i] = Infinity;
  masked.total = masked.mask + masked.nan + masked.noNoise;
  return { image, variance, unit: workingUnit(p.units), scale: k, noise, masked };
}
