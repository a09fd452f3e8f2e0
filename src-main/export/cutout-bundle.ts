// Cutout bundle: the vetted selection as files a collaborator can open anywhere — one FITS cube
// (N × bands × H × W float32, plane n = row n of the catalog), the catalog itself (FITS BINTABLE and
// CSV with provenance), and a PNG colour composite per candidate (Lupton et al. 2004 on bands
// scaled by their robust noise, as the review grid shows them; origin lower as in DS9).
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';
import { writeFits } from '../../src-core/fits/writer';
import { renderLupton } from '../../src-core/image/render';
import { encodePng } from '../../src-core/image/png';
import { robustSigma, type Stamp } from '../../src-core/stamps/stamp';
import type { Repo } from '../store/repo';
import { readStampFile, writeFileAtomic } from '../stamps/stamp-file';
import { buildExport } from './catalog-export';
import { writeBundleProducts } from './bundle-products';

export interface BundleResult {
  dir: string;
  rows: number;
  skipped: { name: string; why: string }[];
  /** Image products copied (restore, …: bundle-products.ts) and ones whose file was gone. */
  products: { files: number; missing: number };
}

/** Colour composite of a stamp: reddest → R, middle → G, bluest → B, each band in noise units. */
export function stampPng(s: Stamp): Uint8Array {
  const n = s.planes.length;
  const pick = n >= 3 ? [n - 1, Math.floor((n - 1) / 2), 0] : [0, 0, 0];
  const [r, g, b] = pick.map((i) => {
    const p = s.planes[i]!;
    const k = 1 / robustSigma(p);
    return Float32Array.from(p, (v) => (Number.isFinite(v) ? v * k : 0));
  }) as [Float32Array, Float32Array, Float32Array];
  return encodePng(renderLupton(r, g, b, s.width, s.height, { minimum: 0, stretch: 6, Q: 8 }), { flipY: true, text: { Software: 'LensDesk' } });
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9+._-]+/g, '_').slice(0, 80);

export function writeCutoutBundle(
  repo: Repo,
  workspaceDir: string,
  dir: string,
  p: { minConsensus?: number; minScore?: number; hideBlends?: boolean },
  progress: (done: number, total: number) => void,
  checkCancelled: () => void,
): BundleResult {
  const rows = repo.exportRows(p);
  if (!rows.length) throw new InputError('EMPTY_SELECTION', 'export bundle: no candidates pass the filter');
  mkdirSync(join(dir, 'png'), { recursive: true });
  const stamps: Stamp[] = [];
  const kept: typeof rows = [];
  const skipped: BundleResult['skipped'] = [];
  for (const [i, r] of rows.entries()) {
    if (i % 16 === 0) checkCancelled();
    const path = repo.stampPathOfSource(r.sourceId);
    if (!path) {
      skipped.push({ name: r.name, why: 'no stamp' });
      continue;
    }
    const s = readStampFile(isAbsolute(path) ? path : resolve(workspaceDir, path));
    const first = stamps[0];
    if (first && (s.width !== first.width || s.height !== first.height || s.bands.join() !== first.bands.join())) {
      skipped.push({ name: r.name, why: `stamp ${s.width}×${s.height} [${s.bands}] differs from the bundle's ${first.width}×${first.height} [${first.bands}]` });
      continue;
    }
    stamps.push(s);
    kept.push(r);
    writeFileAtomic(join(dir, 'png', `${String(kept.length - 1).padStart(5, '0')}-${safe(r.name)}.png`), stampPng(s));
    progress(i + 1, rows.length + 1);
  }
  const { width: w, height: h, bands } = stamps[0]!;
  const cube = new Float32Array(stamps.length * bands.length * w * h);
  stamps.forEach((s, n) => s.planes.forEach((pl, b) => cube.set(pl, (n * bands.length + b) * w * h)));
  writeFileAtomic(
    join(dir, 'cutouts.fits'),
    writeFits([{ kind: 'image', shape: [stamps.length, bands.length, h, w], data: cube, cards: [
      { keyword: 'BANDS', value: bands.join(','), comment: 'band of each plane along NAXIS3' },
      { keyword: 'NSOURCE', value: stamps.length, comment: 'NAXIS4 index n = row n of catalog.fits' },
      ...(stamps[0]!.pixelScale ? [{ keyword: 'PIXSCALE', value: stamps[0]!.pixelScale, type: 'float' as const, comment: '[arcsec/pixel]' }] : []),
      { keyword: 'ORIGIN', value: 'LensDesk' },
    ] }], { checksum: true }),
  );
  // The catalog rows, same order as the cube (re-selected by id so skipped rows drop out).
  const ids = new Set(kept.map((k) => k.sourceId));
  writeFileAtomic(join(dir, 'catalog.fits'), buildExport(repo, { minConsensus: p.minConsensus, minScore: p.minScore, hideBlends: p.hideBlends, format: 'fits' }, ids).bytes);
  writeFileAtomic(join(dir, 'catalog.csv'), buildExport(repo, { minConsensus: p.minConsensus, minScore: p.minScore, hideBlends: p.hideBlends, format: 'csv' }, ids).bytes);
  const products = writeBundleProducts(repo.db, workspaceDir, dir, kept, (n, name) => `${String(n).padStart(5, '0')}-${safe(name)}`);
  progress(rows.length + 1, rows.length + 1);
  return { dir, rows: kept.length, skipped, products };
}
