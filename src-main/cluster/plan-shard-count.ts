// How many shards a plan has, read from PLAN/plan.json (written by `lensdesk shard plan`,
// format lensdesk-shard-plan/1: `shards` is the list of shards, indexed 0..N-1). Only the count
// is needed to write the Slurm/Kubernetes array, so this reads just that field and names the
// file when it is missing or malformed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../src-core/errors';

export interface PlanShape {
  /** Absolute plan folder. */
  dir: string;
  shards: number;
  planId: string | null;
}

export function readPlanShape(planDir: string): PlanShape {
  const dir = resolve(planDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError('INPUT_INVALID', `${dir} is not a plan folder (make one with \`lensdesk shard plan WORKSPACE --shards N --out ${planDir}\`)`, { path: dir });
  }
  const file = join(dir, 'plan.json');
  if (!existsSync(file)) throw new InputError('INPUT_INVALID', `${file} is missing: is ${dir} a plan written by \`lensdesk shard plan\`?`, { path: file });
  let plan: { shards?: unknown; planId?: unknown };
  try {
    plan = JSON.parse(readFileSync(file, 'utf8')) as typeof plan;
  } catch (e) {
    throw new InputError('INPUT_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { path: file });
  }
  const s = plan?.shards;
  const n = Array.isArray(s) ? s.length : typeof s === 'number' ? s : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError('INPUT_INVALID', `${file}: field "shards" must list at least one shard`, { path: file, field: 'shards' });
  }
  if (Array.isArray(s)) {
    // The array task id is the shard index: indexes must be exactly 0..N-1.
    s.forEach((x: unknown, i) => {
      const idx = (x as { index?: unknown })?.index;
      if (idx !== undefined && idx !== i) throw new InputError('INPUT_INVALID', `${file}: shards[${i}].index is ${JSON.stringify(idx)}, expected ${i}`, { path: file, field: `shards[${i}].index` });
    });
  }
  return { dir, shards: n, planId: typeof plan.planId === 'string' ? plan.planId : null };
}
