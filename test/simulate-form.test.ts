// The Simulate form (src-renderer/features/simulate): its params, and the field each real backend
// error lands on. The errors come from the backend itself (jobs.start → prepareSimulate refuses
// before queueing, so no job runs), so a change of field names there breaks this test.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatePresetInfo } from '../src-core/api/contract';
import { LensDeskError } from '../src-core/errors';
import { resolveConfig } from '../src-core/lens/config';
import { Backend } from '../src-main/api/backend';
import { openWorkspace } from '../src-main/store/workspace';
import { buildSimulateParams, defaultSetName, fieldOfError, type SimulateFormValues } from '../src-renderer/features/simulate/simulate-form';
import { tempDir } from './workspace-fixture';

const LSST: SimulatePresetInfo = { name: 'lsst', description: '', pixelScale: 0.2, size: 45, bands: ['g', 'r', 'i', 'z'], allBands: ['g', 'r', 'i', 'z'], approximate: false };
const form = (o: Partial<SimulateFormValues> = {}): SimulateFormValues => ({
  preset: 'lsst', count: '24', lensFraction: '0.25', hardness: '0.5', quasarFraction: '', seed: '7', name: '', psfAll: '', psfBands: {},
  sourceStamps: '', sourceStampFraction: '', sourceStampScale: '', ...o,
});

describe('buildSimulateParams', () => {
  it('turns the fields into job params, numbers as numbers, empty fields left out', () => {
    const r = buildSimulateParams(form({ hardness: '', name: '  practice 1 ' }), { presets: [LSST], catalogNames: [] });
    expect(r.params).toEqual({ preset: 'lsst', count: 24, lensFraction: 0.25, seed: 7, name: 'practice 1' });
  });
  it('names an unnamed set after preset, size and seed', () => {
    const r = buildSimulateParams(form(), { presets: [LSST], catalogNames: [] });
    expect(r.params?.name).toBe('Simulated lsst 24 · seed 7');
    expect(defaultSetName({ preset: 'des', count: '10', seed: '3' })).toBe('Simulated des 10 · seed 3');
  });
  it('sends a PSF for all bands as a path and per-band PSFs as {band: path}, only for simulated bands', () => {
    expect(buildSimulateParams(form({ psfAll: '/p/psf.fits' }), { presets: [LSST], catalogNames: [] }).params?.psf).toBe('/p/psf.fits');
    const r = buildSimulateParams(form({ psfBands: { g: '/p/g.fits', r: ' ', y: '/p/y.fits' } }), { presets: [LSST], catalogNames: [] });
    expect(r.params?.psf).toEqual({ g: '/p/g.fits' });
  });
  it('refuses what cannot be sent: text in a number field, PSFs both ways, a name already taken', () => {
    const r = buildSimulateParams(form({ count: 'many', psfAll: '/a.fits', psfBands: { g: '/g.fits' }, name: 'Demo' }), { presets: [LSST], catalogNames: ['Demo'] });
    expect(r.params).toBeNull();
    expect(Object.keys(r.errors ?? {}).sort()).toEqual(['count', 'name', 'psf']);
  });
  it('sends the lensed-quasar fraction when given', () => {
    expect(buildSimulateParams(form({ quasarFraction: '0.3' }), { presets: [LSST], catalogNames: [] }).params?.quasarFraction).toBe(0.3);
    expect(buildSimulateParams(form(), { presets: [LSST], catalogNames: [] }).params).not.toHaveProperty('quasarFraction');
  });
  it('sends the "sources" field: profiles by default, a Flow-VAE model (bundled when empty) feeding simulate --sources flowvae:MODEL', () => {
    expect(buildSimulateParams(form({ sources: 'profiles' }), { presets: [LSST], catalogNames: [] }).params).not.toHaveProperty('sources');
    expect(buildSimulateParams(form({ sources: 'flowvae', flowvaeModel: ' ' }), { presets: [LSST], catalogNames: [] }).params?.sources).toBe('flowvae');
    expect(buildSimulateParams(form({ sources: 'flowvae', flowvaeModel: '/m/fv' }), { presets: [LSST], catalogNames: [] }).params?.sources).toBe('flowvae:/m/fv');
    expect(Object.keys(buildSimulateParams(form({ sources: 'flowvae', sourceStamps: '/s/' }), { presets: [LSST], catalogNames: [] }).errors ?? {})).toEqual(['sources']);
  });
  it('leaves range checks to the backend (lens fraction 2 is sent as it is)', () => {
    expect(buildSimulateParams(form({ lensFraction: '2' }), { presets: [LSST], catalogNames: [] }).params?.lensFraction).toBe(2);
  });
});

describe('simulate.presets and the field of each backend error', () => {
  const t = tempDir('lensdesk-simform-');
  let backend: Backend;
  beforeAll(() => {
    backend = new Backend(openWorkspace(join(t.dir, 'ws')), { mode: 'browser', reviewer: 'alice' });
  });
  afterAll(async () => {
    await backend.close();
    t.cleanup();
  });

  it('lists the presets with the bands and stamp size a simulate job renders', async () => {
    const r = (await backend.call('simulate.presets', {})) as { presets: SimulatePresetInfo[]; defaults: { preset: string } };
    expect(r.presets.map((p) => p.name)).toContain('lsst');
    expect(r.presets.find((p) => p.name === 'lsst')).toMatchObject({ bands: ['g', 'r', 'i', 'z'], size: 45, pixelScale: 0.2 }); // README: demo stamps
    for (const p of r.presets) {
      const c = resolveConfig({ preset: p.name }); // what prepareSimulate resolves the job's config to
      expect(p.bands).toEqual(c.bands);
      expect(p.size).toBe(c.size);
    }
    expect(r.presets.some((p) => p.name === r.defaults.preset)).toBe(true);
  });

  const missing = join(t.dir, 'nowhere');
  const cases: [string, Record<string, unknown>, string][] = [
    ['lens fraction 2', { lensFraction: 2 }, 'lensFraction'],
    ['hardness −1', { hardness: -1 }, 'hardness'],
    ['quasar fraction 1.5', { quasarFraction: 1.5 }, 'quasarFraction'],
    ['count 0', { count: 0 }, 'count'],
    ['count 2.5', { count: 2.5 }, 'count'],
    ['seed −3', { seed: -3 }, 'seed'],
    ['an unknown preset', { preset: 'nope' }, 'preset'],
    ['a missing PSF file for band r', { psf: { g: undefined, r: join(missing, 'psf_r.fits') } }, 'psf.r'],
    ['a missing PSF file for all bands', { psf: join(missing, 'psf.fits') }, 'psf'],
    ['a PSF for a band not simulated', { psf: { y: join(missing, 'psf_y.fits') } }, 'psf.y'],
    ['a missing stamp folder', { sourceStamps: missing }, 'sourceStamps'],
    ['a stamp scale without stamps', { sourceStampScale: 0.03 }, 'sourceStamps'],
    ['a missing Flow-VAE model', { sources: `flowvae:${missing}` }, 'sources'],
    ['an unknown kind of sources', { sources: 'sersic' }, 'sources'],
  ];
  it.each(cases)('%s is refused with a typed error on its field', async (_what, bad, field) => {
    const params = JSON.parse(JSON.stringify({ preset: 'lsst', count: 24, name: 'x', ...bad })) as Record<string, unknown>;
    const err = await backend.call('jobs.start', { kind: 'simulate', params }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LensDeskError);
    expect(fieldOfError(err as LensDeskError, params)).toBe(field);
    expect(backend.repo.listJobs(10)).toHaveLength(0); // refused before it was queued
  });
});
