// "Restore" job (issue 13): deconvolve + denoise (or inpaint masked pixels) the stamps of one candidate,
// a selection, a catalog or every candidate with consensus ≥ minConsensus, with the bundled score prior
// when one is installed, else Wiener (src-main/restore/stamp-restore.ts says which ran and why).
// Per source: the product FITS (MEAN / STD / SAMPLES with the stamp's WCS, as `lensdesk restore` writes)
// and two blink frames (single-HDU stamp cubes: 'restore-mean', 'restore-std') under products/restore/,
// then — in one transaction — the frames' cutouts rows and a `products` row (params with the settings
// key, summary with the prior used, per-band noise and seconds). Files are written atomically and named
// by the settings key, and the rows come last, so a cancel or crash leaves no row pointing at a half file;
// resume skips sources that already have a restore product with the same settings key.
// A source whose stamp cannot be restored (file missing, band unknown to the preset) is counted as failed,
// with the file named, and the others go on.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CancelledError, InputError } from '../../../src-core/errors';
import { writeFits } from '../../../src-core/fits/writer';
import { getPreset, presetOfSurvey } from '../../../src-core/lens/presets';
import { restoreStamp, scoreModelSize, type OpChoice, type PriorChoice } from '../../restore/stamp-restore';
import { bundledRestorePriors, restorePriorFor } from '../../score/bundled-prior';
import { readStampFile, writeFileAtomic, writeStampFile } from '../../stamps/stamp-file';
import { fitTargets } from '../../store/posteriors';
import { insertProduct, upsertFrameCutout } from '../../store/products';
import type { JobKind } from '../types';
import { parseJobTargets, type JobTargets } from './job-targets';

export interface RestoreParams extends JobTargets {
  op: OpChoice;
  prior: PriorChoice;
  samples: number;
  seed: number;
  stepsPerLevel?: number;
  threads?: number;
  /** Survey preset for the PSF when the catalog's survey does not name one (default lsst). */
  preset?: string;
}

const OPS = ['auto', 'deconvolve', 'denoise', 'inpaint'] as const;
const PRIORS = ['auto', 'learned', 'wiener', 'tv', 'l1'] as const;
/** Posterior samples by default: enough for a std map; a 45² × 4 stamp takes seconds with Wiener. */
export const DEFAULT_RESTORE_SAMPLES = 16;

const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `restore: ${msg}`, { field: `params.${field}` });
const intIn = (p: Record<string, unknown>, k: string, lo: number, hi: number, d: number | undefined): number | undefined => {
  if (p[k] === undefined) return d;
  const v = p[k];
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw bad(k, `${k} must be an integer in [${lo}, ${hi}]`);
  return v as number;
};

export function prepareRestore(p: Record<string, unknown>): RestoreParams {
  const op = (p.op ?? 'auto') as OpChoice, prior = (p.prior ?? 'auto') as PriorChoice;
  if (!OPS.includes(op as never)) throw bad('op', `op must be one of ${OPS.join(', ')}, got '${String(p.op)}'`);
  if (!PRIORS.includes(prior as never)) throw bad('prior', `prior must be one of ${PRIORS.join(', ')}, got '${String(p.prior)}'`);
  const out: RestoreParams = {
    op, prior,
    samples: intIn(p, 'samples', 0, 512, DEFAULT_RESTORE_SAMPLES)!,
    seed: intIn(p, 'seed', 0, 2 ** 31 - 1, 0)!,
    stepsPerLevel: intIn(p, 'stepsPerLevel', 1, 1000, undefined),
    threads: intIn(p, 'threads', 1, 64, undefined),
  };
  Object.assign(out, parseJobTargets('restore', p, { consensus: true }));
  if (out.prior === 'learned' && out.samples < 2) throw bad('samples', 'the learned prior needs samples ≥ 2 (mean and std come from the samples)');
  if (p.preset !== undefined) {
    getPreset(String(p.preset)); // throws naming the unknown preset
    out.preset = String(p.preset);
  }
  return out;
}

/** The identity of an installed score prior: its folder and the card's creation time (a retrained prior is new). */
function priorIdentity(dir: string | null): string | null {
  if (!dir) return null;
  try {
    const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as { created?: string };
    return `${dir}@${card.created ?? statSync(join(dir, 'model.onnx')).mtimeMs}`;
  } catch {
    return dir;
  }
}

/** Settings key: what decides the result (a resumed or repeated job skips sources restored with the same key). */
export function restoreSettingsKey(p: RestoreParams, modelDirs: string[]): string {
  const usesModel = p.prior === 'auto' || p.prior === 'learned';
  const model = usesModel && modelDirs.length ? modelDirs.map(priorIdentity).join(' | ') : null;
  return JSON.stringify({ op: p.op, prior: p.prior, samples: p.samples, seed: p.seed, steps: p.stepsPerLevel ?? null, preset: p.preset ?? null, model });
}

/** Sources that already have a restore product with this settings key. */
export function restoredSourceIds(db: import('better-sqlite3').Database, key: string): Set<number> {
  const ids = db.prepare("SELECT DISTINCT source_id FROM products WHERE kind = 'restore' AND json_extract(params, '$.settings') = ?").pluck().all(key) as number[];
  return new Set(ids);
}

export const restoreKind: JobKind<RestoreParams> = {
  kind: 'restore',
  prepare: (p) => prepareRestore(p),
  async run(ctx) {
    const { params } = ctx;
    const db = ctx.repo.db;
    // The 48² prior for stamps up to 48 px, the 64² one for larger stamps (bundled-prior.ts).
    const modelDirs = bundledRestorePriors();
    const key = restoreSettingsKey(params, modelDirs);
    const tag8 = createHash('sha256').update(key).digest('hex').slice(0, 8);
    const targets = fitTargets(db, params);
    const done = restoredSourceIds(db, key);
    const todo = targets.filter((t) => !done.has(t.sourceId));
    const dir = join(ctx.workspaceDir, 'products', 'restore');
    mkdirSync(dir, { recursive: true });
    const total = targets.length;
    let restored = 0;
    const failed: { sourceId: number; error: string }[] = [];
    const priors = new Map<string, number>();
    const abort = new AbortController();
    const poll = setInterval(() => ctx.cancelled() && abort.abort(), 200);
    try {
      for (const t of todo) {
        ctx.checkCancelled();
        const base = total - todo.length + restored + failed.length;
        const label = `source ${t.sourceId} (${base + 1}/${total})`;
        const file = isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path);
        const t0 = performance.now();
        let r;
        let stamp;
        try {
          if (!existsSync(file)) throw new InputError('RESTORE_STAMP', `source ${t.sourceId}: stamp file ${file} is missing`, { file, sourceId: t.sourceId });
          stamp = readStampFile(file);
          const modelDir = restorePriorFor(modelDirs, stamp.height, stamp.width, scoreModelSize);
          r = await restoreStamp(stamp, file, {
            op: params.op, prior: params.prior, samples: params.samples, seed: params.seed, stepsPerLevel: params.stepsPerLevel, threads: params.threads,
            preset: params.preset ?? presetOfSurvey(t.survey, 'lsst'), modelDir, signal: abort.signal,
          }, (d, n, m) => ctx.progress(base * 1000 + Math.round((1000 * d) / Math.max(1, n)), total * 1000, `${label}: ${m ?? 'restoring'}`));
        } catch (e) {
          if (e instanceof CancelledError || ctx.cancelled()) throw new CancelledError('restore cancelled');
          failed.push({ sourceId: t.sourceId, error: (e as Error).message });
          continue;
        }
        ctx.checkCancelled();
        const seconds = +((performance.now() - t0) / 1000).toFixed(2);
        const stem = join(dir, `${t.sourceId}-${tag8}`);
        const rel = (f: string) => relative(ctx.workspaceDir, f);
        writeFileAtomic(`${stem}.fits`, writeFits(r.hdus));
        const frame = { width: stamp.width, height: stamp.height, bands: stamp.bands, ra: stamp.ra, dec: stamp.dec, pixelScale: stamp.pixelScale };
        const prod = [{ keyword: 'PRIOR', value: r.summary.prior, comment: 'restoration prior' }, { keyword: 'OP', value: r.summary.op, comment: 'forward operator' }];
        writeStampFile(`${stem}-mean.fits`, { ...frame, planes: r.mean }, [{ keyword: 'PRODUCT', value: 'restore-mean', comment: 'posterior mean' }, ...prod]);
        if (r.std) writeStampFile(`${stem}-std.fits`, { ...frame, planes: r.std }, [{ keyword: 'PRODUCT', value: 'restore-std', comment: 'posterior standard deviation' }, ...prod]);
        db.transaction(() => {
          upsertFrameCutout(db, t.sourceId, 'restore-mean', rel(`${stem}-mean.fits`), stamp.width, stamp.height, stamp.bands);
          // A MAP-only prior (tv, l1) has no std: the frame of an earlier run would no longer match the mean.
          if (r.std) upsertFrameCutout(db, t.sourceId, 'restore-std', rel(`${stem}-std.fits`), stamp.width, stamp.height, stamp.bands);
          else db.prepare("DELETE FROM cutouts WHERE source_id = ? AND kind = 'restore-std'").run(t.sourceId);
          insertProduct(db, {
            sourceId: t.sourceId, kind: 'restore', path: rel(`${stem}.fits`), jobId: ctx.jobId ?? null,
            params: { settings: key, op: params.op, prior: params.prior, samples: params.samples, seed: params.seed, preset: params.preset ?? presetOfSurvey(t.survey, 'lsst'), stamp: t.path },
            summary: { ...r.summary, bands: stamp.bands, seconds, frames: { mean: rel(`${stem}-mean.fits`), std: r.std ? rel(`${stem}-std.fits`) : null } },
          });
        })();
        restored++;
        priors.set(r.summary.prior, (priors.get(r.summary.prior) ?? 0) + 1);
        ctx.progress((base + 1) * 1000, total * 1000, `${label}: ${r.summary.op} with ${r.summary.prior} in ${seconds} s`);
      }
    } finally {
      clearInterval(poll);
    }
    return {
      settings: key, candidates: total, restored, skipped: total - todo.length,
      failed: failed.length, failures: failed.slice(0, 20), priors: Object.fromEntries(priors),
    };
  },
};
