// Small special functions the profiles need (no dependency available in pure src-core).

/** erf(x), Abramowitz & Stegun (1964) 7.1.26: |error| < 1.5e-7. */
export function erf(x: number): number {
  const sgn = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-ax * ax);
  return sgn * y;
}
