// What the fuzzer does with each mutant (issue #20): everything a user or an ingest job can ask
// of a FITS file — list HDUs, summaries, checksums, image info/stats, whole images, cutouts,
// table rows, numeric columns — and how the outcome is classified: `ok`, `typed` (a FitsError
// that names the file) or `crash` (anything else: RangeError, TypeError, a FitsError without
// the file, a non-Error throw). Hangs and OOMs cannot be caught in-process; bench/fits-fuzz.ts
// runs this in child processes with a timeout and a heap limit to count those.
import { FitsError } from '../../errors';
import { verifyChecksum } from '../checksum';
import { FitsFile, type Hdu } from '../file';
import { parseHeaderBytes } from '../header';
import { imageInfo, readCutout, readImage } from '../image';
import { sourceFromBytes, type GunzipLimits } from '../source';
import { imageStats, summarizeHdu } from '../summary';
import { FitsTable } from '../table';
import '../compress/index';

/**
 * gzip limits used by the fuzzer: tighter than the defaults (source.ts) so a bomb among the
 * mutants is stopped after ~2 MB instead of 64 MB; every seed file is far inside them.
 */
export const FUZZ_GUNZIP_LIMITS: GunzipLimits = { maxBytes: 64 << 20, maxRatio: 64, ratioFloor: 1 << 20 };
/** HDUs looked at per file (a mutant may repeat its extensions). */
const MAX_HDUS_EXERCISED = 50;
/** Table rows decoded per HDU. */
const MAX_ROWS = 2000;

/** Reads everything in the file; throws whatever the reader throws. */
export function exercise(name: string, bytes: Uint8Array): void {
  if (name.endsWith('.hdr')) {
    parseHeaderBytes(bytes, name);
    return;
  }
  const f = new FitsFile(sourceFromBytes(name, bytes, FUZZ_GUNZIP_LIMITS));
  const hdus: readonly Hdu[] = f.hdus();
  for (const h of hdus.slice(0, MAX_HDUS_EXERCISED)) {
    summarizeHdu(f, h);
    verifyChecksum(f, h);
    if (h.type === 'primary' || h.type === 'image' || h.compressed) {
      const info = imageInfo(f, h);
      if (info.shape.length === 0) continue;
      imageStats(f, h);
      readImage(f, h);
      if (info.shape.length >= 2) {
        const w = Math.min(3, info.shape.at(-1)!);
        const hh = Math.min(3, info.shape.at(-2)!);
        readCutout(f, h, info.shape.at(-1)! - w, info.shape.at(-2)! - hh, w, hh);
      }
    } else if (h.type === 'bintable' || h.type === 'table') {
      const t = new FitsTable(f, h);
      const n = Math.min(t.nrows, MAX_ROWS);
      t.readRows(0, n);
      for (const c of t.columns) {
        try {
          t.readNumericColumn(c.index, 0, n);
        } catch (e) {
          if (!(e instanceof FitsError && e.code === 'FITS_NOT_NUMERIC')) throw e;
        }
      }
    }
  }
}

export type Outcome = 'ok' | 'typed' | 'crash';

export interface CaseResult {
  outcome: Outcome;
  /** FitsError code for `typed`; error name for `crash`. */
  code?: string;
  /** First lines of the stack for `crash`. */
  detail?: string;
}

/** Runs `exercise` and classifies the outcome (never throws). */
export function classify(name: string, bytes: Uint8Array): CaseResult {
  try {
    exercise(name, bytes);
    return { outcome: 'ok' };
  } catch (e) {
    if (e instanceof FitsError) {
      if (e.message && e.details.file !== undefined) return { outcome: 'typed', code: e.code };
      return { outcome: 'crash', code: `FitsError ${e.code} without file`, detail: e.message };
    }
    const err = e as Error;
    return {
      outcome: 'crash',
      code: err?.name ?? typeof e,
      detail: String(err?.stack ?? e).split('\n').slice(0, 4).join(' | '),
    };
  }
}
