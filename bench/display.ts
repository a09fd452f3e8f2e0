// Display pipeline per stamp: Lupton RGB (64×64×3 float32), zscale + asinh grey render (64×64),
// PNG encode (64×64 RGB), and the full 721×720 2MASS composite. Peer: the same Lupton steps as
// astropy 8's make_lupton_rgb transcribed in NumPy (astropy is not installed here), timed in the
// same run with Debian's /usr/bin/python3. Run: npx tsx bench/display.ts
import { execFileSync } from 'node:child_process';
import { Rng } from '../src-core/rng';
import { ZScaleInterval } from '../src-core/image/interval';
import { makeLuptonRgb } from '../src-core/image/lupton-rgb';
import { encodePng } from '../src-core/image/png';
import { renderGray } from '../src-core/image/render';
import { asinhStretch } from '../src-core/image/stretch';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
function time(fn: () => void, reps: number, rounds = 7): number {
  for (let i = 0; i < reps; i++) fn(); // warm-up
  const t: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    t.push((performance.now() - t0) / reps);
  }
  return median(t);
}

const rng = new Rng(1, 0);
const stamp = (n: number) => Float32Array.from({ length: n }, () => 0.05 * rng.normal() + (rng.uniform() < 0.01 ? 5 : 0));
const N = 64 * 64;
const [r, g, b] = [stamp(N), stamp(N), stamp(N)];
const out = new Uint8Array(3 * N);
const big = [stamp(721 * 720), stamp(721 * 720), stamp(721 * 720)];

const lupton64 = time(() => makeLuptonRgb(r, g, b, { minimum: 0, stretch: 0.5, Q: 8 }, out), 2000);
const lupton721 = time(() => makeLuptonRgb(big[0]!, big[1]!, big[2]!, { minimum: 0, stretch: 0.5, Q: 8 }), 3, 5);
const zs = new ZScaleInterval();
const st = asinhStretch(0.1);
const grey64 = time(() => renderGray(r, 64, 64, { interval: zs, stretch: st }), 500);
const rgbImg = { width: 64, height: 64, channels: 3 as const, data: makeLuptonRgb(r, g, b, { stretch: 0.5, Q: 8 }) };
const png64 = time(() => encodePng(rgbImg, { flipY: true }), 300);

const PY = String.raw`
import time, json, numpy as np
rng = np.random.default_rng(1)
def stamp(n): return (0.05 * rng.standard_normal(n) + (rng.random(n) < 0.01) * 5).astype(np.float32).reshape(-1, 64 if n == 4096 else 721)
def lupton(r, g, b, minimum=0.0, stretch=0.5, Q=8.0):
    # astropy 8 RGBImageMappingLupton.apply_mappings + uint8 conversion, transcribed
    img = np.asarray([r - minimum, g - minimum, b - minimum])
    I = (img[0] + img[1] + img[2]) / 3.0
    slope = 0.1 / np.arcsinh(0.1 * Q); soften = Q / float(stretch)
    fI = np.arcsinh(I * soften) * slope
    with np.errstate(invalid='ignore', divide='ignore'):
        fInorm = np.where(I <= 0, 0, np.true_divide(fI, I))
    np.multiply(img, fInorm, out=img)
    img = np.clip(img, 0.0, None)
    mx = np.max(img, axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        img = np.where(mx > 1.0, np.true_divide(img * 1.0, mx), img)
    img *= 255.0
    return np.dstack(img.astype(np.uint8))
def bench(f, reps, rounds=7):
    for _ in range(reps): f()
    t = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps): f()
        t.append((time.perf_counter() - t0) / reps * 1000)
    return sorted(t)[len(t) // 2]
s = [stamp(4096) for _ in range(3)]; B = [stamp(721 * 720) for _ in range(3)]
print(json.dumps({'lupton64_ms': bench(lambda: lupton(*s), 500), 'lupton721_ms': bench(lambda: lupton(*B), 3, 5), 'numpy': np.__version__}))
`;
let peer: { lupton64_ms: number; lupton721_ms: number; numpy: string } | undefined;
try {
  peer = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY], { timeout: 120_000 }).toString());
} catch (e) {
  console.log(`peer skipped: ${(e as Error).message.split('\n')[0]}`);
}
const row = (name: string, ms: number, peerMs?: number) =>
  console.log(`${name.padEnd(38)} ${ms.toFixed(4).padStart(10)} ms${peerMs ? `   numpy ${peerMs.toFixed(4).padStart(9)} ms   ratio ours/numpy ${(ms / peerMs).toFixed(2)}` : ''}`);
console.log(`node ${process.version}${peer ? `, numpy ${peer.numpy} (/usr/bin/python3)` : ''}; median of rounds`);
row('Lupton RGB 64×64×3 (float32)', lupton64, peer?.lupton64_ms);
row('Lupton RGB 721×720×3 (float32)', lupton721, peer?.lupton721_ms);
row('grey render 64×64 (zscale + asinh)', grey64);
row('PNG encode 64×64 RGB (flipY)', png64);
