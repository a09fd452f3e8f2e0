// `lensdesk evaluate`: scores a labelled simulated set with a model directory and reports the
// lens-finding metrics of Metcalf et al. 2019 (AUROC, TPR0, TPR10), FPR at TPR 0.5, precision at
// the top k and a reliability curve (definitions: docs/metrics.md), with SVG plots on request.
// The set is a `lensdesk simulate` folder (--set) or made on the fly (--simulate PRESET --count N);
// either way it should be held out: a seed equal to the model's training seed is flagged.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelCard } from '../../../src-core/classify/card';
import { breakdownItem, finderBreakdown, type BreakdownItem } from '../../../src-core/classify/breakdown';
import { evaluationReport } from '../../../src-core/classify/evaluation';
import { HARD_SET_SEED, hardSetConfig, THETA_E_BINS } from '../../../src-core/lens/hard-set';
import { InputError } from '../../../src-core/errors';
import { simulateRange } from '../../../src-core/lens/simulate';
import { reliabilitySvg, rocSvg } from '../../../src-core/metrics/plot-svg';
import type { Stamp } from '../../../src-core/stamps/stamp';
import { loadCmuDeepLensScorer } from '../../classify/network-scorer';
import { openSimSet, readSimChunk, readSimTruthColumns } from '../../classify/sim-set';
import { recordBreakdownInCard } from '../../classify/card-breakdown';
import type { CliCommand } from '../command';

const USAGE = `Usage: lensdesk evaluate --model DIR (--set DIR | --simulate PRESET --count N) [options]

Scores a labelled simulated set with the model in DIR (model.json, weights.bin, card.json) and
prints AUROC, TPR0, TPR10, FPR at TPR 0.5, precision at the top k and a reliability curve.

Data (one of):
  --set DIR           a 'lensdesk simulate --out DIR' folder (cutouts-*.fits, labels from TRUTH is_lens)
  --simulate PRESET   simulate cutouts seed/0 … seed/(N−1) in the model's bands and size
  --hard              with --simulate: the held-out hard set (hardness 1, θE 0.5–2.5″, a quarter
                      of the lenses quasars; rings, mergers, spirals, edge-on discs, blends,
                      artefacts; seed ${HARD_SET_SEED} unless --seed)
  --count N           how many (default 1000; with --set: at most N, default all)
  --seed S            simulation seed (default: the model's training seed + 1, i.e. unseen cutouts)
Output:
  --json              one JSON object on stdout (format in docs/classify.md)
  --roc               include the ROC curve (fpr, tpr, thresholds; ≤ 400 points) in the JSON
  --plots OUTDIR      write OUTDIR/roc.svg and OUTDIR/reliability.svg
  --scores-csv FILE   write label,score per cutout (readable by 'lensdesk metrics --scores')
  --k 10,50,100       precision@k cut-offs     --bins 10   reliability bins
  --threads N         onnxruntime intra-op threads (default 2)
  --write-card        store the report and its breakdown (FPR per negative class, TPR per θE bin
                      and source kind) in DIR/card.json under heldOutEvaluations.<set name>
The JSON always carries 'breakdown' when the set records classes (simulated sets do).`;

interface Chunk {
  stamps: Stamp[];
  labels: number[];
  truths?: Record<string, number | string>[];
}

function toStamps(images: Float32Array, n: number, bands: string[], size: number, pixelScale: number | null): Stamp[] {
  const plane = size * size;
  return Array.from({ length: n }, (_, i) => ({
    width: size,
    height: size,
    bands,
    planes: bands.map((_, b) => images.subarray((i * bands.length + b) * plane, (i * bands.length + b + 1) * plane)),
    pixelScale,
  }));
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'Evaluate a model on a held-out simulated set: AUROC, TPR0, TPR10, precision@k, calibration, plots',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' }, set: { type: 'string' }, simulate: { type: 'string' }, count: { type: 'string' },
        seed: { type: 'string' }, json: { type: 'boolean' }, roc: { type: 'boolean' }, plots: { type: 'string' },
        'scores-csv': { type: 'string' }, k: { type: 'string' }, bins: { type: 'string' },
        hard: { type: 'boolean' }, threads: { type: 'string' }, 'write-card': { type: 'boolean' },
      },
    });
    if (!values.model) throw new InputError('CLI_ARG', 'give --model DIR (see --help)', { option: 'model' });
    if (!values.set === !values.simulate) throw new InputError('CLI_ARG', 'give exactly one of --set DIR or --simulate PRESET', { option: 'set' });
    const int = (v: string | undefined, name: string, dflt: number) => {
      if (v === undefined) return dflt;
      const x = Number(v);
      if (!Number.isInteger(x) || x < 0) throw new InputError('CLI_ARG', `--${name} must be a non-negative integer, got '${v}'`, { option: name });
      return x;
    };
    const ks = (values.k ?? '10,50,100').split(',').map((s) => int(s, 'k', 0)).filter((k) => k > 0);
    const bins = int(values.bins, 'bins', 10);
    const t0 = Date.now();
    if (values.hard && !values.simulate) throw new InputError('CLI_ARG', '--hard goes with --simulate PRESET', { option: 'hard' });
    const scorer = await loadCmuDeepLensScorer(values.model, values.threads ? { threads: int(values.threads, 'threads', 1) } : {});
    const card = scorer.model.card as unknown as ModelCard;
    const { inputSize, bands } = card.architecture;
    const src = card.trainingSet.source as { seed?: unknown; manifest?: { seed?: unknown } };
    const trainSeed = src.seed ?? src.manifest?.seed; // --simulate training, or train --set
    const trainCount = (card.trainingSet.source as { count?: unknown }).count;
    const setInfo: Record<string, unknown> = {};
    let chunks: Generator<Chunk>;
    let total: number;
    if (values.set) {
      const info = openSimSet(values.set);
      const limit = values.count === undefined ? Infinity : int(values.count, 'count', 0);
      const seed = info.manifest?.seed;
      Object.assign(setInfo, { kind: 'set', dir: values.set, seed: seed ?? null, preset: info.manifest?.config?.preset ?? null, heldOut: typeof trainSeed === 'number' && seed !== undefined ? seed !== trainSeed : null });
      total = Math.min(limit, info.manifest?.n ?? Infinity);
      chunks = (function* () {
        let seen = 0;
        for (const f of info.files) {
          if (seen >= limit) return;
          const c = readSimChunk(f);
          const n = Math.min(c.count, limit - seen);
          seen += n;
          yield { stamps: toStamps(c.images, n, c.bands, c.size, card.pixelScale), labels: c.labels.slice(0, n), truths: readSimTruthColumns(f).slice(0, n) };
        }
      })();
    } else {
      const count = int(values.count, 'count', 1000);
      const seed = values.seed !== undefined ? int(values.seed, 'seed', 0) : values.hard ? HARD_SET_SEED : typeof trainSeed === 'number' ? trainSeed + 1 : 2;
      const base = { preset: values.simulate!, bands, size: inputSize };
      const cfg = values.hard ? hardSetConfig(base) : base;
      Object.assign(setInfo, { kind: values.hard ? 'simulate-hard' : 'simulate', preset: values.simulate, seed, count, heldOut: typeof trainSeed === 'number' ? seed !== trainSeed : null, ...(values.hard ? { config: cfg } : {}) });
      total = count;
      chunks = (function* () {
        for (let s = 0; s < count; s += 64) {
          if (io.signal.aborted) return;
          const b = simulateRange(cfg, seed, s, Math.min(64, count - s));
          yield { stamps: toStamps(b.images, b.count, b.bands, b.size, card.pixelScale), labels: b.truths.map((t) => (Number(t.is_lens) ? 1 : 0)), truths: b.truths };
        }
      })();
    }
    if (setInfo.heldOut === false) {
      io.err(`warning: seed ${String(setInfo.seed)} is the model's training seed: cutouts 0…${String(trainCount ?? '?')} were trained on, so this set is not held out`);
    }
    const labels: number[] = [];
    const scores: number[] = [];
    const items: BreakdownItem[] = [];
    let haveTruth = true;
    try {
      for (const c of chunks) {
        if (io.signal.aborted) throw new InputError('CANCELLED', 'evaluation interrupted');
        for (let i = 0; i < c.stamps.length; i += scorer.batchSize) {
          const p = await scorer.score(c.stamps.slice(i, i + scorer.batchSize));
          scores.push(...p);
        }
        const first = scores.length - c.stamps.length;
        if (c.truths?.length === c.labels.length) c.truths.forEach((t, k) => items.push(breakdownItem(t, scores[first + k]!)));
        else haveTruth = false;
        labels.push(...c.labels);
        io.progress(labels.length, Number.isFinite(total) ? total : labels.length, 'scoring');
      }
    } finally {
      await scorer.dispose();
    }
    const report = evaluationReport(labels, scores, { k: ks, bins });
    const seconds = (Date.now() - t0) / 1000;
    const { roc, ...rest } = report;
    const breakdown = haveTruth && items.length === labels.length ? finderBreakdown(items, THETA_E_BINS) : null;
    const out = { model: values.model, modelName: card.name, set: setInfo, ...rest, breakdown, ...(values.roc ? { roc } : {}), runtime: scorer.runtime, seconds };
    if (values['write-card']) {
      const name = values.hard ? 'hard' : values.set ? `set:${values.set}` : `simulate:${values.simulate}:${String(setInfo.seed)}`;
      const { roc: _r, calibration: _c, ...summary } = report;
      void _r; void _c;
      const command = `lensdesk evaluate ${argv.filter((a) => a !== '--write-card').join(' ')}`;
      recordBreakdownInCard(values.model, name, { command, set: setInfo, ...summary, breakdown, runtime: scorer.runtime, date: new Date().toISOString().slice(0, 10) });
      io.err(`recorded in ${join(values.model, 'card.json')} under heldOutEvaluations.${name}`);
    }
    if (values['scores-csv']) writeFileSync(values['scores-csv'], 'label,score\n' + labels.map((l, i) => `${l},${scores[i]}`).join('\n') + '\n');
    if (values.plots) {
      mkdirSync(values.plots, { recursive: true });
      const what = `${card.name} on ${values.set ? `set ${values.set}` : `${values.simulate} seed ${String(setInfo.seed)}`} (n ${report.n})`;
      writeFileSync(join(values.plots, 'roc.svg'), rocSvg(`ROC: ${what}`, roc, report));
      if (report.calibration) writeFileSync(join(values.plots, 'reliability.svg'), reliabilitySvg(`Reliability: ${what}`, report.calibration));
      Object.assign(out, { plots: { roc: join(values.plots, 'roc.svg'), reliability: report.calibration ? join(values.plots, 'reliability.svg') : null } });
    }
    if (values.json) io.out(JSON.stringify(out));
    else {
      const f = (x: number) => x.toFixed(4);
      io.out(`${card.name}: ${report.n} cutouts (${report.nPositive} lenses, ${report.nNegative} non-lenses)${setInfo.heldOut === false ? ' — NOT held out' : ''}`);
      io.out(`AUROC ${f(report.auroc)}  TPR0 ${f(report.tpr0)}  TPR10 ${f(report.tpr10)}  FPR@TPR0.5 ${f(report.fprAtTpr50)}`);
      io.out(`precision@k ${Object.entries(report.precisionAtK).map(([k, v]) => `${k}: ${f(v)}`).join('  ') || '—'}`);
      if (report.calibration) io.out(`calibration: Brier ${f(report.calibration.brier)}  ECE ${f(report.calibration.ece)}  (${report.calibration.bins.map((b) => `${b.meanPredicted.toFixed(2)}→${b.fractionPositive.toFixed(2)}`).join(' ')})`);
      if (breakdown) {
        const pc = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)} %`);
        io.out(`false positives by class (score > 0.5 | ≥ TPR10 threshold ${breakdown.tpr10Threshold?.toFixed(4) ?? '—'}):`);
        for (const [k, r] of Object.entries(breakdown.negatives)) io.out(`  ${k.padEnd(10)} n ${String(r.n).padStart(5)}  ${pc(r.above50).padStart(8)}  ${pc(r.atTpr10).padStart(8)}`);
        io.out('true positives by θE (score > 0.5 | at < 10 FP):');
        for (const r of breakdown.thetaE) io.out(`  ${r.lo.toFixed(1)}–${r.hi.toFixed(1)}″  n ${String(r.n).padStart(5)}  ${pc(r.above50).padStart(8)}  ${pc(r.atTpr10).padStart(8)}`);
        for (const [k, r] of Object.entries(breakdown.sources)) io.out(`  source ${k.padEnd(8)} n ${String(r.n).padStart(5)}  ${pc(r.above50).padStart(8)}  ${pc(r.atTpr10).padStart(8)}`);
      }
      io.out(`scored with ${scorer.runtime} in ${seconds.toFixed(1)} s`);
    }
    return 0;
  },
};
