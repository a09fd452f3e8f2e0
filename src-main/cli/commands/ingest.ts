import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { numberOption } from '../args';

/** `--images g=G.fits,r=R.fits` (or bare paths: band from the image's keywords) as the ingest job's images. */
export function imageList(text: string | undefined): { band: string; path: string }[] {
  return (text ?? '').split(',').filter(Boolean).map((spec) => {
    const eq = spec.indexOf('=');
    return eq > 0 ? { band: spec.slice(0, eq), path: spec.slice(eq + 1) } : { band: '', path: spec };
  });
}

export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'ingest a folder of FITS cutouts as a catalog (resumable job)',
  usage: `Usage: lensdesk ingest FOLDER [--catalog NAME] [--no-recursive] [--context-images g=G.fits,…] [--context-size N] [--bands g,r,i,z] [--workspace DIR] [--json]
       lensdesk ingest --catalog-file CAT.fits|CAT.csv --images g=G.fits,r=R.fits,i=I.fits
                       [--size 64] [--context-size 192] [--nearest] [--ra COL --dec COL --id COL] [--catalog NAME]

Catalog + images: for each catalog row (RA/Dec columns found by name or UCD, degrees), cut a
SIZE×SIZE stamp and a wider context cutout from the per-band images by their WCS (bands after the
first are resampled onto the first band's grid, bilinear unless --nearest), NaN beyond the edges.
Only the needed pixels (or compressed tiles) are read. Rows outside every image are counted and skipped.

Folder of cutouts:
Each FITS file in FOLDER is one source: a band cube (NAXIS3 = bands, BANDS='g,r,i'), a single
image, or one image HDU per band. Band names come from BANDS or FILTERS ('g,r,i,z'), BAND1…/FILTER1…
per plane, or FILTER/BAND/EXTNAME per HDU; survey names (HSC-G, 'DECam g', r_SDSS, LSST-r, F814W) are
normalised (docs/fits.md). --bands g,r,i,z names the planes (file order) where the file does not;
where it does, the two must agree. The report says which keyword named the bands. RA/Dec come from RA/DEC
keywords or the WCS reference point. With --context-images (the survey images the stamps were cut
from), each stamp with a position also gets a wider context cutout from them by WCS (--context-size,
default 3 × the stamp). Unreadable files are listed and skipped. Ctrl-C stops; run
again (or \`lensdesk jobs resume ID\`) to continue without duplicates.
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        catalog: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' }, 'no-recursive': { type: 'boolean' },
        'catalog-file': { type: 'string' }, images: { type: 'string' }, size: { type: 'string' }, 'context-size': { type: 'string' },
        nearest: { type: 'boolean' }, ra: { type: 'string' }, dec: { type: 'string' }, id: { type: 'string' },
        'context-images': { type: 'string' }, bands: { type: 'string' },
      },
    });
    if (values['catalog-file']) {
      const images = imageList(values.images);
      return runJobCli(io, values.workspace, (jm) =>
        jm.start('ingest-catalog', {
          catalogFile: values['catalog-file'], images, name: values.catalog,
          ...(values.size ? { size: Number(values.size) } : {}),
          ...(values['context-size'] ? { contextSize: Number(values['context-size']) } : {}),
          resampling: values.nearest ? 'nearest' : 'bilinear', raColumn: values.ra, decColumn: values.dec, idColumn: values.id,
        }), values.json);
    }
    if (positionals.length !== 1) {
      io.err(this.usage);
      return 2;
    }
    return runJobCli(io, values.workspace, (jm) =>
      jm.start('ingest', {
        folder: positionals[0], catalog: values.catalog, recursive: !values['no-recursive'],
        ...(values['context-images'] ? { contextImages: imageList(values['context-images']) } : {}),
        ...(values.bands ? { bands: values.bands } : {}),
        ...(values['context-size'] ? { contextSize: numberOption(values, 'context-size', { integer: true, min: 8, max: 2048 }) } : {}),
      }), values.json);
  },
};
