// Strong-lensing operator (learned-priors.md §8; Warren & Dye 2003 "semilinear" inversion):
// source-plane pixels → image pixels by ray shooting. For each image sub-pixel θ (s × s per pixel),
// β = θ − Σ α(θ) over the deflectors (e.g. the fitted SIE + external shear, src-core/lens/profiles);
// the 4 source pixels around β get bilinear weights. Rays landing off the source grid get weight 0.
// Sub-pixels are averaged to pixels (S), then the PSF is applied (B) when one is given: A = B·S·L.
// Lensing conserves surface brightness: values are interpolated, with no Jacobian factor, so a
// uniform source of brightness 1 gives image pixels of 1 wherever the rays land on the grid.
// Geometry (as src-core/lens/grid.ts): x along columns, y along rows, arcsec from the centre of the
// grid ((n − 1)/2 in pixels); the source grid is centred on `sourceCentre`.
// L is stored as a sparse matrix (CSR, ≤ 4s² entries per image pixel); the adjoint scatter-adds with
// the same weights, then (before) correlates with the PSF: Aᵀ = Lᵀ Sᵀ Bᵀ.
import { InputError } from '../../errors';
import { ellipticityToQPhi } from '../../infer/lens-model';
import { massProfile, type Params } from '../../lens/profiles/registry';
import { compose, prepare, type LinearOperator } from './linear-operator';
import { convolutionOperator, type PsfArray } from './convolution';

export interface Deflector {
  /** A mass profile name of src-core/lens/profiles/registry ('SIE', 'SHEAR', 'SIS', 'POINT_MASS'). */
  profile: string;
  /** Its parameters (arcsec, radians), e.g. SIE {theta_E, q, phi, center_x, center_y}. */
  params: Params;
}

export interface LensingOptions {
  imageRows: number;
  imageCols: number;
  /** Image pixel side, arcsec. */
  pixelScale: number;
  sourceRows: number;
  sourceCols: number;
  /** Source pixel side δ_s, arcsec. */
  sourcePixelScale: number;
  /** Source-grid centre in the source plane, arcsec (default 0, 0). */
  sourceCentre?: readonly [number, number];
  deflectors: readonly Deflector[];
  /** Sub-pixels per image pixel side (default 2). */
  supersample?: number;
  /** PSF applied after ray shooting (zero boundary); none = the ray-traced image itself. */
  psf?: PsfArray;
}

export interface LensingOperator extends LinearOperator {
  /** Number of source pixels that at least one ray reaches (the others are set by the prior alone). */
  readonly sourcePixelsReached: number;
}

/** L·S without the PSF, as a sparse matrix. */
export function rayShootingOperator(o: LensingOptions): LensingOperator {
  const { imageRows: H, imageCols: W, pixelScale: ps, sourceRows: SR, sourceCols: SC, sourcePixelScale: ds } = o;
  const s = o.supersample ?? 2;
  if (!(ps > 0) || !(ds > 0) || !(s >= 1) || !Number.isInteger(s)) {
    throw new InputError('LENSING_GRID', `lensing operator: pixel scales must be > 0 and supersample a positive integer (got ${ps}, ${ds}, ${s})`, { pixelScale: ps, sourcePixelScale: ds, supersample: s });
  }
  const profiles = o.deflectors.map((d) => ({ m: massProfile(d.profile), p: d.params }));
  const [scx, scy] = o.sourceCentre ?? [0, 0];
  const rowStart = new Int32Array(H * W + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const alpha = new Float64Array(2);
  const w0 = 1 / (s * s);
  const reached = new Uint8Array(SR * SC);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let b = 0; b < s; b++) {
        for (let a = 0; a < s; a++) {
          const x = (j - (W - 1) / 2 + (a + 0.5) / s - 0.5) * ps;
          const y = (i - (H - 1) / 2 + (b + 0.5) / s - 0.5) * ps;
          let bx = x, by = y;
          for (const d of profiles) {
            d.m.deflection(x, y, d.p, alpha);
            bx -= alpha[0]!;
            by -= alpha[1]!;
          }
          // Continuous source-pixel coordinates (pixel centres at integers).
          const u = (bx - scx) / ds + (SC - 1) / 2, v = (by - scy) / ds + (SR - 1) / 2;
          if (!(u > -1 && u < SC && v > -1 && v < SR)) continue;
          const j0 = Math.floor(u), i0 = Math.floor(v), fu = u - j0, fv = v - i0;
          const corners: Array<[number, number, number]> = [
            [i0, j0, (1 - fv) * (1 - fu)], [i0, j0 + 1, (1 - fv) * fu],
            [i0 + 1, j0, fv * (1 - fu)], [i0 + 1, j0 + 1, fv * fu],
          ];
          for (const [ci, cj, wt] of corners) {
            if (ci < 0 || ci >= SR || cj < 0 || cj >= SC || wt === 0) continue;
            cols.push(ci * SC + cj);
            vals.push(wt * w0);
            reached[ci * SC + cj] = 1;
          }
        }
      }
      rowStart[i * W + j + 1] = cols.length;
    }
  }
  const colIdx = Int32Array.from(cols), val = Float64Array.from(vals);
  const nIn = SR * SC, nOut = H * W;
  const op: LensingOperator = {
    name: 'ray-shooting',
    inShape: [SR, SC],
    outShape: [H, W],
    sourcePixelsReached: reached.reduce((t, v) => t + v, 0),
    apply: (src, out) => {
      const r = prepare(op, 'input', src, nIn, out, nOut);
      for (let p = 0; p < nOut; p++) {
        let acc = 0;
        for (let e = rowStart[p]!; e < rowStart[p + 1]!; e++) acc += val[e]! * src[colIdx[e]!]!;
        r[p] = acc;
      }
      return r;
    },
    adjoint: (img, out) => {
      const r = prepare(op, 'output', img, nOut, out, nIn);
      r.fill(0);
      for (let p = 0; p < nOut; p++) {
        const v = img[p]!;
        for (let e = rowStart[p]!; e < rowStart[p + 1]!; e++) r[colIdx[e]!] = r[colIdx[e]!]! + val[e]! * v;
      }
      return r;
    },
  };
  return op;
}

/** The full strong-lensing operator B·S·L (PSF after ray shooting when `psf` is given). */
export function lensingOperator(o: LensingOptions): LensingOperator {
  const rays = rayShootingOperator(o);
  if (!o.psf) return rays;
  const blur = convolutionOperator({ bands: 1, rows: o.imageRows, cols: o.imageCols, psfs: [o.psf], boundary: 'zero' });
  const full = compose(blur, rays);
  return { ...full, name: 'lensing', sourcePixelsReached: rays.sourcePixelsReached };
}

/**
 * The deflectors of a lens-model fit (src-core/infer/lens-model.ts, parameters in LENS_PARAM_NAMES
 * order: θE, e1, e2, γ1, γ2, …): an SIE on the stamp centre with (q, φ) from lenstronomy's ellipticity,
 * plus external shear. Pass one posterior draw or the posterior median.
 */
export function deflectorsFromLensFit(theta: ArrayLike<number>): Deflector[] {
  const { q, phi } = ellipticityToQPhi(theta[1]!, theta[2]!);
  return [
    { profile: 'SIE', params: { theta_E: theta[0]!, q, phi, center_x: 0, center_y: 0 } },
    { profile: 'SHEAR', params: { gamma1: theta[3]!, gamma2: theta[4]!, center_x: 0, center_y: 0 } },
  ];
}
