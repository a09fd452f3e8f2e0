// 'galaxy-posterior' job (issue 16 "Galaxy posterior ... in the candidate view as blink frames"): the
// Flow-VAE posterior p(z | x) of the galaxy in each target's stamp (src-main/generative/posterior.ts),
// one band (the model's training band when the stamp has it), the PSF of the survey's preset band.
// Per source it writes, as the restore job does:
//   products/galaxy-posterior/<source>-<key8>.fits        MEAN, STD, SAMPLES, MODEL, DATA, ZSAMPLES
//   products/galaxy-posterior/<source>-<key8>-mean.fits   single-HDU blink frame (1 band)
//   products/galaxy-posterior/<source>-<key8>-std.fits
// The blink frames cover the stamp's whole field at the decoder's pixel (2W × 2H at half the stamp's
// pixel; the model's D×D galaxy placed where its crop was, zero elsewhere), so they stay aligned with
// the stamp's frames (the blink shows every frame at one size) and keep the decoder's resolution.
// then, in one transaction, the cutouts 'galaxy-mean' / 'galaxy-std' (the candidate view's blink labels
// them "galaxy mean (r)", "galaxy std (r)") and a `products` row of kind 'galaxy-posterior' (params with
// the settings key; summary with R-hat, ESS, divergences, χ², flux, seconds, and the misfit check:
// chi2PerPixel, chi2P, misfitThreshold, misfit, misfitWarning, misfitReasons). Files first, rows last:
// a cancelled or killed job leaves no row pointing at a half file, and a resumed job skips the sources
// that have a product with the same settings key. A stamp that cannot be used (pixel scale or size not
// the model's, file missing) is counted as failed with its message, and the others go on.
// Cancel: the sampler is synchronous, so the worker's 'cancel' message is read with
// receiveMessageOnPort between iterations (the manager stops a job hard after 5 s anyway).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { CancelledError, InputError } from '../../../src-core/errors';
import { presetOfSurvey } from '../../../src-core/lens/presets';
import { readFlowVaeModel } from '../../generative/model-files';
import { bundledFlowVae, runGalaxyPosterior, writeGalaxyPosterior } from '../../generative/posterior';
import { prepareStamp } from '../../generative/posterior-stamp';
import { readStampFile, writeStampFile } from '../../stamps/stamp-file';
import { fitTargets } from '../../store/posteriors';
import { insertProduct, upsertFrameCutout } from '../../store/products';
import type { JobKind } from '../types';
import { parseJobTargets, type JobTargets } from './job-targets';

export interface GalaxyPosteriorParams extends JobTargets {
  /** 'auto' (the bundled model) or a Flow-VAE folder (absolute or relative to the workspace). */
  model: string;
  method: 'nuts' | 'vi';
  samples: number;
  chains: number;
  warmup: number;
  seed: number;
  band?: string;
}

const bad = (field: string, msg: string) => new InputError('INVALID_PARAMS', `galaxy-posterior: ${msg}`, { field: `params.${field}` });
const intIn = (p: Record<string, unknown>, k: string, lo: number, hi: number, d: number): number => {
  if (p[k] === undefined) return d;
  const v = p[k];
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw bad(k, `${k} must be an integer in [${lo}, ${hi}]`);
  return v as number;
};

export function prepareGalaxyPosterior(p: Record<string, unknown>): GalaxyPosteriorParams {
  const method = p.method ?? 'nuts';
  if (method !== 'nuts' && method !== 'vi') throw bad('method', `method must be 'nuts' or 'vi', got '${String(p.method)}'`);
  if (p.model !== undefined && (typeof p.model !== 'string' || !p.model.trim())) throw bad('model', "model must be 'auto' or a Flow-VAE folder");
  if (p.band !== undefined && (typeof p.band !== 'string' || !p.band)) throw bad('band', 'band must be a band name');
  const out: GalaxyPosteriorParams = {
    model: (p.model as string | undefined)?.trim() ?? 'auto', method,
    // defaults sized for the desk: ~1–2 min per stamp on a free core
    samples: intIn(p, 'samples', 2, 5000, 100), chains: intIn(p, 'chains', 1, 16, method === 'vi' ? 1 : 2),
    warmup: intIn(p, 'warmup', method === 'vi' ? 1 : 0, 20000, method === 'vi' ? 300 : 100), seed: intIn(p, 'seed', 0, 2 ** 31 - 1, 0),
    ...(p.band !== undefined ? { band: p.band as string } : {}),
  };
  Object.assign(out, parseJobTargets('galaxy-posterior', p, { consensus: true }));
  return out;
}

function resolveModel(p: GalaxyPosteriorParams, workspaceDir: string): string {
  if (p.model === 'auto') {
    const dir = bundledFlowVae();
    if (!dir) throw new InputError('FLOWVAE_MODEL_MISSING', 'galaxy-posterior: no Flow-VAE model installed (models/generative/flowvae-lsst-32); give params.model', { field: 'params.model' });
    return dir;
  }
  return isAbsolute(p.model) ? p.model : resolve(workspaceDir, p.model);
}

/** What decides the result: a repeated or resumed job skips sources done with the same key. */
export function galaxyPosteriorSettingsKey(p: GalaxyPosteriorParams, modelDir: string): string {
  let created = '';
  try {
    created = (JSON.parse(readFileSync(join(modelDir, 'card.json'), 'utf8')) as { created?: string }).created ?? '';
  } catch {
    /* the model load below reports a broken folder */
  }
  return JSON.stringify({ model: `${modelDir}@${created}`, method: p.method, samples: p.samples, chains: p.chains, warmup: p.warmup, seed: p.seed, band: p.band ?? null });
}

/** A cancel flag the synchronous sampler can read: the job's own, or a 'cancel' message waiting on the worker port. */
function cancelSignal(ctx: { cancelled(): boolean }): { readonly aborted: boolean } {
  let seen = false;
  return {
    get aborted() {
      if (!seen && parentPort) {
        for (let m = receiveMessageOnPort(parentPort); m; m = receiveMessageOnPort(parentPort))
          if ((m.message as { type?: string })?.type === 'cancel') seen = true;
      }
      return seen || ctx.cancelled();
    },
  };
}

/** The D×D decoder-grid image placed at the crop (x0, y0 in stamp pixels) of a 2W × 2H field. */
export function embedInField(img: Float32Array, D: number, crop: { x0: number; y0: number; width: number; height: number }): Float32Array {
  const w = 2 * crop.width, h = 2 * crop.height, out = new Float32Array(w * h);
  for (let r = 0; r < D; r++) {
    const y = r + 2 * crop.y0;
    if (y < 0 || y >= h) continue;
    for (let c = 0; c < D; c++) {
      const x = c + 2 * crop.x0;
      if (x >= 0 && x < w) out[y * w + x] = img[r * D + c]!;
    }
  }
  return out;
}

export const galaxyPosteriorKind: JobKind<GalaxyPosteriorParams> = {
  kind: 'galaxy-posterior',
  prepare: (p) => prepareGalaxyPosterior(p),
  async run(ctx) {
    const { params } = ctx;
    const db = ctx.repo.db;
    const modelDir = resolveModel(params, ctx.workspaceDir);
    const { card } = readFlowVaeModel(modelDir);
    const key = galaxyPosteriorSettingsKey(params, modelDir);
    const tag8 = createHash('sha256').update(key).digest('hex').slice(0, 8);
    const targets = fitTargets(db, params);
    const done = new Set(db.prepare("SELECT DISTINCT source_id FROM products WHERE kind = 'galaxy-posterior' AND json_extract(params, '$.settings') = ?").pluck().all(key) as number[]);
    const todo = targets.filter((t) => !done.has(t.sourceId));
    const dir = join(ctx.workspaceDir, 'products', 'galaxy-posterior');
    mkdirSync(dir, { recursive: true });
    const total = targets.length, signal = cancelSignal(ctx);
    let fitted = 0;
    const failed: { sourceId: number; error: string }[] = [];
    const misfits: number[] = [];
    for (const t of todo) {
      ctx.checkCancelled();
      const base = total - todo.length + fitted + failed.length;
      const label = `source ${t.sourceId} (${base + 1}/${total})`;
      const file = isAbsolute(t.path) ? t.path : resolve(ctx.workspaceDir, t.path);
      let stamp, prep, r;
      try {
        if (!existsSync(file)) throw new InputError('FLOWVAE_STAMP', `source ${t.sourceId}: stamp file ${file} is missing`, { file, sourceId: t.sourceId });
        stamp = readStampFile(file);
        const preset = presetOfSurvey(t.survey, 'lsst');
        prep = prepareStamp(stamp, file, card, { band: params.band, preset: preset ? { name: preset } : undefined });
        r = await runGalaxyPosterior(prep, {
          model: modelDir, method: params.method, samples: params.samples, chains: params.chains, warmup: params.warmup, seed: params.seed, threads: 1, signal,
          onProgress: (d, n) => ctx.progress(base * 1000 + Math.round((1000 * d) / Math.max(1, n)), total * 1000, `${label}: ${params.method} ${d}/${n}`),
        });
      } catch (e) {
        if (e instanceof CancelledError || signal.aborted) throw new CancelledError('galaxy-posterior cancelled');
        failed.push({ sourceId: t.sourceId, error: (e as Error).message });
        continue;
      }
      ctx.checkCancelled();
      const stem = join(dir, `${t.sourceId}-${tag8}`);
      const rel = (f: string) => relative(ctx.workspaceDir, f);
      writeGalaxyPosterior(`${stem}.fits`, r);
      const fw = 2 * prep.crop.width, fh = 2 * prep.crop.height;
      const frame = { width: fw, height: fh, bands: [prep.band], ra: stamp.ra, dec: stamp.dec, pixelScale: card.decoderPixelScale };
      const cards = [{ keyword: 'MODELDIR', value: modelDir.replace(/[^\x20-\x7e]/g, '?').slice(-60) }, { keyword: 'METHOD', value: params.method.toUpperCase() }];
      writeStampFile(`${stem}-mean.fits`, { ...frame, planes: [embedInField(r.mean, r.side, prep.crop)] }, [{ keyword: 'PRODUCT', value: 'galaxy-mean', comment: 'Flow-VAE posterior mean, PSF-free' }, ...cards]);
      writeStampFile(`${stem}-std.fits`, { ...frame, planes: [embedInField(r.std, r.side, prep.crop)] }, [{ keyword: 'PRODUCT', value: 'galaxy-std', comment: 'Flow-VAE posterior std, PSF-free' }, ...cards]);
      const s = r.summary;
      db.transaction(() => {
        upsertFrameCutout(db, t.sourceId, 'galaxy-mean', rel(`${stem}-mean.fits`), fw, fh, [prep.band]);
        upsertFrameCutout(db, t.sourceId, 'galaxy-std', rel(`${stem}-std.fits`), fw, fh, [prep.band]);
        insertProduct(db, {
          sourceId: t.sourceId, kind: 'galaxy-posterior', path: rel(`${stem}.fits`), jobId: ctx.jobId ?? null,
          params: { settings: key, model: modelDir, method: params.method, samples: params.samples, chains: params.chains, warmup: params.warmup, seed: params.seed, band: prep.band, stamp: t.path },
          summary: {
            band: s.band, psf: s.psf, noise: s.noise, chi2: s.chi2, pixels: s.pixels, flux: s.flux, samples: s.samples, decoderPixelScale: s.decoderPixelScale,
            // the misfit check (src-core/generative/misfit.ts): the panel shows `misfitWarning` when `misfit`
            chi2PerPixel: s.misfit.chi2PerPixel, chi2P: s.misfit.pValue, misfitThreshold: s.misfit.threshold, misfit: s.misfit.misfit,
            misfitWarning: s.misfit.warning, misfitReasons: s.misfit.reasons,
            rhatMax: s.diagnostics.rhatMax, essBulkMin: s.diagnostics.essBulkMin, divergences: s.diagnostics.divergences, elbo: s.diagnostics.elbo ?? null,
            seconds: +s.seconds.toFixed(2), frames: { mean: rel(`${stem}-mean.fits`), std: rel(`${stem}-std.fits`) },
          },
        });
      })();
      fitted++;
      if (s.misfit.misfit) misfits.push(t.sourceId);
      ctx.progress((base + 1) * 1000, total * 1000, `${label}: R-hat ${s.diagnostics.rhatMax.toFixed(3)}${s.misfit.misfit ? `, MISFIT χ²/pixel ${s.misfit.chi2PerPixel.toFixed(1)}` : ''} in ${s.seconds.toFixed(1)} s`);
    }
    return { settings: key, candidates: total, fitted, skipped: total - todo.length, failed: failed.length, failures: failed.slice(0, 20), misfits: misfits.length, misfitSources: misfits.slice(0, 20) };
  },
};
