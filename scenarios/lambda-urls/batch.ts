/**
 * The batch layer: the view `url_hourly (hour, url, count)` recomputed in the warehouse from the
 * whole master data set, every time, with the code as it is now. That is what makes a bug
 * repairable: fix the code, recompute, and every count is right again, because the raw tweets
 * were never changed.
 *
 * It covers every message of a partition below `covered_offset`: the archived messages rounded
 * down to a multiple of `block_size`, the blocks in which the speed layer counts (./speed.ts), so
 * the hand-over from batch to speed is exact. `url_hourly_coverage` records that offset, how far
 * the master data set reached, the time of the newest tweet covered and the settings used;
 * `url_rejected` holds every malformed tweet of the master data set with the reason.
 */
import type { Lake } from "../../lib/lake/lake";
import type { TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import type { RedirectTable } from "./normalize";
import { readMaster } from "./master";
import { countUrlHourly, type UrlHourlyRow } from "./tweets";

export const BATCH_TABLES = { view: "url_hourly", coverage: "url_hourly_coverage", rejected: "url_rejected" } as const;

export const BATCH_SCHEMAS: Record<keyof typeof BATCH_TABLES, TableSchema> = {
  view: {
    columns: [
      { name: "hour", type: "TIMESTAMP", mode: "REQUIRED" },
      { name: "url", type: "STRING", mode: "REQUIRED" },
      { name: "count", type: "INT64", mode: "REQUIRED" },
    ],
    partitionBy: "hour",
    clusterBy: ["url"],
  },
  coverage: {
    columns: [
      { name: "kafka_partition", type: "INT64", mode: "REQUIRED" },
      { name: "covered_offset", type: "INT64", mode: "REQUIRED", description: "every message below this offset is in url_hourly" },
      { name: "master_offset", type: "INT64", mode: "REQUIRED", description: "the master data set's next offset" },
      { name: "block_size", type: "INT64", mode: "REQUIRED" },
      { name: "through_time", type: "TIMESTAMP", description: "created_at of the newest tweet covered" },
      { name: "tweets", type: "INT64", mode: "REQUIRED" },
      { name: "rejected", type: "INT64", mode: "REQUIRED" },
      { name: "keep_tracking", type: "BOOL", mode: "REQUIRED" },
      { name: "computed_at", type: "TIMESTAMP", mode: "REQUIRED" },
    ],
  },
  rejected: {
    columns: [
      { name: "kafka_partition", type: "INT64", mode: "REQUIRED" },
      { name: "kafka_offset", type: "INT64", mode: "REQUIRED" },
      { name: "reason", type: "STRING", mode: "REQUIRED" },
      { name: "raw", type: "STRING" },
    ],
  },
};

/** Default size of the offset blocks shared by the batch and speed layers. */
export const DEFAULT_BLOCK_SIZE = 50;

/** What the batch view covers: per Kafka partition, every offset below `coveredOffset`. */
export interface Coverage {
  blockSize: number;
  partitions: Record<number, number>;
  /** created_at of the newest covered tweet (epoch ms), or null. */
  throughTime: number | null;
  tweets: number;
  rejected: number;
  keepTracking: boolean;
}

export interface RecomputeOptions {
  /** The tweets topic whose master data set is read. */
  topic: string;
  redirects: RedirectTable;
  /** The normalisation bug: keep tracking parameters. Default false. */
  keepTracking?: boolean;
  /** Default DEFAULT_BLOCK_SIZE. */
  blockSize?: number;
}

export function checkBlockSize(blockSize: number): number {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new WorkbookError("OPTIONS_INVALID", `blockSize=${JSON.stringify(blockSize)} is not a whole number of offsets of at least 1; use e.g. ${DEFAULT_BLOCK_SIZE}.`);
  return blockSize;
}

export async function createBatchTables(wh: Warehouse): Promise<void> {
  for (const k of Object.keys(BATCH_TABLES) as (keyof typeof BATCH_TABLES)[]) await wh.createTable(BATCH_TABLES[k], BATCH_SCHEMAS[k]);
}

async function replaceAll(wh: Warehouse, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length > 0) await wh.loadRows(table, rows, { write: "TRUNCATE" });
  else await wh.query(`DELETE FROM ${table} WHERE TRUE`);
}

/** Recomputes url_hourly from the master data set and records its coverage. */
export async function recomputeBatchView(lake: Lake, wh: Warehouse, options: RecomputeOptions): Promise<Coverage> {
  const blockSize = checkBlockSize(options.blockSize ?? DEFAULT_BLOCK_SIZE);
  const keepTracking = options.keepTracking ?? false;
  await createBatchTables(wh);
  const master = await readMaster(lake, options.topic);
  const masterEnd: Record<number, number> = {};
  for (const r of master) masterEnd[r.partition] = Math.max(masterEnd[r.partition] ?? 0, r.offset + 1);
  const covered: Record<number, number> = {};
  for (const [p, end] of Object.entries(masterEnd)) covered[Number(p)] = Math.floor(end / blockSize) * blockSize;
  const counts = countUrlHourly(master.filter((r) => r.offset < (covered[r.partition] ?? 0)), { redirects: options.redirects, keepTracking });
  await replaceAll(wh, BATCH_TABLES.view, counts.rows.map((r) => ({ hour: r.hour, url: r.url, count: r.count })));
  await replaceAll(wh, BATCH_TABLES.rejected, counts.rejected.map((r) => ({ kafka_partition: r.partition, kafka_offset: r.offset, reason: r.reason, raw: r.raw })));
  const now = new Date().toISOString();
  await replaceAll(wh, BATCH_TABLES.coverage, Object.keys(masterEnd).map((p) => ({
    kafka_partition: Number(p), covered_offset: covered[Number(p)], master_offset: masterEnd[Number(p)], block_size: blockSize,
    through_time: counts.maxTime === null ? null : new Date(counts.maxTime).toISOString(), tweets: counts.tweets, rejected: counts.rejected.length, keep_tracking: keepTracking, computed_at: now,
  })));
  return { blockSize, partitions: covered, throughTime: counts.maxTime, tweets: counts.tweets, rejected: counts.rejected.length, keepTracking };
}

/** The coverage recorded by the last recompute (empty partitions when there was none). */
export async function readCoverage(wh: Warehouse, blockSize = DEFAULT_BLOCK_SIZE): Promise<Coverage> {
  await createBatchTables(wh);
  const r = await wh.query<{ kafka_partition: number; covered_offset: number; block_size: number; through_time: Date | null; tweets: number; rejected: number; keep_tracking: boolean }>(`SELECT * FROM ${BATCH_TABLES.coverage} ORDER BY kafka_partition`);
  if (r.rows.length === 0) return { blockSize, partitions: {}, throughTime: null, tweets: 0, rejected: 0, keepTracking: false };
  const first = r.rows[0];
  return {
    blockSize: Number(first.block_size),
    partitions: Object.fromEntries(r.rows.map((x) => [Number(x.kafka_partition), Number(x.covered_offset)])),
    throughTime: first.through_time ? first.through_time.getTime() : null,
    tweets: Number(first.tweets),
    rejected: Number(first.rejected),
    keepTracking: Boolean(first.keep_tracking),
  };
}

/** The first `limit` rejected tweets of the batch layer (url_rejected), by offset, with their reasons. */
export async function readRejected(wh: Warehouse, limit = 8): Promise<{ kafka_offset: number; reason: string; raw: string }[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new WorkbookError("OPTIONS_INVALID", `limit=${limit} must be a whole number of rows, 1 or more.`);
  await createBatchTables(wh);
  const r = await wh.query<{ kafka_offset: number; reason: string; raw: string }>(`SELECT kafka_offset, reason, raw FROM ${BATCH_TABLES.rejected} ORDER BY kafka_offset LIMIT ${limit}`);
  return r.rows.map((x) => ({ kafka_offset: Number(x.kafka_offset), reason: x.reason, raw: x.raw }));
}

/** The batch view's rows with hour in [from, to) (ISO times; default: all). */
export async function readBatchView(wh: Warehouse, range: { from?: string; to?: string } = {}): Promise<UrlHourlyRow[]> {
  await createBatchTables(wh);
  const r = await wh.query<{ hour: Date; url: string; count: number }>(
    `SELECT hour, url, count FROM ${BATCH_TABLES.view} WHERE hour >= @from AND hour < @to ORDER BY hour, url`,
    { from: new Date(range.from ?? "1970-01-01T00:00:00Z"), to: new Date(range.to ?? "9999-01-01T00:00:00Z") },
    { types: { from: "TIMESTAMP", to: "TIMESTAMP" } },
  );
  return r.rows.map((x) => ({ hour: x.hour.toISOString(), url: x.url, count: Number(x.count) }));
}
