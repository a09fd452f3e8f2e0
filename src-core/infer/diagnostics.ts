// Convergence diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization,
// folding, and localization: an improved R̂", Bayesian Analysis 16, 667, transcribed from the
// reference R package `posterior` (rhat, ess_bulk, ess_tail, ess_basic): split chains, rank-normalise,
// classic R̂ and Geyer's initial monotone sequence on FFT autocovariances.
// Input: one parameter as an array of chains (equal lengths).
import { autocovariance } from './autocovariance';
import { averageRanks, normalQuantile } from './normal';
import { quantileSorted as quantile } from '../math/quantile';

export type Chains = ArrayLike<number>[];

/** Each chain cut into its first and second half (a middle draw is dropped when the length is odd). */
export function splitChains(chains: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of chains) {
    const half = Math.floor(c.length / 2);
    const a = new Float64Array(half);
    const b = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      a[i] = c[i]!;
      b[i] = c[c.length - half + i]!;
    }
    out.push(a, b);
  }
  return out;
}

/** Rank normalisation: z = Φ⁻¹((r − 3/8)/(S + 1/4)) with pooled average ranks r over all S draws. */
export function zScale(chains: Chains): Float64Array[] {
  const all = concat(chains);
  const r = averageRanks(all);
  const s = all.length;
  const z = r.map((ri) => normalQuantile((ri - 0.375) / (s + 0.25)));
  return reshape(z, chains);
}

/** |x − median(x)| over all chains (the folded draws used for the tail R̂). */
export function fold(chains: Chains): Float64Array[] {
  const all = concat(chains);
  const med = quantile(Float64Array.from(all).sort(), 0.5);
  return reshape(
    all.map((v) => Math.abs(v - med)),
    chains,
  );
}

/** Classic potential scale reduction √(((n−1)/n·W + B/n)/W) (Gelman & Rubin 1992) of the given chains. */
export function rhatBasic(chains: Chains): number {
  const m = chains.length;
  const n = chains[0]!.length;
  const means = chains.map(mean);
  const vars = chains.map((c, i) => variance(c, means[i]!));
  const w = vars.reduce((a, b) => a + b, 0) / m;
  const bOverN = variance(means, mean(means));
  return Math.sqrt(((n - 1) / n * w + bOverN) / w);
}

/** Rank-normalised split R̂: bulk, folded (tail) and their maximum, the figure to compare with 1.01. */
export function rhat(chains: Chains): { rhat: number; bulk: number; tail: number } {
  const split = splitChains(chains);
  const bulk = rhatBasic(zScale(split));
  const tail = rhatBasic(zScale(fold(split)));
  return { rhat: Math.max(bulk, tail), bulk, tail };
}

/** ESS of the given chains (no splitting or ranking): Geyer's initial monotone sequence (posterior::ess). */
export function essBasic(chains: Chains): number {
  const m = chains.length;
  const n = chains[0]!.length;
  if (n < 3) return Number.NaN;
  const acov = chains.map(autocovariance);
  const chainMean = chains.map(mean);
  const meanVar = (acov.reduce((a, c) => a + c[0]!, 0) / m) * (n / (n - 1));
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(chainMean, mean(chainMean));
  if (!(varPlus > 0)) return Number.NaN; // constant chains
  const meanAcov = (t: number) => acov.reduce((a, c) => a + c[t]!, 0) / m;
  const rho = new Float64Array(n);
  const rhoAt = (t: number) => 1 - (meanVar - meanAcov(t)) / varPlus;
  let t = 0;
  let rhoEven = 1;
  rho[0] = 1;
  let rhoOdd = rhoAt(1);
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = rhoAt(t);
    rhoOdd = rhoAt(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven; // Vehtari et al.'s improved estimate (antithetic chains)
  // Geyer's initial monotone sequence: pair sums must not increase.
  for (t = 0; t <= maxT - 4; ) {
    t += 2;
    if (rho[t]! + rho[t + 1]! > rho[t - 2]! + rho[t - 1]!) {
      rho[t] = (rho[t - 2]! + rho[t - 1]!) / 2;
      rho[t + 1] = rho[t]!;
    }
  }
  const total = m * n;
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k]!;
  let tau = -1 + 2 * sum + rho[maxT]!;
  tau = Math.max(tau, 1 / Math.log10(total)); // caps ESS at S·log10(S)
  return total / tau;
}

/** Bulk-ESS: ESS of the rank-normalised split chains. */
export function essBulk(chains: Chains): number {
  return essBasic(zScale(splitChains(chains)));
}

/** Tail-ESS: the smaller ESS of the indicators I(x ≤ q5%) and I(x ≤ q95%) on split chains. */
export function essTail(chains: Chains): number {
  const split = splitChains(chains);
  const sorted = concat(split).sort();
  const q05 = quantile(sorted, 0.05);
  const q95 = quantile(sorted, 0.95);
  const ind = (q: number) => split.map((c) => c.map((v) => (v <= q ? 1 : 0)));
  return Math.min(essBasic(ind(q05)), essBasic(ind(q95)));
}

/** ESS of the posterior mean (split chains, no ranks): for Monte-Carlo standard errors of means. */
export function essMean(chains: Chains): number {
  return essBasic(splitChains(chains));
}

/**
 * Energy Bayesian fraction of missing information of one chain (Betancourt 2016, arXiv:1604.00695, eq. 3):
 * Σ (E_n − E_{n−1})² / Σ (E_n − Ē)². Values below 0.3 flag a momentum resampling that cannot explore the energy.
 */
export function ebfmi(energy: ArrayLike<number>): number {
  const e = mean(energy);
  let num = 0;
  let den = 0;
  for (let i = 0; i < energy.length; i++) {
    if (i > 0) num += (energy[i]! - energy[i - 1]!) ** 2;
    den += (energy[i]! - e) ** 2;
  }
  return num / den;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Sample variance (n − 1). */
function variance(x: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}

function concat(chains: Chains): Float64Array {
  const out = new Float64Array(chains.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chains) {
    out.set(c as ArrayLike<number>, o);
    o += c.length;
  }
  return out;
}

function reshape(flat: Float64Array, like: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  let o = 0;
  for (const c of like) {
    out.push(flat.slice(o, o + c.length));
    o += c.length;
  }
  return out;
}
