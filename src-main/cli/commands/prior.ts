// `lensdesk prior train`: trains the learned score prior (score U-Net, DSM) and writes a model folder
// with its card. Documented in docs/learned-priors.md ("Learned score network").
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { isAbsolute, resolve } from 'node:path';
import { fitStamp, imageNoiseSigma } from '../../../src-core/score/training-set';
import { readStampFile } from '../../stamps/stamp-file';
import { openWorkspace } from '../../store/workspace';
import { findCatalog } from '../../store/catalogs';
import { readStampLibrary } from '../../lens/stamp-files';
import { kappaTrainingSet } from '../../score/kappa-training';
import { readScoreModel } from '../../score/model-files';
import { simulatedImages, trainScorePrior, type PriorTrainOptions, type TrainingImages } from '../../score/train-prior';
import type { CliCommand } from '../command';

const USAGE = `Usage:
  lensdesk prior train (--simulate galaxies | --stamps DIR | --catalog NAME [--workspace DIR]) --out MODEL_DIR [--steps N] [--batch B]
                       [--sigmas MIN,MAX,N] [--size 64] [--n-train N] [--lr 2e-4] [--seed S]
                       [--threads T] [--checkpoint-every K] [--resume] [--json]
  lensdesk prior train --kappa MAP.fits[,MAP…] --ps PS.csv --pixel ARCMIN --out MODEL_DIR
                       [--held-out MAP.fits[,…]] [--crops N] [--lognormal N] [--grf N] [--channels 16,32,64] …

Trains a noise-conditional U-Net score model s(x, σ) (32/64/128 channels, GroupNorm, SiLU, σ embedding;
the PyTorch peer's network) by denoising score matching with the σ² weighting, on onnxruntime (CPU).
σ is drawn log-uniform in [MIN, MAX] per image. Writes MODEL_DIR/model.onnx (inputs x N×1×S×S, sigma N;
output score), weights.bin and card.json (training set, σ ladder of N levels, held-out loss per σ
against the Gaussian floor, steps, images/s). Progress on stderr. Ctrl-C saves a checkpoint
(also every K steps); re-run with --resume and the same options to continue (--steps may differ:
more extends the training, fewer writes the model at the checkpoint's step).

Options:
  --simulate galaxies   Sérsic + clumps galaxies, peak 1 (the peer's built-in set)
  --stamps DIR          FITS stamps (a folder or one file; H×W or N×H×W; GalSim real-galaxy catalogs):
                        centre-cropped or zero-padded to the size and peak-normalised; 1/16 held out for
                        the card. Noisy stamps: σ_min defaults to twice their median noise ν (peak units,
                        from pixel differences), so the prior learns galaxies, not noise
  --catalog NAME|ID     a workspace catalog's stamp cutouts (every band plane an image; --workspace DIR),
                        with the same preprocessing and σ_min rule as --stamps
  --steps N             training steps (default 2000)
  --batch B             images per step (default 32)
  --sigmas MIN,MAX,N    σ range and ladder levels (default 0.003,8,10)
  --size S              image side, multiple of 4 (default 64)
  --n-train N           simulated training images (default 2048)
  --lr R                Adam learning rate (default 2e-4)
  --seed S              integer seed (default 0)
  --threads T           onnxruntime threads (default: all cores)
  --checkpoint-every K  steps between checkpoints (default 100)
  --eval-images M       held-out images per σ for the card (default 64)
  --json                print the card as JSON on stdout
  --channels A,B,C      U-Net widths (default 32,64,128)
  --sigma-focus S,F     draw a fraction F (0–1) of the training σ within a factor 1.5 of S, the rest over
                        MIN–MAX: more training where the prior is used as a one-step denoiser (a mass map's
                        pixel noise σ_pix for the hybrid posterior mean), which the σ²-weighted loss
                        otherwise leaves with little of the gradient
  --init MODEL_DIR      fine-tune: start from that model's weights and widths (any --size: the U-Net is
                        fully convolutional); Adam and the warm-up start afresh

Hybrid κ prior (Remy et al. 2020; docs/massmap.md "Hybrid prior"): the network learns the residual of the
analytic Gaussian score s_G(κ, σ) = −F⁻¹[κ̂/(P_k + σ²)] (P_k from --ps at --pixel), trained by DSM on the
total score. Used by \`lensdesk massmap --method hybrid --prior MODEL_DIR\`.
  --kappa FILES         convergence maps (FITS images, comma-separated), cropped at random to the size
  --held-out FILES      maps kept out of training; the card's held-out loss uses their crops
  --ps FILE             theory power spectrum (columns ell, C_ell)
  --pixel ARCMIN        pixel side of the maps in arcmin (κTNG: 0.29)
  --crops N             crops per --kappa map (default 1536)
  --lognormal N         lognormal fields with the --ps spectrum, shift fitted to the maps' skewness (default 512)
  --grf N               Gaussian random fields with the --ps spectrum (default 0)
  --kappa-input KIND    what the network sees: noisy (default: the noisy map) or gaussian-mean (the
                        Gaussian part's posterior mean x̃ + σ²s_G, the Wiener-denoised map, as Remy et al.'s
                        second channel); the card records it and every sampler feeds the network the same`;

const num = (v: string | undefined, name: string, dflt: number, integer = false, lo = 0): number => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || (integer && !Number.isInteger(x))) throw new InputError('INPUT_INVALID', `--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${lo}, got '${v}'`, { option: name });
  return x;
};

/** Training images from peak-normalised stamps: 1/16 held out for the card; the median noise σ of the set. */
function fittedImages(stamps: Array<{ data: ArrayLike<number>; height: number; width: number }>, size: number, where: string, description: Record<string, unknown>): TrainingImages & { noise: number } {
  const fitted = stamps.map((s) => fitStamp(s.data, s.height, s.width, size)).filter((s): s is Float32Array => s !== null);
  if (fitted.length < 2) throw new InputError('PRIOR_STAMPS', `${where}: ${fitted.length} usable stamps (need ≥ 2 with a positive pixel)`, { path: where });
  const heldOutCount = Math.max(1, Math.floor(fitted.length / 16));
  const count = fitted.length - heldOutCount;
  const d = size * size;
  const images = new Float32Array(count * d), heldOut = new Float32Array(heldOutCount * d);
  fitted.forEach((s, i) => (i < count ? images.set(s, i * d) : heldOut.set(s, (i - count) * d)));
  const noises = fitted.map((f) => imageNoiseSigma(f, size)).sort((a, b) => a - b);
  const noise = noises[noises.length >> 1]!;
  return { images, count, heldOut, heldOutCount, noise, description: { ...description, images: count, heldOut: heldOutCount, preprocessing: `centre crop/pad to ${size}², peak 1`, noiseSigma: +noise.toPrecision(3) } };
}

function stampImages(dir: string, size: number): TrainingImages & { noise: number } {
  // The prior learns peak-normalised pixels: no pixel scale is needed (scale 1 stands in for a missing WCS).
  const { library, files, path } = readStampLibrary(dir, { scale: 1 });
  return fittedImages(library.stamps, size, path, { source: 'stamps', path, files: files.map((f) => ({ file: f.file, sha256: f.sha256, stamps: f.stamps })) });
}

/** Every band plane of the 'stamp' cutouts of one workspace catalog (by name or id). */
function workspaceImages(workspace: string | undefined, catalog: string, size: number): TrainingImages & { noise: number } {
  const ws = openWorkspace(workspace);
  try {
    const { catalog: cat, known } = findCatalog(ws.db, catalog);
    if (!cat) throw new InputError('PRIOR_STAMPS', `--catalog ${catalog}: no such catalog in ${ws.dir} (catalogs: ${known || 'none'})`, { option: 'catalog' });
    const paths = ws.db.prepare("SELECT cu.path FROM sources s JOIN cutouts cu ON cu.source_id = s.id AND cu.kind = 'stamp' WHERE s.catalog_id = ? ORDER BY s.id").pluck().all(cat.id) as string[];
    const planes: Array<{ data: ArrayLike<number>; height: number; width: number }> = [];
    const skipped: string[] = [];
    for (const p of paths) {
      try {
        const st = readStampFile(isAbsolute(p) ? p : resolve(ws.dir, p));
        for (const pl of st.planes) planes.push({ data: pl, height: st.height, width: st.width });
      } catch (e) {
        skipped.push(`${p}: ${(e as Error).message}`);
      }
    }
    return fittedImages(planes, size, `catalog '${cat.name}' of ${ws.dir}`, { source: 'workspace', workspace: ws.dir, catalog: cat.name, stamps: paths.length, bandPlanes: planes.length, unreadable: skipped.length, ...(skipped.length ? { firstUnreadable: skipped[0] } : {}) });
  } finally {
    ws.close();
  }
}

export const priorCommand: CliCommand = {
  name: 'prior',
  summary: 'train a learned score prior (score U-Net, denoising score matching)',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'train') throw new InputError('INPUT_INVALID', `lensdesk prior: unknown subcommand '${sub ?? ''}' (available: train)`, {});
    const { values } = parseArgs({
      args: rest,
      options: {
        simulate: { type: 'string' }, stamps: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' },
        sigmas: { type: 'string' }, size: { type: 'string' }, 'n-train': { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' },
        threads: { type: 'string' }, 'checkpoint-every': { type: 'string' }, 'eval-images': { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' },
        kappa: { type: 'string' }, 'held-out': { type: 'string' }, ps: { type: 'string' }, pixel: { type: 'string' }, crops: { type: 'string' },
        lognormal: { type: 'string' }, grf: { type: 'string' }, channels: { type: 'string' }, init: { type: 'string' },
        workspace: { type: 'string' }, catalog: { type: 'string' }, 'sigma-focus': { type: 'string' }, 'kappa-input': { type: 'string' },
      },
    });
    if (!values.out) throw new InputError('INPUT_INVALID', '--out MODEL_DIR is required', { option: 'out' });
    const isKappa = values.kappa !== undefined || values.lognormal !== undefined || values.grf !== undefined;
    const fromWorkspace = values.catalog !== undefined;
    if (values.workspace !== undefined && !fromWorkspace) throw new InputError('INPUT_INVALID', '--workspace goes with --catalog NAME (train on that catalog\'s stamps)', { option: 'workspace' });
    if ([!!values.simulate, !!values.stamps, isKappa, fromWorkspace].filter(Boolean).length !== 1) throw new InputError('INPUT_INVALID', 'give exactly one of --simulate PRESET, --stamps DIR, --catalog NAME (with --workspace) and --kappa MAPS (or --lognormal/--grf)', {});
    const size = num(values.size, 'size', 64, true, 8);
    if (size % 4) throw new InputError('INPUT_INVALID', `--size must be a multiple of 4, got ${size}`, { option: 'size' });
    const sig = (values.sigmas ?? '0.003,8,10').split(',').map(Number);
    if (sig.length !== 3 || !(sig[0]! > 0 && sig[1]! > sig[0]! && Number.isInteger(sig[2]) && sig[2]! >= 2)) throw new InputError('INPUT_INVALID', `--sigmas MIN,MAX,N needs 0 < MIN < MAX and an integer N ≥ 2, got '${values.sigmas}'`, { option: 'sigmas' });
    const seed = num(values.seed, 'seed', 0, true);
    let sigmaFocus: PriorTrainOptions['sigmaFocus'];
    if (values['sigma-focus'] !== undefined) {
      const f = values['sigma-focus'].split(',').map(Number);
      if (f.length !== 2 || !(f[0]! > 0 && f[1]! > 0 && f[1]! <= 1)) throw new InputError('INPUT_INVALID', `--sigma-focus S,F needs S > 0 and 0 < F ≤ 1, got '${values['sigma-focus']}'`, { option: 'sigma-focus' });
      sigmaFocus = { sigma: f[0]!, fraction: f[1]! };
    }
    let residual: PriorTrainOptions['residual'];
    let data: TrainingImages;
    const kappaInput = values['kappa-input'] ?? 'noisy';
    if (kappaInput !== 'noisy' && kappaInput !== 'gaussian-mean') throw new InputError('INPUT_INVALID', `--kappa-input must be noisy or gaussian-mean, got '${kappaInput}'`, { option: 'kappa-input' });
    if (values['kappa-input'] !== undefined && !isKappa) throw new InputError('INPUT_INVALID', '--kappa-input goes with a κ prior (--kappa, --lognormal or --grf)', { option: 'kappa-input' });
    if (isKappa) {
      if (!values.ps || !values.pixel) throw new InputError('INPUT_INVALID', 'a κ prior needs --ps PS.csv and --pixel ARCMIN', { option: values.ps ? 'pixel' : 'ps' });
      const list = (v?: string) => (v ? v.split(',').filter(Boolean) : []);
      const k = kappaTrainingSet({
        maps: list(values.kappa), heldOutMaps: list(values['held-out']), ps: values.ps, pixArcmin: num(values.pixel, 'pixel', 0),
        size, crops: num(values.crops, 'crops', 1536, true), lognormal: num(values.lognormal, 'lognormal', 512, true), gaussian: num(values.grf, 'grf', 0, true), seed,
        input: kappaInput,
      });
      data = k.data;
      residual = k.residual;
    } else if (values.simulate) data = simulatedImages(values.simulate, size, num(values['n-train'], 'n-train', 2048, true, 2), seed);
    else {
      // Real (noisy) stamps: DSM at σ below the stamps' own noise ν would learn the density of noisy
      // galaxies, not of galaxies. Train from σ_min = 2ν (the stamp noise then adds ≤ 12 % to the
      // smoothing, √(1 + ¼)); an explicit --sigmas below it is kept, with a warning.
      const got = fromWorkspace ? workspaceImages(values.workspace, values.catalog!, size) : stampImages(values.stamps!, size);
      data = got;
      const floor = 2 * got.noise;
      io.err(`prior train: median noise of the peak-1 stamps ν = ${got.noise.toPrecision(3)}`);
      if (values.sigmas === undefined && floor > sig[0]!) {
        if (!(floor < sig[1]!)) throw new InputError('PRIOR_STAMPS', `the stamps are too noisy: 2ν = ${floor.toPrecision(3)} (peak units) is not below σ_max ${sig[1]}`, { option: 'sigmas' });
        sig[0] = +floor.toPrecision(3);
        io.err(`prior train: σ_min raised to 2ν = ${sig[0]} (train only above the stamps' noise; --sigmas overrides)`);
      } else if (floor > sig[0]!) io.err(`warning: --sigmas MIN ${sig[0]} is below twice the stamps' noise (2ν = ${floor.toPrecision(3)}): at those σ the prior learns noisy galaxies`);
    }
    let channels: [number, number, number] | undefined;
    if (values.channels) {
      const c = values.channels.split(',').map(Number);
      if (c.length !== 3 || !c.every((v) => Number.isInteger(v) && v >= 8 && v % 8 === 0)) throw new InputError('INPUT_INVALID', `--channels needs three multiples of 8 (GroupNorm has 8 groups), got '${values.channels}'`, { option: 'channels' });
      channels = c as [number, number, number];
    }
    io.err(`prior train: ${data.count} training images, ${data.heldOutCount} held out, ${size}×${size}`);
    const card = await trainScorePrior({
      data, size, out: values.out, seed,
      steps: num(values.steps, 'steps', 2000, true, 1), batch: num(values.batch, 'batch', 32, true, 1),
      sigmas: sig as [number, number, number], learningRate: num(values.lr, 'lr', 2e-4),
      threads: values.threads ? num(values.threads, 'threads', 2, true, 1) : undefined,
      resume: !!values.resume, checkpointEvery: num(values['checkpoint-every'], 'checkpoint-every', 100, true, 1),
      evalImages: num(values['eval-images'], 'eval-images', 64, true, 1), signal: io.signal,
      onProgress: (s, n, loss) => io.progress(s, n, `loss ${loss.toFixed(4)}`),
      log: (l) => io.err(l), channels, residual, sigmaFocus,
      init: values.init ? (() => { const m = readScoreModel(values.init!); return { dir: values.init!, config: m.card.config, weights: m.weights, steps: m.card.steps }; })() : undefined,
    });
    if (values.json) io.out(JSON.stringify(card));
    else {
      io.out(`wrote ${values.out}: ${card.steps} steps × ${card.batch}, ${card.imagesPerSecond} images/s, final train loss ${card.finalTrainLoss.toFixed(4)}`);
      for (const r of card.lossPerSigma) io.out(`  σ ${r.sigma.toPrecision(3).padStart(8)}  loss ${r.loss.toFixed(4)}  Gaussian floor ${r.gaussianFloor.toFixed(4)}`);
    }
    return 0;
  },
};
