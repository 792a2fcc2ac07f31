/**
 * The warehouse module: `openWarehouse()` picks DuckDB or BigQuery from `config().warehouse`
 * (WAREHOUSE, GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET, BIGQUERY_LOCATION), or from options.
 *
 *   const wh = await openWarehouse({ memory: true });          // DuckDB in memory (tests)
 *   await wh.createTable("visits", { columns: [...], partitionBy: "day", clusterBy: ["state"] });
 *   await wh.loadRows("visits", rows, { partition: "2021-03-26" });
 *   await wh.mergeRows("images", rows, { key: ["uri"] });       // replaces rows by key, keeps the others
 *   const { rows } = await wh.query("SELECT state, count(*) AS n FROM visits WHERE day = @day GROUP BY state", { day: "2021-03-26" }, { types: { day: "DATE" } });
 *   await wh.close();
 */
import { config } from "../config";
import { BigQueryWarehouse } from "./bigquery";
import { DuckDBWarehouse } from "./duckdb";
import type { Warehouse } from "./warehouse";

export interface OpenWarehouseOptions {
  /** "duckdb" or "bigquery". Default: `config().warehouse.kind` (WAREHOUSE, default duckdb). */
  kind?: "duckdb" | "bigquery";
  /** DuckDB only: an in-memory database (nothing written to disk). Default false. */
  memory?: boolean;
  /** DuckDB only: the database file. Default: `<work folder>/warehouse.duckdb`. */
  path?: string;
  /** Default dataset. Default: `config().warehouse.dataset` (BIGQUERY_DATASET, default "workbook"). */
  dataset?: string;
  /** BigQuery only: project. Default: GOOGLE_CLOUD_PROJECT. */
  project?: string;
  /** BigQuery only: location. Default: BIGQUERY_LOCATION, default "US". */
  location?: string;
  /** BigQuery only: API endpoint, e.g. a local stand-in "http://127.0.0.1:9050". Default: Google's. */
  apiEndpoint?: string;
  /** BigQuery only: an auth client (anything with `getRequestHeaders()`), e.g. a fake in tests. Default: Application Default Credentials. */
  authClient?: unknown;
}

/** Opens the configured warehouse (or the one `options` ask for). Close it with `close()`. */
export async function openWarehouse(options: OpenWarehouseOptions = {}): Promise<Warehouse> {
  const wanted = options.kind ?? (options.memory || options.path ? "duckdb" : undefined);
  const cfg = config().warehouse;
  const kind = wanted ?? cfg.kind;
  const dataset = options.dataset ?? cfg.dataset;
  if (kind === "bigquery") {
    return BigQueryWarehouse.create({
      project: options.project ?? cfg.project,
      dataset,
      location: options.location ?? cfg.location,
      apiEndpoint: options.apiEndpoint,
      authClient: options.authClient,
    });
  }
  return DuckDBWarehouse.create({ path: options.memory ? ":memory:" : (options.path ?? cfg.duckdbPath), dataset });
}

// Types and helpers
export type {
  Column, ColumnType, FileLoadOptions, LoadOptions, LoadResult, MergeOptions, MergeResult, QueryOptions, QueryParams, QueryResult, TableInfo, TableSchema,
  Warehouse, WarehouseSql, WriteDisposition,
} from "./warehouse";
export { dialect, requireDuckDB, sqlFor } from "./dialect";
export type { Dialect, DialectSql } from "./dialect";
