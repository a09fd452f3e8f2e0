// Typed errors that cross every boundary (worker → main → renderer, CLI exit codes) as
// `{name, code, message, details}`. A message must say what was wrong and where (file, HDU,
// keyword, byte offset, field, row) so a person can act on it.

export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

export class LensDeskError extends Error {
  override name = 'LensDeskError';
  /** Stable machine-readable code, e.g. 'FITS_TRUNCATED', 'INPUT_INVALID'. */
  readonly code: string;
  readonly details: ErrorDetails;
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Malformed or hostile FITS input. Include file, hdu, keyword or offset in details when known. */
export class FitsError extends LensDeskError {
  override name = 'FitsError';
}
/** A WCS that cannot be built or a coordinate outside the projection's domain. */
export class WcsError extends LensDeskError {
  override name = 'WcsError';
}
/** Invalid user or API input (bad arguments, wrong columns, malformed requests). */
export class InputError extends LensDeskError {
  override name = 'InputError';
}
/** Work was cancelled on request; not a failure. */
export class CancelledError extends LensDeskError {
  override name = 'CancelledError';
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
  }
}
/** The requested thing does not exist (source id, job id, model version). */
export class NotFoundError extends LensDeskError {
  override name = 'NotFoundError';
}

export interface SerializedError {
  name: string;
  code: string;
  message: string;
  details?: ErrorDetails;
}

/** Turns anything thrown into a plain object that can cross IPC/WebSocket/worker boundaries. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof LensDeskError) return err.toJSON();
  if (err instanceof Error) return { name: err.name || 'Error', code: 'INTERNAL', message: err.message };
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}

/** Rebuilds a typed error on the receiving side so `instanceof` and `.code` keep working. */
export function deserializeError(e: SerializedError): LensDeskError {
  const ctor =
    { FitsError, WcsError, InputError, NotFoundError }[e.name as 'FitsError'] ?? LensDeskError;
  if (e.name === 'CancelledError') return new CancelledError(e.message);
  const err = new ctor(e.code, e.message, e.details ?? {});
  return err;
}
