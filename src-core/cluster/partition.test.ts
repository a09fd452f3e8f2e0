import { describe, expect, it } from 'vitest';
import { partitionBalanced, shardIndexFrom } from './partition';

describe('balanced contiguous shards', () => {
  it('covers every item exactly once, in order, sizes differing by at most one', () => {
    for (const [n, k] of [[0, 3], [1, 3], [10, 3], [18, 3], [100, 7], [7, 7], [5, 8], [1_000_003, 100]] as const) {
      const r = partitionBalanced(n, k);
      expect(r).toHaveLength(k);
      let next = 0;
      for (const [i, s] of r.entries()) {
        expect(s.index).toBe(i);
        expect(s.start).toBe(next);
        next = s.end;
      }
      expect(next).toBe(n);
      const sizes = r.map((s) => s.end - s.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });
  it('is deterministic (same input, same shards)', () => {
    expect(partitionBalanced(12345, 17)).toEqual(partitionBalanced(12345, 17));
  });
  it('rejects zero or fractional shard counts', () => {
    expect(() => partitionBalanced(10, 0)).toThrow(/--shards/);
    expect(() => partitionBalanced(10, 2.5)).toThrow(/--shards/);
  });
});

describe('shard index from flag or array-job environment', () => {
  it('prefers --shard, then SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX', () => {
    expect(shardIndexFrom('2', { SLURM_ARRAY_TASK_ID: '1' }, 4)).toBe(2);
    expect(shardIndexFrom(undefined, { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '3' }, 4)).toBe(1);
    expect(shardIndexFrom(undefined, { JOB_COMPLETION_INDEX: '3' }, 4)).toBe(3);
  });
  it('names the source of a bad or out-of-range index', () => {
    expect(() => shardIndexFrom(undefined, {}, 4)).toThrow(/SLURM_ARRAY_TASK_ID/);
    expect(() => shardIndexFrom(undefined, { SLURM_ARRAY_TASK_ID: '4' }, 4)).toThrow(/SLURM_ARRAY_TASK_ID=4.*0-3/);
    expect(() => shardIndexFrom('x', {}, 4)).toThrow(/--shard/);
  });
});
