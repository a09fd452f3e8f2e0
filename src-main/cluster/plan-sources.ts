// Where a shard plan's cutouts come from, as one streaming interface: the stamps of a workspace (in
// source-id order, paged) or a folder of FITS cutouts (the files `lensdesk ingest FOLDER` would take,
// via its scanner, in sorted path order; a multi-cutout cube counts once per cutout, so shards balance
// by cutouts, not files). Both know their count before listing, so shards can be cut in one pass.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { PlanItem } from '../../src-core/cluster/plan-schema';
import { InputError } from '../../src-core/errors';
import { FitsFile } from '../../src-core/fits/index';
import { openCutoutChunk } from '../../src-core/stamps/cutout-chunk';
import { openByteSource } from '../fits/file-source';
import { scanFitsFolder } from '../jobs/kinds/ingest-scan';
import { activeModelPath } from '../jobs/kinds/score';
import { Repo } from '../store/repo';
import { countStampSources, sourcesWithStampsAfter } from '../store/shard-sources';
import { openWorkspace } from '../store/workspace';
import { sha256File } from './checksum';

export interface ItemSource {
  kind: 'workspace' | 'folder';
  path: string;
  n: number;
  /** The model `lensdesk score` would use here (a workspace's active model), when not the bundled one. */
  defaultModelPath?: string;
  next(): PlanItem | undefined;
  close(): void;
}

const PAGE = 4096;

export function isWorkspaceDir(path: string): boolean {
  return existsSync(resolve(path, 'lensdesk.sqlite'));
}

export function workspaceItems(dir: string, catalogId: number | undefined, checksums: boolean): ItemSource {
  const ws = openWorkspace(dir);
  const n = countStampSources(ws.db, catalogId);
  let after = 0;
  let page: PlanItem[] = [];
  let pos = 0;
  return {
    kind: 'workspace', path: ws.dir, n, defaultModelPath: activeModelPath(new Repo(ws.db), ws.dir),
    next() {
      if (pos >= page.length) {
        const rows = sourcesWithStampsAfter(ws.db, after, PAGE, catalogId);
        if (!rows.length) return undefined;
        after = rows[rows.length - 1]!.sourceId;
        page = rows.map((r) => {
          const path = isAbsolute(r.path) ? r.path : resolve(ws.dir, r.path);
          return { row: r.sourceId, id: r.name, ra: r.ra, dec: r.dec, path, ...(checksums ? { sha256: sha256File(path) } : {}) };
        });
        pos = 0;
      }
      return page[pos++];
    },
    close: () => ws.close(),
  };
}

/** Cutouts in a FITS file: a cube's count, else 1 (headers only; no pixels are read). */
function cutoutCount(path: string): { count: number; cube: boolean } {
  const src = openByteSource(path);
  try {
    const chunk = openCutoutChunk(new FitsFile(src));
    return { count: chunk?.count ?? 1, cube: chunk !== null };
  } catch (e) {
    throw new InputError('BAD_CUTOUT_FILE', `${path}: not a readable FITS cutout file (${(e as Error).message})`, { path });
  } finally {
    src.close?.();
  }
}

export function folderItems(dir: string, checksums: boolean): ItemSource {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InputError('NOT_A_FOLDER', `${root} is neither a workspace (no lensdesk.sqlite) nor a folder of FITS cutouts; to plan from a catalog + survey images, lensdesk ingest --catalog-file … first`, { path: root });
  }
  const { files } = scanFitsFolder(root, true);
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const counts = files.map((f) => cutoutCount(f.path));
  const n = counts.reduce((a, b) => a + b.count, 0);
  let fi = 0;
  let j = 0;
  let row = 0;
  let sum: string | undefined;
  return {
    kind: 'folder', path: root, n,
    next() {
      while (fi < files.length && j >= counts[fi]!.count) {
        fi++;
        j = 0;
        sum = undefined;
      }
      if (fi >= files.length) return undefined;
      const f = files[fi]!;
      if (checksums && sum === undefined) sum = sha256File(f.path);
      const cube = counts[fi]!.cube;
      const item: PlanItem = { row: row++, id: cube ? `${f.rel}#${j}` : f.rel, ra: null, dec: null, path: resolve(f.path), ...(cube ? { cutout: j } : {}), ...(sum ? { sha256: sum } : {}) };
      j++;
      return item;
    },
    close() {},
  };
}
