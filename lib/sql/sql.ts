/**
 * The SQL sink interface: one small contract for PostgreSQL, with two implementations, PGlite
 * (embedded PostgreSQL in WebAssembly: a folder in the work folder, or in memory) and a real
 * server through `pg`. `openSql()` in ./index.ts picks one from `config().sql` (DATABASE_URL).
 *
 * Parameters are PostgreSQL's own: `$1, $2, ...` with an array of values.
 * Result values are normalised on both: int8 as number (bigint beyond 2^53), numeric as number,
 * date as "YYYY-MM-DD", timestamp and timestamptz as Date (timestamp read as UTC).
 */

export interface SqlResult<Row = Record<string, unknown>> {
  rows: Row[];
  /** Column names in result order. */
  columns: string[];
  /** Rows returned, or changed by INSERT / UPDATE / DELETE. */
  rowCount: number;
}

export interface UpsertOptions {
  /** The conflict target: the primary key or a unique index's columns. */
  key: string[];
  /** Columns to overwrite on conflict. Default: every column of the rows not in `key`. Empty: keep the old row (DO NOTHING). */
  update?: string[];
}

/** What a database and a transaction both offer. */
export interface SqlQueryable {
  /** Runs one statement with `$1...` parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** Runs a script of several statements, without parameters (e.g. CREATE TABLE ...; CREATE INDEX ...). */
  exec(sql: string): Promise<void>;
  /**
   * Inserts rows, or updates the existing row with the same `key` (INSERT ... ON CONFLICT DO UPDATE).
   * Returns the number of rows inserted or updated.
   */
  upsert(table: string, rows: Record<string, unknown>[], options: UpsertOptions): Promise<number>;
}

export interface SqlDatabase extends SqlQueryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Closes the database (PGlite) or the connection pool (pg). */
  close(): Promise<void>;
}
