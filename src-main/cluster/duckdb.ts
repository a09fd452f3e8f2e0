// The few DuckDB pieces the shard writer and the merge share (@duckdb/node-api: the Parquet reader
// and writer are DuckDB's own, never hand-written here).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A SQL string literal (DuckDB, like standard SQL, doubles embedded single quotes). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A list literal of file names for read_parquet([...]). */
export function sqlFileList(paths: string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

export interface Duck {
  conn: DuckDBConnection;
  close(): void;
}

/**
 * Opens DuckDB (in memory, or on disk at `path` so tables larger than memory spill there) with a
 * memory ceiling: DuckDB spills sorts and aggregates to its temp directory beyond it.
 */
export async function openDuck(path = ':memory:', memoryLimit = '512MB', tempDir?: string): Promise<Duck> {
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  await conn.run(`SET memory_limit = ${sqlString(memoryLimit)}`);
  if (tempDir) await conn.run(`SET temp_directory = ${sqlString(tempDir)}`);
  return {
    conn,
    close() {
      conn.closeSync();
      inst.closeSync();
    },
  };
}

/** The Parquet schema every shard file has (and the merged table keeps). */
export const SCORE_TABLE_DDL = `CREATE TABLE scores (
  row_id BIGINT NOT NULL,       -- the plan item's row id (workspace source id)
  source_id VARCHAR NOT NULL,   -- the source's name
  ra DOUBLE,                    -- degrees, ICRS
  dec DOUBLE,                   -- degrees, ICRS
  score DOUBLE NOT NULL,        -- lens probability from the model (float32 value, stored exactly)
  model_version VARCHAR NOT NULL
)`;
