// Reviewer agreement. Fleiss' kappa (Fleiss 1971, Psychol. Bull. 76, 378) for N subjects each
// rated by the same number n ≥ 2 of raters into k categories:
//   P_i = (Σ_j n_ij² − n)/(n(n − 1)),  P̄ = mean P_i,  p_j = Σ_i n_ij/(N n),  P_e = Σ_j p_j²,
//   κ = (P̄ − P_e)/(1 − P_e).
// Cohen's kappa (Cohen 1960) for two raters: κ = (p_o − p_e)/(1 − p_e).
// κ is undefined when P_e = 1 (everyone used a single category): returned as NaN.
import { InputError } from '../errors';

/** counts[i][j] = number of raters who put subject i in category j. */
export function fleissKappa(counts: ArrayLike<ArrayLike<number>>): number {
  const N = counts.length;
  if (N === 0) throw new InputError('AGREEMENT_EMPTY', "Fleiss' kappa needs at least one subject");
  const k = counts[0]!.length;
  let n = -1;
  const colSum = new Float64Array(k);
  let sumP = 0;
  for (let i = 0; i < N; i++) {
    const row = counts[i]!;
    if (row.length !== k) throw new InputError('AGREEMENT_SHAPE', `subject ${i} has ${row.length} categories, expected ${k}`, { row: i });
    let rs = 0;
    let sq = 0;
    for (let j = 0; j < k; j++) {
      const c = row[j]!;
      if (!(Number.isInteger(c) && c >= 0)) throw new InputError('AGREEMENT_COUNT', `count for subject ${i}, category ${j} is ${c}`, { row: i });
      rs += c;
      sq += c * c;
      colSum[j]! += c;
    }
    if (n === -1) n = rs;
    if (rs !== n) throw new InputError('AGREEMENT_RATERS', `subject ${i} has ${rs} ratings, others have ${n}: Fleiss' kappa needs the same number of raters per subject`, { row: i });
    sumP += (sq - n) / (n * (n - 1));
  }
  if (n < 2) throw new InputError('AGREEMENT_RATERS', "Fleiss' kappa needs at least two raters per subject");
  const Pbar = sumP / N;
  let Pe = 0;
  for (let j = 0; j < k; j++) Pe += (colSum[j]! / (N * n)) ** 2;
  return Pe === 1 ? NaN : (Pbar - Pe) / (1 - Pe);
}

/** ratings[i] = the labels the raters gave subject i (any order); categories found from the data. */
export function fleissKappaFromRatings<T extends string | number>(ratings: ReadonlyArray<ReadonlyArray<T>>): number {
  const cats = [...new Set(ratings.flat())];
  const idx = new Map(cats.map((c, j) => [c, j] as const));
  return fleissKappa(
    ratings.map((r) => {
      const row = new Array<number>(cats.length).fill(0);
      for (const v of r) row[idx.get(v)!]!++;
      return row;
    }),
  );
}

/**
 * Fleiss' kappa when subjects have different numbers of raters (review queues: not every reviewer
 * grades every candidate). Subjects with fewer than two ratings carry no agreement and are left
 * out. For subject i with r_i raters, r_ik of them in category k (the missing-ratings form of
 * Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.):
 *   p_a = mean_i Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1)),  π_k = mean_i r_ik / r_i,  p_e = Σ_k π_k²,
 *   κ = (p_a − p_e)/(1 − p_e).
 * π_k is averaged over the same subjects as p_a (Gwet averages it over every rated subject), so
 * with the same r for every subject this is exactly Fleiss (1971). NaN when p_e = 1.
 * Returns κ and the number of subjects used; κ is null when no subject has two ratings.
 */
export function fleissKappaVaryingRaters<T extends string | number>(ratings: ReadonlyArray<ReadonlyArray<T>>): { kappa: number | null; subjects: number; minRaters: number; maxRaters: number } {
  const used = ratings.filter((r) => r.length >= 2);
  if (used.length === 0) return { kappa: null, subjects: 0, minRaters: 0, maxRaters: 0 };
  const pi = new Map<T, number>();
  let pa = 0;
  for (const r of used) {
    const counts = new Map<T, number>();
    for (const v of r) counts.set(v, (counts.get(v) ?? 0) + 1);
    const n = r.length;
    let agree = 0;
    for (const [v, c] of counts) {
      agree += c * (c - 1);
      pi.set(v, (pi.get(v) ?? 0) + c / n);
    }
    pa += agree / (n * (n - 1));
  }
  pa /= used.length;
  let pe = 0;
  for (const v of pi.values()) pe += (v / used.length) ** 2;
  const lens = used.map((r) => r.length);
  return { kappa: pe === 1 ? NaN : (pa - pe) / (1 - pe), subjects: used.length, minRaters: Math.min(...lens), maxRaters: Math.max(...lens) };
}

/** What a reviewer reads next to κ: its value and what it was computed over, or why there is none. */
export function kappaSummaryLine(k: { value: number | null; subjects: number; minRaters: number; maxRaters: number; graded: number; reviewers: number }): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (k.subjects === 0) {
    if (k.graded === 0) return "Fleiss' κ needs ≥ 2 reviewers per candidate (nothing graded yet)";
    const by = k.reviewers <= 1 ? `by ${plural(k.reviewers, 'reviewer')}` : `each by 1 of ${k.reviewers} reviewers`;
    return `Fleiss' κ needs ≥ 2 reviewers per candidate (${k.graded} graded ${by})`;
  }
  const raters = k.minRaters === k.maxRaters ? `${k.minRaters}` : `${k.minRaters}–${k.maxRaters}`;
  const over = `${plural(k.subjects, 'candidate')} graded by ${raters} reviewers`;
  const others = k.graded > k.subjects ? `; ${k.graded - k.subjects} more graded by 1 reviewer` : '';
  if (k.value === null || !Number.isFinite(k.value)) return `Fleiss' κ — undefined: every grade falls in one category (${over}${others})`;
  return `Fleiss' κ ${k.value.toFixed(3)} (${over}${others})`;
}

export function cohenKappa<T extends string | number>(a: ReadonlyArray<T>, b: ReadonlyArray<T>): number {
  if (a.length !== b.length || a.length === 0) throw new InputError('AGREEMENT_SHAPE', `Cohen's kappa needs two equal, non-empty rating lists (${a.length}, ${b.length})`);
  const n = a.length;
  let agree = 0;
  const ca = new Map<T, number>();
  const cb = new Map<T, number>();
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
  }
  let pe = 0;
  for (const [c, v] of ca) pe += (v / n) * ((cb.get(c) ?? 0) / n);
  return pe === 1 ? NaN : (agree / n - pe) / (1 - pe);
}
