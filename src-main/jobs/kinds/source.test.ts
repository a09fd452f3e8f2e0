// The 'source' job's parameters: defaults, ranges, and the API schema (unknown fields refused).
import { describe, expect, it } from 'vitest';
import { validateJobParams } from '../../../src-core/api/validate';
import { prepareSource, sourceKind } from './source';

describe('source job params', () => {
  it('fills defaults and checks ranges', () => {
    expect(prepareSource({ sourceId: 4 })).toEqual({ sourceId: 4, prior: 'wiener', samples: 16, lensDraws: 8, grid: 64, seed: 0 });
    expect(prepareSource({ sourceId: 4, posteriorId: 9, lensDraws: 1 })).toMatchObject({ posteriorId: 9, lensDraws: 1 });
    expect(() => prepareSource({ sourceId: 4, prior: 'tv' })).toThrow(/prior must be 'wiener' or 'learned'/);
    expect(() => prepareSource({ sourceId: 4, samples: 1000 })).toThrow(/samples must be an integer in \[0, 256\]/);
    expect(() => sourceKind.prepare({}, '/tmp')).toThrow(/give sourceId/);
  });
  it('the API schema accepts the button\'s params and refuses unknown fields', () => {
    expect(() => validateJobParams('source', { sourceId: 3, posteriorId: 5 })).not.toThrow();
    expect(() => validateJobParams('source', { sourceId: 3, bogus: 1 })).toThrow();
    expect(() => validateJobParams('source', { sourceId: 0 })).toThrow();
  });
});
