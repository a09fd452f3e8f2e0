// Unit checks that need no reference files: projection round trips (incl. COE, BON, CYP, which no
// reference file has), analytic values, alternate keys, header fixes, errors and cutout shifts.
import { describe, expect, it } from 'vitest';
import { WcsError } from '../errors';
import { pixelXY, skyRaDec } from '../units';
import { makeProjection, SUPPORTED_PROJECTIONS } from './projections/index';
import { readWcs, celestialWcsKeys } from './wcs';
import { wcsHeaderCards, wcsCardInputs } from './cards';
import { readFileSync } from 'node:fs';
import { formatCard } from '../fits/card-format';
import { parseHeaderText } from '../fits/header';
import { FitsFile } from '../fits/file';
import { sourceFromBytes } from '../fits/source';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedFits } from '../../test/shared';

/** A minimal keyword map (stands in for FitsHeader). */
const hdr = (o: Record<string, string | number>) => ({ get: (k: string) => o[k] });

const PARAMS: Record<string, Map<number, number>> = {
  AZP: new Map([[1, 2], [2, 30]]), SIN: new Map([[1, 0.1], [2, -0.2]]), ZPN: new Map([[1, 1], [3, -0.05]]),
  CEA: new Map([[1, 0.7]]), CYP: new Map([[1, 1], [2, 0.8]]), COE: new Map([[1, 45], [2, 10]]), BON: new Map([[1, 45]]),
};

describe('projections', () => {
  for (const code of SUPPORTED_PROJECTIONS) {
    it(`${code}: native → plane → native round trip over its domain`, () => {
      const prj = makeProjection(code, PARAMS[code] ?? new Map());
      let worst = 0;
      let n = 0;
      for (let phi = -170; phi <= 170; phi += 17) {
        for (let theta = -80; theta <= 85; theta += 11) {
          if (code === 'AZP' && theta < 10) continue; // beyond the AZP horizon for μ = 2, γ = 30°
          if ((code === 'TAN' || code === 'ZPN') && theta <= 5) continue;
          if (code === 'SIN' && theta < 35) continue; // the slant SIN folds over near its horizon
          const [x, y] = prj.fromNative(phi, theta);
          if (!Number.isFinite(x)) continue;
          const [p2, t2] = prj.toNative(x, y);
          worst = Math.max(worst, Math.abs(t2 - theta), Math.abs(p2 - phi) * Math.cos((theta * Math.PI) / 180));
          n++;
        }
      }
      expect(n).toBeGreaterThan(50);
      expect(worst).toBeLessThan(1e-9);
    });
  }
  it('analytic values (CG02): TAN, ARC, STG, ZEA at θ = 45°, CAR/MER/CEA on the equator', () => {
    const e = new Map<number, number>();
    const r = (code: string) => Math.hypot(...makeProjection(code, e).fromNative(0, 45));
    const R0 = 180 / Math.PI;
    expect(r('TAN')).toBeCloseTo(R0, 12); // cot 45° = 1
    expect(r('ARC')).toBeCloseTo(45, 12);
    expect(r('STG')).toBeCloseTo(2 * R0 * Math.tan(Math.PI / 8), 12);
    expect(r('ZEA')).toBeCloseTo(2 * R0 * Math.sin(Math.PI / 8), 12);
    const [mx, my] = makeProjection('MER', e).fromNative(30, 0);
    expect(mx).toBe(30);
    expect(my).toBeCloseTo(0, 12);
    expect(makeProjection('AIT', e).toNative(4 * R0, 0)[0]).toBeNaN(); // beyond the ellipse
    expect(makeProjection('TAN', e).fromNative(0, -10)[0]).toBeNaN(); // far hemisphere
  });
  it('unknown projection code is a WcsError naming the keyword', () => {
    expect(() => makeProjection('XYZ', new Map(), 'CTYPE1')).toThrow(WcsError);
    expect(() => makeProjection('XYZ', new Map(), 'CTYPE1')).toThrow(/CTYPE1/);
  });
});

const TAN = {
  NAXIS: 2, NAXIS1: 100, NAXIS2: 80, CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 50.5, CRPIX2: 40.5,
  CRVAL1: 150.1, CRVAL2: 2.2, CDELT1: -0.0002, CDELT2: 0.0002,
};

describe('Wcs', () => {
  it('reference pixel maps to CRVAL; 0- and 1-based entry points differ by one', () => {
    const w = readWcs(hdr(TAN));
    const s = w.pixel0ToSky(pixelXY(49.5, 39.5));
    expect(s.ra).toBeCloseTo(150.1, 12);
    expect(s.dec).toBeCloseTo(2.2, 12);
    const s1 = w.pixel1ToSky(pixelXY(50.5, 40.5));
    expect(s1.ra).toBeCloseTo(150.1, 12);
    const p1 = w.skyToPixel1(skyRaDec(150.1, 2.2));
    expect(p1.x).toBeCloseTo(50.5, 9);
    expect(w.pixelScaleArcsecAt(pixelXY(49.5, 39.5))).toBeCloseTo(0.72, 6);
  });
  it('CROTA2 equals the matching CD matrix (GC02 CROTA rules)', () => {
    const rho = 30 * Math.PI / 180;
    const a = readWcs(hdr({ ...TAN, CROTA2: 30 }));
    const b = readWcs(hdr({ ...TAN, CDELT1: 1, CDELT2: 1, CD1_1: -0.0002 * Math.cos(rho), CD1_2: -0.0002 * Math.sin(rho), CD2_1: -0.0002 * Math.sin(rho), CD2_2: 0.0002 * Math.cos(rho) }));
    expect(b.params.linearForm).toBe('CD');
    const p = pixelXY(3, 77);
    expect(a.pixel0ToSky(p).ra).toBeCloseTo(b.pixel0ToSky(p).ra, 12);
    expect(a.pixel0ToSky(p).dec).toBeCloseTo(b.pixel0ToSky(p).dec, 12);
  });
  it('alternate WCS letter A is read independently of the primary', () => {
    const alt: Record<string, string | number> = { ...TAN, CTYPE1: 'PIXEL', CTYPE2: 'PIXEL' };
    for (const [k, v] of Object.entries(TAN)) if (/^C(TYPE|RPIX|RVAL|DELT)/.test(k)) alt[k + 'A'] = v;
    expect(celestialWcsKeys(hdr(alt))).toEqual(['A']);
    const w = readWcs(hdr(alt), { key: 'A' });
    expect(w.pixel0ToSky(pixelXY(49.5, 39.5)).ra).toBeCloseTo(150.1, 12);
    expect(() => readWcs(hdr(alt))).toThrow(/no celestial/);
  });
  it('records RADECSYS → RADESYS, defaults FK4/FK5/ICRS from EQUINOX, galactic has none', () => {
    expect(readWcs(hdr({ ...TAN, RADECSYS: 'FK5', EQUINOX: 2000 })).params.fixes).toContain('RADECSYS → RADESYS');
    expect(readWcs(hdr({ ...TAN, EQUINOX: 1950 })).radesys).toBe('FK4');
    expect(readWcs(hdr({ ...TAN, EQUINOX: 2000 })).radesys).toBe('FK5');
    expect(readWcs(hdr(TAN)).radesys).toBe('ICRS');
    const g = readWcs(hdr({ ...TAN, CTYPE1: 'GLON-CAR', CTYPE2: 'GLAT-CAR', CRVAL2: 0 }));
    expect(g.frame).toBe('galactic');
    expect(g.radesys).toBe('');
  });
  it('unbuildable WCS: WcsError naming the keyword', () => {
    expect(() => readWcs(hdr({ ...TAN, CTYPE1: 'RA---QQQ', CTYPE2: 'DEC--QQQ' }))).toThrow(/CTYPE2/);
    expect(() => readWcs(hdr({ ...TAN, CDELT1: 0 }))).toThrow(WcsError);
    expect(() => readWcs(hdr({ ...TAN, CTYPE1: 'RA---TAN-SIP', CTYPE2: 'DEC--TAN-SIP' }))).toThrow(/A_ORDER/);
    expect(() => readWcs(hdr({ ...TAN, CUNIT1: 'm' }))).toThrow(/CUNIT1/);
  });
  it('SCAMP PV terms on a plain TAN header are read as TPV (the rule astropy applies)', () => {
    const pvs = { PV1_0: 0, PV1_1: 1, PV1_2: 0, PV1_5: 0.02, PV2_0: 0, PV2_1: 1, PV2_2: 0, PV2_6: -0.03 };
    const scamp = readWcs(hdr({ ...TAN, ...pvs }));
    const tpv = readWcs(hdr({ ...TAN, ...pvs, CTYPE1: 'RA---TPV', CTYPE2: 'DEC--TPV' }));
    expect(scamp.hasTpv).toBe(true);
    expect(scamp.params.fixes.join()).toMatch(/SCAMP/);
    const p = pixelXY(3, 70);
    expect(scamp.pixel0ToSky(p)).toEqual(tpv.pixel0ToSky(p));
    expect(scamp.pixel0ToSky(p).ra).not.toBeCloseTo(readWcs(hdr(TAN)).pixel0ToSky(p).ra, 9);
  });
  it('TPV r terms (PVi_3, PVi_11) are finite at the reference point and invert', () => {
    const w = readWcs(hdr({ ...TAN, CTYPE1: 'RA---TPV', CTYPE2: 'DEC--TPV', PV1_1: 1, PV1_3: 0.01, PV1_11: 2, PV2_1: 1, PV2_3: -0.02 }));
    const c = w.pixel0ToSky(pixelXY(49.5, 39.5));
    expect(c.ra).toBeCloseTo(150.1, 12);
    const p = pixelXY(10, 70);
    const back = w.skyToPixel0(w.pixel0ToSky(p));
    expect(Math.hypot(back.x - 10, back.y - 70)).toBeLessThan(1e-8);
  });
  it('latitude on axis 1 and longitude on axis 2 (transposed image) give the transposed mapping', () => {
    const a = readWcs(hdr({ ...TAN, CROTA2: 12 }));
    const t = readWcs(hdr({ NAXIS: 2, CTYPE1: 'DEC--TAN', CTYPE2: 'RA---TAN', CRPIX1: 40.5, CRPIX2: 50.5, CRVAL1: 2.2, CRVAL2: 150.1,
      CD1_1: a.params.cd[1][1], CD1_2: a.params.cd[1][0], CD2_1: a.params.cd[0][1], CD2_2: a.params.cd[0][0] }));
    const s1 = a.pixel0ToSky(pixelXY(7, 61));
    const s2 = t.pixel0ToSky(pixelXY(61, 7));
    expect(s2.ra).toBeCloseTo(s1.ra, 12);
    expect(s2.dec).toBeCloseTo(s1.dec, 12);
    const back = t.skyToPixel0(s1);
    expect(back.x).toBeCloseTo(61, 9);
    expect(back.y).toBeCloseTo(7, 9);
  });
  it('off-domain positions give NaN, not exceptions', () => {
    const w = readWcs(hdr({ ...TAN, CDELT1: -1, CDELT2: 1 }));
    expect(Number.isFinite(w.pixel0ToSky(pixelXY(49.5, 39.5 + 60)).ra)).toBe(true);
    expect(w.skyToPixel0(skyRaDec(150.1 + 180, -2.2)).x).toBeNaN(); // antipode: behind the TAN plane
  });
  it('a shifted WCS and its header cards reproduce the parent at every pixel (SIP included)', () => {
    const sip = { ...TAN, CTYPE1: 'RA---TAN-SIP', CTYPE2: 'DEC--TAN-SIP', A_ORDER: 2, B_ORDER: 2, A_2_0: 1e-5, A_1_1: -2e-6, B_0_2: 3e-6 };
    const w = readWcs(hdr(sip));
    const s = w.shiftedPixel0(20, 10);
    const fromCards = readWcs(hdr(Object.fromEntries(wcsHeaderCards(s))));
    for (const [x, y] of [[0, 0], [13.5, 7.25], [60, 50]]) {
      const want = w.pixel0ToSky(pixelXY(x + 20, y + 10));
      for (const got of [s.pixel0ToSky(pixelXY(x, y)), fromCards.pixel0ToSky(pixelXY(x, y))]) {
        expect(got.ra).toBeCloseTo(want.ra, 12);
        expect(got.dec).toBeCloseTo(want.dec, 12);
      }
      const back = fromCards.skyToPixel0(want);
      expect(Math.hypot(back.x - x, back.y - y)).toBeLessThan(1e-9);
    }
  });
});

describe('analytic checks for projections without reference files', () => {
  const R0 = 180 / Math.PI;
  const e = new Map<number, number>();
  it('SIN with ξ = 0, η = cot δ0 is the NCP projection (CG02)', () => {
    const d0 = 40;
    const w = readWcs(hdr({ ...TAN, CTYPE1: 'RA---SIN', CTYPE2: 'DEC--SIN', CRVAL1: 100, CRVAL2: d0, CDELT1: -0.01, CDELT2: 0.01, PV2_1: 0, PV2_2: 1 / Math.tan(d0 * Math.PI / 180) }));
    for (const [a, d] of [[101, 41], [99.2, 38.7], [100.5, 45]]) {
      const da = (a - 100) * Math.PI / 180, dr = d * Math.PI / 180, d0r = d0 * Math.PI / 180;
      const x = R0 * Math.cos(dr) * Math.sin(da);
      const y = R0 * (Math.cos(d0r) - Math.cos(dr) * Math.cos(da)) / Math.sin(d0r);
      const p = w.skyToPixel0(skyRaDec(a, d));
      expect(p.x).toBeCloseTo(49.5 + x / -0.01, 7);
      expect(p.y).toBeCloseTo(39.5 + y / 0.01, 7);
    }
  });
  it('CYP, COE, BON special values', () => {
    const [, y] = makeProjection('CYP', new Map([[1, 1], [2, 1]])).fromNative(0, 45);
    expect(y).toBeCloseTo(2 * R0 * Math.tan(Math.PI / 8), 10); // μ = λ = 1: y = 2R0 tan(θ/2)
    const coe = makeProjection('COE', new Map([[1, 45], [2, 10]]));
    expect(coe.theta0).toBe(45);
    const [cx, cy] = coe.fromNative(0, 45);
    expect(Math.hypot(cx, cy)).toBeLessThan(1e-12); // fiducial point at the origin
    const [bx, by] = makeProjection('BON', new Map([[1, 45]])).fromNative(0, 45);
    expect(bx).toBeCloseTo(0, 12);
    expect(by).toBeCloseTo(45, 10); // on the central meridian y = θ (CG02 with A = 0)
    expect(makeProjection('BON', e).code).toBe('SFL'); // θ1 = 0 degenerates to Sanson–Flamsteed
  });
});

describe.skipIf(!HAS_SHARED)(`cutout WCS through the FITS card writer (${HAS_SHARED ? 'shared data' : SHARED_SKIP_REASON})`, () => {
  for (const [file, hdu] of [['ksb_170430_055945_ooi_r_ls9.CCD4.fits', 1], ['sip-wcs.fits', 0], ['dss.14.29.56-62.41.05.fits.gz', 0]] as const) {
    it(`${file}: shifted WCS written as cards and read back matches astropy all_pix2world`, () => {
      const ref = JSON.parse(readFileSync(sharedFits(`${file}.ref.json`), 'utf8')).hdus[hdu].wcs.points;
      const f = new FitsFile(sourceFromBytes(file, readFileSync(sharedFits(file))));
      const w = readWcs(f.hdu(hdu).header).shiftedPixel0(7, 3);
      const text = wcsCardInputs(w).flatMap(formatCard).join('');
      const back = readWcs(parseHeaderText(text));
      for (const p of ref) {
        const s = back.pixel0ToSky(pixelXY(p.pixel[0] - 7, p.pixel[1] - 3));
        expect(Math.abs(s.ra - p.world_all_pix2world[0]) * Math.cos(s.dec * Math.PI / 180)).toBeLessThan(1e-8);
        expect(Math.abs(s.dec - p.world_all_pix2world[1])).toBeLessThan(1e-8);
      }
    });
  }
});
