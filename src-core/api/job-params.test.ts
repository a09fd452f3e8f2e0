// One schema per job kind (issue #19): every kind has one, and wrong params are refused naming the field.
import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from './contract';
import { jobParamSchemas } from './job-params';
import { validateJobParams } from './validate';

const refused = (kind: string, params: unknown) => {
  try {
    validateJobParams(kind, params);
  } catch (e) {
    return e as { code: string; details: { field: string }; message: string };
  }
  throw new Error(`${kind} ${JSON.stringify(params)} was accepted`);
};

describe('job params schemas', () => {
  it('cover every job kind', () => {
    for (const k of JOB_KINDS) expect(jobParamSchemas[k], k).toBeDefined();
  });

  it('accept what the CLI and the app send (undefined = left out)', () => {
    expect(validateJobParams('ingest', { folder: '/data/stamps', catalog: undefined, recursive: true })).toEqual({ folder: '/data/stamps', recursive: true });
    validateJobParams('ingest-catalog', { catalogFile: 'cat.csv', images: [{ band: 'g', path: 'g.fits' }], size: 64, resampling: 'nearest' });
    validateJobParams('export', { format: 'ecsv', minScore: 0.5, overwrite: true });
    validateJobParams('finetune', { epochs: 3, promote: 'auto', simulated: null, mapping: { C: null } });
    validateJobParams('simulate', { count: 10, preset: 'lsst', psf: { g: 'psf_g.fits' } });
    validateJobParams('fit', { sourceIds: [1, 2], chains: 4 });
  });

  it('refuse wrong types, ranges and unknown fields, naming params.<field>', () => {
    expect(refused('score', { catalogId: 'x' }).details.field).toBe('params.catalogId');
    expect(refused('export', { minscore: 0.5 }).details.field).toBe('params.minscore');
    expect(refused('export', { format: 'xls' }).details.field).toBe('params.format');
    expect(refused('ingest-catalog', { catalogFile: 'c.csv', images: [{ band: 'g' }] }).details.field).toBe('params.images.0.path');
    expect(refused('ingest', {}).details.field).toBe('params.folder');
    expect(refused('finetune', { epochs: 0 }).details.field).toBe('params.epochs');
    expect(refused('finetune', { mapping: { Q: 1 } }).details.field).toBe('params.mapping.Q');
    expect(refused('fit', { sourceIds: [0] }).details.field).toBe('params.sourceIds.0');
    expect(refused('simulate', { count: -1 }).details.field).toBe('params.count');
    const e = refused('nonsense', {});
    expect(e.code).toBe('UNKNOWN_JOB_KIND');
  });
});
