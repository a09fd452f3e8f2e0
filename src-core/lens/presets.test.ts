import { describe, expect, it } from 'vitest';
import { presetOfSurvey } from './presets';

describe('presetOfSurvey', () => {
  it('maps simulated and preset-named surveys to their preset', () => {
    expect(presetOfSurvey('sim-hsc')).toBe('hsc');
    expect(presetOfSurvey('des')).toBe('des');
  });
  it('falls back for ingested surveys with their own names, or says none applies', () => {
    expect(presetOfSurvey('my-hsc-deep')).toBe('lsst');
    expect(presetOfSurvey('my-hsc-deep', 'euclid')).toBe('euclid');
    expect(presetOfSurvey('sim-nosuch', null)).toBeNull();
    expect(presetOfSurvey(null, null)).toBeNull();
  });
});
