// Where a tile-decoding failure happened, so a FitsError can name file, HDU, tile and byte offset
// (DESIGN.md: errors say what was wrong and where). Codecs throw TileCodecError with an offset
// relative to their own input; decompress.ts rethrows it as a FitsError with the tile's context.
import { FitsError } from '../../errors';

/** Thrown by the pure codecs (rice, hcompress, plio, gzip) on malformed input. */
export class TileCodecError extends Error {
  override name = 'TileCodecError';
  /** Byte offset inside the codec's input buffer where the problem was seen. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

export interface TileContext {
  file?: string;
  hdu?: number;
  /** 0-based tile index = 0-based row of the BINTABLE. */
  tile?: number;
  /** Absolute file offset of the tile's bytes (heap start + descriptor offset), when known. */
  byteOffset?: number;
  column?: string;
  /** The header keyword that was wrong, when a keyword was. */
  keyword?: string;
}

function where(ctx: TileContext): string {
  const parts: string[] = [];
  if (ctx.file !== undefined) parts.push(ctx.file);
  if (ctx.hdu !== undefined) parts.push(`HDU ${ctx.hdu}`);
  if (ctx.tile !== undefined) parts.push(`tile ${ctx.tile}`);
  if (ctx.column !== undefined) parts.push(`column ${ctx.column}`);
  if (ctx.keyword !== undefined) parts.push(`keyword ${ctx.keyword}`);
  if (ctx.byteOffset !== undefined) parts.push(`byte offset ${ctx.byteOffset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A FitsError whose message and details name file, HDU, tile and byte offset. */
export function tileError(code: string, message: string, ctx: TileContext): FitsError {
  return new FitsError(code, message + where(ctx), {
    file: ctx.file,
    hdu: ctx.hdu,
    tile: ctx.tile,
    offset: ctx.byteOffset,
    field: ctx.column,
    keyword: ctx.keyword,
  });
}
