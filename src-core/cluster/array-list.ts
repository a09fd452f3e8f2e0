// Array index lists in the syntax Slurm's `sbatch --array=` takes ("0,3,5-7"; Slurm manual, sbatch
// --array: comma-separated indices and inclusive ranges). Used by `lensdesk shard status` to print the
// resubmission of only the missing or failed shards, and by the Slurm script generator.
import { InputError } from '../errors';

/** Sorted, de-duplicated indices as "1,3,5-7" (runs of three or more become a range; "5-6" stays "5,6"). */
export function formatArrayList(indices: Iterable<number>): string {
  const v = [...new Set(indices)].sort((a, b) => a - b);
  for (const i of v) if (!Number.isInteger(i) || i < 0) throw new InputError('BAD_ARRAY_INDEX', `array index ${i} is not a non-negative integer`, { field: 'indices' });
  const parts: string[] = [];
  for (let k = 0; k < v.length; ) {
    let j = k;
    while (j + 1 < v.length && v[j + 1] === v[j]! + 1) j++;
    if (j - k >= 2) parts.push(`${v[k]}-${v[j]}`);
    else for (let m = k; m <= j; m++) parts.push(String(v[m]));
    k = j + 1;
  }
  return parts.join(',');
}

/** Inverse of formatArrayList (also takes "a-b" for any b ≥ a); rejects steps (":2") and "%" limits. */
export function parseArrayList(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new InputError('BAD_ARRAY_LIST', `'${part}' is not an index or range (expected e.g. 1,3,5-7)`, { field: 'array', value: text });
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new InputError('BAD_ARRAY_LIST', `range '${part}' ends before it starts`, { field: 'array', value: text });
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}
