/**
 * The hourly rollup: visits and cart additions by date, hour, type, state, category and sub_cat,
 * computed by DuckDB over exactly the lake files of one hour (listed first, so the fingerprint of
 * what was read is known). Events whose state is not a US state are not counted: they are returned
 * as rejected, with the reason. `recomputeAll` is the same rollup over the whole lake at once: after
 * the stream, the warehouse must equal it row for row.
 *
 * On the cloud path (a gs:// lake and WAREHOUSE=bigquery), as in the original, the warehouse reads the
 * lake: `weblogs_lake` is a BigQuery external table over the Parquet files, with Hive partitioning on
 * the folders (dt DATE, hour STRING), and the same rollup is one BigQuery query over one partition.
 */
import { createHash } from "node:crypto";
import { partitionPath } from "../../lib/lake";
import type { Lake, LakeFile } from "../../lib/lake/lake";
import { sqlLiteral, withMemoryDuckDB, type RunSql } from "../../lib/warehouse/local-duckdb";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import { hourPartition, LAKE_COLUMNS, LOGS_DATASET } from "./lake-writer";
import { STATE_NAMES } from "./states";

/** One row of the rollup (and of the warehouse table). */
export interface RollupRow {
  /** "YYYY-MM-DD" */
  date: string;
  hour: number;
  type: string;
  state: string;
  category: string;
  sub_cat: string;
  visits: number;
  cart_adds: number;
}

/** A lake row the rollup does not count, with the reason. */
export interface RejectedRow {
  date: string;
  hour: number;
  kafka_partition: number;
  kafka_offset: number;
  date_time: string;
  state: string;
  reason: string;
}

export interface HourRollup {
  date: string;
  hour: number;
  /** The Parquet files read (lake paths), and their fingerprint (paths and sizes). */
  files: string[];
  fingerprint: string;
  /** Rows in those files. */
  lakeRows: number;
  rows: RollupRow[];
  rejected: RejectedRow[];
  /** The latest event time in the files (epoch ms), null when there were none. */
  maxEventTime: number | null;
}

export const ROLLUP_KEY = ["date", "hour", "type", "state", "category", "sub_cat"] as const;

const KNOWN_STATES = `(${STATE_NAMES.map(sqlLiteral).join(", ")})`;

/** The rollup SELECT over a `FROM` source (e.g. `read_parquet([...])`): the SQL a learner can read. */
export function rollupSql(source: string): string {
  return `SELECT strftime(date_time, '%Y-%m-%d') AS date, hour(date_time)::INTEGER AS hour, type, state, category, sub_cat,
       count(*) FILTER (WHERE pid IS NULL)::INTEGER AS visits,
       count(*) FILTER (WHERE pid IS NOT NULL)::INTEGER AS cart_adds
FROM ${source}
WHERE state IN ${KNOWN_STATES}
GROUP BY ALL
ORDER BY date, hour, type, state, category, sub_cat`;
}

/** The fingerprint of a set of lake files: changes when a file is added, removed or rewritten with another size. */
export function fingerprint(files: readonly LakeFile[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`${f.path}\t${f.size}\n`);
  return h.digest("hex").slice(0, 16);
}

/** The local folder of the lake, or a clear error for a Cloud Storage lake without BigQuery. */
export function localLakeRoot(lake: Lake): string {
  const root = lake.localPath();
  if (root === undefined) {
    throw new WorkbookError("OPTIONS_INVALID", `the web-logs rollup reads ${lake.root} (Cloud Storage) through a BigQuery external table, so it needs the BigQuery warehouse (WAREHOUSE=bigquery, or pass { warehouse }); with DuckDB, set LAKE to a folder.`);
  }
  return root;
}

/** The BigQuery external table over the lake's web logs. */
export const LAKE_TABLE = "weblogs_lake";

/** BigQuery types of the lake's columns: DuckDB's TIMESTAMP has no time zone (Parquet isAdjustedToUTC=false), which BigQuery reads as DATETIME. */
const BIGQUERY_TYPES: Record<string, string> = { TIMESTAMP: "DATETIME", VARCHAR: "STRING", BIGINT: "INT64", INTEGER: "INT64" };

/**
 * The DDL of the external table over `<lake>/web_logs` in `dataset`: the Parquet files (only them:
 * the stream marker `_stream.json` lives there too), Hive partitions from the folder names
 * (`dt=2021-03-26/hour=09`: dt DATE, hour STRING as written), and the lake's columns.
 */
export function externalTableSql(lake: Lake, dataset: string): string {
  const prefix = lake.uri(LOGS_DATASET);
  const columns = Object.entries(LAKE_COLUMNS).map(([name, type]) => `${name} ${BIGQUERY_TYPES[type] ?? type}`).join(", ");
  return `CREATE OR REPLACE EXTERNAL TABLE ${dataset}.${LAKE_TABLE} (${columns})
WITH PARTITION COLUMNS (dt DATE, hour STRING)
OPTIONS (format = 'PARQUET', uris = [${sqlLiteral(`${prefix}/dt=*.parquet`)}], hive_partition_uri_prefix = ${sqlLiteral(prefix)}, require_hive_partition_filter = false)`;
}

/** The rollup on BigQuery over the external table, for `where` (e.g. one partition): the same counts as rollupSql. Columns by position: `hour` is also a partition column. */
export function bigQueryRollupSql(where = "TRUE"): string {
  return `SELECT FORMAT_DATETIME('%Y-%m-%d', date_time) AS date, EXTRACT(HOUR FROM date_time) AS hour, type, state, category, sub_cat,
       COUNTIF(pid IS NULL) AS visits,
       COUNTIF(pid IS NOT NULL) AS cart_adds
FROM ${LAKE_TABLE}
WHERE ${where} AND state IN ${KNOWN_STATES}
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6`;
}

const HOUR_FILTER = "dt = @dt AND hour = @hour";
const HOUR_TYPES = { types: { dt: "DATE", hour: "STRING" } } as const;

/** Creates (or replaces) the external table; cheap: it is metadata only. */
export async function createLakeTable(lake: Lake, wh: Warehouse): Promise<void> {
  await wh.createDataset();
  await wh.query(externalTableSql(lake, wh.dataset));
}

/** One hour's rollup on BigQuery, reading the lake's partition through the external table. */
async function rollupHourBigQuery(lake: Lake, wh: Warehouse, start: number, base: { date: string; hour: number; files: string[]; fingerprint: string }): Promise<HourRollup> {
  await createLakeTable(lake, wh);
  const p = hourPartition(start);
  const params = { dt: p.dt, hour: p.hour };
  const [stats] = (await wh.query<{ n: number; max_time: number | null }>(`SELECT COUNT(*) AS n, UNIX_MILLIS(TIMESTAMP(MAX(date_time))) AS max_time FROM ${LAKE_TABLE} WHERE ${HOUR_FILTER}`, params, HOUR_TYPES)).rows;
  const rows = (await wh.query<RollupRow>(bigQueryRollupSql(HOUR_FILTER), params, HOUR_TYPES)).rows.map((r) => ({ ...r, date: String(r.date), hour: Number(r.hour), visits: Number(r.visits), cart_adds: Number(r.cart_adds) }));
  const rejected = (await wh.query<RejectedRow>(`SELECT FORMAT_DATETIME('%Y-%m-%d', date_time) AS date, EXTRACT(HOUR FROM date_time) AS hour, kafka_partition, kafka_offset,
        FORMAT_DATETIME('%Y-%m-%d %H:%M:%S', date_time) AS date_time, state,
        CONCAT('state ', TO_JSON_STRING(state), ' is not a US state') AS reason
      FROM ${LAKE_TABLE} WHERE ${HOUR_FILTER} AND (state IS NULL OR state NOT IN ${KNOWN_STATES}) ORDER BY kafka_partition, kafka_offset`, params, HOUR_TYPES)).rows
    .map((r) => ({ ...r, date: String(r.date), hour: Number(r.hour), kafka_partition: Number(r.kafka_partition), kafka_offset: Number(r.kafka_offset) }));
  return { ...base, lakeRows: Number(stats?.n ?? 0), rows, rejected, maxEventTime: stats?.max_time === null || stats?.max_time === undefined ? null : Number(stats.max_time) };
}

/** The Parquet files of one hour's partition. */
export async function hourFiles(lake: Lake, start: number): Promise<LakeFile[]> {
  return (await lake.list(partitionPath(LOGS_DATASET, hourPartition(start)))).filter((f) => f.path.endsWith(".parquet"));
}

const fileList = (lake: Lake, files: readonly LakeFile[]) => `read_parquet([${files.map((f) => sqlLiteral(lake.localPath(f.path) as string)).join(", ")}], hive_partitioning = false)`;

/** Whether the rollup runs on BigQuery: a Cloud Storage lake and the BigQuery warehouse. */
function onBigQuery(lake: Lake, wh: Warehouse | undefined): wh is Warehouse {
  if (lake.kind === "local") return false;
  if (wh?.kind !== "bigquery") localLakeRoot(lake); // throws, saying what is needed
  return true;
}

/**
 * Rolls up the hour that starts at `start` (epoch ms): with DuckDB over the hour's files of a local
 * lake, or on BigQuery through the external table when the lake is gs:// (give the BigQuery `warehouse`).
 * `only` keeps some of the hour's files (to plant a fault: the files of the hour's end not arrived yet).
 */
export async function rollupHour(lake: Lake, start: number, options: { warehouse?: Warehouse; only?: (file: LakeFile) => boolean } = {}): Promise<HourRollup> {
  const cloud = onBigQuery(lake, options.warehouse);
  const { dt } = hourPartition(start);
  const hour = new Date(start).getUTCHours();
  const files = (await hourFiles(lake, start)).filter(options.only ?? (() => true));
  const base = { date: dt, hour, files: files.map((f) => f.path), fingerprint: fingerprint(files) };
  if (files.length === 0) return { ...base, lakeRows: 0, rows: [], rejected: [], maxEventTime: null };
  if (cloud) return rollupHourBigQuery(lake, options.warehouse as Warehouse, start, base);
  return withMemoryDuckDB(async (run) => {
    const source = fileList(lake, files);
    const [stats] = await run(`SELECT count(*)::INTEGER AS n, epoch_ms(max(date_time))::DOUBLE AS max_time FROM ${source}`);
    const rows = (await run(rollupSql(source))) as unknown as RollupRow[];
    const rejected = (await run(`SELECT strftime(date_time, '%Y-%m-%d') AS date, hour(date_time)::INTEGER AS hour, kafka_partition::INTEGER AS kafka_partition,
        kafka_offset::DOUBLE AS kafka_offset, strftime(date_time, '%Y-%m-%d %H:%M:%S') AS date_time, state,
        'state ' || to_json(state)::VARCHAR || ' is not a US state' AS reason
      FROM ${source} WHERE state IS NULL OR state NOT IN ${KNOWN_STATES} ORDER BY kafka_partition, kafka_offset`)) as unknown as RejectedRow[];
    return { ...base, lakeRows: Number(stats.n), rows, rejected, maxEventTime: stats.max_time === null ? null : Number(stats.max_time) };
  });
}

/** The rollup of every event in the lake at once (the batch recomputation the warehouse must equal); on BigQuery for a gs:// lake. */
export async function recomputeAll(lake: Lake, options: { warehouse?: Warehouse } = {}): Promise<RollupRow[]> {
  const cloud = onBigQuery(lake, options.warehouse);
  const files = (await lake.list(LOGS_DATASET)).filter((f) => f.path.endsWith(".parquet"));
  if (files.length === 0) return [];
  if (cloud) {
    const wh = options.warehouse as Warehouse;
    await createLakeTable(lake, wh);
    return (await wh.query<RollupRow>(bigQueryRollupSql())).rows.map((r) => ({ ...r, date: String(r.date), hour: Number(r.hour), visits: Number(r.visits), cart_adds: Number(r.cart_adds) }));
  }
  const root = localLakeRoot(lake);
  return withMemoryDuckDB(async (run: RunSql) => (await run(rollupSql(`read_parquet(${sqlLiteral(`${root}/${LOGS_DATASET}/*/*/*.parquet`)}, hive_partitioning = false)`))) as unknown as RollupRow[]);
}

/** Rows as sorted lines "date|hour|type|state|category|sub_cat|visits|cart_adds", to compare two rollups. */
export function rollupLines(rows: readonly RollupRow[]): string[] {
  return rows.map((r) => [r.date, Number(r.hour), r.type, r.state, r.category, r.sub_cat, Number(r.visits), Number(r.cart_adds)].join("|")).sort();
}
