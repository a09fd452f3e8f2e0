// `lensdesk metrics`: ROC/AUROC/TPR0/TPR10, FPR at TPR 0.5, precision at k and a reliability
// curve for a CSV of labels and scores. Definitions in docs/metrics.md.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { calibrationCurve, precisionAtK, rocCurve, rocSummary } from '../../../src-core/metrics/index';
import type { CliCommand } from '../command';
import { numberOptionOr, numberListOption } from '../args';

const USAGE = `Usage: lensdesk metrics --scores FILE.csv [--json] [--label-column label] [--score-column score]
                        [--k 10,100] [--bins 10] [--roc]

Reads a CSV with a header row (lines starting with # are comments; RFC 4180 quoting) holding a
0/1 (or true/false) label column and a numeric score column, and reports:
  AUROC (trapezoid = Mann–Whitney), TPR0 (largest TPR with no false positive), TPR10 (largest TPR
  with fewer than 10 false positives), FPR at TPR 0.5, precision at the top k (ties shared), and,
  when every score is in [0, 1], a reliability curve with Brier score and ECE.

Options:
  --scores FILE      the CSV (required)
  --label-column C   default 'label'
  --score-column C   default 'score'
  --k K[,K...]       precision@k cut-offs (default 10,50,100, those ≤ N)
  --bins N           reliability-curve bins, uniform on [0, 1] (default 10)
  --roc              include the full ROC curve (thresholds, fpr, tpr) in --json output
  --json             JSON on stdout (format in docs/metrics.md)`;

/** RFC 4180 split of one CSV text into records with their 1-based line numbers. */
function csvRecords(text: string): Array<{ line: number; fields: string[] }> {
  const out: Array<{ line: number; fields: string[] }> = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    if (text[i] === '#' || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      while (i < text.length && text[i] !== '\n') i++;
      i++;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let f = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new InputError('INPUT_CSV', `unterminated quoted field starting on line ${startLine}`, { row: startLine });
          if (text[i] === '"' && text[i + 1] === '"') (f += '"'), (i += 2);
          else if (text[i] === '"') {
            i++;
            break;
          } else {
            if (text[i] === '\n') line++;
            f += text[i++];
          }
        }
      } else while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') f += text[i++];
      fields.push(f);
      if (text[i] === ',') i++;
      else {
        if (text[i] === '\r') i++;
        i++;
        line++;
        break;
      }
    }
    out.push({ line: startLine, fields });
  }
  return out;
}

export function readScoresCsv(path: string, labelCol = 'label', scoreCol = 'score'): { labels: number[]; scores: number[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError('INPUT_FILE', `cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  const fail = (msg: string, details: Record<string, string | number>) => {
    throw new InputError('INPUT_CSV', `${path}: ${msg}`, { file: path, ...details });
  };
  let recs: Array<{ line: number; fields: string[] }> = [];
  try {
    recs = csvRecords(text.replace(/^\ufeff/, ''));
  } catch (e) {
    fail((e as Error).message, {});
  }
  if (recs.length === 0) fail('no header row', {});
  const header = recs[0]!.fields.map((h) => h.trim());
  const li = header.indexOf(labelCol);
  const si = header.indexOf(scoreCol);
  if (li < 0) fail(`no '${labelCol}' column in the header (found: ${header.join(', ')})`, { field: labelCol, row: recs[0]!.line });
  if (si < 0) fail(`no '${scoreCol}' column in the header (found: ${header.join(', ')})`, { field: scoreCol, row: recs[0]!.line });
  const labels: number[] = [];
  const scores: number[] = [];
  for (const r of recs.slice(1)) {
    if (r.fields.length !== header.length)
      fail(`line ${r.line} has ${r.fields.length} fields, the header has ${header.length}`, { row: r.line });
    const l = r.fields[li]!.trim().toLowerCase();
    const lab = l === '1' || l === 'true' || l === '1.0' ? 1 : l === '0' || l === 'false' || l === '0.0' ? 0 : -1;
    if (lab < 0) fail(`line ${r.line}, column '${labelCol}': '${r.fields[li]}' is not a label (0/1 or true/false)`, { row: r.line, field: labelCol });
    const sv = r.fields[si]!.trim();
    const s = sv === '' ? NaN : Number(sv);
    if (!Number.isFinite(s)) fail(`line ${r.line}, column '${scoreCol}': '${r.fields[si]}' is not a finite number`, { row: r.line, field: scoreCol });
    labels.push(lab);
    scores.push(s);
  }
  if (labels.length === 0) fail('no data rows after the header', {});
  return { labels, scores };
}

export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'AUROC, TPR0/TPR10, precision@k and calibration from a CSV of labels and scores',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        scores: { type: 'string' },
        json: { type: 'boolean' },
        'label-column': { type: 'string' },
        'score-column': { type: 'string' },
        k: { type: 'string' },
        bins: { type: 'string' },
        roc: { type: 'boolean' },
      },
    });
    const path = values.scores ?? positionals[0];
    if (!path) throw new InputError('INPUT_INVALID', `--scores FILE.csv is required\n\n${USAGE}`, { option: '--scores' });
    const { labels, scores } = readScoresCsv(path, values['label-column'], values['score-column']);
    const summary = rocSummary(labels, scores);
    const ks = numberListOption({ k: values.k ?? '10,50,100' }, 'k', { integer: true, min: 1 })!;
    const precision: Record<string, number> = {};
    for (const k of ks) if (k <= labels.length) precision[String(k)] = precisionAtK(labels, scores, k);
    const bins = numberOptionOr(values, 'bins', 10, { integer: true, min: 1 });
    const probabilistic = scores.every((s) => s >= 0 && s <= 1);
    const calibration = probabilistic ? calibrationCurve(labels, scores, { nBins: bins }) : null;
    const result: Record<string, unknown> = { file: path, ...summary, precisionAtK: precision, calibration };
    if (values.roc) {
      const c = rocCurve(labels, scores);
      result.roc = { thresholds: Array.from(c.thresholds, (t) => (Number.isFinite(t) ? t : null)), fpr: Array.from(c.fpr), tpr: Array.from(c.tpr) };
    }
    if (values.json) {
      io.out(JSON.stringify(result));
      return 0;
    }
    const f = (v: number) => v.toFixed(4);
    // One label column wide enough for the longest label plus a space: "precision@1000" once ran
    // into its value ("precision@10000.9700"). The k in each label is the JSON precisionAtK key.
    const table: Array<[string, number]> = [
      ['AUROC', summary.auroc],
      ['TPR0', summary.tpr0],
      ['TPR10', summary.tpr10],
      ['FPR@TPR0.5', summary.fprAtTpr50],
      ...Object.entries(precision).map(([k, v]): [string, number] => [`precision@${k}`, v]),
      ...(calibration ? [['Brier', calibration.brier], ['ECE', calibration.ece]] as Array<[string, number]> : []),
    ];
    const width = Math.max(13, ...table.map(([l]) => l.length + 1));
    const line = ([l, v]: [string, number]) => l.padEnd(width) + f(v);
    io.out(
      [
        `${path}: ${summary.n} examples (${summary.nPositive} positive, ${summary.nNegative} negative)`,
        ...table.map(line),
        ...(calibration
          ? ['reliability (bin: mean predicted → fraction positive, n):', ...calibration.bins.map((b) => `  [${b.lower.toFixed(2)}, ${b.upper.toFixed(2)}]: ${f(b.meanPredicted)} → ${f(b.fractionPositive)} (${b.count})`)]
          : ['(scores outside [0, 1]: no reliability curve)']),
      ].join('\n'),
    );
    return 0;
  },
};
