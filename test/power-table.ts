// A κ power-spectrum table (columns ell, C_ell; a power law of κTNG's order of magnitude) for tests of the
// Wiener and hybrid mass maps and of κ prior training, written as the CSV that --ps reads.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writePowerTable(dir: string, name = 'ps.csv'): string {
  const path = join(dir, name);
  const rows = ['ell,C_ell'];
  for (let l = 10; l < 1e5; l *= 1.3) rows.push(`${l},${6e-10 * (l / 1000) ** -1.2}`);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}
