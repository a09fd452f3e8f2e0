// The model chooser with several synthetic cards (only one model is bundled today): bands by
// name (a superset is fine), size by centre-crop parity, pixel scale within ×1.5, best match first.
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { chooseModel, modelFits, modelOptionFromCard, type ModelOption, type SurveyShape } from './choose-model';

const lsst: ModelOption = { name: 'cmudeeplens-lsst', path: '/m/lsst', bands: ['g', 'r', 'i', 'z'], pixelScale: 0.2, inputSize: 45, preset: 'lsst' };
const challenge: ModelOption = { name: 'cmudeeplens-challenge', path: '/m/ch', bands: ['u', 'g', 'r', 'i'], pixelScale: 0.2, inputSize: 101, preset: 'challenge' };
const hsc: ModelOption = { name: 'cmudeeplens-hsc', path: '/m/hsc', bands: ['g', 'r', 'i', 'z'], pixelScale: 0.168, inputSize: 55, preset: 'hsc' };
const euclid: ModelOption = { name: 'cmudeeplens-euclid', path: '/m/eu', bands: ['VIS'], pixelScale: 0.1, inputSize: 101, preset: 'euclid' };
const all = [lsst, challenge, hsc, euclid];
const survey = (bands: string[], pixelScale: number | null, size: number): SurveyShape => ({ bands, pixelScale, width: size, height: size });

describe('chooseModel', () => {
  it('picks the LSST model for LSST-like g,r,i,z 0.2″ cutouts and says why the others were not', () => {
    const c = chooseModel(survey(['g', 'r', 'i', 'z'], 0.2, 45), all);
    expect(c.model.name).toBe('cmudeeplens-lsst');
    expect(c.reason).toMatch(/cmudeeplens-lsst \(lsst\) for cutouts with bands g,r,i,z at 0\.2″\/px/);
    expect(c.reason).toMatch(/cmudeeplens-challenge needs bands u,g,r,i.*missing u/);
    expect(c.reason).toMatch(/cmudeeplens-hsc needs 55×55/);
    expect(c.rejected.map((r) => r.name).sort()).toEqual(['cmudeeplens-challenge', 'cmudeeplens-euclid', 'cmudeeplens-hsc']);
  });
  it('prefers the closest pixel scale: HSC 0.168″ cutouts of 55 px get the HSC model over the LSST one', () => {
    const c = chooseModel(survey(['g', 'r', 'i', 'z', 'y'], 0.168, 55), all);
    expect(c.model.name).toBe('cmudeeplens-hsc');
    expect(c.reason).toMatch(/cmudeeplens-lsst fits less well/);
    expect(c.reason).toMatch(/1 more band\(s\) of the cutouts left unused/);
  });
  it('takes a superset of bands in any order (u,g,r,i,z at 0.2″, 101 px: both fit; the one using more input wins the tie)', () => {
    const c = chooseModel(survey(['z', 'i', 'r', 'g', 'u'], 0.2, 101), [lsst, challenge]);
    expect(c.model.name).toBe('cmudeeplens-challenge');
    expect(c.reason).toMatch(/cmudeeplens-lsst fits less well .*centre-cropped from 101×101 to 45×45/);
  });
  it('normalises band names on both sides (HSC filter names in a card)', () => {
    const card = { ...lsst, bands: ['HSC-G', 'HSC-R2', 'HSC-I2', 'HSC-Z'] };
    expect(modelFits(survey(['g', 'r', 'i', 'z'], 0.2, 45), card).ok).toBe(true);
  });
  it('refuses pixel scales more than ×1.5 apart and notes smaller differences', () => {
    const far = modelFits(survey(['g', 'r', 'i', 'z'], 0.4, 45), lsst);
    expect(far.ok).toBe(false);
    expect(far.why).toMatch(/trained at 0\.2″\/px, the cutouts are 0\.4″\/px \(×2\.00/);
    const des = modelFits(survey(['g', 'r', 'i', 'z'], 0.263, 45), lsst);
    expect(des.ok).toBe(true);
    expect(des.why).toMatch(/×1\.3[12]: scores less reliable/);
    expect(modelFits(survey(['g', 'r', 'i', 'z'], 0.21, 45), lsst).why).toMatch(/like the cutouts/);
    expect(modelFits(survey(['g', 'r', 'i', 'z'], null, 45), lsst).why).toMatch(/no pixel scale/);
  });
  it('refuses stamps that cannot be centre-cropped to the input', () => {
    expect(modelFits(survey(['g', 'r', 'i', 'z'], 0.2, 44), lsst).why).toMatch(/needs 45×45 cutouts.*44×44/);
    expect(modelFits(survey(['g', 'r', 'i', 'z'], 0.2, 46), lsst).ok).toBe(false);
    expect(modelFits(survey(['g', 'r', 'i', 'z'], 0.2, 47), lsst).ok).toBe(true);
  });
  it('refuses with every reason when none fits, and hints at --bands for unnamed planes', () => {
    let err: unknown;
    try {
      chooseModel(survey(['band1', 'band2', 'band3', 'band4'], 0.2, 45), all);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('NO_MODEL_FITS');
    const msg = (err as Error).message;
    for (const m of all) expect(msg).toContain(m.name);
    expect(msg).toMatch(/--bands g,r,i,z in plane order/);
    expect(() => chooseModel(survey(['g'], 0.2, 45), [])).toThrow(/no lens-finder model is available/);
  });
  it('is deterministic on a full tie (by name)', () => {
    const twin = { ...lsst, name: 'a-twin', path: '/m/a' };
    expect(chooseModel(survey(['g', 'r', 'i', 'z'], 0.2, 45), [lsst, twin]).model.name).toBe('a-twin');
  });
});

describe('modelOptionFromCard', () => {
  it('reads bands, input size, pixel scale and preset from a card, and rejects cards without them', () => {
    const card = { name: 'x', pixelScale: 0.263, architecture: { bands: ['g', 'r'], inputSize: 45 }, trainingSet: { source: { simulator: { preset: 'des' } } } };
    expect(modelOptionFromCard(card, '/p')).toEqual({ name: 'x', path: '/p', bands: ['g', 'r'], pixelScale: 0.263, inputSize: 45, preset: 'des' });
    expect(modelOptionFromCard({ name: 'y' }, '/p')).toBeNull();
  });
});
