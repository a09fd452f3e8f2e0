// Per-pixel posterior summaries from B samples (learned-priors.md §11): mean, std (B − 1 in the
// denominator), and central intervals from order statistics: the interval between the j-th smallest and
// the j-th largest sample covers a further posterior draw with probability exactly (B + 1 − 2j)/(B + 1),
// so for a nominal level ℓ we take j = max(1, round((B + 1)(1 − ℓ)/2)) and report the level reached.
export interface PosteriorSummary {
  mean: Float64Array;
  std: Float64Array;
  intervals: Array<{ nominal: number; level: number; lower: Float64Array; upper: Float64Array }>;
}

export function summarizeSamples(samples: readonly Float64Array[], levels: readonly number[] = [0.68, 0.95]): PosteriorSummary {
  const b = samples.length;
  const n = samples[0]?.length ?? 0;
  const mean = new Float64Array(n), std = new Float64Array(n);
  for (const s of samples) for (let i = 0; i < n; i++) mean[i] = mean[i]! + s[i]! / b;
  for (const s of samples) for (let i = 0; i < n; i++) std[i] = std[i]! + (s[i]! - mean[i]!) ** 2;
  for (let i = 0; i < n; i++) std[i] = b > 1 ? Math.sqrt(std[i]! / (b - 1)) : 0;
  const js = levels.map((nominal) => Math.max(1, Math.min(Math.ceil(b / 2), Math.round(((b + 1) * (1 - nominal)) / 2))));
  const intervals = levels.map((nominal, l) => ({
    nominal, level: (b + 1 - 2 * js[l]!) / (b + 1), lower: new Float64Array(n), upper: new Float64Array(n),
  }));
  const col = new Float64Array(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < b; k++) col[k] = samples[k]![i]!;
    col.sort();
    intervals.forEach((iv, l) => {
      const j = js[l]!;
      iv.lower[i] = col[j - 1]!;
      iv.upper[i] = col[b - j]!;
    });
  }
  return { mean, std, intervals };
}
