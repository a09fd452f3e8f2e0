// Grades as reviewers use them (Huang et al. 2019 practice): A definite, B probable, C possible,
// X not a lens; stored as 3/2/1/0 so means and spreads are on the 0–3 scale.
export const GRADE_LETTERS = ['X', 'C', 'B', 'A'] as const;
export type GradeLetter = (typeof GRADE_LETTERS)[number];
export type Grade = 0 | 1 | 2 | 3;

export const gradeLetter = (g: number | null | undefined): GradeLetter | '' =>
  g === null || g === undefined ? '' : (GRADE_LETTERS[g] ?? '');

export function parseGrade(s: string): Grade | null {
  const u = s.trim().toUpperCase();
  const i = GRADE_LETTERS.indexOf(u as GradeLetter);
  if (i >= 0) return i as Grade;
  if (/^[0-3]$/.test(u)) return Number(u) as Grade;
  return null;
}

export interface Consensus {
  n: number;
  mean: number | null;
  spread: number | null;
  /** Expert practice: discuss when grades spread by ≥ 2 on the 0–3 scale. */
  disagreement: boolean;
}

export function consensusOf(grades: readonly number[]): Consensus {
  if (grades.length === 0) return { n: 0, mean: null, spread: null, disagreement: false };
  let s = 0, lo = Infinity, hi = -Infinity;
  for (const g of grades) {
    s += g;
    lo = Math.min(lo, g);
    hi = Math.max(hi, g);
  }
  return { n: grades.length, mean: s / grades.length, spread: hi - lo, disagreement: hi - lo >= 2 };
}
