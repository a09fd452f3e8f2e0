// FITS reader benchmark: (1) parsing a 1000-card header, (2) 64×64 cutouts from an uncompressed
// 4096×4096 float32 image on disk (goal ≥ 5000 cutouts/s), against numpy.memmap slicing of the
// same file measured in the same run (Debian /usr/bin/python3). Run: npx tsx bench/fits-header.ts
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { FitsFile, MemorySource, formatCard, headerBytes, readCutout, readHeaderAt, encodeFits, type FitsHeader } from '../src-core/fits/index';
import { Rng } from '../src-core/rng';
import { FileSource } from '../src-main/fits/file-source';

const N = 4096;
const CUT = 64;
const PATH = '/tmp/lensdesk-bench-4k.fits';
const NCUT = Number(process.env.NCUT ?? 5000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// --- 1. header parse -------------------------------------------------------------------------
function header1000(): string[] {
  const cards: string[] = [];
  cards.push(...formatCard({ keyword: 'SIMPLE', value: true }), ...formatCard({ keyword: 'BITPIX', value: -32 }), ...formatCard({ keyword: 'NAXIS', value: 0 }));
  const rng = new Rng(7);
  for (let i = 0; cards.length < 999; i++) {
    const k = `KEY${String(i).padStart(5, '0')}`;
    const kind = i % 5;
    const value = kind === 0 ? rng.uniform() * 1e3 : kind === 1 ? rng.int(1e6) : kind === 2 ? `text value ${i}` : kind === 3 ? i % 2 === 0 : -rng.uniform();
    cards.push(...(i % 50 === 49 ? formatCard({ keyword: 'HISTORY', value: `step ${i} of the reduction` }) : formatCard({ keyword: k, value, comment: 'a comment' })));
  }
  return cards.slice(0, 999);
}
const images = header1000();
const bytes = headerBytes(images);
const hsrc = new MemorySource('header.fits', bytes);
let parsed: FitsHeader | undefined;
const reps = 200;
const times: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  // The reader's own path: 2880-byte blocks → card images → FitsHeader (CONTINUE, HIERARCH, values).
  for (let i = 0; i < reps; i++) parsed = readHeaderAt(hsrc, 0, 0).header;
  times.push((performance.now() - t0) / reps);
}
const hdrMs = median(times);
console.log(`header parse: ${parsed!.cards.length} cards in ${hdrMs.toFixed(3)} ms (median of 5×${reps}) = ${Math.round((parsed!.cards.length / hdrMs) * 1000).toLocaleString('en')} cards/s`);

// --- 2. cutouts ------------------------------------------------------------------------------
if (!existsSync(PATH) || statSync(PATH).size !== 2880 + Math.ceil((N * N * 4) / 2880) * 2880) {
  const data = new Float32Array(N * N);
  const rng = new Rng(11);
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform();
  const fd = openSync(PATH, 'w');
  for (const chunk of encodeFits([{ kind: 'image', shape: [N, N], data }])) writeSync(fd, chunk);
  closeSync(fd);
}
const positions: Array<[number, number]> = [];
const prng = new Rng(13);
for (let i = 0; i < NCUT; i++) positions.push([prng.int(N - CUT), prng.int(N - CUT)]);

const src = new FileSource(PATH);
const file = new FitsFile(src);
const hdu = file.hdu(0);
let checksum = 0;
readCutout(file, hdu, 0, 0, CUT, CUT); // warm-up
const cutTimes: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  for (const [x, y] of positions) checksum += readCutout(file, hdu, x, y, CUT, CUT).data[0] as number;
  cutTimes.push(performance.now() - t0);
}
src.close();
const ours = NCUT / (median(cutTimes) / 1000);

const py = `
import numpy as np, time, random
a = np.memmap('${PATH}', dtype='>f4', mode='r', offset=2880, shape=(${N}, ${N}))
random.seed(13)
pos = [(random.randrange(${N - CUT}), random.randrange(${N - CUT})) for _ in range(${NCUT})]
ts = []
for r in range(3):
    t0 = time.perf_counter(); s = 0.0
    for x, y in pos:
        c = np.ascontiguousarray(a[y:y+${CUT}, x:x+${CUT}], dtype='<f4'); s += float(c[0, 0])
    ts.append(time.perf_counter() - t0)
ts.sort(); print(${NCUT} / ts[1])
`;
const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
const peer = r.status === 0 ? Number(r.stdout.trim()) : NaN;
console.log(`cutouts 64×64 float32 from 4096×4096 on disk (FileSource, coalesced row reads): ${Math.round(ours).toLocaleString('en')} cutouts/s (median of 3×${NCUT}; goal ≥ 5000)`);
if (Number.isFinite(peer)) {
  console.log(`peer numpy.memmap slice + astype('<f4'): ${Math.round(peer).toLocaleString('en')} cutouts/s; ratio ours/peer = ${(ours / peer).toFixed(2)}`);
} else console.log(`peer unavailable: ${r.stderr.trim().split('\n').at(-1)}`);
if (process.env.KEEP_BENCH_FILE !== '1') unlinkSync(PATH);
void checksum;
