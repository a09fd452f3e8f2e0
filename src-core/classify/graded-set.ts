// Reviewers' grades → a labelled set for fine-tuning and evaluation ("labels feed back", issue 6).
// Grades are A/B/C/X (stored 3/2/1/0, src-core/grades.ts). A mapping sends each grade to lens (1),
// non-lens (0) or ignored (null); weights scale each grade's vote and loss. Several reviewers per
// source are combined by weighted vote: label = 1 when Σw·y / Σw > 0.5, 0 when < 0.5, and an exact
// tie is left out (counted as a conflict). The sample weight is the mean weight of the winning votes.
// The held-out split is stratified and deterministic: a source's place is fixed by Rng(seed, id).
import { InputError } from '../errors';
import { GRADE_LETTERS, type GradeLetter } from '../grades';
import { Rng } from '../rng';

export type GradeMapping = Record<GradeLetter, 0 | 1 | null>;
export type GradeWeights = Record<GradeLetter, number>;

/** Default: A/B → lens, X → non-lens, C (possible) ignored; every grade weight 1. */
export const DEFAULT_MAPPING: GradeMapping = { A: 1, B: 1, C: null, X: 0 };
export const DEFAULT_WEIGHTS: GradeWeights = { A: 1, B: 1, C: 1, X: 1 };

export interface GradedItem {
  sourceId: number;
  label: 0 | 1;
  weight: number;
  /** Reviewers whose (mapped) grades entered the vote. */
  votes: number;
}

export interface GradedSet {
  items: GradedItem[];
  counts: { sources: number; lens: number; nonLens: number; ignored: number; conflicts: number; grades: number };
}

/** Checks a mapping/weights pair from user input; throws InputError naming the grade. */
export function parseMapping(m: unknown, w: unknown): { mapping: GradeMapping; weights: GradeWeights } {
  const mapping = { ...DEFAULT_MAPPING };
  const weights = { ...DEFAULT_WEIGHTS };
  if (m !== undefined && m !== null) {
    if (typeof m !== 'object') throw new InputError('INVALID_PARAMS', 'mapping must be an object {A,B,C,X → 1|0|null}', { field: 'mapping' });
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (!GRADE_LETTERS.includes(k as GradeLetter)) throw new InputError('INVALID_PARAMS', `mapping: unknown grade '${k}' (A, B, C, X)`, { field: `mapping.${k}` });
      if (v !== 0 && v !== 1 && v !== null) throw new InputError('INVALID_PARAMS', `mapping.${k} must be 1 (lens), 0 (non-lens) or null (ignored)`, { field: `mapping.${k}` });
      mapping[k as GradeLetter] = v;
    }
  }
  if (w !== undefined && w !== null) {
    if (typeof w !== 'object') throw new InputError('INVALID_PARAMS', 'weights must be an object {A,B,C,X → number ≥ 0}', { field: 'weights' });
    for (const [k, v] of Object.entries(w as Record<string, unknown>)) {
      if (!GRADE_LETTERS.includes(k as GradeLetter)) throw new InputError('INVALID_PARAMS', `weights: unknown grade '${k}'`, { field: `weights.${k}` });
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new InputError('INVALID_PARAMS', `weights.${k} must be a finite number ≥ 0`, { field: `weights.${k}` });
      weights[k as GradeLetter] = v;
    }
  }
  return { mapping, weights };
}

/** Combines every reviewer's current grade (0–3) per source into one label. */
export function gradedSet(
  grades: ReadonlyArray<{ sourceId: number; grade: number }>,
  mapping: GradeMapping = DEFAULT_MAPPING,
  weights: GradeWeights = DEFAULT_WEIGHTS,
): GradedSet {
  const by = new Map<number, { w: number; wy: number; w1: number; n1: number; w0: number; n0: number; n: number }>();
  let ignoredGrades = 0;
  const sources = new Set<number>();
  for (const g of grades) {
    sources.add(g.sourceId);
    const letter = GRADE_LETTERS[g.grade];
    const y = letter === undefined ? null : mapping[letter];
    const w = letter === undefined ? 0 : weights[letter];
    if (y === null || !(w > 0)) {
      ignoredGrades++;
      continue;
    }
    let a = by.get(g.sourceId);
    if (!a) by.set(g.sourceId, (a = { w: 0, wy: 0, w1: 0, n1: 0, w0: 0, n0: 0, n: 0 }));
    a.w += w;
    a.wy += w * y;
    a.n++;
    if (y) (a.w1 += w), a.n1++;
    else (a.w0 += w), a.n0++;
  }
  const items: GradedItem[] = [];
  let conflicts = 0;
  for (const [sourceId, a] of [...by].sort((p, q) => p[0] - q[0])) {
    const p = a.wy / a.w;
    if (p === 0.5) {
      conflicts++;
      continue;
    }
    const label = p > 0.5 ? 1 : 0;
    items.push({ sourceId, label, weight: label ? a.w1 / a.n1 : a.w0 / a.n0, votes: a.n });
  }
  const lens = items.filter((i) => i.label === 1).length;
  return {
    items,
    counts: { sources: sources.size, lens, nonLens: items.length - lens, ignored: sources.size - by.size, conflicts, grades: grades.length - ignoredGrades },
  };
}

export interface SplitRule {
  /** Fraction of each class held out for evaluation. */
  fraction: number;
  /** Hold out only when each class has at least this many items (else evaluate in-sample). */
  minPerClass: number;
  seed: number;
}
export const DEFAULT_SPLIT: SplitRule = { fraction: 0.25, minPerClass: 10, seed: 1 };

/**
 * Stratified deterministic split: within each class, sources ordered by Rng(seed, sourceId) and the
 * first ceil(fraction·n) held out. `heldOut` is false (everything trains, evaluation is in-sample)
 * when a class is smaller than minPerClass.
 */
export function splitGraded(items: GradedItem[], rule: SplitRule = DEFAULT_SPLIT): { train: GradedItem[]; test: GradedItem[]; heldOut: boolean } {
  const pos = items.filter((i) => i.label === 1);
  const neg = items.filter((i) => i.label === 0);
  if (rule.fraction <= 0 || pos.length < rule.minPerClass || neg.length < rule.minPerClass) return { train: items, test: items, heldOut: false };
  const key = (i: GradedItem) => new Rng(rule.seed, i.sourceId, 0x4e1d).uniform();
  const test = new Set<number>();
  for (const cls of [pos, neg]) {
    const sorted = [...cls].sort((a, b) => key(a) - key(b) || a.sourceId - b.sourceId);
    sorted.slice(0, Math.ceil(rule.fraction * cls.length)).forEach((i) => test.add(i.sourceId));
  }
  return { train: items.filter((i) => !test.has(i.sourceId)), test: items.filter((i) => test.has(i.sourceId)), heldOut: true };
}
