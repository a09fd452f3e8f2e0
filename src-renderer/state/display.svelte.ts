// Display settings shared by every stamp in the grid and the candidate view, adjustable live and
// remembered between sessions (localStorage).
import type { DisplaySettings } from '../lib/stamps';

const KEY = 'lensdesk.display.v1';

interface Persisted extends DisplaySettings {
  stampSize: number;
  /** Hide other reviewers' grades until I have graded (avoids anchoring). */
  blind: boolean;
  /** Practice: after each grade of a simulated item, say whether it was a lens. */
  practice: boolean;
  /** Grid: show the lens-subtracted frame (deblend job) instead of the stamp where one exists. */
  lensSub: boolean;
}

const defaults: Persisted = {
  mode: 'colour',
  rgb: [2, 1, 0],
  band: 1,
  Q: 8,
  stretch: 6,
  interval: 'zscale',
  scale: 'asinh',
  colormap: 'grey',
  contrast: 1,
  bias: 0.5,
  limits: null,
  stampSize: 128,
  blind: true,
  practice: false,
  lensSub: false,
};

function load(): Persisted {
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(KEY) ?? '{}') };
  } catch {
    return { ...defaults };
  }
}

class Display {
  s = $state<Persisted>(load());
  /** Bumped on every change so canvases know to redraw. */
  version = $state(0);

  update(patch: Partial<Persisted>): void {
    this.s = { ...this.s, ...patch };
    this.version++;
    localStorage.setItem(KEY, JSON.stringify(this.s));
  }
}

export const display = new Display();
