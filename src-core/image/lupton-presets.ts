// Named Lupton-composite settings for lens searches. Lensed arcs are faint and blue next to a red
// early-type deflector, so presets keep a low `stretch` (linear range) to lift the arcs and a
// moderate Q so the lens galaxy core does not saturate to white.
//  - 'astropy-default': astropy's own defaults (minimum 0, stretch 5, Q 8).
//  - 'humvi-gri': HumVI-like (Marshall et al. 2016, Space Warps; HumVI's documented CFHTLS example
//    `-s 0.4,0.6,1.7 -p 1.7,0.09` for i,r,g → R,G,B): band scales (0.4, 0.6, 1.7), Q = 1.7 and
//    alpha = 0.09 taken as stretch = 1/alpha. HumVI normalises differently from astropy, so this is
//    "like" HumVI in band balance and softening, not byte-identical.
//  - 'lens-faint-arcs': stronger lift for faint arcs in ground-based survey stamps (nanomaggy-ish
//    units, e.g. Legacy Surveys grz), stretch 0.5, Q 10.
//  - 'lens-bright': for brighter cluster-scale systems: stretch 5, Q 8, HumVI scales.
// Values are starting points to tune by eye in the grading view; they are not fitted to data.
import type { LuptonOptions } from './lupton-rgb';

export const LUPTON_PRESETS: Readonly<Record<string, Readonly<LuptonOptions> & { description: string }>> = {
  'astropy-default': { minimum: 0, stretch: 5, Q: 8, description: "astropy make_lupton_rgb defaults" },
  'humvi-gri': { minimum: 0, stretch: 1 / 0.09, Q: 1.7, scales: [0.4, 0.6, 1.7], description: 'HumVI-like i,r,g → R,G,B balance (Marshall et al. 2016)' },
  'lens-faint-arcs': { minimum: 0, stretch: 0.5, Q: 10, scales: [1, 1, 1.3], description: 'lift faint blue arcs next to a red lens galaxy' },
  'lens-bright': { minimum: 0, stretch: 5, Q: 8, scales: [0.4, 0.6, 1.7], description: 'bright group/cluster lenses' },
};
