// Training data for `lensdesk train --inject-into WORKSPACE|FOLDER`: the user's own cutouts, each
// used twice — once untouched (label 0, a real negative) and once with a simulated lensed source
// painted in (label 1, src-core/classify/inject.ts). Cutouts come from a LensDesk workspace (its
// 'stamp' cutouts, optionally one catalog) or from a folder of FITS stamps. Both samples of a cutout
// share its background, so the pair gets ids 2k (negative) and 2k + 1 (injected) and the split,
// which hashes ids, treats them as two samples (documented in docs/classify.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { channelsLast } from '../../src-core/classify/sim-data';
import { applyInjection, drawInjection, type InjectionOptions } from '../../src-core/classify/inject';
import type { LabelledBatch, TrainingData } from '../../src-core/classify/train';
import { InputError } from '../../src-core/errors';
import { getPreset } from '../../src-core/lens/presets';
import { Rng } from '../../src-core/rng';
import type { Stamp } from '../../src-core/stamps/stamp';
import { openWorkspace } from '../store/workspace';
import { forEachStampInFile } from '../stamps/stamp-file';

export interface InjectSource {
  /** Absolute FITS paths, in a fixed order. */
  files: string[];
  kind: 'workspace' | 'folder';
  catalog: string | null;
}

/** The stamp files of a workspace (optionally one catalog) or of a folder of FITS files. */
export function listInjectSource(path: string, catalog?: string): InjectSource {
  if (!existsSync(path)) throw new InputError('INJECT_SOURCE', `${path}: no such workspace or folder`, { path });
  if (existsSync(join(path, 'lensdesk.sqlite'))) {
    const ws = openWorkspace(path);
    try {
      let catId: number | null = null;
      if (catalog) {
        catId = (ws.db.prepare('SELECT id FROM catalogs WHERE name = ?').pluck().get(catalog) as number | undefined) ?? null;
        if (catId === null) throw new InputError('INJECT_SOURCE', `${path}: no catalog named '${catalog}'`, { path, field: 'catalog' });
      }
      const rows = ws.db.prepare(`SELECT c.path FROM cutouts c JOIN sources s ON s.id = c.source_id WHERE c.kind = 'stamp' ${catId !== null ? 'AND s.catalog_id = ?' : ''} ORDER BY s.id`)
        .pluck().all(...(catId !== null ? [catId] : [])) as string[];
      const files = [...new Set(rows.map((p) => (isAbsolute(p) ? p : join(ws.dir, p))))];
      return { files, kind: 'workspace', catalog: catalog ?? null };
    } finally {
      ws.close();
    }
  }
  if (!statSync(path).isDirectory()) return { files: [path], kind: 'folder', catalog: null };
  const files = readdirSync(path).filter((f) => /\.fits?(\.gz)?$/i.test(f)).sort().map((f) => join(path, f));
  return { files, kind: 'folder', catalog: null };
}

/** The central size × size pixels of a stamp's planes (null when the stamp is smaller). */
export function centreCrop(s: Stamp, size: number): Float32Array[] | null {
  if (s.width < size || s.height < size) return null;
  const x0 = Math.floor((s.width - size) / 2), y0 = Math.floor((s.height - size) / 2);
  return s.planes.map((p) => {
    const out = new Float32Array(size * size);
    for (let j = 0; j < size; j++) out.set(p.subarray((y0 + j) * s.width + x0, (y0 + j) * s.width + x0 + size), j * size);
    return out;
  });
}

export interface InjectDataOptions extends InjectionOptions {
  seed: number;
  /** At most this many cutouts (each gives two samples). */
  limit: number;
  catalog?: string;
  /** Where the source stamps came from (for the card). */
  sourceStampsPath?: string;
}

/** Cutouts as loaded once (they are re-used every epoch, with the same injections). */
interface Loaded { planes: Float32Array[]; file: string; bands: string[] }

function loadCutouts(src: InjectSource, o: InjectDataOptions): { cutouts: Loaded[]; skipped: string[] } {
  const cutouts: Loaded[] = [];
  const skipped: string[] = [];
  for (const f of src.files) {
    if (cutouts.length >= o.limit) break;
    forEachStampInFile(f, (s, j) => {
      if (cutouts.length >= o.limit) return;
      const where = j ? `${f}[${j}]` : f;
      const idx = o.bands.map((b) => s.bands.indexOf(b));
      if (idx.some((i) => i < 0)) { skipped.push(`${where}: bands ${s.bands.join(',')} lack ${o.bands.filter((_, k) => idx[k]! < 0).join(',')}`); return; }
      const scale = getPreset(o.preset).pixelScale;
      if (s.pixelScale && Math.abs(s.pixelScale / scale - 1) > 0.05) { skipped.push(`${where}: ${s.pixelScale.toFixed(3)}″/px, the preset ${o.preset} has ${scale}″/px`); return; }
      const crop = centreCrop(s, o.size);
      if (!crop) { skipped.push(`${where}: ${s.width}×${s.height} is smaller than ${o.size}×${o.size}`); return; }
      cutouts.push({ planes: idx.map((i) => crop[i]!), file: where, bands: o.bands });
    });
  }
  return { cutouts, skipped };
}

export function injectedTrainingData(path: string, o: InjectDataOptions): TrainingData & { skipped: string[]; nCutouts: number } {
  const src = listInjectSource(path, o.catalog);
  const { cutouts, skipped } = loadCutouts(src, o);
  if (cutouts.length < 2) {
    throw new InputError('INJECT_SOURCE', `${path}: ${cutouts.length} usable cutouts (need ≥ 2 with bands ${o.bands.join(',')} and ≥ ${o.size}×${o.size} pixels)${skipped.length ? `; first skipped: ${skipped[0]}` : ''}`, { path });
  }
  const preset = getPreset(o.preset);
  const n = o.size * o.size, nb = o.bands.length;
  return {
    size: o.size,
    bands: o.bands,
    pixelScale: preset.pixelScale,
    skipped,
    nCutouts: cutouts.length,
    description: `${cutouts.length} real cutouts from ${src.kind} ${path}${src.catalog ? ` (catalog ${src.catalog})` : ''}, each once as a negative and once with a simulated lensed source injected${o.sourceStamps ? ` (${Math.round(100 * o.sourceStamps.fraction)} % of galaxy sources from ${o.sourceStamps.stamps.length} real galaxy stamps)` : ''} (${o.preset} PSF; θE ${o.thetaEMin}–${o.thetaEMax}″; S/N ${o.snrMin}–${o.snrMax}; ${Math.round(100 * o.quasarFraction)} % lensed quasars)`,
    source: {
      injectInto: path, kind: src.kind, catalog: src.catalog, nCutouts: cutouts.length, nSkipped: skipped.length,
      files: cutouts.length <= 50 ? cutouts.map((c) => c.file) : `${cutouts.length} files (first ${cutouts[0]!.file})`,
      method: 'src-core/classify/inject.ts: lens on the central galaxy (moments), SIE + shear, lensed clumpy Sérsic or quasar (+host) rendered with the preset PSF, scaled to a log-uniform total S/N in units of each band\'s robust noise; negatives = the same cutouts untouched',
      preset: o.preset, psf: Object.fromEntries(o.bands.map((b) => [b, `Gaussian FWHM ${preset.bands[b]?.seeing}″ (preset ${preset.name})`])),
      thetaE: [o.thetaEMin, o.thetaEMax], snr: [o.snrMin, o.snrMax], quasarFraction: o.quasarFraction, seed: o.seed,
      ...(o.sourceStamps ? { sourceStamps: { id: o.sourceStamps.id, stamps: o.sourceStamps.stamps.length, fraction: o.sourceStamps.fraction, path: o.sourceStampsPath ?? null } } : {}),
    },
    async *epoch(): AsyncIterable<LabelledBatch> {
      const chunk = 32;
      for (let s = 0; s < cutouts.length; s += chunk) {
        const part = cutouts.slice(s, s + chunk);
        const images = new Float32Array(part.length * 2 * nb * n);
        const labels: number[] = [], ids: number[] = [];
        part.forEach((c, k) => {
          const i = s + k;
          // Same injection every epoch: the stream depends on (seed, cutout index) only.
          const inj = drawInjection(c.planes, o, new Rng(o.seed, i));
          const pos = applyInjection(c.planes, inj);
          c.planes.forEach((p, b) => images.set(p, ((2 * k) * nb + b) * n));
          pos.forEach((p, b) => images.set(p, ((2 * k + 1) * nb + b) * n));
          labels.push(0, 1);
          ids.push(2 * i, 2 * i + 1);
        });
        yield { images: channelsLast(images, part.length * 2, nb, o.size), labels, ids };
      }
    },
  };
}
