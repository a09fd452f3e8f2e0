// Loads a LensDesk mass-map FITS (KAPPA_E, KAPPA_B, [KAPPA_STD], MASK, NGAL image HDUs, each with the
// grid's TAN WCS; src-core/massmap/reconstruct.ts massMapHdus) through the image protocol, one plane per
// HDU named by EXTNAME. Hybrid maps (src-main/massmap/hybrid-files.ts) add MEAN and STD, the same arrays as
// KAPPA_E and KAPPA_STD (skipped here), and a SAMPLES cube, of which the first 4 posterior samples become
// planes SAMPLE1…SAMPLE4. Not the stamp decoder: these HDU names are products, not bands, and the stamp
// reader (rightly) refuses to take them for band names.
import { FitsFile, imageInfo, isImageHdu, readImage, sourceFromBytes } from '../../src-core/fits/index';
import { robustSigma } from '../../src-core/stamps/stamp';
import { api } from './api';
import type { StampData } from './stamps';

export function parseMassMap(bytes: Uint8Array, name: string): StampData {
  const file = new FitsFile(sourceFromBytes(name, bytes));
  const planes: Float32Array[] = [], bands: string[] = [];
  let header: StampData['header'] | null = null, width = 0, height = 0;
  for (const h of file.hdus()) {
    if (!isImageHdu(h)) continue;
    const shape = imageInfo(file, h).shape, ext = h.header.getString('EXTNAME') ?? `HDU${h.index}`;
    if (ext === 'MEAN' || ext === 'STD') continue;
    const cube = shape.length === 3 && ext === 'SAMPLES';
    if (shape.length !== 2 && !cube) continue;
    const [ny, nx] = shape.slice(-2) as [number, number];
    if (header && (nx !== width || ny !== height)) continue;
    header ??= h.header;
    width = nx;
    height = ny;
    const all = Float32Array.from(readImage(file, h).data as ArrayLike<number>);
    for (let k = 0; k < (cube ? Math.min(4, shape[0]!) : 1); k++) {
      planes.push(all.slice(k * nx * ny, (k + 1) * nx * ny));
      bands.push(cube ? `SAMPLE${k + 1}` : ext);
    }
  }
  if (!header) throw new Error(`${name}: no 2-D image HDU (not a LensDesk mass map)`);
  return { width, height, planes, bands, sigma: planes.map((p) => robustSigma(p)), header };
}

const cache = new Map<string, Promise<StampData>>();

export function loadMassMap(path: string): Promise<StampData> {
  let p = cache.get(path);
  if (!p) {
    p = fetch(api.imageUrl(path), { credentials: 'omit', referrerPolicy: 'no-referrer' }).then(async (r) => {
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return parseMassMap(new Uint8Array(await r.arrayBuffer()), path);
    });
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}
