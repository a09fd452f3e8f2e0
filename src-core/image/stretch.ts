// Display stretches on [0, 1] as invertible, composable objects (after astropy.visualization.stretch,
// astropy 8): each has a scalar `forward`, an `inverse` stretch and an array `apply`. With
// clip = true (the default, as in astropy) inputs are clipped to [0, 1] first; NaN passes through.
// Formulas (x, y in [0, 1]):
//   linear  y = slope·x + intercept          sqrt   y = √x
//   power   y = x^a                          log    y = ln(a·x + 1)/ln(a + 1)          (a = 1000)
//   asinh   y = asinh(x/a)/asinh(1/a) (a=0.1) sinh   y = sinh(x/a)/sinh(1/a)           (a = 1/3)
//   powerdist y = (a^x − 1)/(a − 1)  (a = 1000, the inverse of log's shape)
//   histeq  y = empirical CDF of a reference image (see histeq-stretch.ts)
// LuptonAsinhStretch (Lupton et al. 2004, PASP 116, 133) lives in lupton-stretch.ts.
import { InputError } from '../errors';

export interface Stretch {
  readonly name: string;
  /** y = f(x) for one value (no clipping). */
  forward(x: number): number;
  /** The stretch g with g(f(x)) = x on [0, 1]. */
  readonly inverse: Stretch;
  /** Elementwise f over an array; clip (default true) clips the input to [0, 1] first. */
  apply(values: ArrayLike<number>, opts?: { clip?: boolean; out?: Float32Array | Float64Array }): Float32Array | Float64Array;
}

/** Shared array loop so every stretch clips and keeps the input's float width the same way. */
export abstract class BaseStretch implements Stretch {
  abstract readonly name: string;
  abstract forward(x: number): number;
  abstract get inverse(): Stretch;
  apply(values: ArrayLike<number>, opts: { clip?: boolean; out?: Float32Array | Float64Array } = {}): Float32Array | Float64Array {
    const clip = opts.clip ?? true;
    const out = opts.out ?? (values instanceof Float64Array ? new Float64Array(values.length) : new Float32Array(values.length));
    for (let i = 0; i < values.length; i++) {
      let x = values[i]!;
      if (clip) x = x < 0 ? 0 : x > 1 ? 1 : x;
      out[i] = this.forward(x);
    }
    return out;
  }
}

/** f(x) = fn(x) with its inverse given explicitly; keeps each class below to its formula. */
class FnStretch extends BaseStretch {
  constructor(
    readonly name: string,
    private readonly fn: (x: number) => number,
    private readonly makeInverse: () => Stretch,
  ) {
    super();
  }
  forward(x: number): number {
    return this.fn(x);
  }
  get inverse(): Stretch {
    return this.makeInverse();
  }
}

export function linearStretch(slope = 1, intercept = 0): Stretch {
  if (slope === 0) throw new InputError('STRETCH_PARAM', 'linear stretch slope must be non-zero');
  return new FnStretch(
    slope === 1 && intercept === 0 ? 'linear' : `linear(${slope},${intercept})`,
    (x) => slope * x + intercept,
    () => linearStretch(1 / slope, -intercept / slope),
  );
}

export function powerStretch(a: number): Stretch {
  if (!(a > 0)) throw new InputError('STRETCH_PARAM', `power stretch exponent must be > 0, got ${a}`);
  return new FnStretch(`power(${a})`, (x) => Math.pow(x, a), () => powerStretch(1 / a));
}

export function sqrtStretch(): Stretch {
  return new FnStretch('sqrt', Math.sqrt, () => powerStretch(2));
}

export function logStretch(a = 1000): Stretch {
  if (!(a > 0)) throw new InputError('STRETCH_PARAM', `log stretch a must be > 0, got ${a}`);
  const k = Math.log(a + 1);
  return new FnStretch(`log(${a})`, (x) => Math.log(a * x + 1) / k, () => invertedLogStretch(a));
}

function invertedLogStretch(a: number): Stretch {
  const k = Math.log(a + 1);
  return new FnStretch(`invlog(${a})`, (y) => (Math.exp(y * k) - 1) / a, () => logStretch(a));
}

export function powerDistStretch(a = 1000): Stretch {
  if (!(a > 0 && a !== 1)) throw new InputError('STRETCH_PARAM', `powerdist a must be > 0 and ≠ 1, got ${a}`);
  return new FnStretch(`powerdist(${a})`, (x) => (Math.pow(a, x) - 1) / (a - 1), () => invertedPowerDistStretch(a));
}

function invertedPowerDistStretch(a: number): Stretch {
  return new FnStretch(`invpowerdist(${a})`, (y) => Math.log(y * (a - 1) + 1) / Math.log(a), () => powerDistStretch(a));
}

/** a is the transition between the linear (x ≪ a) and logarithmic (x ≫ a) regimes. */
export function asinhStretch(a = 0.1): Stretch {
  if (!(a > 0 && a <= 1)) throw new InputError('STRETCH_PARAM', `asinh a must be in (0, 1], got ${a}`);
  const k = Math.asinh(1 / a);
  return new FnStretch(`asinh(${a})`, (x) => Math.asinh(x / a) / k, () => sinhStretch(1 / k));
}

export function sinhStretch(a = 1 / 3): Stretch {
  if (!(a > 0 && a <= 1)) throw new InputError('STRETCH_PARAM', `sinh a must be in (0, 1], got ${a}`);
  const k = Math.sinh(1 / a);
  return new FnStretch(`sinh(${a})`, (x) => Math.sinh(x / a) / k, () => asinhStretch(1 / k));
}

/** second(first(x)); its inverse is first⁻¹(second⁻¹(y)). Intermediate values are not clipped. */
export function composeStretches(first: Stretch, ...rest: Stretch[]): Stretch {
  if (rest.length === 0) return first;
  const [second, ...more] = rest;
  const pair: Stretch = new FnStretch(
    `${first.name}→${second!.name}`,
    (x) => second!.forward(first.forward(x)),
    () => composeStretches(second!.inverse, first.inverse),
  );
  return more.length ? composeStretches(pair, ...more) : pair;
}

/** Names accepted by the CLI/UI: linear, sqrt, log[:a], asinh[:a], power:a, sinh[:a], powerdist[:a]. */
export function parseStretch(spec: string): Stretch {
  const [kind, p] = spec.split(':');
  const num = (d: number) => {
    if (p === undefined) return d;
    const v = Number(p);
    if (!Number.isFinite(v)) throw new InputError('STRETCH_PARAM', `stretch parameter '${p}' in '${spec}' is not a number`, { field: 'stretch' });
    return v;
  };
  switch (kind) {
    case 'linear':
      return linearStretch();
    case 'sqrt':
      return sqrtStretch();
    case 'log':
      return logStretch(num(1000));
    case 'asinh':
      return asinhStretch(num(0.1));
    case 'sinh':
      return sinhStretch(num(1 / 3));
    case 'power':
      return powerStretch(num(2));
    case 'powerdist':
      return powerDistStretch(num(1000));
    default:
      throw new InputError('STRETCH_UNKNOWN', `unknown stretch '${spec}' (linear, sqrt, log[:a], asinh[:a], sinh[:a], power:a, powerdist[:a]; histeq needs the image)`, {
        field: 'stretch',
      });
  }
}
