// cardPath: what a model card records for a folder it names (--init of `train` and `prior train`).
import { describe, expect, it } from 'vitest';
import { cardPath } from './paths';

describe('cardPath', () => {
  it('is relative to the working directory inside it, and the path as given outside it', () => {
    expect(cardPath('/work/repo/models/priors/kappa-hybrid', '/work/repo')).toBe('models/priors/kappa-hybrid');
    expect(cardPath('models/cmudeeplens-lsst/', '/work/repo')).toBe('models/cmudeeplens-lsst');
    expect(cardPath('/tmp/run/A', '/work/repo')).toBe('/tmp/run/A');
    expect(cardPath('../elsewhere/B', '/work/repo')).toBe('../elsewhere/B');
    // the working directory itself: '' would name nothing
    expect(cardPath('/work/repo', '/work/repo')).toBe('/work/repo');
  });
});
