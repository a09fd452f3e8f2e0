// `lensdesk train`: trains CMUDeepLens and writes models/<name>/{model.json, weights.bin, card.json}.
// Checkpoints go to <out>.ckpt/ after every epoch; --resume continues a killed run from there.
// Ctrl-C stops within a step: the steps made so far go into <out>.ckpt/last, the command says how
// to resume and exits 130 (src-core/classify/train.ts lets the SIGINT handler run between steps).
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cardPath } from '../../util/paths';
import type { CliCommand } from '../command';
import { type BackendCandidate, backendSummary, selectBackend } from '../../backend/select';
import { chooseTrainEngine, ENGINE_PREFERENCES, enginePreferenceFromEnv, type EnginePreference } from '../../backend/train-engine';
import { FileCheckpointStore, loadModelDir, saveModelDir } from '../../classify/model-files';
import { injectedTrainingData } from '../../classify/inject-data';
import { readStampLibrary } from '../../lens/stamp-files';
import { simSetTrainingData } from '../../classify/sim-set';
import { DEFAULT_INJECTION } from '../../../src-core/classify/inject';
import { getPreset } from '../../../src-core/lens/presets';
import { HARD_SET_SEED, hardSetConfig } from '../../../src-core/lens/hard-set';
import { CARD_FORMAT, type ModelCard } from '../../../src-core/classify/card';
import { countTrainableParams } from '../../../src-core/classify/model';
import { transferCmuDeepLens } from '../../../src-core/classify/transfer-init';
import { simulatedTrainingData } from '../../../src-core/classify/sim-data';
import { DEFAULT_RECIPE, trainCmuDeepLens } from '../../../src-core/classify/train';
import { CancelledError, InputError } from '../../../src-core/errors';
import * as tf from '@tensorflow/tfjs';

const num = (v: string | undefined, name: string, dflt: number) => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError('CLI_ARG', `--${name} must be a number, got '${v}'`, { option: name });
  return x;
};

/**
 * The model to fine-tune, checked against the data it will see (a mismatch would train garbage).
 * Other bands or another cutout size at the same pixel scale start a transferred copy
 * (src-core/classify/transfer-init.ts) whose input normalisation is refitted on the data.
 */
async function initialModel(dir: string, data: { bands: string[]; size: number; pixelScale?: number | null }, seed: number) {
  if (!existsSync(join(dir, 'card.json'))) throw new InputError('MODEL_MISSING', `--init ${dir}: no model there (card.json)`, { path: dir, option: 'init' });
  const m = await loadModelDir(dir);
  const a = m.card.architecture;
  const why = m.card.pixelScale && data.pixelScale && Math.abs(m.card.pixelScale / data.pixelScale - 1) > 0.01 ? `pixel scale ${m.card.pixelScale}″ vs the data's ${data.pixelScale}″ (lenses would have another size in pixels)`
    : !m.card.normalisation ? 'its card has no input normalisation' : null;
  if (why) {
    m.model.dispose();
    throw new InputError('MODEL_MISMATCH', `--init ${dir}: ${why}`, { path: dir, option: 'init' });
  }
  if (a.bands.join(',') === data.bands.join(',') && a.inputSize === data.size) return { ...m, transfer: null };
  try {
    const { model, mapping } = transferCmuDeepLens(m.model, a.bands, { size: data.size, bands: data.bands, seed });
    const transfer = {
      bands: { from: a.bands, to: data.bands, startedFrom: mapping.from, borrowed: mapping.borrowed },
      inputSize: { from: a.inputSize, to: data.size },
      normalisation: 'refitted on the training data (asinh, noise units)',
      method: 'all weights copied by layer name; stem kernel band slices by band name, a missing band from the nearest in wavelength',
    };
    return { model, card: m.card, transfer };
  } finally {
    m.model.dispose();
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train the CMUDeepLens lens finder on simulated cutouts (checkpoints, resume, model card)',
  usage: `Usage: lensdesk train --simulate PRESET --count N [options]
       lensdesk train --set DIR [--count N] [options]   (a 'lensdesk simulate --out DIR' folder)
       lensdesk train --inject-into WORKSPACE|FOLDER [--catalog NAME] [--preset lsst] [options]

Data:
  --simulate PRESET   draw cutouts from the simulator on the fly (e.g. lsst, challenge)
  --set DIR           read the chunk files cutouts-*.fits of a simulated set (labels: TRUTH is_lens;
                      the split uses the cutout index); --count N reads at most the first N
  --count N           number of cutouts (default 2000), --seed S (default 1), --bands g,r,i,z
  --inject-into PATH  real backgrounds: the 'stamp' cutouts of a LensDesk workspace (--catalog NAME
                      for one catalog) or a folder of FITS stamps; each cutout is a negative as it
                      is and a positive with a simulated lensed source painted in (arcs or lensed
                      quasars; lens on the central galaxy; PSF and colours of --preset, brightness
                      in units of the cutout's noise). --count N: at most N cutouts (2N samples)
  --preset P          survey preset for --inject-into (default lsst): PSF, pixel scale, size, bands
  --size N            cutout size for --inject-into (default: the preset's; larger stamps are
                      centre-cropped)
  --snr A,B           total S/N range of the injected lensed light (default ${DEFAULT_INJECTION.snrMin},${DEFAULT_INJECTION.snrMax}, log-uniform)
  --theta-e A,B       Einstein radius range, arcsec (default ${DEFAULT_INJECTION.thetaEMin},${DEFAULT_INJECTION.thetaEMax})
  --quasar-fraction F fraction of injected lensed quasars (default ${DEFAULT_INJECTION.quasarFraction})
  --source-stamps P   with --inject-into: real galaxies as the lensed sources (a folder or file of FITS
                      stamps, or GalSim real-galaxy catalogs, as simulate --source-stamps); a fraction
                      --source-stamp-fraction F (default 1) of the galaxy sources, the rest clumpy Sérsic;
                      --source-stamp-scale ARCSEC overrides their pixel scale
  --hard-mix          with --simulate: the hard set's mix (hardness 1, θE 0.5–2.5″, a quarter quasars,
                      rings, mergers, spirals, edge-on discs, blends, artefacts) drawn with the training
                      seed, so 'evaluate --hard' (seed ${HARD_SET_SEED}) stays held out
Start:
  --init MODEL        fine-tune: start from MODEL's weights and keep its input normalisation (pixel
                      scale must match the data); e.g. --init models/cmudeeplens-lsst. Other bands or
                      size: weights copied by layer, input bands by name (a missing one from the
                      nearest in wavelength, u ← g), normalisation refitted; recorded in lineage
Recipe (defaults: Lanusse et al. 2018):
  --epochs 120  --batch 128  --lr 1e-3  --lr-drops 40,80  --lr-factor 0.1
  --pos-weight 1  --val-fraction 0.1  --patience 20 (0 = never stop early)  --no-augment
Output:
  --out DIR           model directory (default models/cmudeeplens-<preset>); checkpoints in DIR.ckpt/;
                      a DIR that already holds a model (card.json) is refused unless --force
  --name NAME         the model's name in its card and the Models view (default: DIR's last folder)
  --force             overwrite the model in DIR (e.g. the bundled one) when training ends
  --resume            continue from DIR.ckpt/last
  --backend LIST      tfjs backends to try, e.g. wasm,cpu (default tfjs-node-gpu,tfjs-node,wasm,cpu)
  --engine E          what computes the steps: auto (default: tfjs when tfjs-node(-gpu) loads, else
                      onnxruntime-node on all CPU cores), onnxruntime, or tfjs (LENSDESK_TRAIN_ENGINE)
  --json              final line: {"model": DIR, "card": {...}}; per-epoch lines go to stderr
`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        simulate: { type: 'string' }, set: { type: 'string' }, 'inject-into': { type: 'string' }, catalog: { type: 'string' },
        preset: { type: 'string' }, size: { type: 'string' }, snr: { type: 'string' }, 'theta-e': { type: 'string' }, 'quasar-fraction': { type: 'string' }, 'hard-mix': { type: 'boolean' }, init: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' },
        bands: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
        'lr-drops': { type: 'string' }, 'lr-factor': { type: 'string' }, 'pos-weight': { type: 'string' },
        'val-fraction': { type: 'string' }, patience: { type: 'string' }, 'no-augment': { type: 'boolean' },
        out: { type: 'string' }, name: { type: 'string' }, resume: { type: 'boolean' }, force: { type: 'boolean' }, backend: { type: 'string' }, engine: { type: 'string' }, json: { type: 'boolean' },
        'source-stamps': { type: 'string' }, 'source-stamp-fraction': { type: 'string' }, 'source-stamp-scale': { type: 'string' },
      },
    });
    if ((values['source-stamps'] !== undefined || values['source-stamp-fraction'] !== undefined || values['source-stamp-scale'] !== undefined) && values['inject-into'] === undefined) {
      throw new InputError('CLI_ARG', '--source-stamps (and its --source-stamp-fraction, --source-stamp-scale) go with --inject-into; for simulated sets use lensdesk simulate --source-stamps', { option: 'source-stamps' });
    }
    if ([values.simulate, values.set, values['inject-into']].filter((v) => v !== undefined).length !== 1) {
      throw new InputError('CLI_ARG', 'give one of --simulate PRESET, --set DIR or --inject-into WORKSPACE|FOLDER (see --help)');
    }
    if (values.name !== undefined && !/^[\w.+-][\w .+-]{0,79}$/.test(values.name.trim())) throw new InputError('CLI_ARG', `--name must be 1–80 letters, digits, spaces or . _ + -, got '${values.name}'`, { option: 'name' });
    if (values['hard-mix'] && !values.simulate) throw new InputError('CLI_ARG', '--hard-mix goes with --simulate PRESET', { option: 'hard-mix' });
    const backend = await selectBackend(values.backend ? { order: values.backend.split(',') as BackendCandidate[] } : {});
    io.err(`backend: ${backendSummary(backend)}`);
    const pref = (values.engine ?? enginePreferenceFromEnv()) as EnginePreference;
    if (!ENGINE_PREFERENCES.includes(pref)) throw new InputError('CLI_ARG', `--engine must be one of ${ENGINE_PREFERENCES.join(', ')}, got '${values.engine}'`, { option: 'engine' });
    const engine = await chooseTrainEngine(backend, pref);
    io.err(`training engine: ${engine.reason}`);
    const seed = num(values.seed, 'seed', 1);
    if (values['hard-mix'] && seed === HARD_SET_SEED) throw new InputError('CLI_ARG', `--seed ${HARD_SET_SEED} is the held-out hard set's seed: train with another`, { option: 'seed' });
    const pair = (v: string | undefined, name: string, d: [number, number]): [number, number] => {
      if (v === undefined) return d;
      const [a, b] = v.split(',').map((x) => num(x, name, NaN));
      if (!(a! > 0 && b! >= a!)) throw new InputError('CLI_ARG', `--${name} must be A,B with 0 < A ≤ B, got '${v}'`, { option: name });
      return [a!, b!];
    };
    const injectPreset = values.preset ?? 'lsst';
    const data = values['inject-into'] !== undefined
      ? injectedTrainingData(values['inject-into'], {
          preset: injectPreset,
          bands: values.bands ? values.bands.split(',') : getPreset(injectPreset).defaultBands,
          size: num(values.size, 'size', getPreset(injectPreset).size),
          ...(([a, b]) => ({ thetaEMin: a, thetaEMax: b }))(pair(values['theta-e'], 'theta-e', [DEFAULT_INJECTION.thetaEMin, DEFAULT_INJECTION.thetaEMax])),
          ...(([a, b]) => ({ snrMin: a, snrMax: b }))(pair(values.snr, 'snr', [DEFAULT_INJECTION.snrMin, DEFAULT_INJECTION.snrMax])),
          quasarFraction: num(values['quasar-fraction'], 'quasar-fraction', DEFAULT_INJECTION.quasarFraction),
          seed,
          limit: values.count === undefined ? Infinity : num(values.count, 'count', 0),
          ...(values.catalog ? { catalog: values.catalog } : {}),
          ...(() => {
            if (values['source-stamps'] === undefined) return {};
            const frac = num(values['source-stamp-fraction'], 'source-stamp-fraction', 1);
            if (!(frac >= 0 && frac <= 1)) throw new InputError('CLI_ARG', `--source-stamp-fraction must be in [0, 1], got ${frac}`, { option: 'source-stamp-fraction' });
            const scale = values['source-stamp-scale'] === undefined ? undefined : num(values['source-stamp-scale'], 'source-stamp-scale', NaN);
            const read = readStampLibrary(values['source-stamps'], { fraction: frac, ...(scale !== undefined ? { scale } : {}) });
            io.err(`source stamps: ${read.library.stamps.length} from ${read.files.length} file(s) in ${read.path}`);
            return { sourceStamps: read.library, sourceStampsPath: read.path };
          })(),
        })
      : values.set
      ? simSetTrainingData(values.set, values.count === undefined ? Infinity : num(values.count, 'count', 0))
      : simulatedTrainingData(
          ((base) => (values['hard-mix'] ? hardSetConfig(base) : base))({ preset: values.simulate!, ...(values.bands ? { bands: values.bands.split(',') } : {}) }),
          seed,
          num(values.count, 'count', 2000),
        );
    const patience = num(values.patience, 'patience', 20);
    const recipe = {
      epochs: num(values.epochs, 'epochs', DEFAULT_RECIPE.epochs),
      batchSize: num(values.batch, 'batch', DEFAULT_RECIPE.batchSize),
      learningRate: num(values.lr, 'lr', DEFAULT_RECIPE.learningRate),
      lrDropEpochs: values['lr-drops'] ? values['lr-drops'].split(',').map(Number) : DEFAULT_RECIPE.lrDropEpochs,
      lrDropFactor: num(values['lr-factor'], 'lr-factor', DEFAULT_RECIPE.lrDropFactor),
      posWeight: num(values['pos-weight'], 'pos-weight', 1),
      validationFraction: num(values['val-fraction'], 'val-fraction', 0.1),
      earlyStoppingPatience: patience > 0 ? patience : null,
      augment: values['no-augment'] ? { rotate90: false, flip: false, zoom: null } : DEFAULT_RECIPE.augment,
      seed,
      backend: backend.tfBackend,
    };
    if ('skipped' in data && Array.isArray(data.skipped) && data.skipped.length) io.err(`inject: ${data.skipped.length} cutout(s) skipped, e.g. ${String(data.skipped[0])}`);
    // no trailing separator: the checkpoints go to DIR.ckpt/ and the model is swapped in through DIR.new/DIR.old,
    // which for 'A/' would be 'A/.ckpt' inside the model folder and a rename of A/ into itself
    const out = values.out?.replace(/(.)[\\/]+$/, '$1') ?? `models/cmudeeplens-${values.simulate ?? basename(resolve(values.set ?? values['inject-into']!))}${values['inject-into'] ? '-injected' : ''}`;
    // basename of the resolved folder: `--out A/` or `--out .` still names the model
    const modelName = values.name?.trim() || basename(resolve(out));
    // Checked before training: a reproduction must not replace the bundled model it is compared with.
    if (!values.force && existsSync(join(out, 'card.json'))) {
      throw new InputError('MODEL_EXISTS', `${out} already holds a model (card.json); train into a new --out folder, or pass --force to overwrite it`, { path: out, option: 'out' });
    }
    const store = new FileCheckpointStore(`${out}.ckpt`);
    const init = values.init !== undefined ? await initialModel(values.init, data, seed) : undefined;
    if (init) io.err(init.transfer ? `starting from ${values.init} (bands ${init.transfer.bands.from.join(',')} → ${init.transfer.bands.to.join(',')}, ${init.transfer.inputSize.from} → ${init.transfer.inputSize.to} px; input normalisation refitted)` : `fine-tuning ${values.init} (its input normalisation kept)`);
    let trained: Awaited<ReturnType<typeof trainCmuDeepLens>>;
    try {
      trained = await trainCmuDeepLens(data, {
        recipe,
        store,
        resume: values.resume,
        engine: engine.factory,
        ...(init ? { initialModel: init.model, ...(init.transfer ? {} : { normalisation: init.card.normalisation }) } : {}),
        signal: io.signal,
        onStep: (p) => io.progress(Math.min(p.step, p.stepsPerEpoch), p.stepsPerEpoch, `epoch ${p.epoch + 1} loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(1)} img/s`),
        onEpoch: (m) =>
          io.err(JSON.stringify({ epoch: m.epoch + 1, lr: m.learningRate, trainLoss: m.trainLoss, valLoss: m.valLoss, valAuroc: m.valAuroc, imgPerS: m.imagesPerSecond })),
      });
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      const saved = await store.load('last').catch(() => null);
      const where = saved
        ? `checkpoint: ${saved.state.epoch} epoch(s)${saved.state.partial ? ` + ${saved.state.partial.step} step(s) of epoch ${saved.state.partial.epoch + 1}` : ''} in ${store.dir}/last`
        : 'nothing to keep yet (no step was made)';
      io.err(`lensdesk train: interrupted (${e.message}); ${where}`);
      if (saved) io.err(`resume with the same command and --resume`);
      return 130;
    }
    const { model, state } = trained;
    const best = state.bestEpoch != null ? state.history[state.bestEpoch] : (state.history.at(-1) ?? null);
    const card: ModelCard = {
      format: CARD_FORMAT,
      name: modelName,
      architecture: {
        name: 'CMUDeepLens',
        reference: 'Lanusse et al. 2018, MNRAS 473, 3895',
        inputSize: data.size,
        bands: data.bands,
        trainableParams: countTrainableParams(model),
        output: 'logit',
      },
      pixelScale: data.pixelScale,
      normalisation: state.normalisation,
      trainingSet: {
        description: data.description,
        source: data.source,
        nTrain: state.counts.nTrain,
        nValidation: state.counts.nValidation,
        positiveFraction: state.counts.positives / Math.max(state.counts.nTrain, 1),
      },
      training: state.recipe,
      metrics: { best, history: state.history, stoppedEarly: state.stoppedEarly },
      ...(init ? { lineage: { parent: { name: init.card.name, version: init.card.createdAt ?? '', path: cardPath(values.init!), modelId: null }, ...(init.transfer ? { transfer: init.transfer } : {}) } } : {}),
      createdAt: new Date().toISOString(),
      software: { lensdesk: '0.1.0', tfjs: tf.version.tfjs, backend: state.recipe.backend },
    };
    await saveModelDir(out, model, card);
    model.dispose();
    if (values.json) io.out(JSON.stringify({ model: out, card }));
    else io.out(`saved ${out} (best epoch ${best ? best.epoch + 1 : '—'}, val loss ${best?.valLoss?.toFixed(4) ?? '—'}, AUROC ${best?.valAuroc?.toFixed(3) ?? '—'})`);
    return 0;
  },
};
