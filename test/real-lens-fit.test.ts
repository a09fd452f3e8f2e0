// `lensdesk fit --model auto` on the real HST quad HE0435-1223 (test/data/real-lenses/, HST ACS F814W, samana),
// against the literature (docs/real-skies.md "HE0435-1223 with a point-source error floor"):
//   - fast, always: the lens fitted to the four compact peaks LensDesk detects in the cutout (the sie+ps MAP's
//     starting point) has θE within 0.02″ of 1.209″, the SIE + γ Einstein radius of the *published* HST image
//     positions relative to the lens galaxy (x = 1.272, 0.306, −1.152, −0.384″, y = 0.156, −1.092, −0.636, 1.026″,
//     as tabulated in dangilman/quadmodel quadmodel/data/he0435.py), fitted independently with scipy
//     (/usr/bin/python3, least squares on image-plane residuals, 5 mas errors; 1.2091″ with the centre fixed,
//     1.2090″ free); literature SIE(+γ) values are 1.18–1.22″ (docs/real-skies.md);
//   - slow, opt-in (LENSDESK_SLOW_TESTS=1; up to 55 min on the shared 2-core machine): the full fit (point-source
//     error floor f = 1, whole PSF, Hessian metric) converges by the project's criterion (every R̂ < 1.01,
//     bulk-ESS(θE) ≥ 400) and its posterior θE lies within 0.05″ of 1.209″. With the MAP's Hessian metric alone the
//     source / lens-light r_e and n stalled at R̂ 1.015 after 1,018 draws per chain; with the metric re-estimated from
//     the first round's draws (fit-lens `replan`) it converged: R̂ max 1.0047 after 600 draws per chain, θE 1.2137 ±
//     0.0036″, 1,616 s of fit at load 2–5 (docs/real-skies.md "HE0435-1223 converged").
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeKernel } from '../src-core/lens/psf';
import { pointSourceStarts } from '../src-core/infer/image-positions';
import { fitPsf } from '../src-main/fit/fit-psf';
import { readFitObservation } from '../src-main/fit/read-observation';
import { fitCommand } from '../src-main/cli/commands/fit';
import { PROJECT_ROOT } from './shared';

const D = join(PROJECT_ROOT, 'test', 'data', 'real-lenses');
const IMAGE = join(D, 'he0435-f814w.fits');
const PSF = join(D, 'he0435-f814w-psf.fits');
const HAS_DATA = existsSync(IMAGE) && existsSync(PSF);
/** θE of an SIE + γ fitted to the published image positions (see the header comment). */
const THETA_E_POSITIONS = 1.209;
const SLOW = process.env.LENSDESK_SLOW_TESTS === '1';

describe.skipIf(!HAS_DATA)(`HE0435-1223 lens from its detected quasar images (skipped when ${D} lacks the HST files)`, () => {
  it('finds the four images and a lens with θE within 0.02″ of the published positions\' SIE + γ fit', () => {
    const c = readFitObservation(IMAGE);
    const psf = fitPsf({ file: PSF }, ['F814W'], c.pixelScale).specs.map((p) => makeKernel(p, c.pixelScale));
    const { peaks, positionFit } = pointSourceStarts({ bands: 1, size: c.size, pixelScale: c.pixelScale, image: c.image, variance: c.variance, psf });
    expect(peaks.length).toBe(4);
    expect(positionFit).not.toBeNull();
    expect(positionFit!.nPredicted).toBe(4);
    expect(Math.abs(positionFit!.params[0]! - THETA_E_POSITIONS)).toBeLessThan(0.02);
    // The lens centre it finds is the galaxy's (the published positions are relative to it): image radii agree to
    // one 0.05″ pixel (the peaks are found at pixel precision).
    const [cx, cy] = [positionFit!.params[3]!, positionFit!.params[4]!];
    const radii = peaks.map((p) => Math.hypot(p.x - cx, p.y - cy)).sort();
    const published = [[1.272, 0.156], [0.306, -1.092], [-1.152, -0.636], [-0.384, 1.026]].map(([x, y]) => Math.hypot(x!, y!)).sort();
    radii.forEach((r, k) => expect(Math.abs(r - published[k]!)).toBeLessThan(0.05));
  });
});

describe.skipIf(!HAS_DATA || !SLOW)('HE0435-1223 full sie+ps fit converges (slow: set LENSDESK_SLOW_TESTS=1; up to 55 min on 2 loaded cores)', () => {
  it('converges (R̂ < 1.01, ESS(θE) ≥ 400) with posterior θE within 0.05″ of the published positions\' SIE + γ value', async () => {
    const out: string[] = [];
    const code = await fitCommand.run([IMAGE, '--psf', PSF, '--model', 'auto', '--workers', '2', '--max-seconds', '3300', '--max-draws', '1400', '--json'],
      { out: (t: string) => out.push(t), err: () => {}, progress: () => {}, signal: new AbortController().signal });
    expect(code ?? 0).toBe(0);
    const j = JSON.parse(out.join('\n')) as { model: string; converged: boolean; rhatMax: number; params: { theta_E: { mean: number; q2_5: number; q97_5: number; essBulk: number } } };
    expect(j.model).toBe('sie+ps');
    expect(j.rhatMax).toBeLessThan(1.01);
    expect(j.params.theta_E.essBulk).toBeGreaterThanOrEqual(400);
    expect(j.converged).toBe(true);
    expect(Math.abs(j.params.theta_E.mean - THETA_E_POSITIONS)).toBeLessThan(0.05);
  }, 3_600_000);
});
