// Inputs for the `lensdesk fit` real-input tests: a lens from LensDesk's simulator (test/infer/lens-simulated.ts,
// 'well-specified': the fit's model family contains the truth) as plain arrays, its true θE and the injected
// background σ, and a runner for Debian's python3 + astropy (the independent writer and WCS yardstick).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { engineFor } from '../src-core/lens/simulate';
import { getPreset } from '../src-core/lens/presets';
import { simulatedLens } from './infer/lens-simulated';

export const PYTHON = '/usr/bin/python3';

/** Whether Debian's python3 with numpy and astropy is there; the reason when not. */
export function astropyAvailable(): { ok: boolean; why: string } {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} is absent` };
  try {
    execFileSync(PYTHON, ['-c', 'import numpy, astropy.io.fits, astropy.wcs'], { stdio: 'pipe', timeout: 60_000 });
    return { ok: true, why: '' };
  } catch {
    return { ok: false, why: `${PYTHON} has no numpy/astropy` };
  }
}

/** Runs a python script (stdin) with JSON args in argv[1]; returns its stdout parsed as JSON (or null). */
export function runPython(script: string, args: unknown): unknown {
  const out = execFileSync(PYTHON, ['-', JSON.stringify(args)], { input: script, encoding: 'utf8', timeout: 120_000 });
  return out.trim() ? JSON.parse(out) : null;
}

export interface LensStamp {
  size: number;
  pixelScale: number;
  /** e⁻ and e⁻², row-major size × size. */
  image: Float64Array;
  variance: Float64Array;
  thetaE: number;
  /** √(sky + read variance) of the simulator's preset, e⁻: the background σ it injected. */
  backgroundSigma: number;
  /** The simulator's i-band seeing FWHM, arcsec. */
  seeing: number;
}

/** Simulator cutout 0 of seed 11 (lsst i band; θE 1.28″). */
export function lensStamp(size: number): LensStamp {
  const cfg = { preset: 'lsst', lensFraction: 1, bands: ['i'], size };
  const s = simulatedLens(cfg, 11, 0, 'well-specified');
  const e = engineFor({ ...cfg, starContamination: 0, artefactContamination: 0 });
  return {
    size, pixelScale: s.input.pixelScale, image: s.input.image, variance: s.input.variance, thetaE: s.truth[0]!,
    backgroundSigma: Math.sqrt(e.ins.sky[0]! + e.ins.readVar[0]!), seeing: getPreset('lsst').bands.i!.seeing,
  };
}
