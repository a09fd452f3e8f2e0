// Sharded scoring figures (issue 17): one shard-worker's scoring throughput on this machine
// (`lensdesk score --plan P --shard 0` as a child process: images/s from its "N cutouts with" line to
// its exit, so model loading is excluded, and peak RSS from /proc VmHWM), against the ordinary
// single-machine `lensdesk score` job on the same cutouts in the same run (the ratio is the cost of
// the shard path: NDJSON list + DuckDB appender + Parquet instead of SQLite); the projection to 10^8
// cutouts on a 100-node cluster; and the merge (DuckDB: per-file checks, duplicate-row check, one
// Parquet, top 1000) timed on a synthetic 10^7-row, 10-file Parquet dataset and extrapolated
// linearly to 10^8.
//
//   npm run build && npx tsx bench/shard-throughput.ts      (env: SHARD_BENCH_N=1024 cutouts, MERGE_ROWS=1e7, CORES_PER_NODE=32)
//
// Prints a table to stderr and one JSON line to stdout.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng } from '../src-core/rng';
import { CLI, ROOT, timedCli } from './lib/timed-cli';
import { openDuck, sqlString } from '../src-main/cluster/duckdb';
import { duplicateRowIds, parquetFileStats, topScores, writeMergedParquet } from '../src-main/cluster/merge';
import { writePlan } from '../src-main/cluster/plan-write';
import { writeStampFile } from '../src-main/stamps/stamp-file';
import { Repo } from '../src-main/store/repo';
import { openWorkspace } from '../src-main/store/workspace';

const N = Number(process.env.SHARD_BENCH_N ?? 1024);
const MERGE_ROWS = Number(process.env.MERGE_ROWS ?? 1e7);
const CORES_PER_NODE = Number(process.env.CORES_PER_NODE ?? 32);
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 19), ...a);
const r2 = (v: number) => Math.round(v * 100) / 100;

if (!existsSync(CLI)) {
  log(`${CLI} missing: run npm run build first`);
  process.exit(2);
}


const dir = mkdtempSync(join(tmpdir(), 'lensdesk-shard-bench-'));
const res: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: (await import('node:os')).loadavg().map(r2) };
try {
  // 1. N noise stamps in the bundled model's shape, ingested in place into a fresh workspace.
  const card = JSON.parse(readFileSync(join(ROOT, 'models', 'cmudeeplens-lsst', 'card.json'), 'utf8')) as { architecture: { inputSize: number; bands: string[] } };
  const { inputSize: size, bands } = card.architecture;
  const ws = openWorkspace(join(dir, 'ws'));
  const stampDir = join(dir, 'stamps');
  mkdirSync(stampDir);
  const repo = new Repo(ws.db);
  const cat = repo.ensureCatalog('bench', stampDir, 'cutouts', null);
  const items = [];
  for (let i = 0; i < N; i++) {
    const rng = new Rng(17, i);
    const path = join(stampDir, `s${i}.fits`);
    writeStampFile(path, { width: size, height: size, bands, planes: bands.map(() => Float32Array.from({ length: size * size }, () => rng.normal())), ra: 150 + i * 1e-4, dec: 2 });
    items.push({ row: i, name: `b${i}`, ra: 150 + i * 1e-4, dec: 2, cutout: { path, width: size, height: size, bands } });
  }
  repo.insertSources(cat, items);
  ws.close();
  log(`${N} stamps ${size}×${size}×${bands.length} written`);

  // 2. One shard-worker, then the single-machine score job on the same cutouts (peer, same run).
  const plan = join(dir, 'plan');
  await writePlan({ input: join(dir, 'ws'), shards: 1, out: plan });
  const shard = await timedCli(['score', '--plan', plan, '--shard', '0'], /shard 0: \d+ cutouts with/);
  const job = await timedCli(['score', '--workspace', join(dir, 'ws'), '--json'], null);
  const ips = N / shard.seconds;
  // End to end (spawn to exit, model loading included) for both, so the ratio compares like with like.
  const shardWallIps = N / shard.wallSeconds;
  const jobIps = N / job.wallSeconds;
  log(`shard-worker: ${r2(ips)} images/s after model load (${r2(shardWallIps)} spawn to exit), peak RSS ${Math.round(shard.peakRssMiB)} MiB; score job (peer, spawn to exit): ${r2(jobIps)} images/s, peak RSS ${Math.round(job.peakRssMiB)} MiB`);
  const total = 1e8;
  const coresPerWorker = cpus().length;
  const workersPerNode = Math.max(1, Math.floor(CORES_PER_NODE / coresPerWorker));
  const coreHours = (total / ips) * coresPerWorker / 3600;
  const wallHours = total / (100 * workersPerNode * ips) / 3600;
  res.scoring = {
    cutouts: N, stamp: `${size}x${size}x${bands.length}`, shardImagesPerS: r2(ips), shardPeakRssMiB: Math.round(shard.peakRssMiB),
    shardWallImagesPerS: r2(shardWallIps), scoreJobWallImagesPerS: r2(jobIps), scoreJobPeakRssMiB: Math.round(job.peakRssMiB), ratioShardOverJobWall: r2(shardWallIps / jobIps),
    coresPerWorker, projection: { cutouts: total, nodes: 100, coresPerNode: CORES_PER_NODE, workersPerNode, coreHours: Math.round(coreHours), wallHours: r2(wallHours), assumption: `linear scaling: ${workersPerNode} workers of ${coresPerWorker} cores per ${CORES_PER_NODE}-core node, each at this machine's rate; no I/O or scheduler limits` },
  };
  log(`10^8 cutouts: ${Math.round(coreHours)} core-hours; ${r2(wallHours)} h wall on 100 nodes × ${CORES_PER_NODE} cores (${workersPerNode} workers/node)`);

  // 3. Merge on a synthetic 10-file Parquet dataset (generated with DuckDB).
  const mdir = join(dir, 'merge');
  mkdirSync(mdir);
  const files: string[] = [];
  const gen = await openDuck(':memory:', '1GB', join(mdir, 'tmp'));
  const per = Math.ceil(MERGE_ROWS / 10);
  const tg = performance.now();
  for (let f = 0; f < 10; f++) {
    const file = join(mdir, `shard-${f}.parquet`);
    await gen.conn.run(`COPY (SELECT i::BIGINT AS row_id, 'src ' || i AS source_id, 150 + i * 1e-7 AS ra, 2.0 AS dec, random() AS score, 'v1' AS model_version FROM range(${f * per}, ${Math.min(MERGE_ROWS, (f + 1) * per)}) t(i)) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    files.push(file);
  }
  gen.close();
  log(`synthetic ${MERGE_ROWS} rows in 10 Parquet files: ${r2((performance.now() - tg) / 1000)} s`);
  const rss0 = process.resourceUsage().maxRSS;
  const duck = await openDuck(':memory:', '1GB', join(mdir, 'tmp'));
  const t0 = performance.now();
  const stats = await parquetFileStats(duck, files);
  const dups = await duplicateRowIds(duck, files);
  const t1 = performance.now();
  await writeMergedParquet(duck, files, join(mdir, 'scores.parquet'), { bench: '1' });
  const t2 = performance.now();
  const top = await topScores(duck, join(mdir, 'scores.parquet'), 1000);
  const t3 = performance.now();
  duck.close();
  const rows = stats.reduce((a, s) => a + s.rows, 0);
  if (rows !== MERGE_ROWS || dups.length || top.length !== 1000) throw new Error(`merge bench sanity: rows ${rows}, dups ${dups.length}, top ${top.length}`);
  const mergeS = (t3 - t0) / 1000;
  res.merge = {
    rows: MERGE_ROWS, files: 10, seconds: { check: r2((t1 - t0) / 1000), write: r2((t2 - t1) / 1000), top1000: r2((t3 - t2) / 1000), total: r2(mergeS) },
    memoryLimit: '1GB', processMaxRssMiB: Math.round(Math.max(rss0, process.resourceUsage().maxRSS) / 1024),
    extrapolated1e8Seconds: Math.round((mergeS * 1e8) / MERGE_ROWS), extrapolation: 'linear in rows (extrapolated, not measured)',
  };
  log(`merge ${MERGE_ROWS} rows: check ${r2((t1 - t0) / 1000)} s, write ${r2((t2 - t1) / 1000)} s, top-1000 ${r2((t3 - t2) / 1000)} s; 10^8 extrapolated: ${Math.round((mergeS * 1e8) / MERGE_ROWS)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(res));
