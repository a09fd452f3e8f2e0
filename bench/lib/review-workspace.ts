// A large review workspace for bench/review.ts, made in seconds: a few hundred 4-band 45×45 stamp
// FITS files (noise plus a lens-like ring or a blob, written with the project's stamp writer) and
// N sources pointing at them, with one model's scores and some reviewers' grades, inserted with
// Repo.insertSources / writeScores / addLabel like the app does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src-core/rng';
import { encodeStamp } from '../../src-core/stamps/format';
import { Repo } from '../../src-main/store/repo';
import { openWorkspace, type Workspace } from '../../src-main/store/workspace';

export interface BenchWorkspace {
  ws: Workspace;
  repo: Repo;
  sources: number;
  files: number;
}

function stampPlanes(rng: Rng, size: number, ring: boolean): Float32Array[] {
  const c = (size - 1) / 2;
  const re = 4 + 4 * rng.uniform();
  return [0.6, 1, 1.3, 1.5].map((gain) => {
    const p = new Float32Array(size * size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const r = Math.hypot(x - c, y - c);
        const lens = 40 * gain * Math.exp(-r / 2.5);
        const arc = ring ? 15 * (2 - gain) * Math.exp(-((r - re) ** 2) / 2) : 0;
        p[y * size + x] = lens + arc + rng.normal();
      }
    return p;
  });
}

export function makeBenchWorkspace(dir: string, nSources: number, nFiles = 300, gradedFraction = 0.05): BenchWorkspace {
  const ws = openWorkspace(dir);
  const repo = new Repo(ws.db);
  const rng = new Rng(7, 0);
  const size = 45;
  const bands = ['g', 'r', 'i', 'z'];
  mkdirSync(join(ws.dir, 'cutouts', 'bench'), { recursive: true });
  for (let f = 0; f < nFiles; f++) {
    const planes = stampPlanes(rng, size, f % 4 === 0);
    writeFileSync(join(ws.dir, 'cutouts', 'bench', `${f}.fits`), encodeStamp({ width: size, height: size, bands, planes, ra: 150, dec: 2, pixelScale: 0.2 }));
  }
  const surveyId = repo.ensureSurvey('bench', 0.2, bands);
  const catalogId = repo.ensureCatalog('Bench survey', 'bench/lib/review-workspace.ts', 'cutouts', surveyId);
  const BATCH = 5000;
  for (let start = 0; start < nSources; start += BATCH) {
    const items = [];
    for (let i = start; i < Math.min(nSources, start + BATCH); i++) {
      const ra = 150 + (i % 1000) * 1e-3;
      const dec = 2 + Math.floor(i / 1000) * 1e-3;
      items.push({
        row: i,
        name: `BENCH J${ra.toFixed(4)}+${dec.toFixed(4)}`,
        ra,
        dec,
        extra: { mag_i: 18 + (i % 70) / 10, z_phot: (i % 97) / 50 },
        cutout: { path: `cutouts/bench/${i % nFiles}.fits`, width: size, height: size, bands },
      });
    }
    repo.insertSources(catalogId, items);
  }
  const modelId = repo.ensureModel('bench-model', '1', 'placeholder', null, {});
  const ids = ws.db.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
  repo.writeScores(modelId, null, ids.map((id) => ({ sourceId: id, probability: rng.uniform() })));
  // Some grades from three other reviewers, so consensus and "hide graded" have real work to do.
  const nGraded = Math.round(ids.length * gradedFraction);
  const reviewers = ['r1', 'r2', 'r3'].map((n) => repo.ensureReviewer(n).id);
  const ins = ws.db.prepare(`INSERT INTO labels(uid, reviewer_id, source_id, grade) VALUES (?, ?, ?, ?)`);
  ws.db.transaction(() => {
    for (let k = 0; k < nGraded; k++) {
      const id = ids[Math.floor(rng.uniform() * ids.length)]!;
      for (const r of reviewers) if (rng.uniform() < 0.6) ins.run(`bench-${k}-${r}`, r, id, Math.floor(rng.uniform() * 4));
    }
  })();
  return { ws, repo, sources: ids.length, files: nFiles };
}
