// The fit's likelihood against the emcee peer's (shared/peers/lens_fit_emcee.py LensPosterior): the
// peer simulates its cutout (seed 1, index 0, lsst) and evaluates χ² at the true parameters with its
// own templates + NNLS; ours must agree on the same pixels. Needs Debian's python3 with numpy and scipy
// (emcee is stubbed: only the likelihood is used); skipped with the reason otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LensModel } from '../src-core/infer/lens-model';
import { getPreset } from '../src-core/lens/presets';
import { makeKernel } from '../src-core/lens/psf';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from './shared';

const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
const HAS_PY = probe.status === 0;
const reason = !HAS_SHARED ? SHARED_SKIP_REASON : `Debian python3 lacks numpy/scipy (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;

const PY = `
import sys, types, json
sys.path.insert(0, sys.argv[1])
sys.modules['emcee'] = types.ModuleType('emcee')
import numpy as np
import lens_sim_numpy as sim, lens_fit_emcee as fit
image, var, model, p = sim.simulate_cutout(1, 0, 'lsst')
post = fit.LensPosterior(image.astype(float), var.astype(float), 'lsst')
t = fit.truth_vector(p)
amps, r = post.solve(t)
image.astype('<f8').tofile(sys.argv[2] + '/image.bin'); var.astype('<f8').tofile(sys.argv[2] + '/var.bin')
print(json.dumps({'truth': t.tolist(), 'chi2': float(r @ r), 'amps': amps.tolist()}))
`;

describe.skipIf(!HAS_SHARED || !HAS_PY)(`lens likelihood vs the emcee peer (${HAS_SHARED && HAS_PY ? 'peer available' : reason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lensdesk-peer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('χ² at the true parameters and the NNLS amplitudes agree with the peer (uniform 3 × 3 grid)', () => {
    const py = spawnSync('/usr/bin/python3', ['-c', PY, join(SHARED_DIR, 'peers'), dir], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const ref = JSON.parse(py.stdout) as { truth: number[]; chi2: number; amps: number[][] };
    const read = (f: string) => new Float64Array(new Uint8Array(readFileSync(join(dir, f))).buffer);
    const preset = getPreset('lsst');
    const psf = ['g', 'r', 'i', 'z'].map((b) => makeKernel({ type: 'gaussian', fwhm: preset.bands[b]!.seeing }, 0.2));
    const m = new LensModel({ bands: 4, size: 45, pixelScale: 0.2, image: read('image.bin'), variance: read('var.bin'), psf }, { grid: 'uniform' });
    const sol = m.solve(ref.truth);
    // 8100 pixels, χ² ≈ 8100: agreement within 1.5 (the peer's z-band PSF is cut at 7 px, ours at 6 px).
    expect(Math.abs(sol.chi2 - ref.chi2)).toBeLessThan(1.5);
    for (let b = 0; b < 4; b++) {
      expect(sol.amplitudes[2 * b]! / ref.amps[0]![b]!).toBeCloseTo(1, 2);
      expect(sol.amplitudes[2 * b + 1]! / ref.amps[1]![b]!).toBeCloseTo(1, 3);
    }
  });
});
