// The shapelet part of the extended lens model's source (lens-model-ext.ts, `shapelets` option): the basis of
// shapelets.ts at the source plane positions of the model's sub-pixels, its PSF-convolved templates per band, the
// scale β tied to the Sérsic r_e, and the weak prior on the signed coefficients (see lens-model-ext.ts's header).
import type { SubpixelGrid } from '../lens/grid';
import type { PsfKernel } from '../lens/psf';
import { PairConvolver } from './convolve-pair';
import { addShapelets, SHAPELET_BETA_PER_RE, ShapeletBasis } from './shapelets';

export class ShapeletSource {
  readonly basis: ShapeletBasis;
  /** PSF-convolved templates, function k of band b at (k · bands + b) · npix. */
  readonly templates: Float64Array;
  /** 1/s_b² per band: the coefficients' prior N(0, s_b²), s_b = 10 × the band's brightest |weighted pixel|. */
  readonly ridge: Float64Array;
  private readonly pre: Float64Array;
  private readonly pair = new PairConvolver();

  /**
   * @param betaMin smallest scale (arcsec): β = √((c r_e)² + β_min²), c = SHAPELET_BETA_PER_RE; 0 gives β = r_e.
   */
  constructor(nMax: number, readonly betaMin: number, readonly bands: number, readonly npix: number, side: number, image: Float64Array, weights: Float64Array) {
    this.basis = new ShapeletBasis(nMax);
    this.templates = new Float64Array(this.basis.count * bands * npix);
    this.pre = new Float64Array(this.basis.count * side * side);
    this.ridge = new Float64Array(bands);
    for (let b = 0; b < bands; b++) {
      let peak = 0;
      for (let i = b * npix; i < (b + 1) * npix; i++) if (weights[i]! > 0) peak = Math.max(peak, Math.abs(image[i]!));
      this.ridge[b] = peak > 0 ? 1 / (10 * peak) ** 2 : 1;
    }
  }

  scale(re: number): number {
    return Math.hypot(SHAPELET_BETA_PER_RE * re, this.betaMin);
  }
  /** dβ/dr_e. */
  scaleDerivative(re: number): number {
    return (SHAPELET_BETA_PER_RE * SHAPELET_BETA_PER_RE * re) / this.scale(re);
  }

  template(k: number, b: number): Float64Array {
    return this.templates.subarray((k * this.bands + b) * this.npix, (k * this.bands + b + 1) * this.npix);
  }

  /** Renders every template for rays (bx, by) of the grid's sub-pixels, centre (x0, y0), source r_e. */
  render(g: SubpixelGrid, bx: Float64Array, by: Float64Array, x0: number, y0: number, re: number, psf: PsfKernel[], tmp: Float64Array): void {
    const ns = this.basis.count, side2 = g.side * g.side;
    this.pre.fill(0);
    addShapelets(this.basis, bx, by, g.n, g.pix, g.wt, g.pixelScale * g.pixelScale, x0, y0, this.scale(re), this.pre, side2);
    const plane = (k: number) => this.pre.subarray(k * side2, (k + 1) * side2);
    for (let k = 0; k < ns; k += 2)
      for (let b = 0; b < this.bands; b++) {
        const two = k + 1 < ns;
        this.pair.convolve(plane(k), two ? plane(k + 1) : null, g.side, g.margin, psf[b]!, this.template(k, b), two ? this.template(k + 1, b) : null, tmp);
      }
  }
}
