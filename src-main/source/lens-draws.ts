// Lens-model draws for `lensdesk source` and the "Reconstruct source" job: what a user has after
// `lensdesk fit` (the SAMPLES BINTABLE of `--samples OUT.fits`, or the `--json` summary), a workspace
// posterior (table `posteriors`, src-main/store/posteriors.ts), or an explicit lens (θE, q, φ, γ1, γ2).
// The draws are thinned to N, spread evenly over all chains, and the median draw goes first (the
// reconstructions use the first draw for the costly conditional variance and the prior amplitude).
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { InputError, NotFoundError } from '../../src-core/errors';
import { FitsTable } from '../../src-core/fits/table';
import { LENS_PARAM_NAMES, qPhiToEllipticity } from '../../src-core/infer/lens-model';
import { medianDraw } from '../../src-core/inverse/source/source-problem';
import { openFitsFile } from '../fits/file-source';
import { listPosteriors, posteriorSamples } from '../store/posteriors';

export interface LensDraws {
  /** Every draw available (12 fit parameters, or 5 lens parameters for an explicit lens). */
  all: Float64Array[];
  from: string;
}

/** N draws: the median first, then N − 1 spread evenly over all draws (deterministic). */
export function pickDraws(d: LensDraws, n: number): Float64Array[] {
  const med = medianDraw(d.all);
  if (n <= 1 || d.all.length <= 1) return [med];
  const k = Math.min(n - 1, d.all.length);
  return [med, ...Array.from({ length: k }, (_, i) => d.all[Math.floor(((i + 0.5) * d.all.length) / k)]!)];
}

/** The SAMPLES BINTABLE written by `lensdesk fit --samples`, or a `lensdesk fit --json` summary (medians). */
export function readDrawsFile(path: string): LensDraws {
  if (/\.json$/i.test(path)) {
    let j: { params?: Record<string, { q50?: number }> };
    try {
      j = JSON.parse(readFileSync(path, 'utf8')) as typeof j;
    } catch (e) {
      throw new InputError('SOURCE_FIT_FILE', `${path}: not a JSON file from 'lensdesk fit --json' (${(e as Error).message})`, { file: path });
    }
    const t = LENS_PARAM_NAMES.map((p) => j.params?.[p]?.q50);
    if (t.some((v) => typeof v !== 'number')) throw new InputError('SOURCE_FIT_FILE', `${path}: no params.<name>.q50 for every lens parameter (${LENS_PARAM_NAMES.join(', ')}); write it with 'lensdesk fit --json'`, { file: path });
    return { all: [Float64Array.from(t as number[])], from: `${path} (posterior medians only: no lens-model uncertainty)` };
  }
  const f = openFitsFile(path);
  try {
    const hdu = f.find('SAMPLES');
    if (!hdu) throw new InputError('SOURCE_FIT_FILE', `${path}: no SAMPLES table (write one with 'lensdesk fit CUTOUT.fits --samples ${path}')`, { file: path, hdu: 'SAMPLES' });
    const t = new FitsTable(f, hdu);
    const cols = LENS_PARAM_NAMES.map((p) => {
      if (!t.columns.some((c) => c.name.toUpperCase() === p.toUpperCase())) throw new InputError('SOURCE_FIT_FILE', `${path} HDU SAMPLES: no column ${p}`, { file: path, hdu: 'SAMPLES', field: p });
      return t.readNumericColumn(p);
    });
    if (t.nrows === 0) throw new InputError('SOURCE_FIT_FILE', `${path} HDU SAMPLES: no rows`, { file: path, hdu: 'SAMPLES' });
    const all = Array.from({ length: t.nrows }, (_, r) => Float64Array.from(cols, (c) => c[r]!)).filter((d) => d.every(Number.isFinite));
    if (!all.length) throw new InputError('SOURCE_FIT_FILE', `${path} HDU SAMPLES: no finite row`, { file: path, hdu: 'SAMPLES' });
    return { all, from: `${path} (${all.length} NUTS draws)` };
  } finally {
    f.source.close?.();
  }
}

/** A workspace posterior: by id, or the latest of a source. */
export function workspaceDraws(db: Database.Database, o: { posteriorId?: number; sourceId?: number }): LensDraws & { posteriorId: number; sourceId: number } {
  let id = o.posteriorId;
  if (id === undefined) {
    if (o.sourceId === undefined) throw new InputError('INPUT_INVALID', 'give a posterior id or a source id', {});
    const latest = listPosteriors(db, o.sourceId)[0];
    if (!latest) throw new NotFoundError('NO_POSTERIOR', `source ${o.sourceId} has no lens-model posterior: run "Model this lens" (or 'lensdesk fit') first`, { sourceId: o.sourceId });
    id = latest.id;
  }
  const s = posteriorSamples(db, id, 1000);
  const sourceId = db.prepare('SELECT source_id FROM posteriors WHERE id = ?').pluck().get(id) as number;
  const idx = LENS_PARAM_NAMES.map((p) => s.parameters.indexOf(p));
  if (idx.some((i) => i < 0)) throw new InputError('SOURCE_FIT_FILE', `posterior ${id} lacks lens parameters (${s.parameters.join(', ')})`, { posteriorId: id });
  const P = s.parameters.length;
  const all: Float64Array[] = [];
  for (const chain of s.draws) for (let r = 0; r * P < chain.length; r++) all.push(Float64Array.from(idx, (i) => chain[r * P + i]!));
  if (!all.length) throw new NotFoundError('NO_POSTERIOR', `posterior ${id} has no draws`, { posteriorId: id });
  return { all, from: `workspace posterior ${id} (${all.length} draws)`, posteriorId: id, sourceId };
}

/** An explicit lens: θE (arcsec), q, φ (radians CCW from +x), external shear γ1, γ2. */
export function explicitLens(o: { thetaE: number; q: number; phi: number; gamma1: number; gamma2: number }): LensDraws {
  if (!(o.thetaE > 0)) throw new InputError('INPUT_INVALID', `--theta-e must be > 0 arcsec, got ${o.thetaE}`, { option: 'theta-e' });
  if (!(o.q > 0 && o.q <= 1)) throw new InputError('INPUT_INVALID', `--q must be in (0, 1], got ${o.q}`, { option: 'q' });
  const [e1, e2] = qPhiToEllipticity(o.q, o.phi);
  return { all: [Float64Array.of(o.thetaE, e1, e2, o.gamma1, o.gamma2)], from: `explicit lens θE ${o.thetaE}″ q ${o.q} φ ${o.phi} γ (${o.gamma1}, ${o.gamma2})` };
}
