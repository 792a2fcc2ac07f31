/**
 * The warehouse interface: one small contract with two implementations, DuckDB (embedded, a file in
 * the work folder or in memory) and BigQuery. Which one a notebook gets is decided in one place,
 * `openWarehouse()` in ./index.ts, from `config().warehouse`.
 *
 * Names: a table is `name` (in the warehouse's default dataset) or `dataset.name`. In DuckDB a
 * dataset is a schema; in BigQuery it is a dataset.
 */
import type { DialectSql } from "./dialect";

/** Column types, in BigQuery's names (DuckDB maps them to its own types). */
export type ColumnType = "STRING" | "INT64" | "FLOAT64" | "NUMERIC" | "BOOL" | "DATE" | "TIMESTAMP" | "JSON";

export interface Column {
  name: string;
  type: ColumnType;
  /** NULLABLE (default) or REQUIRED. */
  mode?: "NULLABLE" | "REQUIRED";
  description?: string;
}

/** A table's schema, with optional day partitioning and clustering. */
export interface TableSchema {
  columns: Column[];
  /** A DATE or TIMESTAMP column: the table is partitioned by day on it. Default: not partitioned. */
  partitionBy?: string;
  /** Up to four columns to cluster (BigQuery) or sort on load (DuckDB) by. Default: none. */
  clusterBy?: string[];
}

/** APPEND adds rows; TRUNCATE replaces the whole table (or the one `partition`). */
export type WriteDisposition = "APPEND" | "TRUNCATE";

export interface LoadOptions {
  /** Default "APPEND"; "TRUNCATE" when `partition` is given. */
  write?: WriteDisposition;
  /**
   * One day, "YYYY-MM-DD": replace exactly that partition of a day-partitioned table, idempotently
   * (BigQuery: a WRITE_TRUNCATE load into `table$YYYYMMDD`; DuckDB: delete that day and insert, in one
   * transaction). Every loaded row must fall in that day.
   */
  partition?: string;
}

export interface FileLoadOptions extends LoadOptions {
  /** Default: from the file name (.parquet is PARQUET, anything else NDJSON). */
  format?: "NDJSON" | "PARQUET";
}

export interface MergeOptions {
  /**
   * The columns that identify a row, e.g. `["uri", "k", "resize"]`: a stored row with the same key
   * is replaced, every other row stays. Every row needs a value for each, and no two rows may share
   * a key. Required.
   */
  key: string[];
  /**
   * Keys whose stored rows are deleted (objects of the key columns only), e.g. images that are no
   * longer rejected. A key that is not stored is fine; a key may not also be among the rows.
   * Default: none.
   */
  delete?: Record<string, unknown>[];
}

export interface MergeResult {
  table: string;
  /** Rows written: each inserted, or replacing the stored row with its key. */
  rows: number;
  /** Keys in `delete`: each removed its stored row, if there was one. */
  deleted: number;
}

export interface LoadResult {
  table: string;
  rows: number;
  write: WriteDisposition;
  partition?: string;
}

/** SQL for the warehouse: one portable text, or the DuckDB and BigQuery texts side by side. */
export type WarehouseSql = string | DialectSql;

/** Named query parameters: write `@name` in the SQL (BigQuery style; on DuckDB it becomes `$name`). */
export type QueryParams = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Explicit types for parameters whose JavaScript value is ambiguous, e.g. `{ day: "DATE" }` for a
   * "YYYY-MM-DD" string. Default: inferred (number, string, boolean, Date as TIMESTAMP).
   */
  types?: Record<string, ColumnType>;
}

export interface QueryResult<Row = Record<string, unknown>> {
  /** Column names in result order. */
  columns: string[];
  /**
   * Rows as plain objects. Values are normalised across engines: integers as numbers (bigint beyond
   * 2^53), NUMERIC as numbers, DATE as "YYYY-MM-DD" strings, TIMESTAMP as Date, null as null.
   */
  rows: Row[];
}

export interface TableInfo {
  name: string;
  dataset: string;
  schema: TableSchema;
}

export interface Warehouse {
  readonly kind: "duckdb" | "bigquery";
  /** The default dataset for unqualified table names. */
  readonly dataset: string;
  /** Creates a dataset if it does not exist (default: the warehouse's dataset). */
  createDataset(name?: string): Promise<void>;
  /** Creates a table if it does not exist (its dataset too). */
  createTable(table: string, schema: TableSchema): Promise<void>;
  /** The table's schema, partitioning and clustering. */
  describeTable(table: string): Promise<TableInfo>;
  /** Table names in a dataset (default: the warehouse's dataset), sorted. */
  listTables(dataset?: string): Promise<string[]>;
  /** Loads rows, checked against the table's schema first; all or nothing. */
  loadRows(table: string, rows: Record<string, unknown>[], options?: LoadOptions): Promise<LoadResult>;
  /**
   * Merges rows by their key, all or nothing: the idempotent load for data with a key of its own.
   * A stored row with the same key is replaced, a new key is inserted, the `delete` keys are removed,
   * and nothing else in the table is touched (unlike a partition overwrite, which drops every row of
   * the day that the load does not bring again). DuckDB: one MERGE INTO statement; BigQuery: a load
   * into a staging table, one MERGE statement, then the staging table is dropped.
   */
  mergeRows(table: string, rows: Record<string, unknown>[], options: MergeOptions): Promise<MergeResult>;
  /** Loads an NDJSON or Parquet file, checked against the table's schema; all or nothing. */
  loadFile(table: string, file: string, options?: FileLoadOptions): Promise<LoadResult>;
  /** Runs a query with named parameters. */
  query<Row = Record<string, unknown>>(sql: WarehouseSql, params?: QueryParams, options?: QueryOptions): Promise<QueryResult<Row>>;
  /** Runs a query and returns a danfojs DataFrame (danfojs-node is loaded on first use). */
  queryFrame(sql: WarehouseSql, params?: QueryParams, options?: QueryOptions): Promise<import("danfojs-node").DataFrame>;
  /** Releases the engine (closes the DuckDB database; the BigQuery client has nothing to close). */
  close(): Promise<void>;
}
