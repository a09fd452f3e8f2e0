// Opens a catalog file for streaming ingest: FITS tables (plain or .gz, recognised by content)
// or CSV/TSV (plain or .gz), read in 1 MB text chunks through src-core/catalog/read.ts.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { openCsvCatalog, openFitsCatalog, type CatalogReadOptions, type CatalogStream } from '../../src-core/catalog/read';
import { openFitsFile } from '../fits/file-source';
import { gunzipSync } from 'node:zlib';

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** True when the (possibly gzipped) file starts with a FITS primary header ('SIMPLE  ='). */
function looksLikeFits(path: string): boolean {
  let b = head(path, 4096);
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b, { finishFlush: 2 /* Z_SYNC_FLUSH: partial input is fine */ });
    } catch {
      return /\.fits?(\.gz)?$/i.test(path);
    }
  }
  return b.subarray(0, 9).toString('latin1') === 'SIMPLE  =';
}

export async function openCatalogFile(path: string, opts: CatalogReadOptions & { hdu?: number } = {}): Promise<CatalogStream> {
  if (looksLikeFits(path)) return openFitsCatalog(openFitsFile(path), opts);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const gz = head(path, 2);
  const stream = gz[0] === 0x1f && gz[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  stream.setEncoding('utf8');
  return openCsvCatalog(basename(path), stream as AsyncIterable<string>, opts);
}
