// `lensdesk blend-score CUTOUT.fits`: the blend flag of one cutout (issue 14) from the morphology model
// (src-core/deblend/morphology-density.ts). Documented in docs/deblend.md ("Blend flag").
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { blendScore } from '../../../src-core/deblend/morphology-density';
import { detectionImage, readBlendCard, resolveBlendModel } from '../../deblend/blend-model';
import { checkPixelScale, PIXEL_SCALE_TOLERANCE } from '../../../src-core/deblend/scale-check';
import { readCutout } from '../../deblend/cutout-file';
import type { CliCommand } from '../command';

const USAGE = `Usage: lensdesk blend-score CUTOUT.fits [--model DIR] [--allow-scale-mismatch] [--json]

Scores how likely the central object of a cutout is a blend: the cutout's bands are summed into a
detection image, the brightest object within a quarter of the cutout's size of its centre is centred in a
32 × 32 stamp and flux-normalised, and its log-likelihood under the morphology model is turned into a
calibrated P(blend). A likely blend is P ≥ 0.5. The cutout's pixel scale (WCS CD/CDELT, else PIXSCALE)
must be within ${100 * PIXEL_SCALE_TOLERANCE} % of the model's (card.json pixelScale; 0.2″ for the bundled LSST model):
shapes are not comparable across scales, so a mismatch is refused.

Options:
  --model DIR   a folder written by \`lensdesk blend-model train\` (default: the bundled
                models/priors/morphology-flow-32, or LENSDESK_BLEND_MODEL)
  --allow-scale-mismatch   score anyway when the pixel scales differ (a warning on stderr)
  --json        {file, model, blendProbability, likelyBlend, logp, logpPerPixel, statistic, peak: {x, y},
                pixelScale: {cutout, model, status: match|mismatch|unknown}, warnings}`;

export const blendScoreCommand: CliCommand = {
  name: 'blend-score',
  summary: 'blend probability of a cutout\'s central object (explicit-likelihood morphology model)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { model: { type: 'string' }, json: { type: 'boolean', default: false }, 'allow-scale-mismatch': { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new InputError('CLI_USAGE', 'give exactly one CUTOUT.fits', { count: positionals.length });
    const path = positionals[0]!;
    const { dir, model } = resolveBlendModel(values.model);
    const cut = readCutout(path);
    const scale = checkPixelScale(cut.pixelScale, readBlendCard(dir)?.pixelScale, path);
    const warnings: string[] = [];
    if (scale.status === 'mismatch') {
      if (!values['allow-scale-mismatch']) throw new InputError('PIXEL_SCALE_MISMATCH', `${scale.message} (--allow-scale-mismatch scores it anyway)`, { file: path, cutoutScale: scale.cutoutScale, modelScale: scale.modelScale });
      warnings.push(scale.message!);
    } else if (scale.message) warnings.push(scale.message);
    for (const w of warnings) io.err(`warning: ${w}`);
    const s = blendScore(model, detectionImage(cut.images, cut.rows * cut.cols), cut.rows, cut.cols);
    const out = { file: path, model: dir, blendProbability: s.blendProbability, likelyBlend: s.likelyBlend, logp: s.logp, logpPerPixel: s.logpPerPixel, statistic: s.statistic, peak: s.peak, pixelScale: { cutout: scale.cutoutScale, model: scale.modelScale, status: scale.status }, warnings };
    if (values.json) io.out(JSON.stringify(out, null, 2));
    else io.out(`${path}: P(blend) ${s.blendProbability.toFixed(3)}${s.likelyBlend ? ' — likely blend' : ''} (log p/pixel ${s.logpPerPixel.toFixed(3)}, centre x ${s.peak.x} y ${s.peak.y})`);
    return 0;
  },
};
