// Which model scores a workspace's cutouts: --model when given, else the workspace's active model
// when it fits the cutouts, else the bundled model that best fits their bands and pixel scale
// (src-core/classify/choose-model.ts). The reason is printed and stored with the score job.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseModel, modelFits, modelOptionFromCard, type ModelOption, type SurveyShape } from '../../src-core/classify/choose-model';
import { InputError } from '../../src-core/errors';
import { modelsDir } from '../util/paths';

/** The chooser's view of the model in `dir`, or null when it has no readable card. */
export function modelOptionAt(dir: string): ModelOption | null {
  const file = join(dir, 'card.json');
  if (!existsSync(file)) return null;
  try {
    return modelOptionFromCard(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, dir);
  } catch {
    return null;
  }
}

/** Every models/<name>/ with a card, by name. */
export function bundledModelOptions(root = modelsDir()): ModelOption[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => modelOptionAt(join(root, d.name)))
    .filter((m): m is ModelOption => m !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The survey preset whose model stands in when no cutouts say which model fits (a fine-tune
 * without an active model, a new simulated set before it is scored): the app's default survey,
 * the one `npm start`'s demo and `lensdesk simulate` use when none is named.
 */
export const DEFAULT_MODEL_PRESET = 'lsst';

/** The bundled model to use when there is nothing to match: the default survey's, else the first by name. */
export function defaultBundledModel(root = modelsDir()): ModelOption | null {
  const all = bundledModelOptions(root);
  return all.find((m) => m.preset === DEFAULT_MODEL_PRESET) ?? all[0] ?? null;
}

export interface ScoringModel {
  /** Folder to load; undefined = no network model (the placeholder). */
  path: string | undefined;
  reason: string;
}

const fittingList = (survey: SurveyShape, options: ModelOption[]) => {
  const ok = options.filter((m) => modelFits(survey, m).ok).map((m) => `${m.name} (${m.bands.join(',')})`);
  return ok.length ? `bundled models that fit: ${ok.join(', ')}` : `no bundled model fits (${options.map((m) => `${m.name}: ${m.bands.join(',')}${m.pixelScale ? ` at ${m.pixelScale}″/px` : ''}`).join('; ') || 'none bundled'})`;
};

/** The model for a score run and why; throws (saying what would fit) when the named model cannot score them. */
export function chooseScoringModel(o: { explicit?: string; active?: string; survey: SurveyShape | null; root?: string }): ScoringModel {
  const bundled = bundledModelOptions(o.root);
  const { survey } = o;
  if (o.explicit) {
    const m = modelOptionAt(o.explicit);
    if (!m || !survey) return { path: o.explicit, reason: `--model ${o.explicit}` };
    const f = modelFits(survey, m);
    if (!f.ok) {
      throw new InputError('MODEL_DOES_NOT_FIT', `--model ${m.name} cannot score these cutouts: it ${f.why}. ${fittingList(survey, bundled)}`, {
        path: o.explicit,
        field: 'model',
      });
    }
    return { path: o.explicit, reason: `${m.name} (given with --model): ${f.why}` };
  }
  let notActive = '';
  if (o.active) {
    const m = modelOptionAt(o.active);
    const f = m && survey ? modelFits(survey, m) : null;
    if (!m || !f || f.ok) return { path: o.active, reason: `${m?.name ?? o.active} (the workspace's active model)${f ? `: ${f.why}` : ''}` };
    notActive = `; the workspace's active model ${m.name} does not fit: it ${f.why}`;
  }
  if (!bundled.length) return { path: undefined, reason: `no model in models/: placeholder heuristic${notActive}` };
  if (!survey) {
    const d = bundled.find((m) => m.preset === DEFAULT_MODEL_PRESET) ?? bundled[0]!;
    return { path: d.path, reason: `${d.name} (the default bundled model${d.preset === DEFAULT_MODEL_PRESET ? `, trained for ${DEFAULT_MODEL_PRESET}` : ''}; no cutouts to match it to)${notActive}` };
  }
  try {
    const c = chooseModel(survey, bundled);
    return { path: c.model.path, reason: c.reason + notActive };
  } catch (e) {
    if (e instanceof InputError && notActive) throw new InputError(e.code, e.message + notActive, e.details);
    throw e;
  }
}

/** Why this stamp cannot be scored by a model that needs `need` (and how to fix it), or null when it can. */
export function bandMismatch(stampBands: string[], need: string[], modelName: string): string | null {
  const missing = need.filter((b) => !stampBands.includes(b));
  if (!missing.length) return null;
  return (
    `the cutout has bands ${stampBands.join(',')}, ${modelName} needs ${need.join(',')} (missing ${missing.join(',')}). ` +
    `If the planes are ${need.join(',')} in that order, name them: lensdesk ingest FOLDER --bands ${need.join(',')} (or lensdesk score --bands ${need.join(',')}); ` +
    `else score with a model made for ${stampBands.join(',')} (--model DIR; lensdesk score without --model picks the bundled one that fits)`
  );
}
