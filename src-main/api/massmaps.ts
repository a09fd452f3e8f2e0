// Mass maps of the workspace for the Mass map view: the `products` rows of kind 'massmap' and, per map,
// its peak catalogue (from the job's summary file massmaps/job-<id>.json) and the candidates inside its
// field (sources with RA/Dec within the circle circumscribing the map, then projected by the view).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { MassMapInfo, MassMapOverlay } from '../../src-core/api/contract';
import { NotFoundError } from '../../src-core/errors';
import { getProduct, listProducts } from '../store/products';

export function listMassMaps(db: Database.Database): MassMapInfo[] {
  return listProducts(db, null, 'massmap').map((p) => ({ id: p.id, jobId: p.jobId, path: p.path, params: p.params, summary: p.summary, createdAt: p.createdAt }));
}

const D2R = Math.PI / 180;

/** Great-circle separation in degrees (haversine, stable at small angles). */
function sepDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const a = Math.sin(((dec2 - dec1) * D2R) / 2) ** 2 + Math.cos(dec1 * D2R) * Math.cos(dec2 * D2R) * Math.sin(((ra2 - ra1) * D2R) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(a)))) / D2R;
}

export function massMapOverlay(db: Database.Database, workspaceDir: string, productId: number): MassMapOverlay {
  const p = getProduct(db, productId);
  if (!p || p.kind !== 'massmap') throw new NotFoundError('MASSMAP_NOT_FOUND', `no mass map with id ${productId}`, { productId });
  const meta = join(workspaceDir, p.path.replace(/\.fits$/, '.json'));
  let peaks: MassMapOverlay['peaks'] = [], snrFrom = '';
  if (existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { extras?: { peaks: MassMapOverlay['peaks']; snrFrom: string } };
    peaks = m.extras?.peaks ?? [];
    snrFrom = m.extras?.snrFrom ?? '';
  }
  const s = p.summary as { center?: [number, number]; field?: [number, number] };
  const candidates: MassMapOverlay['candidates'] = [];
  if (s.center && s.field) {
    const [ra0, dec0] = s.center, radius = (Math.hypot(s.field[0], s.field[1]) / 2 / 60) * 1.01;
    const rows = db
      .prepare('SELECT id, name, ra, dec FROM sources WHERE ra IS NOT NULL AND dec BETWEEN ? AND ? ORDER BY id')
      .all(dec0 - radius, dec0 + radius) as { id: number; name: string; ra: number; dec: number }[];
    for (const r of rows) if (sepDeg(ra0, dec0, r.ra, r.dec) <= radius) candidates.push({ sourceId: r.id, name: r.name, ra: r.ra, dec: r.dec });
  }
  return { peaks, snrFrom, candidates };
}
