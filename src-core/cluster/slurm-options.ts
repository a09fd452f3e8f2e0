// Validation of the sbatch options LensDesk writes into a generated array script. Slurm itself
// would reject a bad value only when the job is submitted on the cluster (often hours later, after
// a queue wait); checking here names the flag and the accepted forms at once.
import { InputError } from '../errors';

/**
 * Slurm's --time accepts "minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours",
 * "days-hours:minutes" and "days-hours:minutes:seconds" (sbatch(1), option -t/--time), and
 * UNLIMITED / INFINITE. Returns
 * the value unchanged when it is one of these forms with in-range fields, else throws.
 */
export function checkSlurmTime(value: string, flag = '--time'): string {
  const v = value.trim();
  if (/^(UNLIMITED|INFINITE)$/i.test(v)) return v.toUpperCase();
  const bad = (why: string) =>
    new InputError('INPUT_INVALID', `${flag} ${JSON.stringify(value)}: ${why}; use one of MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (e.g. 02:00:00)`, { flag, value });
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  if (!m) throw bad('not a Slurm time limit');
  const [, days, a, b, c] = m;
  const n = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const [d, x, y, z] = [n(days), Number(a), n(b), n(c)];
  // Which fields are minutes/seconds depends on the form; those must be below 60.
  const sixty: (number | undefined)[] = [];
  if (d === undefined) {
    if (z !== undefined) sixty.push(y, z); // HH:MM:SS
    else if (y !== undefined) sixty.push(y); // MM:SS
  } else {
    if (x > 23) throw bad('hours after "D-" must be 0..23');
    sixty.push(y, z); // D-HH[:MM[:SS]]
  }
  if (sixty.some((f) => f !== undefined && f > 59)) throw bad('minutes and seconds must be 0..59');
  // Slurm reads a zero limit as "no limit"; asking for that by accident is more likely than on purpose.
  if ([d, x, y, z].every((f) => f === undefined || f === 0)) throw bad('the limit must be longer than zero (write UNLIMITED for none)');
  return v;
}

/** A positive integer option (array limit, GPUs, CPUs per task, parallelism). */
export function checkPositiveInt(value: string | number, flag: string, opts: { allowZero?: boolean; max?: number } = {}): number {
  const s = String(value).trim();
  const min = opts.allowZero ? 0 : 1;
  if (!/^\d+$/.test(s) || Number(s) < min || (opts.max !== undefined && Number(s) > opts.max)) {
    const range = opts.max !== undefined ? `${min}..${opts.max}` : `≥ ${min}`;
    throw new InputError('INPUT_INVALID', `${flag} ${JSON.stringify(String(value))}: expected a whole number ${range}`, { flag, value: s });
  }
  return Number(s);
}

/** sbatch --mem: a whole number with an optional unit K, M, G or T (default megabytes). */
export function checkSlurmMem(value: string, flag = '--mem'): string {
  const v = value.trim();
  if (!/^[1-9]\d*[KMGT]?$/i.test(v)) {
    throw new InputError('INPUT_INVALID', `${flag} ${JSON.stringify(value)}: expected a size such as 4000, 8G or 512M (K, M, G, T; no unit = megabytes)`, { flag, value });
  }
  return v.toUpperCase();
}

/** Partition (and other Slurm object) names: letters, digits, '_', '-', '.', comma-separated lists allowed. */
export function checkSlurmName(value: string, flag: string): string {
  const v = value.trim();
  if (!/^[A-Za-z0-9_.-]+(?:,[A-Za-z0-9_.-]+)*$/.test(v)) {
    throw new InputError('INPUT_INVALID', `${flag} ${JSON.stringify(value)}: expected a name of letters, digits, '_', '-', '.' (a comma-separated list for several)`, { flag, value });
  }
  return v;
}
