// Lineage order of model versions in the models view and the plot polyline helper.
import { describe, expect, it } from 'vitest';
import { lineageOrder, unitPolyline } from '../src-renderer/features/models/lineage';

describe('lineageOrder', () => {
  it('puts each version under the one it was fine-tuned from, depth-first', () => {
    const m = [
      { id: 1, parentId: null },
      { id: 2, parentId: null },
      { id: 3, parentId: 1 },
      { id: 4, parentId: 3 },
      { id: 5, parentId: 1 },
      { id: 6, parentId: 99 }, // parent not in the list: a root
    ];
    expect(lineageOrder(m).map((o) => [o.model.id, o.depth])).toEqual([[1, 0], [3, 1], [4, 2], [5, 1], [2, 0], [6, 0]]);
  });
  it('maps the unit square to SVG coordinates with y up', () => {
    expect(unitPolyline([0, 1], [0, 1], 100, 10)).toBe('10.0,110.0 110.0,10.0');
  });
});
