// The fuzz corpus of issue #20 kept as a test: seeded mutants of files LensDesk's own writer makes
// (always run) and of the small reference files in ../shared/data/fits (skipped with the reason
// when absent) must each end in `ok` or a FitsError naming the file — no other exception. Case
// counts are bounded (a few hundred each) so the file runs in seconds; hangs and OOMs are kept
// out by the size validation, and bench/fits-fuzz.ts runs 10,000+ cases in child processes with a
// timeout and heap limit. Reproduce one case: FUZZ_CASE=<index> npx vitest run <this file>.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FITS_DIR, HAS_SHARED, SHARED_SKIP_REASON } from '../../../test/shared';
import { FitsFile } from '../file';
import { readImage } from '../image';
import { MemorySource, sourceFromBytes } from '../source';
import { writerCorpus, type SeedFile } from './corpus';
import { classify } from './exercise';
import { mutantFor } from './mutate';

const WRITER_SEED = 20261207;
const SHARED_SEED = 20261208;
const WRITER_CASES = 400;
const SHARED_CASES = 300;
/** Reference files up to this size are mutated (bigger ones cost time without new structure). */
export const MAX_SHARED_FILE = 200_000;

function run(seed: number, cases: number, inputs: readonly SeedFile[]): { failures: string[]; counts: Record<string, number> } {
  const only = process.env.FUZZ_CASE;
  const failures: string[] = [];
  const counts: Record<string, number> = { ok: 0, typed: 0, crash: 0 };
  for (let c = 0; c < cases; c++) {
    if (only !== undefined && Number(only) !== c) continue;
    const m = mutantFor(seed, c, inputs);
    const r = classify(m.name, m.bytes);
    counts[r.outcome]!++;
    if (r.outcome === 'crash') failures.push(`seed ${seed} case ${c} ${m.name} ${m.what}: ${r.code}: ${r.detail}`);
  }
  return { failures, counts };
}

describe('FITS fuzz corpus (writer-made seed files; runs without ../shared)', () => {
  const corpus = writerCorpus();

  it('every seed file reads cleanly before mutation (so mutants start from valid FITS)', () => {
    for (const s of corpus) expect(classify(s.name, s.bytes), s.name).toEqual({ outcome: 'ok' });
    // The seeds really hold what they say: spot-check two.
    const rice = corpus.find((s) => s.name === 'rice-i16.fits.fz')!;
    const f = new FitsFile(new MemorySource(rice.name, rice.bytes));
    expect(f.hdu(1).compressed).toBe(true);
    expect(readImage(f, f.hdu(1)).shape).toEqual([12, 40]);
    const gz = corpus.find((s) => s.name === 'table.fits.gz')!;
    expect(new FitsFile(sourceFromBytes(gz.name, gz.bytes)).hdu(1).type).toBe('bintable');
  });

  it(`${WRITER_CASES} mutants end in ok or a FitsError naming the file`, () => {
    const { failures, counts } = run(WRITER_SEED, WRITER_CASES, corpus);
    expect(failures.slice(0, 10)).toEqual([]);
    // The mutations must bite: a fuzzer whose mutants all parse is testing nothing.
    expect(counts.typed!).toBeGreaterThan(WRITER_CASES / 5);
    expect(counts.ok!).toBeGreaterThan(0);
  });
});

describe.skipIf(!HAS_SHARED)(`FITS fuzz corpus (${HAS_SHARED ? 'reference files of ../shared' : SHARED_SKIP_REASON})`, () => {
  it(`${SHARED_CASES} mutants of the small reference files end in ok or a FitsError naming the file`, () => {
    const inputs = readdirSync(FITS_DIR)
      .filter((f) => !/\.(json|md|png)$/.test(f) && statSync(`${FITS_DIR}/${f}`).size <= MAX_SHARED_FILE)
      .map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${FITS_DIR}/${name}`)) }));
    expect(inputs.length).toBeGreaterThan(10);
    const { failures, counts } = run(SHARED_SEED, SHARED_CASES, inputs);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(counts.typed!).toBeGreaterThan(SHARED_CASES / 10);
  });
});
