// Seed files for the FITS fuzzer (issue #20), written by LensDesk's own writers so the fuzz test
// runs without ../shared: every HDU kind the reader handles (images of each BITPIX with scaling,
// a cube, BINTABLE with every TFORM code incl. P/Q heap arrays and TDIM, ASCII TABLE, RICE_1
// integer and quantised-float tiles with a GZIP_COMPRESSED_DATA fallback, GZIP_1/GZIP_2/NOCOMPRESS
// tiles, multi-HDU files) and whole-file gzip. Files are small (≤ ~40 KB) so a mutant parses in
// well under a millisecond. Pure (no node:*), deterministic.
import { gzipSync } from 'fflate';
import { concatBytes } from '../../bytes';
import { formatCard, headerBytes, type CardInput } from '../card-format';
import { shuffleBytes } from '../compress/gzip';
import { riceCompressedFile } from '../compress/writer';
import { writeFits, type BinColumnSpec } from '../writer';

export interface SeedFile {
  name: string;
  bytes: Uint8Array;
}

const WCS: Array<CardInput & { value: number | string }> = [
  { keyword: 'CTYPE1', value: 'RA---TAN' },
  { keyword: 'CTYPE2', value: 'DEC--TAN' },
  { keyword: 'CRPIX1', value: 5.5 },
  { keyword: 'CRPIX2', value: 4.5 },
  { keyword: 'CRVAL1', value: 150.1 },
  { keyword: 'CRVAL2', value: 2.2 },
  { keyword: 'CD1_1', value: -7.3e-5 },
  { keyword: 'CD2_2', value: 7.3e-5 },
];

function ramp<T = number>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** A tile-compressed image with hand-made tiles (GZIP_1, GZIP_2 or NOCOMPRESS; FITS 4.0 §10.4). */
function tiledImage(type: 'GZIP_1' | 'GZIP_2' | 'NOCOMPRESS', bitpix: 16 | 32 | -32, nx: number, ny: number, tileRows: number): Uint8Array {
  const size = Math.abs(bitpix) / 8;
  const tiles: number[][] = [];
  for (let y0 = 0; y0 < ny; y0 += tileRows) {
    const rows = Math.min(tileRows, ny - y0);
    const raw = new Uint8Array(nx * rows * size);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < nx * rows; i++) {
      const v = ((y0 * nx + i) * 7919) % 3001 - 1500;
      if (bitpix === 16) dv.setInt16(i * 2, v);
      else if (bitpix === 32) dv.setInt32(i * 4, v * 1000);
      else dv.setFloat32(i * 4, v / 7);
    }
    const bytes = type === 'NOCOMPRESS' ? raw : gzipSync(type === 'GZIP_2' ? shuffleBytes(raw, size) : raw);
    tiles.push([...bytes]);
  }
  const columns: BinColumnSpec[] = [{ name: 'COMPRESSED_DATA', format: '1PB', values: tiles }];
  const cards: CardInput[] = [
    { keyword: 'ZIMAGE', value: true },
    { keyword: 'ZTENSION', value: 'IMAGE' },
    { keyword: 'ZBITPIX', value: bitpix },
    { keyword: 'ZNAXIS', value: 2 },
    { keyword: 'ZNAXIS1', value: nx },
    { keyword: 'ZNAXIS2', value: ny },
    { keyword: 'ZTILE1', value: nx },
    { keyword: 'ZTILE2', value: tileRows },
    { keyword: 'ZCMPTYPE', value: type },
    { keyword: 'ZPCOUNT', value: 0 },
    { keyword: 'ZGCOUNT', value: 1 },
  ];
  return writeFits([{ kind: 'image', shape: [] }, { kind: 'bintable', columns, nrows: tiles.length, cards }]);
}

/** An ASCII TABLE (§7.2) built from cards: the writer only writes BINTABLE. */
function asciiTable(): Uint8Array {
  const rows = ['  1 12.50 alpha  1.0E+03', ' 22  3.25 beta  -2.5D-01', '   -1.00 gamma  7.0E00  ', '333 99.99 delta  0.0E+00'];
  const width = rows[0]!.length;
  const cards: CardInput[] = [
    { keyword: 'XTENSION', value: 'TABLE' },
    { keyword: 'BITPIX', value: 8 },
    { keyword: 'NAXIS', value: 2 },
    { keyword: 'NAXIS1', value: width },
    { keyword: 'NAXIS2', value: rows.length },
    { keyword: 'PCOUNT', value: 0 },
    { keyword: 'GCOUNT', value: 1 },
    { keyword: 'TFIELDS', value: 4 },
    { keyword: 'TTYPE1', value: 'N' },
    { keyword: 'TFORM1', value: 'I3' },
    { keyword: 'TBCOL1', value: 1 },
    { keyword: 'TTYPE2', value: 'X' },
    { keyword: 'TFORM2', value: 'F6.2' },
    { keyword: 'TBCOL2', value: 4 },
    { keyword: 'TTYPE3', value: 'NAME' },
    { keyword: 'TFORM3', value: 'A6' },
    { keyword: 'TBCOL3', value: 11 },
    { keyword: 'TTYPE4', value: 'E' },
    { keyword: 'TFORM4', value: 'E8.1' },
    { keyword: 'TBCOL4', value: 17 },
    { keyword: 'TNULL1', value: '   ' },
  ];
  const data = new Uint8Array(Math.ceil((width * rows.length) / 2880) * 2880).fill(0x20);
  rows.forEach((r, i) => {
    for (let k = 0; k < width; k++) data[i * width + k] = r.charCodeAt(k);
  });
  const primary = writeFits([{ kind: 'image', shape: [] }]);
  return concatBytes([primary, headerBytes(cards.flatMap((c) => formatCard(c))), data]);
}

function table(): Uint8Array {
  const n = 12;
  const columns: BinColumnSpec[] = [
    { name: 'RA', format: 'D', unit: 'deg', values: ramp(n, (i) => 150 + i * 1e-3) },
    { name: 'DEC', format: 'E', unit: 'deg', values: ramp(n, (i) => 2 - i * 1e-3) },
    { name: 'ID', format: 'K', values: ramp(n, (i) => i * 1e12) },
    { name: 'FLAG', format: 'L', values: ramp(n, (i) => i % 3 === 0) },
    { name: 'BITS', format: '12X', values: ramp(n, (i) => ramp(12, (k) => ((i >> k) & 1) === 1)) },
    { name: 'NAME', format: '8A', values: ramp(n, (i) => `obj${i}`) },
    { name: 'MAG', format: 'I', tscal: 0.01, tzero: 20, values: ramp(n, (i) => 20 + i * 0.01) },
    { name: 'Q', format: 'B', tnull: 255, values: ramp<number | null>(n, (i) => (i === 3 ? null : i)) },
    { name: 'VEC', format: '6J', dim: [3, 2], values: ramp(n, (i) => ramp(6, (k) => i * 10 + k)) },
    { name: 'Z', format: 'C', values: ramp(n, (i) => [i, -i]) },
    { name: 'ZZ', format: 'M', values: ramp(n, (i) => [i / 2, i / 3]) },
    { name: 'VAR', format: 'PJ', values: ramp(n, (i) => ramp(i % 5, (k) => k * i)) },
    { name: 'VARD', format: 'QD', values: ramp(n, (i) => ramp((i * 3) % 4, (k) => k / (i + 1))) },
    { name: 'VARA', format: 'PA', values: ramp(n, (i) => 'x'.repeat(i % 6)) },
  ];
  return writeFits([{ kind: 'image', shape: [] }, { kind: 'bintable', columns, nrows: n, extname: 'CAT' }], { checksum: true });
}

/** The seed corpus: name → bytes (the names say what each exercises; `.gz` is whole-file gzip). */
export function writerCorpus(): SeedFile[] {
  const img16 = writeFits([{ kind: 'image', shape: [9, 11], data: new Int16Array(ramp(99, (i) => i * 37 - 1800)), cards: WCS }], { checksum: true });
  const files: SeedFile[] = [
    { name: 'img16-wcs.fits', bytes: img16 },
    {
      name: 'cube-f32.fits',
      bytes: writeFits([{ kind: 'image', shape: [3, 6, 7], data: new Float32Array(ramp(126, (i) => (i % 9 === 0 ? NaN : Math.sqrt(i)))) }]),
    },
    { name: 'u16.fits', bytes: writeFits([{ kind: 'image', shape: [5, 8], data: new Uint16Array(ramp(40, (i) => i * 1600)) }]) },
    {
      name: 'scaled-blank.fits',
      bytes: writeFits([{ kind: 'image', shape: [6, 6], bitpix: 16, bscale: 0.5, bzero: 100, blank: -32768, data: ramp(36, (i) => (i === 7 ? NaN : 100 + i / 2)) }]),
    },
    { name: 'i64-f64.fits', bytes: writeFits([{ kind: 'image', shape: [4, 4], data: new BigInt64Array(ramp(16, (i) => i * 3).map(BigInt)) }, { kind: 'image', shape: [3, 5], data: new Float64Array(ramp(15, (i) => i / 7)), extname: 'SCI' }]) },
    { name: 'table.fits', bytes: table() },
    { name: 'ascii-table.fits', bytes: asciiTable() },
    { name: 'rice-i16.fits.fz', bytes: riceCompressedFile({ bitpix: 16, axes: [40, 12], data: ramp(480, (i) => ((i * 7919) % 2001) - 1000), cards: WCS }, { tile: [16, 4] }) },
    { name: 'rice-u8-3d.fits.fz', bytes: riceCompressedFile({ bitpix: 8, axes: [10, 6, 3], data: ramp(180, (i) => (i * 13) % 256) }) },
    {
      name: 'rice-f32-dither2.fits.fz',
      bytes: riceCompressedFile(
        { bitpix: -32, axes: [30, 10], data: ramp(300, (i) => (i === 17 ? NaN : i % 41 === 0 ? 0 : i >= 270 ? 5 : Math.sin(i / 3) * 50 + (i % 5))) },
        { tile: [30, 3], quantize: { method: 'SUBTRACTIVE_DITHER_2', ditherSeed: 42 } },
      ),
    },
    { name: 'gzip1-i32.fits.fz', bytes: tiledImage('GZIP_1', 32, 24, 9, 4) },
    { name: 'gzip2-f32.fits.fz', bytes: tiledImage('GZIP_2', -32, 20, 6, 2) },
    { name: 'nocomp-i16.fits.fz', bytes: tiledImage('NOCOMPRESS', 16, 12, 5, 5) },
  ];
  files.push({ name: 'img16-wcs.fits.gz', bytes: gzipSync(img16) });
  files.push({ name: 'table.fits.gz', bytes: gzipSync(files.find((f) => f.name === 'table.fits')!.bytes) });
  files.push({ name: 'multi.fits', bytes: concatBytes([img16, files.find((f) => f.name === 'rice-i16.fits.fz')!.bytes.subarray(2880), table().subarray(2880)]) });
  return files;
}
