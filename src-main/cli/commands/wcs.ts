// `lensdesk wcs`: pixel ↔ sky conversions with a file's WCS (the same numbers as astropy's
// all_pix2world / all_world2pix with origin 0). Documented in docs/wcs.md.
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { InputError } from '../../../src-core/errors';
import { pixelXY, skyRaDec } from '../../../src-core/units';
import { readWcs } from '../../../src-core/wcs/wcs';
import { openWcsHeader, parsePair } from '../../wcs/open-header';
import type { CliCommand } from '../command';
import { numberOption } from '../args';

const USAGE = `Usage: lensdesk wcs FILE [--hdu N] [--key A] [--pix2world X,Y ...] [--world2pix RA,DEC ...] [--json]

Converts positions with the celestial WCS of FILE (FITS, .fits.gz, or a header-only .hdr file).
Pixels are 0-based in FITS axis order (x along NAXIS1), like astropy's all_pix2world(..., 0);
add 1 for FITS/ds9 pixel numbers. Sky positions are degrees in the WCS frame (RA/Dec, or
galactic l/b for GLON/GLAT). SIP, TPV and DSS plate distortions are applied.

Options:
  --hdu N             HDU index (default: the first HDU with a celestial WCS)
  --key A             alternate WCS letter (default: primary)
  --pix2world X,Y     pixel → sky; repeatable. Negative values: --pix2world=-3.5,10
  --world2pix RA,DEC  sky → pixel; repeatable. Negative values: --world2pix=150.1,-2.2
  --json              machine-readable output (format in docs/wcs.md)
Without --pix2world/--world2pix: prints a summary of the WCS.`;

/** Fixed decimals; a value that rounds to zero prints as 0, never '-0.000000'. */
const fmt = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d).replace(/^-(0\.0*)$/, '$1') : 'NaN');
const jnum = (v: number): number | null => (Number.isFinite(v) ? v : null);

export const wcsCommand: CliCommand = {
  name: 'wcs',
  summary: 'convert pixel ↔ sky positions with a FITS file’s WCS',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        hdu: { type: 'string' },
        key: { type: 'string' },
        pix2world: { type: 'string', multiple: true },
        world2pix: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new InputError('INPUT_INVALID', `expected exactly one FILE, got ${positionals.length}\n\n${USAGE}`, {});
    const path = positionals[0];
    const hduArg = numberOption(values, 'hdu', { integer: true, min: 0 });
    const { header, hdu, distortion } = openWcsHeader(path, hduArg);
    const wcs = readWcs(header, { key: values.key ?? '', distortion });
    const p = wcs.params;
    const results: object[] = [];
    const lines: string[] = [];
    for (const s of values.pix2world ?? []) {
      const [x, y] = parsePair(s, '--pix2world');
      const w = wcs.pixel0ToSky(pixelXY(x, y));
      results.push({ op: 'pix2world', pixel: [x, y], world: [jnum(w.ra), jnum(w.dec)] });
      lines.push(`pixel ${x} ${y} → ${fmt(w.ra, 10)} ${fmt(w.dec, 10)}`);
    }
    for (const s of values.world2pix ?? []) {
      const [ra, dec] = parsePair(s, '--world2pix');
      if (dec < -90 || dec > 90) throw new InputError('INPUT_OUT_OF_RANGE', `--world2pix latitude ${dec} is outside [-90, 90]`, { option: '--world2pix' });
      const q = wcs.skyToPixel0(skyRaDec(ra, dec));
      results.push({ op: 'world2pix', world: [ra, dec], pixel: [jnum(q.x), jnum(q.y)] });
      lines.push(`sky ${ra} ${dec} → ${fmt(q.x, 6)} ${fmt(q.y, 6)}`);
    }
    const L = p.lngAxis, B = p.latAxis;
    const lenX = p.axisLengths[L] || 0, lenY = p.axisLengths[B] || 0;
    const centre = pixelXY((lenX - 1) / 2, (lenY - 1) / 2);
    const summary = {
      file: basename(path),
      hdu,
      key: p.key,
      ctype: [p.ctype[L], p.ctype[B]],
      projection: p.dss ? 'TAN' : p.tpv ? 'TAN' : p.projection,
      distortions: [p.sip ? 'SIP' : '', p.tpv ? 'TPV' : '', p.dss ? 'DSS' : '', distortion?.det2im.some(Boolean) ? 'D2IM lookup' : '', distortion?.cpdis.some(Boolean) ? 'CPDIS lookup' : ''].filter(Boolean),
      frame: p.frame,
      radesys: p.radesys || null,
      equinox: p.equinox ?? null,
      axisLengths: [lenX, lenY],
      pixelOrigin: 0,
      fixes: p.fixes,
    };
    if (values.json) {
      const c = wcs.pixel0ToSky(centre);
      io.out(JSON.stringify({ ...summary, centre: lenX && lenY ? { pixel: [centre.x, centre.y], world: [jnum(c.ra), jnum(c.dec)], pixelScaleArcsec: jnum(wcs.pixelScaleArcsecAt(centre)) } : null, results }, null, 2));
      return 0;
    }
    if (results.length) {
      io.out(lines.join('\n'));
      return 0;
    }
    io.out(`${summary.file}${hdu === null ? '' : ` HDU ${hdu}`}${p.key ? ` WCS ${p.key}` : ''}: ${summary.ctype.join(' ')} (${summary.frame}${p.radesys ? ' ' + p.radesys : ''}${p.equinox ? ' J' + p.equinox : ''})`);
    if (summary.distortions.length) io.out(`distortions: ${summary.distortions.join(', ')}`);
    if (lenX && lenY) {
      const c = wcs.pixel0ToSky(centre);
      io.out(`centre pixel ${centre.x} ${centre.y} → ${fmt(c.ra, 8)} ${fmt(c.dec, 8)}; pixel scale ${fmt(wcs.pixelScaleArcsecAt(centre), 4)}″`);
    }
    if (p.fixes.length) io.out(`header fixes: ${p.fixes.join('; ')}`);
    return 0;
  },
};
