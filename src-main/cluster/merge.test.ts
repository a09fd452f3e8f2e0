// The DuckDB steps of `lensdesk merge` on small Parquet files made here with DuckDB: per-file stats,
// the duplicate-row check (which must fire on an overlap), the merged file and the top-K order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuck, sqlString } from './duckdb';
import { duplicateRowIds, parquetFileStats, topScores, writeMergedParquet } from './merge';

const dir = mkdtempSync(join(tmpdir(), 'lensdesk-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function shardFile(name: string, from: number, to: number): Promise<string> {
  const duck = await openDuck();
  const file = join(dir, name);
  // score = row / 1000 makes the expected order independent of DuckDB.
  await duck.conn.run(`COPY (SELECT i::BIGINT AS row_id, 'src ' || i AS source_id, 150.0 + i AS ra, -2.0 AS dec, i / 1000.0 AS score, 'v7' AS model_version FROM range(${from}, ${to}) t(i)) TO ${sqlString(file)} (FORMAT parquet)`);
  duck.close();
  return file;
}

describe('merge steps (DuckDB over Parquet)', () => {
  it('counts rows per file, writes one file with every row once, and takes the top K by score', async () => {
    const files = [await shardFile('a.parquet', 0, 40), await shardFile('b.parquet', 40, 70), await shardFile('c.parquet', 70, 100)];
    const duck = await openDuck();
    try {
      const stats = await parquetFileStats(duck, files);
      expect(stats.map((s) => [s.rows, s.lo, s.hi, s.versions, s.version])).toEqual([[40, 0, 39, 1, 'v7'], [30, 40, 69, 1, 'v7'], [30, 70, 99, 1, 'v7']]);
      expect(await duplicateRowIds(duck, files)).toEqual([]);
      const merged = join(dir, 'merged.parquet');
      await writeMergedParquet(duck, files, merged, { plan_id: 'abc' });
      const back = (await duck.conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT row_id)::BIGINT AS d, sum(row_id)::BIGINT AS s FROM read_parquet(${sqlString(merged)})`)).getRowObjects()[0]!;
      expect([Number(back.n), Number(back.d), Number(back.s)]).toEqual([100, 100, (99 * 100) / 2]);
      const meta = (await duck.conn.runAndReadAll(`SELECT decode(value) AS v FROM parquet_kv_metadata(${sqlString(merged)}) WHERE decode(key) = 'plan_id'`)).getRowObjects();
      expect(meta.map((m) => String(m.v))).toEqual(['abc']);
      expect((await topScores(duck, merged, 3)).map((t) => t.sourceId)).toEqual([99, 98, 97]);
      expect((await topScores(duck, merged, 10, 0.095)).map((t) => t.sourceId)).toEqual([99, 98, 97, 96, 95]);
      expect(await topScores(duck, merged, 0)).toEqual([]);
    } finally {
      duck.close();
    }
  });

  it('finds row ids present in two shards', async () => {
    const files = [await shardFile('d.parquet', 0, 10), await shardFile('e.parquet', 8, 20)];
    const duck = await openDuck();
    try {
      expect(await duplicateRowIds(duck, files)).toEqual([{ row: 8, count: 2 }, { row: 9, count: 2 }]);
    } finally {
      duck.close();
    }
  });
});
