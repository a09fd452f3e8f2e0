/** Mann–Whitney AUROC by counting every (lens, non-lens) pair, ties ½: a check independent of src-core/metrics. */
export function pairAuroc(labels: readonly number[], scores: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++)
    for (let j = 0; j < labels.length; j++)
      if (labels[i] === 1 && labels[j] === 0) (s += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0), n++;
  return s / n;
}
