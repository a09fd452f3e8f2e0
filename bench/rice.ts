// RICE_1 decompression throughput against cfitsio's funpack, measured in the same run, plus
// cutout extraction from a RICE-compressed 4k×4k image.
//   npx tsx bench/rice.ts [--size 4096] [--reps 5]
// The test image (sky + noise + stars, int16 and float32) is compressed by Debian's fpack, so both
// decoders read the same bytes. funpack is timed as `funpack -S file > /dev/null` (process start
// included, ~2 ms); ours as decompressImage on the file already in memory (no process start).
// Throughput = output pixel bytes / time, MB = 10^6 bytes, wall and CPU time (user+sys; on a
// shared machine CPU time is the fairer ratio). Median of --reps after a warm-up.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src-core/rng';
import { FitsFile } from '../src-core/fits/file';
import { MemorySource } from '../src-core/fits/source';
import { decompressImage, tableSource } from '../src-core/fits/compress/index';
import { headerBytes } from '../src-core/fits/compress/cards';

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '4096' }, reps: { type: 'string', default: '5' } } });
const N = Number(args.size);
const REPS = Number(args.reps);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const hasTool = (t: string): boolean => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;

function plainFits(bitpix: 16 | -32, n: number): Uint8Array {
  const rng = new Rng(2024, 0);
  const head = headerBytes([
    { keyword: 'SIMPLE', value: true },
    { keyword: 'BITPIX', value: bitpix },
    { keyword: 'NAXIS', value: 2 },
    { keyword: 'NAXIS1', value: n },
    { keyword: 'NAXIS2', value: n },
  ]);
  const size = Math.abs(bitpix) / 8;
  const data = new Uint8Array(Math.ceil((n * n * size) / 2880) * 2880);
  const dv = new DataView(data.buffer);
  const stars = Array.from({ length: 400 }, () => [rng.uniform() * n, rng.uniform() * n, 50 + 5000 * rng.uniform()] as const);
  const img = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) img[i] = 1000 + 12 * rng.normal();
  for (const [sx, sy, f] of stars) {
    for (let y = Math.max(0, Math.floor(sy) - 8); y < Math.min(n, sy + 8); y++) {
      for (let x = Math.max(0, Math.floor(sx) - 8); x < Math.min(n, sx + 8); x++) img[y * n + x] += f * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / 4);
    }
  }
  for (let i = 0; i < n * n; i++) {
    if (bitpix === 16) dv.setInt16(2 * i, Math.min(32767, Math.round(img[i]!)));
    else dv.setFloat32(4 * i, img[i]! / 1000);
  }
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

interface Timing {
  /** Median wall time, ms. */
  wall: number;
  /** Median CPU time (user + system), ms: less sensitive to other load on a shared machine. */
  cpu: number;
}

function timeFunpack(path: string): Timing {
  const wall: number[] = [];
  const cpu: number[] = [];
  spawnSync('funpack', ['-S', path], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    // `times` prints the shell's children's user and system CPU time (10 ms resolution)
    const res = spawnSync('sh', ['-c', `funpack -S '${path}' > /dev/null; times`], { encoding: 'utf8' });
    wall.push(performance.now() - t0);
    if (res.status !== 0) throw new Error('funpack failed');
    const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(res.stdout.trim());
    if (m) cpu.push((Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000);
  }
  return { wall: median(wall), cpu: cpu.length ? median(cpu) : NaN };
}

function timeOurs(path: string): Timing & { bytes: number } {
  const f = new FitsFile(new MemorySource(path, new Uint8Array(readFileSync(path))));
  const hdu = f.hdu(1);
  let bytes = 0;
  const run = (): void => {
    bytes = decompressImage(tableSource(f, hdu)).data.byteLength;
  };
  run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu), bytes };
}

function timeCutouts(path: string, size: number, count: number): { ms: number; tiles: number } {
  const f = new FitsFile(new MemorySource(path, new Uint8Array(readFileSync(path))));
  const hdu = f.hdu(1);
  const rng = new Rng(7, size);
  const ts: number[] = [];
  let tiles = 0;
  for (let k = 0; k < count; k++) {
    const x = Math.floor(rng.uniform() * (N - size));
    const y = Math.floor(rng.uniform() * (N - size));
    const t0 = performance.now();
    const d = decompressImage(tableSource(f, hdu), { start: [x, y], size: [size, size] });
    ts.push(performance.now() - t0);
    tiles = d.tilesDecoded;
  }
  return { ms: median(ts), tiles };
}

if (!hasTool('fpack') || !hasTool('funpack')) {
  console.log('fpack/funpack not installed (apt-get install libcfitsio-bin): nothing to compare against');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'lensdesk-bench-'));
try {
  console.log(`RICE_1 decompression, ${N}×${N}, median of ${REPS} (Node ${process.version}, funpack ${execFileSync('funpack', ['-V']).toString().trim()})`);
  const rows: string[] = [];
  for (const [label, bitpix, fpackArgs] of [
    ['int16, row tiles (BYTEPIX 2)', 16, ['-r']],
    ['float32 q=4 SUBTRACTIVE_DITHER_1, row tiles', -32, ['-r', '-q', '4']],
  ] as const) {
    const plain = join(dir, `img${bitpix}.fits`);
    writeFileSync(plain, plainFits(bitpix, N));
    const fz = `${plain}.fz`;
    execFileSync('fpack', [...fpackArgs, '-O', fz, plain]);
    const theirs = timeFunpack(fz);
    const ours = timeOurs(fz);
    const mb = ours.bytes / 1e6;
    const rate = (ms: number): string => (mb / (ms / 1000)).toFixed(0).padStart(4);
    rows.push(
      `${label}\n` +
        `  wall: ours ${rate(ours.wall)} MB/s (${ours.wall.toFixed(0)} ms)  funpack ${rate(theirs.wall)} MB/s (${theirs.wall.toFixed(0)} ms)  ratio ${(theirs.wall / ours.wall).toFixed(2)}×\n` +
        `  cpu:  ours ${rate(ours.cpu)} MB/s (${ours.cpu.toFixed(0)} ms)  funpack ${rate(theirs.cpu)} MB/s (${theirs.cpu.toFixed(0)} ms)  ratio ${(theirs.cpu / ours.cpu).toFixed(2)}×`,
    );
  }
  rows.forEach((r) => console.log(r));
  // Cutouts from the int16 image, row tiles (fpack default) and 256×256 tiles.
  const plain = join(dir, 'img16.fits');
  const tiled = join(dir, 'img16-tiles.fits.fz');
  execFileSync('fpack', ['-r', '-t', '256,256', '-O', tiled, plain]);
  const full = timeOurs(`${plain}.fz`).wall;
  console.log(`cutouts from the ${N}×${N} int16 RICE image (median of 20 random positions; whole image ${full.toFixed(0)} ms):`);
  for (const [path, tiling] of [[`${plain}.fz`, 'row tiles'], [tiled, '256×256 tiles']] as const) {
    for (const size of [64, 256]) {
      const c = timeCutouts(path, size, 20);
      console.log(`  ${tiling.padEnd(14)} ${size}×${size}: ${c.ms.toFixed(2)} ms, ${c.tiles} tiles decoded (${((c.ms / full) * 100).toFixed(1)}% of a full decode)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
