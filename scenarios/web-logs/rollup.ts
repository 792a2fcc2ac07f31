/**
 * The hourly rollup: visits and cart additions by date, hour, type, state, category and sub_cat,
 * computed by DuckDB over exactly the lake files of one hour (listed first, so the fingerprint of
 * what was read is known). Events whose state is not a US state are not counted: they are returned
 * as rejected, with the reason. `recomputeAll` is the same rollup over the whole lake at once: after
 * the stream, the warehouse must equal it row for row.
 */
import { createHash } from "node:crypto";
import { partitionPath } from "../../lib/lake";
import type { Lake, LakeFile } from "../../lib/lake/lake";
import { sqlLiteral, withMemoryDuckDB, type RunSql } from "../../lib/warehouse/local-duckdb";
import { WorkbookError } from "../../lib/errors";
import { hourPartition, LOGS_DATASET } from "./lake-writer";
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

/** The local folder of the lake, or a clear error for a Cloud Storage lake. */
export function localLakeRoot(lake: Lake): string {
  const root = lake.localPath();
  if (root === undefined) {
    throw new WorkbookError("OPTIONS_INVALID", `the web-logs rollup reads the lake with DuckDB, which needs a local lake; ${lake.root} is Cloud Storage. On the cloud path, point a BigQuery external table at ${lake.uri(LOGS_DATASET)} instead, or set LAKE to a folder.`);
  }
  return root;
}

/** The Parquet files of one hour's partition. */
export async function hourFiles(lake: Lake, start: number): Promise<LakeFile[]> {
  return (await lake.list(partitionPath(LOGS_DATASET, hourPartition(start)))).filter((f) => f.path.endsWith(".parquet"));
}

const fileList = (lake: Lake, files: readonly LakeFile[]) => `read_parquet([${files.map((f) => sqlLiteral(lake.localPath(f.path) as string)).join(", ")}], hive_partitioning = false)`;

/** Rolls up the hour that starts at `start` (epoch ms). */
export async function rollupHour(lake: Lake, start: number): Promise<HourRollup> {
  localLakeRoot(lake);
  const { dt } = hourPartition(start);
  const hour = new Date(start).getUTCHours();
  const files = await hourFiles(lake, start);
  const base = { date: dt, hour, files: files.map((f) => f.path), fingerprint: fingerprint(files) };
  if (files.length === 0) return { ...base, lakeRows: 0, rows: [], rejected: [], maxEventTime: null };
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

/** The rollup of every event in the lake at once (the batch recomputation the warehouse must equal). */
export async function recomputeAll(lake: Lake): Promise<RollupRow[]> {
  const root = localLakeRoot(lake);
  const files = (await lake.list(LOGS_DATASET)).filter((f) => f.path.endsWith(".parquet"));
  if (files.length === 0) return [];
  return withMemoryDuckDB(async (run: RunSql) => (await run(rollupSql(`read_parquet(${sqlLiteral(`${root}/${LOGS_DATASET}/*/*/*.parquet`)}, hive_partitioning = false)`))) as unknown as RollupRow[]);
}

/** Rows as sorted lines "date|hour|type|state|category|sub_cat|visits|cart_adds", to compare two rollups. */
export function rollupLines(rows: readonly RollupRow[]): string[] {
  return rows.map((r) => [r.date, Number(r.hour), r.type, r.state, r.category, r.sub_cat, Number(r.visits), Number(r.cart_adds)].join("|")).sort();
}
