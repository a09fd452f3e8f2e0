// The picture of docs/deblend.md: hsc_cosmos.fits data | model | residual (Lupton RGB of i, r, g;
// same stretch), each ×4 nearest-neighbour. Run: npx tsx bench/deblend-picture.ts [OUT.png]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deblend } from '../src-core/deblend/index';
import { makeLuptonRgb } from '../src-core/image/lupton-rgb';
import { encodePng } from '../src-core/image/png';
import { readCutout } from '../src-main/deblend/cutout-file';
import { SHARED_DIR } from '../test/shared';

const cut = readCutout(join(SHARED_DIR, 'data', 'blends', 'hsc_cosmos.fits'));
const r = deblend({ images: cut.images, rows: cut.rows, cols: cut.cols, psfs: cut.psfs, positions: cut.positions });
const { rows, cols } = cut, z = 4, panels = [cut.images, r.model, r.residual];
const W = cols * z * 3 + 2 * 4, H = rows * z, data = new Uint8Array(W * H * 3).fill(255);
panels.forEach((p, k) => {
  const rgb = makeLuptonRgb(p[2]!, p[1]!, p[0]!, { stretch: 1, Q: 8 });
  for (let y = 0; y < H; y++) for (let x = 0; x < cols * z; x++) {
    const src = (Math.floor(y / z) * cols + Math.floor(x / z)) * 3, dst = (y * W + k * (cols * z + 4) + x) * 3;
    data[dst] = rgb[src]!; data[dst + 1] = rgb[src + 1]!; data[dst + 2] = rgb[src + 2]!;
  }
});
const out = process.argv[2] ?? 'docs/img/deblend-hsc.png';
writeFileSync(out, encodePng({ width: W, height: H, channels: 3, data }, { flipY: true }));
console.log(`${out}: data | model | residual, ${r.sources.length} sources, χ²/pixel ${r.chi2PerPixel.toFixed(3)}`);
