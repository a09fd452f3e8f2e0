// Ellipticity conventions shared by mass and light profiles (lenstronomy / COOLEST):
// q = minor/major axis ratio, phi = position angle of the major axis (rad, counter-clockwise from +x),
// e = (1 − q)/(1 + q), (e1, e2) = e (cos 2φ, sin 2φ).

export function qPhiToE1E2(q: number, phi: number): [number, number] {
  const e = (1 - q) / (1 + q);
  return [e * Math.cos(2 * phi), e * Math.sin(2 * phi)];
}

export function e1e2ToQPhi(e1: number, e2: number): [number, number] {
  const e = Math.hypot(e1, e2);
  return [(1 - e) / (1 + e), 0.5 * Math.atan2(e2, e1)];
}

/** Half-light (area-preserving) elliptical radius squared: R² = q x'² + y'²/q, (x', y') in the major-axis frame. */
export function ellipticalR2(dx: number, dy: number, q: number, c: number, s: number): number {
  const xr = c * dx + s * dy;
  const yr = c * dy - s * dx;
  return q * xr * xr + (yr * yr) / q;
}

/**
 * Rotates a symmetric 2×2 tensor [[a, b], [b, d]] given in a frame turned by +φ back to the image
 * frame (H = R H' Rᵀ, R the rotation by +φ) and writes [Hxx, Hxy, Hyy] into out.
 */
export function rotateSymInto(
  a: number, b: number, d: number, c: number, s: number, out: Float64Array | number[],
): void {
  out[0] = c * c * a - 2 * c * s * b + s * s * d;
  out[1] = c * s * (a - d) + (c * c - s * s) * b;
  out[2] = s * s * a + 2 * c * s * b + c * c * d;
}
