// Test helper: the magnification an SIS gives an extended source, computed independently of the
// simulator's ray shooting — the flux-weighted mean of the point magnification 2θE/|β| over the
// source-plane brightness (valid for sources well inside the caustic-free region, |β| > 0).
export function sisMagnification(brightness: (x: number, y: number) => number, thetaE: number, sx: number, sy: number, half: number, h = 0.004): number {
  let w = 0;
  let wm = 0;
  for (let y = sy - half; y < sy + half; y += h)
    for (let x = sx - half; x < sx + half; x += h) {
      const I = brightness(x + h / 2, y + h / 2);
      w += I;
      wm += (I * 2 * thetaE) / Math.hypot(x + h / 2, y + h / 2);
    }
  return wm / w;
}

/** Σ of a rendered band's model pixels over μ·F: 1 when the PSF keeps the lensed flux. */
export function fluxRatio(model: ArrayLike<number>, mu: number, flux: number): number {
  let tot = 0;
  for (let i = 0; i < model.length; i++) tot += model[i];
  return tot / (mu * flux);
}
