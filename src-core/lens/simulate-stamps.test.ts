// Stamp sources and pixel-PSF provenance through the whole simulator: reproducibility from
// (seed, index), the mix fraction, the truth record and what the FITS chunk records.
import { describe, expect, it } from 'vitest';
import { FitsFile, MemorySource } from '../fits';
import { FitsTable } from '../fits/table';
import { configRecord, resolveConfig, type SimulationConfig } from './config';
import { encodeSimulationFits } from './fits-cube';
import type { SourceStamp, StampLibrary } from './profiles/stamp-source';
import { simulateCutout, simulateRange } from './simulate';

function blobStamp(name: string, n: number, seed: number): SourceStamp {
  // Two offset Gaussians of different widths: an irregular, asymmetric galaxy.
  const data = new Float32Array(n * n);
  const c = (n - 1) / 2;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    data[j * n + i] = Math.exp(-0.5 * (((i - c) / 6) ** 2 + ((j - c) / 3) ** 2))
      + 0.4 * Math.exp(-0.5 * (((i - c - 5 - seed) ** 2 + (j - c + 4) ** 2) / 4)) - 0.01; // a little negative "sky"
  }
  return { name, width: n, height: n, pixelScale: 0.03, data };
}

const library = (fraction: number): StampLibrary => ({ id: 'test:simulate-stamps', fraction, stamps: [blobStamp('a.fits', 41, 0), blobStamp('b.fits[0]', 41, 1), blobStamp('b.fits[1]', 41, 2)] });
const cfg = (fraction: number): SimulationConfig => ({ preset: 'lsst', lensFraction: 1, sourceStamps: library(fraction) });
const bytes = (c: ReturnType<typeof simulateCutout>) => c.bands.map((b) => Buffer.from(b.buffer).toString('base64')).join('|');

describe('simulated lenses with real-galaxy stamp sources', () => {
  it('same (seed, index) → identical bytes; stamp and index recorded; unchanged without stamps', () => {
    for (let i = 0; i < 6; i++) {
      const a = simulateCutout(cfg(1), 11, i), b = simulateCutout(cfg(1), 11, i);
      expect(bytes(a)).toBe(bytes(b));
      expect(a.truth.src_kind).toBe('stamp');
      expect(['a.fits', 'b.fits[0]', 'b.fits[1]']).toContain(a.truth.src_stamp);
      const k = a.truth.src_stamp_index as number;
      expect(library(1).stamps[k].name).toBe(a.truth.src_stamp);
      expect(a.truth.src_re).toBeGreaterThan(0.05);
    }
    const r = simulateRange(cfg(1), 11, 2, 3);
    const one = simulateCutout(cfg(1), 11, 3);
    const n = 45 * 45;
    expect(Buffer.from(r.images.slice(4 * n, 5 * n).buffer)).toEqual(Buffer.from(one.bands[0].buffer)); // index 3, band g
    // The stamp changes the image (vs the clumpy Sérsic of the same draw).
    expect(bytes(simulateCutout({ preset: 'lsst', lensFraction: 1 }, 11, 0))).not.toBe(bytes(simulateCutout(cfg(1), 11, 0)));
  });

  it('fraction mixes stamp and Sérsic sources; 0 gives none', () => {
    const kinds = Array.from({ length: 40 }, (_, i) => simulateCutout(cfg(0.5), 3, i).truth.src_kind);
    const nStamp = kinds.filter((k) => k === 'stamp').length;
    expect(nStamp).toBeGreaterThan(8);
    expect(nStamp).toBeLessThan(32);
    expect(kinds.filter((k) => k === 'sersic').length).toBe(40 - nStamp);
    expect(Array.from({ length: 10 }, (_, i) => simulateCutout(cfg(0), 3, i).truth.src_kind).every((k) => k === 'sersic')).toBe(true);
  });

  it('rejects bad libraries naming the field', () => {
    expect(() => resolveConfig({ preset: 'lsst', sourceStamps: { ...library(1), fraction: 2 } })).toThrow(/sourceStamps.fraction/);
    expect(() => resolveConfig({ preset: 'lsst', sourceStamps: { ...library(1), stamps: [] } })).toThrow(/no stamps/);
    const bad = { ...blobStamp('c.fits', 5, 0), width: 6 };
    expect(() => resolveConfig({ preset: 'lsst', sourceStamps: { ...library(1), stamps: [bad] } })).toThrow(/c\.fits/);
  });

  it('the FITS chunk records the stamp library, each cutout\'s stamp, and PSF files, with no pixel data in CONFIG', () => {
    const kernel = new Float64Array(9 * 9);
    for (let j = 0; j < 9; j++) for (let i = 0; i < 9; i++) kernel[j * 9 + i] = Math.exp(-((i - 4) ** 2 + (j - 4) ** 2) / 4);
    const origin = { file: 'psf_r.fits', sha256: 'ab'.repeat(32) };
    const config: SimulationConfig = { ...cfg(1), psfOverride: { r: { type: 'pixel', width: 9, kernel, origin } } };
    const batch = simulateRange(config, 5, 0, 3);
    const f = new FitsFile(new MemorySource('chunk.fits', encodeSimulationFits(batch)));
    const h = f.hdu(0).header;
    expect(h.getString('PSFFILE2')).toBe('psf_r.fits');
    expect(h.getString('PSFSHA2')).toBe('ab'.repeat(32));
    expect(h.getString('PSFFILE1')).toBeUndefined();
    expect(h.getString('STAMPLIB')).toBe('test:simulate-stamps');
    expect(h.getNumber('NSTAMPS')).toBe(3);
    const cfgCard = h.cards.filter((c) => c.keyword === 'COMMENT').map((c) => String(c.value)).join('');
    expect(cfgCard).toContain('"origin":{"file":"psf_r.fits"');
    expect(cfgCard).not.toContain('"kernel"');
    const t = new FitsTable(f, f.find('TRUTH')!);
    expect(Array.from(t.readNumericColumn('src_stamp_index'))).toEqual(batch.truths.map((x) => x.src_stamp_index));
    expect(t.readRows(0, 3).map((row) => String(row[t.columns.findIndex((c) => c.name === 'src_stamp')]).trim())).toEqual(batch.truths.map((x) => x.src_stamp));
    // Records of configurations without PSF files or stamps are as before (no new keys).
    expect(Object.keys(configRecord(resolveConfig({ preset: 'lsst' })))).toEqual(Object.keys(resolveConfig({ preset: 'lsst' })));
  });
});
