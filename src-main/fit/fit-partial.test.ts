// Chains that a time budget stopped at different lengths are cut to a common length (R̂ and the summaries need
// equal chains); chains without draws are dropped.
import { describe, expect, it } from 'vitest';
import type { ChainResult } from '../../src-core/infer/sample';
import { commonLength } from './fit-lens';

const chain = (k: number, n: number, dim = 2): ChainResult => ({
  chain: k, dim, nSamples: n, draws: Float64Array.from({ length: n * dim }, (_, i) => 100 * k + i),
  stats: { acceptProb: new Float64Array(n), divergent: new Uint8Array(n), energy: Float64Array.from({ length: n }, (_, i) => i), nSteps: new Int32Array(n), treeDepth: new Int32Array(n), logDensity: new Float64Array(n) },
  stepSize: 0.1, inverseMassDiag: new Float64Array(dim).fill(1), warmupDivergences: 0, gradientEvals: { warmup: 0, sampling: 0 }, maxDepth: 10,
});

describe('commonLength', () => {
  it('truncates to the shortest chain with draws and drops empty chains', () => {
    const out = commonLength([chain(0, 5), chain(1, 0), chain(2, 3)]);
    expect(out.map((r) => r.chain)).toEqual([0, 2]);
    expect(out.map((r) => r.nSamples)).toEqual([3, 3]);
    expect(Array.from(out[0]!.draws)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out[0]!.stats.energy.length).toBe(3);
    expect(commonLength([chain(0, 0)])).toEqual([]);
  });
});
