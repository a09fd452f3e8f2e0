// The celestial WCS of one image: pixel ↔ sky (GC02, CG02, SIP, TPV).
// Pipeline pixel → sky (what astropy's all_pix2world does):
//   p (0-based) → p+1 (FITS 1-based) → [D2IM lookup] → d = p − CRPIX → SIP (optional)
//   [+ CPDIS lookup] → x = CD·d (degrees)
//   → TPV (optional) → projection⁻¹ → native (φ, θ) → rotation → celestial (α, δ).
// Sky → pixel inverts each step; SIP and TPV by Newton iteration to ~1e-12 px.
// Off-domain positions give NaN (like astropy), never exceptions.
import { WcsError } from '../errors';
import { type PixelXY, type SkyRaDec, pixelXY, skyRaDec } from '../units';
import { celestialRotation, celestialToNative, nativeToCelestial, type CelestialRotation } from './celestial';
import { makeProjection, type Projection } from './projections/index';
import { readWcsParams, type WcsKeywordSource, type WcsParams } from './params';
import { sipForward, sipInverse } from './sip';
import { dssPixel1ToPlane, dssPlaneToPixel1 } from './dss';
import { tpvForward, tpvFromPv, tpvInverse, type TpvPolynomial } from './tpv';
import { lookupDeltas, readLookupDistortion, type ExtensionLookup, type LookupDistortion, type LookupTable } from './lookup-distortion';

export interface WcsOptions {
  /** Alternate description letter ('' = primary). */
  key?: string;
  /** 0-based pixel coordinates for the non-celestial axes (default 0), e.g. the channel of a cube. */
  otherPixels0?: readonly number[];
  /** Paper IV lookup-table distortions (D2IM, CPDIS), read from the file's extensions (lookup-distortion.ts). */
  distortion?: LookupDistortion;
}

export class Wcs {
  readonly params: WcsParams;
  readonly options: WcsOptions;
  readonly projection: Projection;
  readonly rotation: CelestialRotation;
  private readonly tpv: TpvPolynomial | undefined;
  /** Plane offsets (x0, y0) making the fiducial point land on (0, 0) when PVi_1/PVi_2 move it. */
  private readonly x0: number;
  private readonly y0: number;
  /** Intermediate-coordinate contribution of the fixed non-celestial pixel axes. */
  private readonly fixedLng: number;
  private readonly fixedLat: number;
  /** Inverse of the 2×2 celestial block of CD (for sky → pixel). */
  private readonly inv: [number, number, number, number];

  constructor(params: WcsParams, options: WcsOptions = {}) {
    this.params = params;
    this.options = options;
    const { lngAxis: L, latAxis: B, pv } = params;
    const latPv = params.tpv ? new Map<number, number>() : (pv.get(B + 1) ?? new Map<number, number>());
    const code = params.tpv || params.dss ? 'TAN' : params.projection;
    this.projection = makeProjection(code, latPv, `CTYPE${B + 1}${params.key}`);
    this.tpv = params.tpv ? tpvFromPv(pv.get(L + 1), pv.get(B + 1)) : undefined;
    // Fiducial point offset (CG02: PVi_1, PVi_2 of the longitude axis give φ0, θ0).
    const lngPv = params.tpv ? undefined : pv.get(L + 1);
    const phi0 = lngPv?.get(1) ?? this.projection.phi0;
    const theta0 = lngPv?.get(2) ?? this.projection.theta0;
    if (phi0 !== this.projection.phi0 || theta0 !== this.projection.theta0) {
      [this.x0, this.y0] = this.projection.fromNative(phi0, theta0);
      if (!Number.isFinite(this.x0)) throw new WcsError('WCS_BAD_PV', `fiducial point (PV${L + 1}_1, PV${L + 1}_2) = (${phi0}, ${theta0}) does not project`, { keyword: `PV${L + 1}_1${params.key}` });
    } else {
      this.x0 = 0;
      this.y0 = 0;
    }
    const crval: [number, number] = [params.crval[L] * params.unitToDeg[L], params.crval[B] * params.unitToDeg[B]];
    this.rotation = params.dss
      ? celestialRotation([params.dss.ra0, params.dss.dec0], 0, 90, undefined, undefined)
      : celestialRotation(crval, phi0, theta0, params.lonpole, params.latpole);
    let fl = 0;
    let fb = 0;
    for (let j = 0; j < params.naxis; j++) {
      if (j === L || j === B) continue;
      const d = (options.otherPixels0?.[j] ?? 0) + 1 - params.crpix[j];
      fl += params.cd[L][j] * d;
      fb += params.cd[B][j] * d;
    }
    this.fixedLng = fl;
    this.fixedLat = fb;
    const a = params.cd[L][L], b = params.cd[L][B], c = params.cd[B][L], d = params.cd[B][B];
    const det = a * d - b * c;
    if (det === 0 || !Number.isFinite(det)) {
      throw new WcsError('WCS_SINGULAR_MATRIX', `the linear transform (CD/PC·CDELT) of WCS '${params.key || ' '}' is singular`, { keyword: params.linearForm === 'CD' ? 'CD1_1' : 'CDELT1' });
    }
    this.inv = [d / det, -b / det, -c / det, a / det];
  }

  /** Celestial frame of the longitude/latitude: 'equatorial', 'galactic', 'ecliptic', … */
  get frame(): string { return this.params.frame; }
  get radesys(): string { return this.params.radesys; }
  get equinox(): number | undefined { return this.params.equinox; }
  get hasSip(): boolean { return this.params.sip !== undefined; }
  get hasTpv(): boolean { return this.params.tpv; }
  get hasLookupDistortion(): boolean { return this.options.distortion !== undefined; }

  /**
   * Focal-plane offsets from CRPIX of a 0-based pixel, all pixel-plane distortions applied
   * (astropy pipeline_pix2foc): q = p + D2IM(p); foc = q + SIP(q − CRPIX) + CPDIS(q).
   */
  private pixel0ToFocalOffsets(p: PixelXY): [number, number] {
    const dist = this.options.distortion;
    let [du, dv] = this.pixel0ToOffsets(p);
    if (!dist) return this.params.sip ? sipForward(this.params.sip, du, dv) : [du, dv];
    const { lngAxis: L, latAxis: B, crpix } = this.params;
    // Tables are indexed by FITS pixel axes 1 and 2 (x, y), 1-based.
    let x = p.x + 1;
    let y = p.y + 1;
    const [ex, ey] = lookupDeltas(dist.det2im, x, y);
    x += ex;
    y += ey;
    [du, dv] = L < B ? [x - crpix[L], y - crpix[B]] : [y - crpix[L], x - crpix[B]];
    let [fu, fv] = this.params.sip ? sipForward(this.params.sip, du, dv) : [du, dv];
    const [cx, cy] = lookupDeltas(dist.cpdis, x, y);
    if (L < B) (fu += cx), (fv += cy);
    else (fu += cy), (fv += cx);
    return [fu, fv];
  }

  // --- sky → pixel -------------------------------------------------------------------------

  /** Pixel offsets d = p − CRPIX (celestial pixel axes), without SIP. */
  private skyToOffsets(lng: number, lat: number): [number, number] {
    const [phi, theta] = celestialToNative(this.rotation, lng, lat);
    let [x, y] = this.projection.fromNative(phi, theta);
    if (Number.isNaN(x) || Number.isNaN(y)) return [NaN, NaN];
    x -= this.x0;
    y -= this.y0;
    if (this.tpv) [x, y] = tpvInverse(this.tpv, x, y);
    const { lngAxis: L, latAxis: B, unitToDeg } = this.params;
    const xl = x / unitToDeg[L] - this.fixedLng;
    const xb = y / unitToDeg[B] - this.fixedLat;
    const [i11, i12, i21, i22] = this.inv;
    return [i11 * xl + i12 * xb, i21 * xl + i22 * xb];
  }

  private dssSkyToPixel0(sky: SkyRaDec): PixelXY {
    const [phi, theta] = celestialToNative(this.rotation, sky.ra, sky.dec);
    const [x, y] = this.projection.fromNative(phi, theta);
    if (Number.isNaN(x) || Number.isNaN(y)) return pixelXY(NaN, NaN);
    const [px, py] = dssPlaneToPixel1(this.params.dss!, x, y);
    return pixelXY(px - 1, py - 1);
  }

  private offsetsToPixel0(du: number, dv: number): PixelXY {
    const { lngAxis: L, latAxis: B, crpix } = this.params;
    // Pixel axes are paired with the world axes of the same index (lng ↔ axis L).
    const pl = du + crpix[L] - 1;
    const pb = dv + crpix[B] - 1;
    return L < B ? pixelXY(pl, pb) : pixelXY(pb, pl);
  }

  /** Sky (degrees) → 0-based pixel, inverting every step including SIP (astropy all_world2pix(…, 0)). */
  skyToPixel0(sky: SkyRaDec): PixelXY {
    if (this.params.dss) return this.dssSkyToPixel0(sky);
    const [tu, tv] = this.skyToOffsets(sky.ra, sky.dec);
    let [du, dv] = [tu, tv];
    if (this.params.sip && Number.isFinite(du)) [du, dv] = sipInverse(this.params.sip, du, dv);
    let p = this.offsetsToPixel0(du, dv);
    if (!this.options.distortion || !Number.isFinite(du)) return p;
    // Lookup tables: fixed-point iteration p ← p − (foc(p) − target), as astropy's all_world2pix
    // starts; the tables are small, smooth corrections, so it converges to ~1e-12 px in a few steps.
    for (let k = 0; k < 100; k++) {
      const [fu, fv] = this.pixel0ToFocalOffsets(p);
      const [ru, rv] = [fu - tu, fv - tv];
      const { lngAxis: L, latAxis: B } = this.params;
      const [rx, ry] = L < B ? [ru, rv] : [rv, ru];
      p = pixelXY(p.x - rx, p.y - ry);
      if (Math.abs(ru) < 1e-12 && Math.abs(rv) < 1e-12) break;
    }
    return p;
  }

  /** Sky → 0-based pixel ignoring SIP (astropy wcs_world2pix(…, 0)); TPV is included. */
  skyToPixel0NoSip(sky: SkyRaDec): PixelXY {
    if (this.params.dss) return this.dssSkyToPixel0(sky);
    const [du, dv] = this.skyToOffsets(sky.ra, sky.dec);
    return this.offsetsToPixel0(du, dv);
  }

  /** Sky → 1-based FITS pixel. */
  skyToPixel1(sky: SkyRaDec): PixelXY {
    const p = this.skyToPixel0(sky);
    return pixelXY(p.x + 1, p.y + 1);
  }

  // --- pixel → sky -------------------------------------------------------------------------

  private offsetsToSky(du: number, dv: number): SkyRaDec {
    const { lngAxis: L, latAxis: B, cd, unitToDeg } = this.params;
    let x = (cd[L][L] * du + cd[L][B] * dv + this.fixedLng) * unitToDeg[L];
    let y = (cd[B][L] * du + cd[B][B] * dv + this.fixedLat) * unitToDeg[B];
    if (this.tpv) [x, y] = tpvForward(this.tpv, x, y);
    return this.planeToSky(x, y);
  }

  /** Projection plane (degrees, before the fiducial offset) → sky. */
  private planeToSky(x: number, y: number): SkyRaDec {
    const [phi, theta] = this.projection.toNative(x + this.x0, y + this.y0);
    if (Number.isNaN(phi) || Number.isNaN(theta)) return skyRaDec(NaN, NaN);
    const [lng, lat] = nativeToCelestial(this.rotation, phi, theta);
    return skyRaDec(lng, lat);
  }

  private pixel0ToOffsets(p: PixelXY): [number, number] {
    const { lngAxis: L, latAxis: B, crpix } = this.params;
    const [pl, pb] = L < B ? [p.x, p.y] : [p.y, p.x];
    return [pl + 1 - crpix[L], pb + 1 - crpix[B]];
  }

  /** 0-based pixel → sky in degrees, everything applied (astropy all_pix2world(…, 0)). */
  pixel0ToSky(p: PixelXY): SkyRaDec {
    if (this.params.dss) return this.planeToSky(...dssPixel1ToPlane(this.params.dss, p.x + 1, p.y + 1));
    const [du, dv] = this.pixel0ToFocalOffsets(p);
    return this.offsetsToSky(du, dv);
  }

  /** 0-based pixel → sky without SIP (astropy wcs_pix2world(…, 0)); TPV is included. */
  pixel0ToSkyNoSip(p: PixelXY): SkyRaDec {
    if (this.params.dss) return this.planeToSky(...dssPixel1ToPlane(this.params.dss, p.x + 1, p.y + 1));
    const [du, dv] = this.pixel0ToOffsets(p);
    return this.offsetsToSky(du, dv);
  }

  /** 1-based FITS pixel → sky. */
  pixel1ToSky(p: PixelXY): SkyRaDec {
    return this.pixel0ToSky(pixelXY(p.x - 1, p.y - 1));
  }

  /**
   * Local pixel scale in arcsec/pixel at a 0-based pixel: √|det J| of the pixel → sky map,
   * measured by finite differences on the tangent plane (good to ~1e-9 relative).
   */
  pixelScaleArcsecAt(p: PixelXY): number {
    const c = this.pixel0ToSky(p);
    const ex = this.pixel0ToSky(pixelXY(p.x + 1, p.y));
    const ey = this.pixel0ToSky(pixelXY(p.x, p.y + 1));
    const cosd = Math.cos((c.dec * Math.PI) / 180);
    const wrap = (a: number): number => ((((a + 180) % 360) + 360) % 360) - 180;
    const ax = wrap(ex.ra - c.ra) * cosd, ay = ex.dec - c.dec;
    const bx = wrap(ey.ra - c.ra) * cosd, by = ey.dec - c.dec;
    return Math.sqrt(Math.abs(ax * by - ay * bx)) * 3600;
  }

  /** A WCS for a sub-image whose 0-based pixel (0, 0) is this image's 0-based (x0, y0). */
  shiftedPixel0(x0: number, y0: number): Wcs {
    const { lngAxis: L, latAxis: B } = this.params;
    const crpix = [...this.params.crpix];
    const [sl, sb] = L < B ? [x0, y0] : [y0, x0];
    crpix[L] -= sl;
    crpix[B] -= sb;
    // DSS pixels are counted from the scan origin CNPIX1/2: shifting the sub-image shifts them.
    const dss = this.params.dss && { ...this.params.dss, cnpix1: this.params.dss.cnpix1 + x0, cnpix2: this.params.dss.cnpix2 + y0 };
    // Lookup tables are indexed by the full image's pixels: the sub-image's pixel p is p + (x0, y0).
    const dist = this.options.distortion;
    const shift = (t: LookupTable | null): LookupTable | null => (t ? { ...t, crval: [t.crval[0] - x0, t.crval[1] - y0] } : null);
    const distortion = dist && { det2im: [shift(dist.det2im[0]), shift(dist.det2im[1])] as const, cpdis: [shift(dist.cpdis[0]), shift(dist.cpdis[1])] as const };
    return new Wcs({ ...this.params, crpix, dss }, distortion ? { ...this.options, distortion } : this.options);
  }
}

/**
 * Reads and builds the WCS (primary or alternate `key`) from a header; throws WcsError. With
 * `extensions` (the file's image HDUs by EXTNAME/EXTVER), Paper IV lookup tables are applied too.
 */
export function readWcs(header: WcsKeywordSource, options: WcsOptions & { extensions?: ExtensionLookup } = {}): Wcs {
  const { extensions, ...rest } = options;
  const distortion = rest.distortion ?? (extensions ? readLookupDistortion(header, extensions) : undefined);
  return new Wcs(readWcsParams(header, rest.key ?? ''), distortion ? { ...rest, distortion } : rest);
}

/** Letters of the WCS descriptions with a celestial pair ('' = primary), for UIs and the CLI. */
export function celestialWcsKeys(header: WcsKeywordSource): string[] {
  const keys: string[] = [];
  for (const k of ['', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ']) {
    if (k !== '' && header.get(`CTYPE1${k}`) === undefined && header.get(`CTYPE2${k}`) === undefined) continue;
    try {
      readWcsParams(header, k);
      keys.push(k);
    } catch {
      // Not a celestial description: not listed (readWcs on that key reports why).
    }
  }
  return keys;
}
