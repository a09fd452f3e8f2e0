// Extra FITS HDUs of a hybrid-prior mass map (the Wiener-like KAPPA_E/KAPPA_STD stay the posterior mean and
// std so every reader of mass maps works unchanged): MEAN and STD (the product names of LensDesk's
// posterior outputs, as `lensdesk restore`) and SAMPLES (chains × rows × cols), each with the grid's WCS.
import { InputError } from '../../src-core/errors';
import type { HduSpec } from '../../src-core/fits/writer';
import { gridWcsCards, type GriddedShear } from '../../src-core/massmap/grid';

/** The bundled hybrid κ prior's folder name under models/priors/. */
export const KAPPA_PRIOR = 'kappa-hybrid';

export function noKappaPrior(): never {
  throw new InputError('MASSMAP_PRIOR', `--method hybrid needs a κ prior: none is bundled (models/priors/${KAPPA_PRIOR}); pass --prior DIR (a \`lensdesk prior train --kappa …\` folder)`, { option: 'prior' });
}

export function hybridHdus(gs: GriddedShear, mean: Float64Array, std: Float64Array, samples: Float64Array[]): HduSpec[] {
  const { rows, cols } = gs.grid;
  const wcs = gridWcsCards(gs.grid);
  const cube = new Float32Array(samples.length * rows * cols);
  samples.forEach((s, i) => cube.set(s, i * rows * cols));
  return [
    { kind: 'image', extname: 'MEAN', shape: [rows, cols], data: Float32Array.from(mean), cards: [...wcs, { keyword: 'COMMENT', value: 'hybrid-prior posterior mean of kappa (E mode)' }] },
    { kind: 'image', extname: 'STD', shape: [rows, cols], data: Float32Array.from(std), cards: [...wcs, { keyword: 'COMMENT', value: 'hybrid-prior posterior std of kappa' }] },
    { kind: 'image', extname: 'SAMPLES', shape: [samples.length, rows, cols], data: cube, cards: [...wcs, { keyword: 'COMMENT', value: 'hybrid-prior posterior samples (annealed Langevin chains)' }] },
  ];
}
