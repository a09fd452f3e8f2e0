// Every WCS in ../shared/data/fits checked against astropy 8.0.1 (wcslib) reference positions:
// all_pix2world (< 1e-8°), wcs_pix2world (no SIP), round trip pixel → sky → pixel (< 1e-6 px) and
// all_world2pix of the reference sky positions (< 1e-6 px). Headers come from the project's own
// FITS reader (FitsFile / parseHeaderText), not from the JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHeaderText } from '../fits/header';
import { FitsFile } from '../fits/file';
import { sourceFromBytes } from '../fits/source';
import { HAS_SHARED, SHARED_SKIP_REASON, FITS_DIR, sharedFits } from '../../test/shared';
import { pixelXY, skyRaDec } from '../units';
import { readWcs, celestialWcsKeys, type Wcs } from './wcs';
import type { WcsKeywordSource } from './params';

interface RefPoint {
  pixel: number[];
  world_all_pix2world: Array<number | string>;
  world_wcs_pix2world: Array<number | string>;
  pixel_back_all_world2pix: Array<number | string>;
}
interface RefWcs { key: string; ctype_header: string[]; points: RefPoint[]; has_sip: boolean; radesys: string; equinox: number | string }
interface Case { file: string; hdu: number; label: string; ref: RefWcs; header: () => WcsKeywordSource }

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
/** Angular distance in degrees between two (lng, lat), robust for small separations. */
function sep(a: [number, number], b: [number, number]): number {
  const dl = ((((a[0] - b[0] + 180) % 360) + 360) % 360) - 180;
  return Math.hypot(dl * Math.cos((b[1] * Math.PI) / 180), a[1] - b[1]);
}

function cases(): Case[] {
  if (!HAS_SHARED) return [];
  const out: Case[] = [];
  for (const f of readdirSync(FITS_DIR).filter((n) => n.endsWith('.ref.json')).sort()) {
    const ref = JSON.parse(readFileSync(sharedFits(f), 'utf8'));
    const file = f.replace(/\.ref\.json$/, '');
    const path = sharedFits(file);
    const add = (hdu: number, w: RefWcs | RefWcs[] | Record<string, RefWcs> | undefined, header: () => WcsKeywordSource): void => {
      if (!w) return;
      const list = Array.isArray(w) ? w : 'points' in w ? [w as RefWcs] : Object.values(w);
      for (const r of list) out.push({ file, hdu, label: `${file}[${hdu}]${r.key?.trim() ? ' key ' + r.key : ''} ${r.ctype_header.join(',')}`, ref: r, header });
    };
    if (ref.kind === 'header_only') {
      const h = () => parseHeaderText(readFileSync(path, 'latin1'));
      add(0, ref.wcs, h);
      add(0, ref.alternate_wcs, h);
    } else {
      for (const hdu of ref.hdus) {
        const h = () => {
          return new FitsFile(sourceFromBytes(file, readFileSync(path))).hdu(hdu.index).header;
        };
        add(hdu.index, hdu.wcs, h);
        add(hdu.index, hdu.alternate_wcs, h);
      }
    }
  }
  return out;
}

const ALL = cases();
/** Worst deviations per case, printed at the end for docs/wcs.md. */
const summary: Array<[string, number, number, number]> = [];

describe.skipIf(!HAS_SHARED)(`WCS against astropy references (${HAS_SHARED ? 'shared data present' : SHARED_SKIP_REASON})`, () => {
  it('finds the reference WCS cases', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(40);
  });
  for (const c of ALL) {
    it(c.label, () => {
      const header = c.header();
      const key = (c.ref.key ?? '').trim();
      const wcs: Wcs = readWcs(header, { key });
      expect(celestialWcsKeys(header)).toContain(key);
      expect(wcs.hasSip).toBe(c.ref.has_sip);
      expect(wcs.radesys).toBe(c.ref.radesys);
      let worldDev = 0;
      let roundTrip = 0;
      let back = 0;
      for (const p of c.ref.points) {
        const px = pixelXY(p.pixel[0], p.pixel[1]);
        const want = [num(p.world_all_pix2world[0]), num(p.world_all_pix2world[1])] as [number, number];
        const got = wcs.pixel0ToSky(px);
        if (Number.isNaN(want[0])) {
          expect(got.ra, `${c.label} pixel ${p.pixel} should be off the sky`).toBeNaN();
          continue;
        }
        const d = sep([got.ra, got.dec], want);
        worldDev = Math.max(worldDev, d);
        expect(d, `${c.label} all_pix2world at ${p.pixel}: got ${got.ra},${got.dec} want ${want}`).toBeLessThan(1e-8);
        const wantCore = [num(p.world_wcs_pix2world[0]), num(p.world_wcs_pix2world[1])] as [number, number];
        const core = wcs.pixel0ToSkyNoSip(px);
        expect(sep([core.ra, core.dec], wantCore), `${c.label} wcs_pix2world at ${p.pixel}`).toBeLessThan(1e-8);
        const rt = wcs.skyToPixel0(got);
        roundTrip = Math.max(roundTrip, Math.hypot(rt.x - px.x, rt.y - px.y));
        expect(Math.hypot(rt.x - px.x, rt.y - px.y), `${c.label} round trip at ${p.pixel}`).toBeLessThan(1e-6);
        const fromRef = wcs.skyToPixel0(skyRaDec(want[0], want[1]));
        const wantBack = p.pixel_back_all_world2pix.map(num);
        back = Math.max(back, Math.hypot(fromRef.x - wantBack[0], fromRef.y - wantBack[1]));
        expect(Math.hypot(fromRef.x - wantBack[0], fromRef.y - wantBack[1]), `${c.label} all_world2pix at ${p.pixel}`).toBeLessThan(1e-6);
      }
      summary.push([c.label, worldDev, roundTrip, back]);
    });
  }
  it('summary (printed for docs/wcs.md)', () => {
    if (process.env.WCS_SUMMARY) {
      for (const [l, w, r, b] of summary) console.log(`${l.padEnd(70)} max|Δsky| ${w.toExponential(2)}°  round trip ${r.toExponential(2)} px  vs all_world2pix ${b.toExponential(2)} px`);
    }
    expect(summary.length).toBeGreaterThan(0);
  });
});
