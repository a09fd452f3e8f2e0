// Seeded mutation fuzzing of the reference files: truncations, byte flips, hostile header values
// (NAXISn, PCOUNT, THEAP, TFORM, BITPIX, ZNAXISn, ZTILEn...), zeroed blocks. Every case reads
// the whole file (headers, images, cutouts, table rows, numeric columns, checksums); the only
// thing allowed to come out is a FitsError. Reproduce one case with FUZZ_CASE=<index>.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FITS_DIR, HAS_SHARED, SHARED_SKIP_REASON } from '../../test/shared';
import { FitsError } from '../errors';
import { Rng } from '../rng';
import { verifyChecksum } from './checksum';
import { FitsFile, type Hdu } from './file';
import { parseHeaderText } from './header';
import { imageInfo, readCutout, readImage } from './image';
import { MemorySource, sourceFromBytes } from './source';
import { imageStats, summarizeHdu } from './summary';
import { FitsTable } from './table';
import './compress/index';

const SEED = 20261125;
const CASES_PER_GROUP = 1500;
const MAX_FILE = 200_000;

const HOSTILE_VALUES = [
  '-1', '0', '1', '3', '999999999999', '2147483648', '4294967296', '9007199254740993', '1E300', '-2147483648',
  "'junk    '", 'T', '', '99999999999999999999999', "'1PJ(99999999)'", "'99999999D'", "'(9999,9999)'", "'RICE_1  '",
  "'GZIP_2  '", "'HCOMPRESS_1'", "'PLIO_1  '", '-32', '-64', '64', '7', "'&'",
];
const TARGETS = ['NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'PCOUNT', 'GCOUNT', 'THEAP', 'TFORM', 'TDIM', 'BITPIX', 'TFIELDS', 'TBCOL', 'ZNAXIS', 'ZTILE', 'ZBITPIX', 'ZCMPTYPE', 'BLANK', 'BSCALE', 'TZERO', 'ZBLANK', 'ZVAL1', 'ZQUANTIZ', 'EXTEND', 'XTENSION', 'END'];

function inputs(): Array<{ name: string; bytes: Uint8Array }> {
  return readdirSync(FITS_DIR)
    .filter((f) => !f.endsWith('.json') && !f.endsWith('.md') && !f.endsWith('.png') && statSync(`${FITS_DIR}/${f}`).size <= MAX_FILE)
    .map((name) => {
      const raw = new Uint8Array(readFileSync(`${FITS_DIR}/${name}`));
      // Mutate the decompressed bytes of .gz files (the gzip layer has its own cases).
      const src = sourceFromBytes(name, raw);
      return { name, bytes: src.read(0, src.size) };
    });
}

function mutate(rng: Rng, input: Uint8Array): { bytes: Uint8Array; what: string } {
  const b = input.slice();
  const kind = rng.int(6);
  if (kind === 0) {
    const at = rng.int(b.length);
    return { bytes: b.slice(0, at), what: `truncate@${at}` };
  }
  if (kind === 1) {
    const n = 1 + rng.int(8);
    for (let i = 0; i < n; i++) b[rng.int(b.length)] = rng.int(256);
    return { bytes: b, what: `flip${n}` };
  }
  if (kind === 2 || kind === 3) {
    // Rewrite the value of a structural keyword somewhere in the file.
    const key = TARGETS[rng.int(TARGETS.length)]!;
    const hits: number[] = [];
    for (let p = 0; p + 80 <= b.length; p += 80) {
      let ok = true;
      for (let i = 0; i < key.length; i++) if (b[p + i] !== key.charCodeAt(i)) { ok = false; break; }
      if (ok) hits.push(p);
    }
    if (hits.length === 0) return { bytes: b, what: `nokey ${key}` };
    const p = hits[rng.int(hits.length)]!;
    const v = kind === 2 ? HOSTILE_VALUES[rng.int(HOSTILE_VALUES.length)]! : String(Math.floor(rng.uniform() * 10 ** (1 + rng.int(15))));
    const card = (String.fromCharCode(...b.subarray(p, p + 8)) + '= ' + v.padStart(20, ' ')).padEnd(80, ' ').slice(0, 80);
    for (let i = 0; i < 80; i++) b[p + i] = card.charCodeAt(i);
    return { bytes: b, what: `${key}=${v}@${p}` };
  }
  if (kind === 4) {
    const blk = rng.int(Math.max(1, Math.floor(b.length / 2880)));
    b.fill(rng.int(2) ? 0 : 0x20, blk * 2880, blk * 2880 + 2880);
    return { bytes: b, what: `zero-block ${blk}` };
  }
  // Duplicate a random 2880-byte block over another (header blocks inside data, data inside headers).
  const nb = Math.max(1, Math.floor(b.length / 2880));
  const from = rng.int(nb), to = rng.int(nb);
  b.copyWithin(to * 2880, from * 2880, from * 2880 + 2880);
  return { bytes: b, what: `copy-block ${from}->${to}` };
}

/** Reads everything a user could ask for. */
function exercise(bytes: Uint8Array, name: string, compressed: boolean): void {
  if (name.endsWith('.hdr')) {
    parseHeaderText(String.fromCharCode(...bytes));
    return;
  }
  const f = new FitsFile(new MemorySource(name, bytes));
  const hdus: readonly Hdu[] = f.hdus();
  for (const h of hdus.slice(0, 50)) {
    if (h.compressed !== compressed) continue;
    summarizeHdu(f, h);
    verifyChecksum(f, h);
    if (h.type === 'primary' || h.type === 'image' || h.compressed) {
      const info = imageInfo(f, h);
      if (info.shape.length === 0) continue;
      imageStats(f, h);
      readImage(f, h);
      if (info.shape.length >= 2) readCutout(f, h, 0, 0, Math.min(3, info.shape.at(-1)!), Math.min(3, info.shape.at(-2)!));
    } else if (h.type === 'bintable' || h.type === 'table') {
      const t = new FitsTable(f, h);
      t.readRows(0, Math.min(t.nrows, 2000));
      for (const c of t.columns) {
        try {
          t.readNumericColumn(c.index, 0, Math.min(t.nrows, 2000));
        } catch (e) {
          if (!(e instanceof FitsError && e.code === 'FITS_NOT_NUMERIC')) throw e;
        }
      }
    }
  }
}

function run(compressed: boolean): string[] {
  const files = inputs();
  const only = process.env.FUZZ_CASE;
  const failures: string[] = [];
  for (let c = 0; c < CASES_PER_GROUP; c++) {
    if (only !== undefined && Number(only) !== c) continue;
    const rng = new Rng(SEED, compressed ? 1 : 0, c);
    const input = files[rng.int(files.length)]!;
    const m = mutate(rng, input.bytes);
    try {
      exercise(m.bytes, input.name, compressed);
    } catch (e) {
      if (!(e instanceof FitsError)) {
        failures.push(`case ${c} ${input.name} ${m.what}: ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`);
      } else if (!e.message || e.details.file === undefined) {
        failures.push(`case ${c} ${input.name} ${m.what}: FitsError without file detail: ${e.message}`);
      }
    }
  }
  return failures;
}

/** The gzip layer: mutated .gz bytes must inflate to FITS or fail with FitsError. */
function runGzip(cases: number): string[] {
  const gz = readdirSync(FITS_DIR).filter((f) => f.endsWith('.gz')).map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${FITS_DIR}/${name}`)) }));
  const failures: string[] = [];
  for (let c = 0; c < cases; c++) {
    const rng = new Rng(SEED, 2, c);
    const input = gz[rng.int(gz.length)]!;
    const m = mutate(rng, input.bytes);
    try {
      const src = sourceFromBytes(input.name, m.bytes, 64 << 20);
      exercise(src.read(0, src.size), input.name, false);
    } catch (e) {
      if (!(e instanceof FitsError)) failures.push(`gz case ${c} ${input.name} ${m.what}: ${String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | ')}`);
    }
  }
  return failures;
}

describe.skipIf(!HAS_SHARED)(`FITS fuzz (${HAS_SHARED ? 'seeded mutations of shared files' : SHARED_SKIP_REASON})`, () => {
  it(`${CASES_PER_GROUP} mutated files through the uncompressed reader give only FitsError`, () => {
    const failures = run(false);
    expect(failures.slice(0, 10)).toEqual([]);
  });
  it('300 mutated .fits.gz files give only FitsError', () => {
    expect(runGzip(300).slice(0, 10)).toEqual([]);
  });
  it(`${CASES_PER_GROUP} mutated files through tile decompression give only FitsError`, () => {
    const failures = run(true);
    expect(failures.slice(0, 10)).toEqual([]);
  });
});
