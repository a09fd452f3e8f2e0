// Writes a synthetic lens cutout (src-core/infer/lens-synthetic) as FITS in the layout `lensdesk fit`
// reads: primary bands × H × W (e⁻), VARIANCE, PIXSCALE, BAND1…, PRESET. Used by the fit CLI test
// and handy by hand: npx tsx test/lens-fit-fixture.ts out.fits [size] [bands] [seed]
import { writeFileSync } from 'node:fs';
import { writeFits } from '../src-core/fits';
import { syntheticLens, type SyntheticLens } from '../src-core/infer/lens-synthetic';

export function writeSyntheticLensFits(path: string, o: { size: number; bands: string[]; seed: number }): SyntheticLens {
  const s = syntheticLens(o);
  const shape = [o.bands.length, o.size, o.size];
  writeFileSync(path, writeFits([
    {
      kind: 'image', shape, data: Float32Array.from(s.cutout.image),
      cards: [
        { keyword: 'BUNIT', value: 'electron' }, { keyword: 'PIXSCALE', value: s.cutout.pixelScale }, { keyword: 'PRESET', value: 'lsst' },
        ...o.bands.map((b, i) => ({ keyword: `BAND${i + 1}`, value: b })),
        ...Array.from(s.truth, (v, i) => ({ keyword: `TRUTH${i + 1}`, value: v })),
      ],
    },
    { kind: 'image', shape, data: Float32Array.from(s.cutout.variance), extname: 'VARIANCE', cards: [] },
  ]));
  return s;
}

if (process.argv[1]?.endsWith('lens-fit-fixture.ts')) {
  const [, , path = 'lens.fits', size = '45', bands = 'griz', seed = '1'] = process.argv;
  writeSyntheticLensFits(path, { size: +size, bands: bands.split(''), seed: +seed });
  console.log(path);
}
