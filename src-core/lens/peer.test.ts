// Cross-check against the numpy peer (shared/peers/lens_sim_numpy.py): one noiseless SIE + shear
// lensed source rendered by both from the same parameters. The peer is only read, in place.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, SHARED_DIR, SHARED_SKIP_REASON } from '../../test/shared';
import { engineFor } from './simulate';
import { renderScene } from './render';

const PEERS = join(SHARED_DIR, 'peers');
const PY = '/usr/bin/python3';
// The peer needs Debian's numpy and scipy (.ci/run installs them); skip with the reason otherwise.
const canRun = HAS_SHARED && existsSync(join(PEERS, 'lens_sim_numpy.py')) && existsSync(PY) && spawnSync(PY, ['-c', 'import numpy, scipy']).status === 0;

const P = { theta_e: 1.4, q: 0.7, phi: 0.6, g1: 0.02, g2: -0.03, lens_re: 1.0, src_re: 0.3, src_n: 1.5,
  src_q: 0.8, src_phi: 1.1, src_x: 0.15, src_y: -0.1 };
const SRC_MAG: Record<string, number> = { g: 22.3, r: 22.0, i: 21.85, z: 21.75 };

describe.skipIf(!canRun)(`numpy peer comparison (${canRun ? 'peer present' : SHARED_SKIP_REASON + ', or no /usr/bin/python3 with numpy and scipy'})`, () => {
  it('lensed source (no lens light): per-band flux ratio within 1 %, pixels within 2 % of the peak', () => {
    const code = `
import json, sys
sys.path.insert(0, ${JSON.stringify(PEERS)})
import lens_sim_numpy as s
p = json.loads(sys.argv[1])
p['lens_mag'] = {b: 99.0 for b in 'ugriz'}
p['src_mag'] = json.loads(sys.argv[2])
m = s.render(p, 'lsst')
print(json.dumps(m.tolist()))`;
    const peer = JSON.parse(execFileSync(PY, ['-c', code, JSON.stringify(P), JSON.stringify(SRC_MAG)], { encoding: 'utf8', timeout: 60_000 })) as number[][][];
    const e = engineFor({ preset: 'lsst' });
    renderScene({
      isLens: true, kind: 'lens', points: [], artefacts: [],
      mass: [
        { profile: 'SIE', params: { theta_E: P.theta_e, q: P.q, phi: P.phi, center_x: 0, center_y: 0 } },
        { profile: 'SHEAR', params: { gamma1: P.g1, gamma2: P.g2, center_x: 0, center_y: 0 } },
      ],
      light: [{ role: 'source', profile: 'SERSIC', lensed: true, mags: SRC_MAG,
        params: { flux: 1, r_e: P.src_re, n: P.src_n, q: P.src_q, phi: P.src_phi, center_x: P.src_x, center_y: P.src_y } }],
    }, e.ins, e.ws);
    const n = 45;
    ['g', 'r', 'i', 'z'].forEach((band, b) => {
      const mine = e.ws.models[b];
      let sm = 0, sp = 0, peak = 0, maxDiff = 0;
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
        const a = mine[j * n + i], p = peer[b][j][i]; // peer: [band][row = y][column = x]
        sm += a; sp += p; peak = Math.max(peak, p); maxDiff = Math.max(maxDiff, Math.abs(a - p));
      }
      if (process.env.LENSDESK_VERBOSE) console.log(band, 'flux ratio', (sm / sp).toFixed(5), 'max |diff|/peak', (maxDiff / peak).toExponential(2));
      expect(Math.abs(sm / sp - 1)).toBeLessThan(0.01);
      expect(maxDiff / peak).toBeLessThan(0.02);
    });
  });
});
