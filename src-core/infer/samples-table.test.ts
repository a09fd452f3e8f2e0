// The SAMPLES table round trip through the project's own FITS reader: every cell read back equals the
// draw or statistic it was built from (exactly: D and J columns are lossless), units and header keywords.
import { describe, expect, it } from 'vitest';
import { FitsFile } from '../fits/file';
import { verifyChecksum } from '../fits/checksum';
import { MemorySource } from '../fits/source';
import { FitsTable } from '../fits/table';
import { LENS_PARAM_NAMES } from './lens-model';
import type { ChainResult } from './sample';
import { encodeSamplesFits, samplesTable, type SamplesTableMeta } from './samples-table';
import { Rng } from '../rng';

function fakeChain(chain: number, n: number, dim: number): ChainResult {
  const rng = new Rng(7, chain);
  const draws = Float64Array.from({ length: n * dim }, () => rng.normal());
  return {
    chain, dim, nSamples: n, draws,
    stats: {
      acceptProb: Float64Array.from({ length: n }, () => rng.uniform()),
      divergent: Uint8Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 1 : 0)),
      energy: Float64Array.from({ length: n }, () => 10 + rng.normal()),
      nSteps: Int32Array.from({ length: n }, (_, i) => 1 + (i % 15)),
      treeDepth: Int32Array.from({ length: n }, (_, i) => i % 5),
      logDensity: Float64Array.from({ length: n }, () => -4000 + rng.normal()),
    },
    stepSize: 0.5, inverseMassDiag: new Float64Array(dim).fill(1), warmupDivergences: 0,
    gradientEvals: { warmup: 0, sampling: 0 }, maxDepth: 10,
  };
}

const meta: SamplesTableMeta = {
  file: 'lens\u00e9.fits', bands: ['g', 'r'], sampler: 'NUTS', warmup: 75, seed: 3, rhatMax: 1.0042,
  software: 'LensDesk 0.1.0', date: '2026-11-25T18:00:00', index: 2, grid: 'simulator', maxDepth: 10,
};

describe('samples table (FITS BINTABLE of posterior draws)', () => {
  const chains = [fakeChain(0, 23, 12), fakeChain(1, 23, 12), fakeChain(2, 23, 12)];
  const bytes = encodeSamplesFits(chains, LENS_PARAM_NAMES, meta);
  const f = new FitsFile(new MemorySource('s.fits', bytes));

  it('reads back every draw and statistic exactly, one row per draw in chain order', () => {
    const hdu = f.find('SAMPLES')!;
    expect(hdu).toBeDefined();
    const t = new FitsTable(f, hdu);
    expect(t.nrows).toBe(69);
    expect(t.columns.map((c) => c.name)).toEqual(['CHAIN', 'DRAW', ...LENS_PARAM_NAMES, 'LP', 'ACCEPT_STAT', 'N_LEAPFROG', 'DIVERGENT', 'TREEDEPTH', 'ENERGY']);
    const chain = t.readNumericColumn('CHAIN'), draw = t.readNumericColumn('DRAW');
    for (let r = 0; r < 69; r++) {
      const c = chains[Math.floor(r / 23)]!, i = r % 23;
      expect(chain[r]).toBe(c.chain);
      expect(draw[r]).toBe(i);
    }
    LENS_PARAM_NAMES.forEach((name, k) => {
      const col = t.readNumericColumn(name);
      for (let r = 0; r < 69; r++) expect(col[r]).toBe(chains[Math.floor(r / 23)]!.draws[(r % 23) * 12 + k]);
    });
    const lp = t.readNumericColumn('LP'), depth = t.readNumericColumn('TREEDEPTH'), nl = t.readNumericColumn('N_LEAPFROG');
    for (let r = 0; r < 69; r++) {
      const c = chains[Math.floor(r / 23)]!, i = r % 23;
      expect(lp[r]).toBe(c.stats.logDensity[i]);
      expect(depth[r]).toBe(c.stats.treeDepth[i]);
      expect(nl[r]).toBe(c.stats.nSteps[i]);
      expect(t.cell(r, 'DIVERGENT')).toBe(c.stats.divergent[i] === 1);
    }
  });

  it('writes units, provenance keywords and valid checksums', () => {
    const hdu = f.find('SAMPLES')!;
    const t = new FitsTable(f, hdu);
    const unit = (n: string) => t.column(n).unit ?? '';
    expect(['theta_E', 'src_x', 'src_y', 'src_r_e', 'lens_r_e'].map(unit)).toEqual(Array(5).fill('arcsec'));
    expect(['e1', 'gamma1', 'src_n'].map(unit)).toEqual(['', '', '']);
    const h = hdu.header;
    expect(h.getString('FITFILE')).toBe('lens?.fits');
    expect(h.getString('BANDS')).toBe('g,r');
    expect(h.getString('SAMPLER')).toBe('NUTS');
    expect(h.getNumber('NCHAINS')).toBe(3);
    expect(h.getNumber('NWARMUP')).toBe(75);
    expect(h.getNumber('NDRAWS')).toBe(23);
    expect(h.getNumber('SEED')).toBe(3);
    expect(h.getNumber('RHATMAX')).toBe(1.0042);
    expect(h.getString('CREATOR')).toBe('LensDesk 0.1.0');
    expect(h.getString('DATE')).toBe('2026-11-25T18:00:00');
    for (const x of f.hdus()) expect(verifyChecksum(f, x).checksum).toBe('ok');
  });

  it('refuses chains of the wrong dimension', () => {
    expect(() => samplesTable([fakeChain(0, 5, 3)], LENS_PARAM_NAMES, meta)).toThrow(/3 parameters, expected 12/);
  });
});
