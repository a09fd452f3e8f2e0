import { describe, expect, it } from 'vitest';
import { numberListOption, numberOption, numberOptionOr } from './args';

describe('CLI numeric options', () => {
  it('parses, applies defaults, and names the option when the value is wrong', () => {
    expect(numberOption({ hdu: '2' }, 'hdu', { integer: true, min: 0 })).toBe(2);
    expect(numberOption({}, 'hdu')).toBeUndefined();
    expect(numberOptionOr({}, 'bins', 10)).toBe(10);
    expect(numberListOption({ k: '10, 50,100' }, 'k', { integer: true, min: 1 })).toEqual([10, 50, 100]);
    for (const [v, rule] of [['-1', { integer: true, min: 0 }], ['1.5', { integer: true }], ['abc', {}], ['2', { max: 1 }], [' ', {}]] as const) {
      expect(() => numberOption({ x: v }, 'x', rule), v).toThrow(/--x expects/);
    }
    expect(numberOption({ s: '0.2' }, 's', { above: 0 })).toBe(0.2);
    expect(() => numberOption({ s: '0' }, 's', { above: 0 })).toThrow(/--s expects a number > 0, got '0'/);
    expect(() => numberOption({ s: '-0.1' }, 's', { above: 0 })).toThrow(/> 0/);
    expect(() => numberListOption({ k: '10,0' }, 'k', { integer: true, min: 1 })).toThrow(/--k expects an integer ≥ 1, got '0'/);
  });
});
