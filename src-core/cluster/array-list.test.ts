import { describe, expect, it } from 'vitest';
import { formatArrayList, parseArrayList } from './array-list';

describe('Slurm --array index lists', () => {
  it('formats runs of three or more as ranges, sorted and de-duplicated', () => {
    expect(formatArrayList([7, 1, 5, 3, 6, 5])).toBe('1,3,5-7');
    expect(formatArrayList([0, 1])).toBe('0,1');
    expect(formatArrayList([0, 1, 2, 3, 9])).toBe('0-3,9');
    expect(formatArrayList([])).toBe('');
    expect(formatArrayList([42])).toBe('42');
  });
  it('rejects negative and fractional indices', () => {
    expect(() => formatArrayList([1, -2])).toThrow(/-2/);
    expect(() => formatArrayList([1.5])).toThrow(/1.5/);
  });
  it('parses what it formats (round trip over random sets)', () => {
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 200; t++) {
      const set = [...new Set(Array.from({ length: Math.floor(rnd() * 30) }, () => Math.floor(rnd() * 60)))].sort((a, b) => a - b);
      expect(parseArrayList(formatArrayList(set))).toEqual(set);
    }
  });
  it('parses Slurm syntax it can and names what it cannot', () => {
    expect(parseArrayList('0-2, 5,4')).toEqual([0, 1, 2, 4, 5]);
    expect(() => parseArrayList('1-7:2')).toThrow(/1-7:2/);
    expect(() => parseArrayList('5-3')).toThrow(/ends before/);
  });
});
