// Lupton et al. (2004, PASP 116, 133) asinh stretch as astropy's LuptonAsinhStretch (astropy 8):
//   y = asinh(Q·x/stretch) · frac/asinh(frac·Q),  frac = 0.1
// `stretch` is the linear range in data units (after the minimum is subtracted); Q softens the
// transition from linear to logarithmic. Not confined to [0, 1]: make_lupton_rgb applies it to the
// band intensity with clip = false, so `apply` defaults to clip = false here. Q below float32
// epsilon becomes 0.1 and Q above 1e10 becomes 1e10, exactly as astropy does.
import { InputError } from '../errors';
import { BaseStretch, type Stretch } from './stretch';

export class LuptonAsinhStretch extends BaseStretch {
  readonly name: string;
  readonly Q: number;
  /** frac / asinh(frac·Q) */
  readonly slope: number;
  /** Q / stretch */
  readonly soften: number;
  constructor(
    readonly stretch = 5,
    Q = 8,
  ) {
    super();
    if (!(stretch > 0)) throw new InputError('STRETCH_PARAM', `Lupton stretch must be > 0, got ${stretch}`);
    if (!(Q >= 0)) throw new InputError('STRETCH_PARAM', `Lupton Q must be ≥ 0, got ${Q}`);
    const epsilon = 1 / 2 ** 23; // float32 machine epsilon, as astropy
    this.Q = Math.abs(Q) < epsilon ? 0.1 : Math.min(Q, 1e10);
    this.slope = 0.1 / Math.asinh(0.1 * this.Q);
    this.soften = this.Q / stretch;
    this.name = `lupton(stretch=${stretch},Q=${Q})`;
  }
  forward(x: number): number {
    return Math.asinh(x * this.soften) * this.slope;
  }
  get inverse(): Stretch {
    const self = this;
    return new (class extends BaseStretch {
      readonly name = `inv${self.name}`;
      forward(y: number): number {
        return Math.sinh(y / self.slope) / self.soften;
      }
      get inverse(): Stretch {
        return self;
      }
    })();
  }
  override apply(values: ArrayLike<number>, opts: { clip?: boolean; out?: Float32Array | Float64Array } = {}) {
    return super.apply(values, { clip: false, ...opts });
  }
}
