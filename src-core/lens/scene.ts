// A scene: everything needed to render one cutout, and (with the drawn scalars) its truth record.
// Light components carry unit total flux (`params.flux` = 1, or the part's share for clumpy
// sources) and an AB magnitude per band; e⁻ = 10^{−0.4 (m − zp)} · t_total scales them.

export type Band = string;

export interface MassComponent {
  profile: string;
  params: Record<string, number>;
}

export interface LightComponent {
  /** Role in the scene: 'lens', 'source', 'source_knots', 'ring', 'spiral', 'bulge', 'companion1'… */
  role: string;
  profile: string;
  params: Record<string, number>;
  /** Seen through the lens (evaluated at β = θ − α(θ)). */
  lensed: boolean;
  /** AB magnitude per band of the component's total (unlensed) flux. */
  mags: Record<Band, number>;
}

export interface PointSource {
  role: string;
  x: number; // arcsec
  y: number;
  mags: Record<Band, number>;
}

export type Artefact =
  | { kind: 'cosmic_ray'; band: Band; x: number; y: number; length: number; angle: number; electrons: number }
  | { kind: 'satellite_trail'; band: Band; offset: number; angle: number; peakSigmas: number };

export interface Scene {
  isLens: boolean;
  /** 'lens' or the negative kind ('deflector', 'ring', 'spiral', 'merger', 'star', 'artefact'). */
  kind: string;
  mass: MassComponent[];
  light: LightComponent[];
  points: PointSource[];
  artefacts: Artefact[];
}
