// Helpers shared by the store's concern modules: the shape better-sqlite3 returns for a row, and
// lenient parsing of the JSON columns (a damaged value reads as the fallback, never throws).
export type Row = Record<string, unknown>;

export const json = <T>(s: unknown, fallback: T): T => {
  if (typeof s !== 'string' || !s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};
