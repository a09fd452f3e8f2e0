// A FITS file of several float32 image cubes of the same shape n × S × S (e.g. `galaxy sample`'s
// noisy images, VARIANCE and MODEL), written slice by slice as the slices are made, so memory stays
// one chunk whatever n is. Every header is known before any pixel (NAXISn, cards), so each HDU's
// data has a fixed offset: headers and slices are written at their positions (pwrite), and the
// file is sized up front so the 2880-byte padding after each data unit reads as zeros (FITS 4.0
// §3.3.2). Written to a temporary file, renamed into place on `close` (no half file on failure).
import { closeSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { CardInput } from '../../src-core/fits/card-format';
import { bigEndianFloats, imageHeaderBytes } from '../../src-core/fits/writer';
import { rethrowAsDiskError } from '../store/disk-error';

export interface CubeHdu {
  extname?: string;
  cards?: CardInput[];
}

const BLOCK = 2880;
const padded = (bytes: number) => Math.ceil(bytes / BLOCK) * BLOCK;

export class FitsCubeWriter {
  private readonly fd: number;
  private readonly tmp: string;
  /** Byte offset of each HDU's first pixel. */
  private readonly dataAt: number[] = [];
  private readonly sliceBytes: number;
  readonly totalBytes: number;
  private open = true;

  constructor(readonly path: string, readonly n: number, readonly side: number, hdus: CubeHdu[]) {
    this.tmp = `${path}.tmp-${process.pid}`;
    this.sliceBytes = side * side * 4;
    const dataBytes = padded(n * this.sliceBytes);
    const headers = hdus.map((h, i) => imageHeaderBytes({ kind: 'image', shape: [n, side, side], bitpix: -32, extname: h.extname, cards: h.cards }, i === 0, hdus.length > 1));
    let at = 0;
    for (const h of headers) {
      this.dataAt.push(at + h.length);
      at += h.length + dataBytes;
    }
    this.totalBytes = at;
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      rethrowAsDiskError(e, path, { needBytes: at, what: 'file' });
    }
    try {
      ftruncateSync(this.fd, at);
      headers.forEach((h, i) => this.put(h, this.dataAt[i]! - h.length));
    } catch (e) {
      this.abort();
      rethrowAsDiskError(e, path, { needBytes: at, what: 'file' });
    }
  }

  private put(bytes: Uint8Array, position: number): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, position + off);
  }

  /** Writes slices first … first + k − 1 of HDU `hdu` (k = data.length / S²). */
  write(hdu: number, first: number, data: Float32Array): void {
    const k = data.length / (this.side * this.side);
    if (!Number.isInteger(k) || first < 0 || first + k > this.n || this.dataAt[hdu] === undefined) throw new Error(`FITS cube ${this.path}: slices ${first}..${first + k} of HDU ${hdu} out of range`);
    try {
      this.put(bigEndianFloats(data).subarray(0, data.byteLength), this.dataAt[hdu]! + first * this.sliceBytes);
    } catch (e) {
      this.abort();
      rethrowAsDiskError(e, this.path, { needBytes: this.totalBytes, what: 'file' });
    }
  }

  /** Finishes the file (rename into place). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  /** Drops the temporary file. */
  abort(): void {
    if (this.open) {
      this.open = false;
      try {
        closeSync(this.fd);
      } catch { /* already closed */ }
    }
    rmSync(this.tmp, { force: true });
  }
}
