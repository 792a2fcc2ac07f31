import type { SqlDatabase } from "../../sql/sql";
import type { Sink } from "./sink";

export interface PostgresSinkOptions {
  /** An open database (from `openSql()`). */
  sql: SqlDatabase;
  table: string;
  /** The primary key columns, e.g. ["window_start", "movie_id"]. */
  key: string[];
}

/**
 * Upserts each batch's rows into a PostgreSQL table in one transaction (INSERT ... ON CONFLICT
 * (key) DO UPDATE). Writing the same rows twice leaves the same table, so replays are harmless;
 * and an updated window replaces its row instead of failing on the primary key, the original's bug.
 */
export function postgresSink<Row extends Record<string, unknown>>(options: PostgresSinkOptions): Sink<Row> {
  return {
    name: `postgres:${options.table}`,
    async write(batch) {
      if (batch.rows.length === 0) return;
      await options.sql.transaction((tx) => tx.upsert(options.table, batch.rows, { key: options.key }));
    },
  };
}
