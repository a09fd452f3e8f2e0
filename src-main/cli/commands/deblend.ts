// `lensdesk deblend`: Scarlet-style deblending of a multi-band cutout (src-core/deblend; issue 14).
// Documented in docs/deblend.md.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { deblend, deblendAsync, parseConstraints, NO_PRIOR, type DeblendInput } from '../../../src-core/deblend/index';
import { loadDeblendPrior } from '../../deblend/learned-prior';
import { deblendProductFits } from '../../deblend/product-file';
import type { CliCommand } from '../command';
import { numberOption } from '../args';
import { readCutout } from '../../deblend/cutout-file';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { openWorkspace } from '../../store/workspace';
import { findCatalog } from '../../store/catalogs';

const USAGE = `Usage: lensdesk deblend CUTOUT.fits --out OUT.fits [--psf P.fits] [--prior auto|flow|score|MODEL|none]
         [--constraints monotonic,symmetric] [--max-iter N] [--detect] [--json]
       lensdesk deblend --catalog ID|--sources ID,ID… [--lens-light] [--workers N] [--prior …]
         [--constraints …] [--max-iter N] [--force] [--workspace DIR] [--json]

Separates the sources of a multi-band cutout (Melchior et al. 2018): each source is an SED times a
non-negative morphology, convolved with each band's PSF. CUTOUT.fits: a 2-D image or a
bands × rows × cols cube (BANDS = 'g,r,i' names the bands), optional VARIANCE, PSF and CATALOG
(x, y columns) extensions. Without a variance map the noise comes from the background; without a
PSF the bands are assumed to share one PSF (said on stderr).

Options:
  --psf P.fits        PSF image (one plane for all bands, or one per band); default: the PSF HDU
  --prior P           learned morphology prior (Lanusse, Melchior & Moolekamp 2019) next to the
                      constraints: auto (default: the bundled morphology flow
                      models/priors/morphology-flow-32 or LENSDESK_BLEND_MODEL; skipped, with a note,
                      when the cutout's pixel scale differs from its 0.2″ by > 10 %), flow (that model,
                      a mismatch is an error), score (the bundled score U-Net
                      models/priors/score-galaxies-64 or LENSDESK_SCORE_PRIOR), a folder written by
                      \`lensdesk blend-model train\` or \`lensdesk prior train\`, or none (constraints only)
  --threads N         onnxruntime threads for the prior (default 1)
  --constraints LIST  monotonic, symmetric (comma-separated; positivity always; default monotonic)
  --max-iter N        iteration cap (default 300)
  --detect            detect peaks even when the cutout has a CATALOG
  --out OUT.fits      MODEL, RESIDUAL, one COMPn image per source (bands × rows × cols, the
                      cutout's WCS) and a SOURCES table (x, y, flux and data flux per band)
  --json              print the summary as JSON

Workspace mode (the app's Deblend job, with progress; Ctrl-C cancels, \`lensdesk jobs resume ID\` goes on):
  --catalog ID        every source of a workspace catalog (ids: \`lensdesk jobs\`, the app's catalog filter)
  --sources LIST      these source ids
  --lens-light        batch lens-light subtraction: constraints only (positivity, monotonicity, symmetry),
                      <= 50 iterations; writes each candidate's lens-subtracted frame (the grid's
                      "lens-subtracted" view), model, residual and components
  --workers N         solver threads without a learned prior (default: the cores, at most 8)
  --force             deblend again where a product with the same settings exists
${WORKSPACE_HELP}`;

export const deblendCommand: CliCommand = {
  name: 'deblend',
  summary: 'separate the sources of a multi-band cutout (Scarlet-style; constraints or a learned prior)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        psf: { type: 'string' }, prior: { type: 'string', default: 'auto' }, constraints: { type: 'string', default: 'monotonic' },
        'max-iter': { type: 'string' }, threads: { type: 'string' }, detect: { type: 'boolean', default: false }, out: { type: 'string' }, json: { type: 'boolean', default: false },
        catalog: { type: 'string' }, sources: { type: 'string' }, 'lens-light': { type: 'boolean', default: false }, workers: { type: 'string' },
        force: { type: 'boolean', default: false }, workspace: { type: 'string' },
      },
    });
    if (values.catalog !== undefined || values.sources !== undefined) {
      if (positionals.length) throw new InputError('CLI_USAGE', 'give either CUTOUT.fits or --catalog/--sources, not both', { count: positionals.length });
      const params: Record<string, unknown> = { force: values.force };
      if (values.catalog !== undefined) params.catalogId = catalogIdOf(values.catalog, values.workspace);
      if (values.sources !== undefined) params.sourceIds = values.sources.split(',').map((x) => Number(x.trim()));
      if (values['lens-light']) {
        if (argv.some((a) => /^--(prior|constraints|max-iter)(=|$)/.test(a))) {
          throw new InputError('CLI_USAGE', '--lens-light fixes its settings (constraints only: positivity, monotonicity, symmetry; <= 50 iterations): leave out --prior, --constraints and --max-iter', { option: 'lens-light' });
        }
        params.mode = 'lens-light';
      } else {
        params.prior = values.prior;
        params.constraints = values.constraints;
      }
      const maxIter = numberOption(values, 'max-iter', { integer: true, min: 1, max: 5000 });
      if (maxIter !== undefined) params.maxIter = maxIter;
      const workers = numberOption(values, 'workers', { integer: true, min: 1, max: 64 });
      if (workers !== undefined) params.workers = workers;
      return runJobCli(io, values.workspace, (jm) => jm.start('deblend', params), values.json);
    }
    if (values['lens-light'] || values.workers !== undefined || values.force) {
      throw new InputError('CLI_USAGE', '--lens-light, --workers and --force apply to a workspace catalog: give --catalog ID or --sources', { option: 'catalog' });
    }
    if (positionals.length !== 1) throw new InputError('CLI_USAGE', 'give exactly one CUTOUT.fits', { count: positionals.length });
    if (!values.out) throw new InputError('CLI_USAGE', '--out OUT.fits is required', { option: 'out' });
    const constraints = parseConstraints(values.constraints!);
    const maxIter = numberOption(values, 'max-iter', { integer: true, min: 1, max: 100000 }) ?? 300;
    const path = positionals[0]!;
    const cut = readCutout(path, values.psf);
    for (const n of cut.notes) io.err(`note: ${n}`);
    const threads = numberOption(values, 'threads', { integer: true, min: 1, max: 64 }) ?? 1;
    const loaded = await loadDeblendPrior(values.prior!, { threads, pixelScale: cut.pixelScale });
    for (const n of loaded.notes) io.err(`note: ${n}`);
    const t0 = performance.now();
    const inp: DeblendInput = {
      images: cut.images, rows: cut.rows, cols: cut.cols, variance: cut.variance, psfs: cut.psfs,
      positions: values.detect ? undefined : cut.positions, constraints, prior: NO_PRIOR, maxIter,
      shouldStop: () => io.signal.aborted,
    };
    let r;
    try {
      r = loaded.prior ? await deblendAsync(inp, loaded.prior) : deblend(inp);
    } finally {
      await loaded.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    for (const w of r.warnings) io.err(`warning: ${w}`);
    writeFileSync(values.out, deblendProductFits(r, { bands: cut.bands, wcsCards: cut.wcsCards, prior: loaded.name, constraints: [...constraints] }));
    const summary = {
      file: path, out: values.out, bands: cut.bands, rows: cut.rows, cols: cut.cols, prior: loaded.name, constraints: [...constraints],
      iterations: r.iterations, converged: r.converged, chi2PerPixel: Number.isFinite(r.chi2PerPixel) ? r.chi2PerPixel : null, seconds,
      sources: r.sources.map((s, k) => ({ id: k + 1, x: s.x, y: s.y, flux: s.flux, dataFlux: s.dataFlux })), warnings: r.warnings,
    };
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    else {
      io.out(`${path}: ${r.sources.length} sources, ${r.iterations} iterations${r.converged ? '' : ' (not converged)'}, χ²/pixel ${r.chi2PerPixel.toFixed(3)}, ${seconds.toFixed(2)} s → ${values.out}`);
      for (const s of summary.sources) io.out(`  ${s.id}  x ${s.x.toFixed(2)}  y ${s.y.toFixed(2)}  ${cut.bands.map((b, i) => `${b} ${s.flux[i]!.toPrecision(5)}`).join('  ')}`);
    }
    return 0;
  },
};

/** A catalog id from its id or its name in the workspace; an unknown one is refused, listing the catalogs. */
function catalogIdOf(text: string, workspace: string | undefined): number {
  const ws = openWorkspace(workspace);
  try {
    const { catalog, known } = findCatalog(ws.db, text);
    if (catalog) return catalog.id;
    throw new InputError('CLI_USAGE', `--catalog ${text}: no such catalog in ${ws.dir} (${known ? `catalogs: ${known}` : 'the workspace has none; lensdesk ingest first'})`, { option: 'catalog' });
  } finally {
    ws.close();
  }
}
