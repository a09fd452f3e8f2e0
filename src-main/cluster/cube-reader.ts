// Reads cutout j of a multi-cutout cube (src-core/stamps/cutout-chunk.ts, as `lensdesk simulate`
// writes), keeping the last file open: a shard's items walk a cube's cutouts in order.
import { FitsFile } from '../../src-core/fits/index';
import { FitsError } from '../../src-core/errors';
import { openCutoutChunk, readChunkCutout, type CutoutChunk } from '../../src-core/stamps/cutout-chunk';
import type { Stamp } from '../../src-core/stamps/stamp';
import { openByteSource } from '../fits/file-source';

export class CubeReader {
  private open: { path: string; chunk: CutoutChunk; close: () => void } | null = null;

  read(path: string, j: number): Stamp {
    if (this.open?.path !== path) {
      this.close();
      const src = openByteSource(path);
      const chunk = openCutoutChunk(new FitsFile(src));
      if (!chunk) {
        src.close?.();
        throw new FitsError('NOT_A_CUBE', `${path} is not a multi-cutout cube (planned as one)`, { file: path });
      }
      this.open = { path, chunk, close: () => src.close?.() };
    }
    if (j >= this.open.chunk.count) throw new FitsError('NO_CUTOUT', `${path} has ${this.open.chunk.count} cutouts, not ${j + 1}`, { file: path });
    return readChunkCutout(this.open.chunk, j);
  }

  close(): void {
    this.open?.close();
    this.open = null;
  }
}
