// KS93, smoothing, the tabulated spectrum and both Wiener filters against the NumPy peer
// (shared/peers/mass_map_numpy.py) on the SAME input: this test writes γ and the noise variance as raw
// float64, runs the peer's own functions on them with Debian's python3, and compares to float64 rounding.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from '../../test/shared';
import { ARCMIN_RAD, gaussianSmooth, ks93, ksKernel } from './ks93';
import { modeVariance, parsePowerTable } from './spectrum';
import { wienerFilter } from './wiener';

const PY = '/usr/bin/python3';
const PEER = join(SHARED_DIR, 'peers', 'mass_map_numpy.py');
const PS = join(SHARED_DIR, 'data', 'massmap', 'ktng_ps_theory.csv');
function pythonReason(): string | null {
  if (!HAS_SHARED || !existsSync(PEER) || !existsSync(PS)) return SHARED_SKIP_REASON;
  if (!existsSync(PY)) return `${PY} is absent: the NumPy peer cannot run`;
  try {
    execFileSync(PY, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 20000 });
  } catch {
    return `${PY} has no numpy: the NumPy peer cannot run`;
  }
  return null;
}
const reason = pythonReason();

const SCRIPT = `
import importlib.util, sys, types, numpy as np
spec = importlib.util.spec_from_file_location('peer', sys.argv[1]); peer = importlib.util.module_from_spec(spec); spec.loader.exec_module(peer)
d, n, pix, smooth = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) * peer.ARCMIN, float(sys.argv[5])
g1 = np.fromfile(d + '/g1.bin').reshape(n, n); g2 = np.fromfile(d + '/g2.bin').reshape(n, n)
var = np.fromfile(d + '/var.bin').reshape(n, n)
gamma = np.where(np.isfinite(var), g1 + 1j * g2, 0)
dk, ell = peer.kaiser_squires_kernel(n, pix)
cmode = peer.mode_variance(types.SimpleNamespace(spectrum=d + '/ps.txt'), ell, pix)
ke, kb = peer.ks93(gamma, dk)
kss = np.fft.ifft2(np.exp(-0.5 * (ell * smooth * peer.ARCMIN) ** 2) * np.fft.fft2(ke)).real
nv = float(np.nanmin(var))
kw_white = np.fft.ifft2(cmode / (cmode + nv) * np.fft.fft2(peer.ks93(g1 + 1j * g2, dk)[0])).real
kw, its = peer.messenger_wiener(gamma, var, cmode, dk, 2000, 1e-9)
for name, a in [('cmode', cmode), ('ke', ke), ('kb', kb), ('kss', kss), ('kw_white', kw_white), ('kw', kw)]:
    np.ascontiguousarray(a, dtype=np.float64).tofile(d + '/py_' + name + '.bin')
print(its)
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.skipIf(reason !== null)(`mass mapping against the NumPy peer${reason ? ` (skipped: ${reason})` : ''}`, () => {
  for (const n of [64, 48]) {
    it(`KS93 E/B, smoothing, C_ℓ table, closed-form and messenger Wiener agree on ${n}² (${n === 48 ? 'Bluestein' : 'radix-2'} FFT)`, { timeout: 120000 }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'lensdesk-massmap-'));
      dirs.push(dir);
      const pixArcmin = 1, smooth = 2, N = n * n;
      const rng = new Rng(11, n);
      const g1 = new Float64Array(N), g2 = new Float64Array(N), variance = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const count = rng.poisson(4);
        variance[i] = count > 0 ? 0.26 ** 2 / count : Infinity;
        g1[i] = 0.05 * rng.normal();
        g2[i] = 0.05 * rng.normal();
        if (count === 0) g1[i] = g2[i] = 0;
      }
      const tableText = readFileSync(PS, 'utf8');
      const table = parsePowerTable(tableText, PS);
      writeFileSync(join(dir, 'ps.txt'), Array.from(table.ell, (l, i) => `${l} ${table.cl[i]}`).join('\n') + '\n');
      writeFileSync(join(dir, 'g1.bin'), new Uint8Array(g1.buffer));
      writeFileSync(join(dir, 'g2.bin'), new Uint8Array(g2.buffer));
      writeFileSync(join(dir, 'var.bin'), new Uint8Array(variance.buffer));
      execFileSync(PY, ['-c', SCRIPT, PEER, dir, String(n), String(pixArcmin), String(smooth)], { timeout: 90000 });
      const py = (name: string) => new Float64Array(new Uint8Array(readFileSync(join(dir, `py_${name}.bin`))).buffer);

      const k = ksKernel(n, n, pixArcmin * ARCMIN_RAD);
      const cmode = modeVariance(k, table);
      expect(maxDiff(cmode, py('cmode')) / maxAbs(cmode)).toBeLessThan(1e-12);

      const { kE, kB } = ks93(k, g1, g2);
      const scale = maxAbs(py('ke'));
      expect(scale).toBeGreaterThan(0.01);
      expect(maxDiff(kE, py('ke')) / scale).toBeLessThan(1e-12);
      expect(maxDiff(kB, py('kb')) / scale).toBeLessThan(1e-12);
      expect(maxDiff(gaussianSmooth(k, smooth * ARCMIN_RAD, kE).a, py('kss')) / scale).toBeLessThan(1e-12);

      // Closed form: every pixel observed with the smallest variance.
      let vmin = Infinity;
      for (const v of variance) vmin = Math.min(vmin, v);
      const white = wienerFilter(k, g1, g2, { modeVariance: cmode, variance: new Float64Array(N).fill(vmin) });
      expect(white.method).toBe('closed form');
      expect(maxDiff(white.kappa, py('kw_white')) / scale).toBeLessThan(1e-12);

      // Messenger field with Poisson counts and empty pixels masked: both converge to the same solution.
      const mf = wienerFilter(k, g1, g2, { modeVariance: cmode, variance, tol: 1e-9, maxIter: 2000 });
      expect(mf.method).toBe('messenger field');
      expect(mf.converged).toBe(true);
      const pkw = py('kw');
      expect(maxDiff(mf.kappa, pkw) / maxAbs(pkw)).toBeLessThan(1e-6);
    });
  }
});
