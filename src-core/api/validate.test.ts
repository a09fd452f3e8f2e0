import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { validateRequest } from './validate';

describe('contract validation', () => {
  it('accepts a well-formed request and fills defaults', () => {
    const r = validateRequest('candidates.list', { limit: 10 });
    expect(r.params).toMatchObject({ sort: 'score', order: 'desc', offset: 0, limit: 10 });
  });
  it('rejects unknown methods with a typed error', () => {
    expect(() => validateRequest('db.dropAll', {})).toThrow(InputError);
  });
  it.each([
    ['labels.add', { sourceId: 1, grade: 7 }, 'grade'],
    ['labels.add', { sourceId: -3, grade: 1 }, 'sourceId'],
    ['labels.add', { sourceId: 1, grade: 1, tags: ['ok', '<script>'] }, 'tags.1'],
    ['candidates.list', { limit: 1e9 }, 'limit'],
    ['candidates.list', { filter: { minScore: 'high' } }, 'filter.minScore'],
    ['jobs.start', { kind: 'rm -rf', params: {} }, 'kind'],
    ['labels.add', { sourceId: 1, grade: 1, extra: true }, '(params)'],
  ])('%s %j names the field %s', (method, params, field) => {
    try {
      validateRequest(method, params);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).details.field).toBe(field);
      expect((e as InputError).message).toContain(field);
    }
  });
});
