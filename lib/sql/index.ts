/**
 * The SQL module: `openSql()` opens PostgreSQL, embedded (PGlite, a folder in the work folder) by
 * default, or the server at DATABASE_URL (or at `options.url`).
 *
 *   const db = await openSql({ memory: true });
 *   await db.exec("CREATE TABLE movie_ratings (window_start date, movie_id int, n int, PRIMARY KEY (window_start, movie_id))");
 *   await db.upsert("movie_ratings", rows, { key: ["window_start", "movie_id"] });
 *   const { rows } = await db.query("SELECT * FROM movie_ratings WHERE movie_id = $1", [42]);
 *   await db.transaction(async (tx) => { await tx.query("DELETE ..."); await tx.upsert(...); });
 *   await db.close();
 */
import { config } from "../config";
import { PGliteDatabase, type PGliteExtensionName } from "./pglite";
import { PostgresDatabase } from "./postgres";
import type { SqlDatabase } from "./sql";

export interface OpenSqlOptions {
  /** A PostgreSQL server URL. Default: DATABASE_URL; unset means PGlite. */
  url?: string;
  /** PGlite in memory (nothing on disk), even when DATABASE_URL is set. Default false. */
  memory?: boolean;
  /** PGlite data folder. Default: `<work folder>/pglite`. */
  dataDir?: string;
  /**
   * PGlite only: contrib extensions to load, e.g. ["unaccent", "pg_trgm"], so `CREATE EXTENSION`
   * works (a server has them when its postgresql-contrib files are installed). Default: none.
   */
  extensions?: PGliteExtensionName[];
}

/** Opens the configured PostgreSQL (or the one `options` ask for). Close it with `close()`. */
export async function openSql(options: OpenSqlOptions = {}): Promise<SqlDatabase> {
  const extensions = options.extensions;
  if (options.url) return PostgresDatabase.create({ url: options.url });
  if (options.memory) return PGliteDatabase.create({ extensions });
  if (options.dataDir) return PGliteDatabase.create({ dataDir: options.dataDir, extensions });
  const cfg = config().sql;
  if (cfg.kind === "postgres" && cfg.url) return PostgresDatabase.create({ url: cfg.url });
  return PGliteDatabase.create({ dataDir: cfg.pglitePath, extensions });
}

export { PGLITE_EXTENSIONS } from "./pglite";
export { plainName } from "./statements";
export type { PGliteExtensionName } from "./pglite";
export type { SqlDatabase, SqlQueryable, SqlResult, UpsertOptions } from "./sql";
export { SqlError } from "../errors";
export type { SqlPosition } from "../errors";
