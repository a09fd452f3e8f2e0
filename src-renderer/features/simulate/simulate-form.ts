// The Simulate form's pure parts: the text of each field → the params of a 'simulate' job
// (docs/simulate.md, "Simulate job (app) params"), and a typed backend error → the field it names.
// Ranges are NOT checked here: the backend's zod schema (simulateJobParams) and resolveConfig are
// the one source of truth, and their errors come back with details.field, shown beside that field.
import type { SimulatePresetInfo } from '../../../src-core/api/contract';

export interface SimulateFormValues {
  preset: string;
  count: string;
  lensFraction: string;
  hardness: string;
  /** Fraction of the lenses that are lensed quasars ('' = none). */
  quasarFraction: string;
  seed: string;
  name: string;
  /** One PSF FITS file for every band (2-D image or bands × H × W cube). */
  psfAll: string;
  /** One 2-D PSF FITS file per simulated band (bands left empty keep the model PSF). */
  psfBands: Record<string, string>;
  /** A folder of real galaxy FITS stamps, or one file (N × H × W). */
  sourceStamps: string;
  sourceStampFraction: string;
  sourceStampScale: string;
  /** Lensed sources: 'profiles' (clumpy Sérsic, or the galaxy stamps above) or 'flowvae' (a Flow-VAE model, issue 16). */
  sources?: 'profiles' | 'flowvae';
  /** The Flow-VAE model folder ('' = the bundled models/generative/flowvae-lsst-32). */
  flowvaeModel?: string;
}

/** Where an error is shown: a field (`psf.g` for band g's PSF) or the form as a whole. */
export type FieldKey = string;
export type FieldErrors = Record<FieldKey, string>;

/** Name used when the name field is left empty: says what the set is, and differs per seed. */
export function defaultSetName(v: Pick<SimulateFormValues, 'preset' | 'count' | 'seed'>): string {
  return `Simulated ${v.preset || 'lsst'} ${v.count.trim() || '?'} · seed ${v.seed.trim() || '?'}`;
}

/** A number field: '' → undefined (the backend's default); text that is not a number → an error. */
function numberField(text: string, key: FieldKey, errors: FieldErrors): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const v = Number(t);
  if (!Number.isFinite(v)) {
    errors[key] = `“${t}” is not a number`;
    return undefined;
  }
  return v;
}

/**
 * Params for jobs.start('simulate', …), or the fields that cannot be sent as they are (not a
 * number, PSF given both ways, a name already used by a catalog: the job would add to it).
 */
export function buildSimulateParams(
  v: SimulateFormValues,
  opts: { presets: SimulatePresetInfo[]; catalogNames: string[] },
): { params: Record<string, unknown>; errors: null } | { params: null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const params: Record<string, unknown> = { preset: v.preset };
  const nums: [keyof SimulateFormValues & string, string][] = [
    ['count', 'count'], ['lensFraction', 'lensFraction'], ['hardness', 'hardness'], ['quasarFraction', 'quasarFraction'], ['seed', 'seed'],
    ['sourceStampFraction', 'sourceStampFraction'], ['sourceStampScale', 'sourceStampScale'],
  ];
  for (const [field, param] of nums) {
    const x = numberField(v[field] as string, field, errors);
    if (x !== undefined) params[param] = x;
  }
  const name = v.name.trim() || defaultSetName(v);
  if (opts.catalogNames.includes(name)) errors.name = `a catalog named “${name}” exists; choose another name`;
  params.name = name;

  const bands = opts.presets.find((p) => p.name === v.preset)?.bands ?? [];
  const perBand = Object.fromEntries(
    bands.map((b) => [b, (v.psfBands[b] ?? '').trim()] as const).filter(([, f]) => f !== ''),
  );
  if (v.psfAll.trim() && Object.keys(perBand).length) {
    errors.psf = 'give one PSF file for all bands or one per band, not both';
  } else if (v.psfAll.trim()) params.psf = v.psfAll.trim();
  else if (Object.keys(perBand).length) params.psf = perBand;

  if (v.sourceStamps.trim()) params.sourceStamps = v.sourceStamps.trim();
  if (v.sources === 'flowvae') {
    if (v.sourceStamps.trim()) errors.sources = 'galaxy stamps or a Flow-VAE model as the sources, not both';
    params.sources = v.flowvaeModel?.trim() ? `flowvae:${v.flowvaeModel.trim()}` : 'flowvae';
  }
  return Object.keys(errors).length ? { params: null, errors } : { params, errors: null };
}

/**
 * The field a backend error belongs to. Typed errors carry {name, code, message, details}:
 * details.field is 'params.lensFraction' from the job's zod check, 'lensFraction' from
 * resolveConfig, 'params.psf.g' for one band's path; PSF_* / STAMP_* errors from reading the files
 * name the band or file instead. Anything else belongs to the form.
 */
export function fieldOfError(
  e: { code?: string; details?: Record<string, unknown> },
  given: { psf?: unknown },
): FieldKey {
  const d = e.details ?? {};
  const code = e.code ?? '';
  if (typeof d.field === 'string' && d.field && d.field !== '(params)') {
    const f = d.field.replace(/^params\./, '');
    if (f === 'psf' && typeof given.psf === 'object' && given.psf && typeof d.band === 'string') return `psf.${d.band}`;
    if (f.startsWith('sourceStamps')) return 'sourceStamps';
    return f;
  }
  if (code === 'SIM_UNKNOWN_PRESET') return 'preset';
  if (code.startsWith('PSF_')) {
    if (typeof given.psf === 'object' && given.psf) {
      if (typeof d.band === 'string') return `psf.${d.band}`;
      const hit = Object.entries(given.psf as Record<string, string>).find(([, f]) => typeof d.file === 'string' && d.file.endsWith(f.replace(/^\.\//, '')));
      if (hit) return `psf.${hit[0]}`;
    }
    return 'psf';
  }
  if (code === 'STAMP_SCALE' && d.scale !== undefined) return 'sourceStampScale';
  if (code.startsWith('FLOWVAE_')) return 'sources';
  if (code.startsWith('STAMP_')) return 'sourceStamps';
  return 'form';
}
