// `lensdesk render`: FITS image(s) → PNG. One file: interval + stretch to 8-bit grey. Three files
// (R G B): Lupton et al. (2004) composite exactly as astropy's make_lupton_rgb. Written with
// origin 'lower' like astropy/matplotlib (PNG top row = last FITS row, so north is up for a
// standard WCS) unless --origin upper. Documented in docs/display.md.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { FitsFile, imageInfo, isImageHdu, readImage } from '../../../src-core/fits/index';
import '../../../src-core/fits/compress/index'; // installs the tile decompressor
import { parseInterval } from '../../../src-core/image/interval';
import { HistEqStretch } from '../../../src-core/image/histeq-stretch';
import { LUPTON_PRESETS } from '../../../src-core/image/lupton-presets';
import type { LuptonOptions, Triple } from '../../../src-core/image/lupton-rgb';
import { encodePng, type RasterImage } from '../../../src-core/image/png';
import { renderGray, renderLupton } from '../../../src-core/image/render';
import { parseStretch, type Stretch } from '../../../src-core/image/stretch';
import { openFitsFile } from '../../fits/file-source';
import type { CliCommand } from '../command';
import { numberOption } from '../args';

const USAGE = `Usage:
  lensdesk render X.fits [--interval zscale] [--stretch asinh] --out x.png
  lensdesk render R.fits G.fits B.fits [--lupton] [--q 8] [--stretch 5] [--minimum 0] --out x.png

Single band: pixels → interval → stretch → 8-bit grey (byte = trunc(255·y), NaN → black).
Three bands: Lupton et al. (2004) colour composite, identical to astropy's
make_lupton_rgb(r, g, b, minimum, stretch, Q).

Options:
  --out FILE          PNG to write (required)
  --hdu N             image HDU index in every file (default: first HDU holding a 2-D image)
  --interval SPEC     single band: zscale (default) | minmax | percentile[:P] | manual:LO:HI
  --stretch S         single band: linear | sqrt | log[:a] | asinh[:a] (default asinh:0.1) | sinh[:a]
                      | power:a | powerdist[:a] | histeq
                      three bands: the Lupton linear range in data units (default 5)
  --lupton            three bands: Lupton composite (the default and only RGB mode)
  --q Q               Lupton softening (default 8)
  --minimum M|R,G,B   Lupton black level, one value or one per band (default 0)
  --scales R,G,B      per-band multipliers (HumVI-style), default 1,1,1
  --preset NAME       Lupton preset: ${Object.keys(LUPTON_PRESETS).join(', ')} (flags override)
  --origin lower|upper  lower (default, like astropy): last data row at the top of the PNG
  --json              print {out, width, height, bands, mode, limits?, lupton?} as JSON`;

function numberList(s: string, opt: string, n?: number): number[] {
  const v = s.split(',').map((t) => Number(t.trim()));
  if (v.some((x) => !Number.isFinite(x)) || (n !== undefined && v.length !== 1 && v.length !== n))
    throw new InputError('INPUT_INVALID', `${opt} expects ${n ? `1 or ${n} comma-separated numbers` : 'a number'}, got '${s}'`, { option: opt });
  return v;
}

interface Band {
  path: string;
  width: number;
  height: number;
  data: ArrayLike<number>;
}

function readBand(path: string, hduArg: number | undefined): Band {
  const file: FitsFile = openFitsFile(path);
  try {
    const hdus = file.hdus();
    const hdu =
      hduArg !== undefined
        ? file.hdu(hduArg)
        : hdus.find((h) => isImageHdu(h) && imageInfo(file, h).shape.length >= 2);
    if (!hdu) throw new InputError('INPUT_INVALID', `${basename(path)}: no HDU holds a 2-D image`, { file: path });
    const img = readImage(file, hdu);
    const shape = img.shape;
    if (shape.length < 2 || shape.slice(0, -2).some((d) => d !== 1))
      throw new InputError('INPUT_INVALID', `${basename(path)}: HDU ${hdu.index} has shape [${shape.join(', ')}], not a 2-D image`, { file: path, hdu: hdu.index });
    const d = img.data;
    const data = d instanceof BigInt64Array || d instanceof BigUint64Array ? Float64Array.from(d, Number) : (d as ArrayLike<number>);
    return { path, width: shape[shape.length - 1]!, height: shape[shape.length - 2]!, data };
  } finally {
    file.source.close?.();
  }
}

export const renderCommand: CliCommand = {
  name: 'render',
  summary: 'render FITS image(s) to PNG (zscale/stretches, or a Lupton RGB composite)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        hdu: { type: 'string' },
        interval: { type: 'string' },
        stretch: { type: 'string' },
        lupton: { type: 'boolean' },
        q: { type: 'string' },
        minimum: { type: 'string' },
        scales: { type: 'string' },
        preset: { type: 'string' },
        origin: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1 && positionals.length !== 3)
      throw new InputError('INPUT_INVALID', `expected 1 FITS file (grey) or 3 (R G B), got ${positionals.length}\n\n${USAGE}`);
    if (!values.out) throw new InputError('INPUT_INVALID', '--out FILE.png is required', { option: '--out' });
    const hdu = numberOption(values, 'hdu', { integer: true, min: 0 });
    const origin = values.origin ?? 'lower';
    if (origin !== 'lower' && origin !== 'upper') throw new InputError('INPUT_INVALID', `--origin must be lower or upper, got '${origin}'`, { option: '--origin' });
    const bands = positionals.map((p) => readBand(p, hdu));
    const [first] = bands;
    for (const b of bands)
      if (b.width !== first!.width || b.height !== first!.height)
        throw new InputError('INPUT_INVALID', `${basename(b.path)} is ${b.width}×${b.height}, ${basename(first!.path)} is ${first!.width}×${first!.height}: bands must share one pixel grid`, { file: b.path });

    let raster: RasterImage;
    const report: Record<string, unknown> = { out: values.out, width: first!.width, height: first!.height, bands: positionals.length };
    if (bands.length === 3) {
      let opts: LuptonOptions = {};
      if (values.preset) {
        const p = LUPTON_PRESETS[values.preset];
        if (!p) throw new InputError('INPUT_INVALID', `unknown --preset '${values.preset}' (${Object.keys(LUPTON_PRESETS).join(', ')})`, { option: '--preset' });
        opts = { minimum: p.minimum, stretch: p.stretch, Q: p.Q, scales: p.scales };
      }
      if (values.stretch !== undefined) opts.stretch = numberList(values.stretch, '--stretch')[0];
      if (values.q !== undefined) opts.Q = numberList(values.q, '--q')[0];
      if (values.minimum !== undefined) {
        const m = numberList(values.minimum, '--minimum', 3);
        opts.minimum = m.length === 1 ? m[0]! : (m as unknown as Triple);
      }
      if (values.scales !== undefined) opts.scales = numberList(values.scales, '--scales', 3) as unknown as Triple;
      raster = renderLupton(bands[0]!.data, bands[1]!.data, bands[2]!.data, first!.width, first!.height, opts);
      Object.assign(report, { mode: 'lupton', lupton: { minimum: opts.minimum ?? 0, stretch: opts.stretch ?? 5, Q: opts.Q ?? 8, scales: opts.scales ?? [1, 1, 1] } });
    } else {
      if (values.lupton) throw new InputError('INPUT_INVALID', '--lupton needs three files (R G B)', { option: '--lupton' });
      const interval = parseInterval(values.interval ?? 'zscale');
      const spec = values.stretch ?? 'asinh';
      let stretch: Stretch;
      if (spec === 'histeq') {
        const lim = interval.limits(first!.data);
        const span = lim[1] - lim[0] || 1;
        const norm = Float64Array.from(first!.data, (v) => Math.min(1, Math.max(0, (v - lim[0]) / span)));
        stretch = new HistEqStretch(norm.filter(Number.isFinite), undefined, false);
      } else stretch = parseStretch(spec);
      const g = renderGray(first!.data, first!.width, first!.height, { interval, stretch });
      raster = g;
      Object.assign(report, { mode: 'grey', interval: interval.name, stretch: stretch.name, limits: g.limits });
    }
    const png = encodePng(raster, { flipY: origin === 'lower', text: { Software: 'LensDesk render' } });
    writeFileSync(values.out, png);
    Object.assign(report, { origin, bytes: png.length });
    if (values.json) io.out(JSON.stringify(report));
    else io.err(`wrote ${values.out} (${first!.width}×${first!.height}, ${report.mode}, ${png.length} bytes)`);
    return 0;
  },
};
