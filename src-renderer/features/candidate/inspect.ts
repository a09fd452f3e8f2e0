// Pure helpers of the candidate inspector: zoom about a point, sexagesimal coordinates.

export interface View {
  zoom: number;
  /** Translation of the zoomed frame in CSS px (applied before the scale, origin top-left). */
  pan: [number, number];
}

/**
 * Zooms by `factor` keeping the frame point under (cx, cy) — CSS px from the frame's corner —
 * fixed, clamped to 1×–32×; at 1× the frame is centred again. `size` is the frame's side.
 */
export function zoomAbout(v: View, factor: number, cx: number, cy: number, size: number): View {
  const zoom = Math.min(32, Math.max(1, v.zoom * factor));
  if (zoom === 1) return { zoom, pan: [0, 0] };
  const k = zoom / v.zoom;
  const pan: [number, number] = [cx - (cx - v.pan[0]) * k, cy - (cy - v.pan[1]) * k];
  // Keep some of the image in view: the zoomed frame may not leave the window entirely.
  const lim = size * zoom;
  pan[0] = Math.min(size * 0.9, Math.max(-lim + size * 0.1, pan[0]));
  pan[1] = Math.min(size * 0.9, Math.max(-lim + size * 0.1, pan[1]));
  return { zoom, pan };
}

const pad = (n: number, w: number, d = 0) => n.toFixed(d).padStart(w + (d ? d + 1 : 0), '0');

/** RA in hours, minutes, seconds (2 decimals), as DS9 and TOPCAT print it. */
export function formatRa(deg: number): string {
  let s = ((((deg % 360) + 360) % 360) / 15) * 3600;
  s = Math.round(s * 100) / 100;
  if (s >= 86400) s -= 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s - h * 3600 - m * 60, 2, 2)}`;
}

/** Dec in degrees, arcminutes, arcseconds (1 decimal), signed. */
export function formatDec(deg: number): string {
  const sign = deg < 0 ? '-' : '+';
  let s = Math.round(Math.abs(deg) * 36000) / 10;
  const d = Math.floor(s / 3600);
  s -= d * 3600;
  const m = Math.floor(s / 60);
  return `${sign}${pad(d, 2)}:${pad(m, 2)}:${pad(s - m * 60, 2, 1)}`;
}
