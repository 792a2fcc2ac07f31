/**
 * The checks that guard the lambda tables, declared with lib/quality next to them:
 *
 * - the batch view `url_hourly` (warehouse): it has rows, its columns and types, a URL on every row,
 *   counts of at least 1, every URL https, one row per (hour, url); no URL keeps a tracking parameter
 *   (a warning: the bug of the lesson), and the share of rows per URL does not drift from the
 *   previous run's by more than 10 points (a warning: a code change moves it on purpose);
 * - `url_hourly_coverage`: one row per Kafka partition, and the newest tweet it covers at most 2 hours
 *   before the end of the run's hour (freshness, a warning: a stale view is served, not stopped);
 * - `url_rejected`: one row per message, a reason on each, every one from a partition the coverage
 *   knows and below its covered offset (referential);
 * - the speed view (PostgreSQL): its columns, one row per (hour, url, partition, block), counts of at
 *   least 1, its newest hour at most 2 hours old, no tracking parameter (warning).
 *
 * The batch DAG runs the warehouse checks after each recompute (task `quality_checks`, recorded per
 * logical date, a failed blocking check stops the run); `run.checkSpeedView()` runs the speed ones.
 */
import { columnsAre, drift, freshness, notNull, range, references, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck, type QualityResult } from "../../lib/quality";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { BATCH_SCHEMAS, BATCH_TABLES, readBatchView, createBatchTables } from "./batch";
import { TRACKING_PARAMS } from "./normalize";

/** SQL true when `url` has a tracking parameter (utm_* or one of TRACKING_PARAMS), in any engine (STRPOS). */
export function trackingCondition(column = "url"): string {
  const names = ["utm_", ...TRACKING_PARAMS.map((p) => `${p}=`)];
  return names.flatMap((n) => [`STRPOS(${column}, '?${n}') > 0`, `STRPOS(${column}, '&${n}') > 0`]).join(" OR ");
}

const noTracking = (table: string): QualityCheck =>
  sqlCheck({ table, kind: "schema", severity: "warn", name: "no url keeps a tracking parameter", sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${trackingCondition()}` });

/** The batch view's checks (`view`: another table of the same shape, e.g. a copy with a planted fault). */
export function batchViewChecks(view: string = BATCH_TABLES.view): QualityCheck[] {
  const types = Object.fromEntries(BATCH_SCHEMAS.view.columns.map((c) => [c.name, c.type]));
  return [
    volume({ table: view, min: 1 }),
    columnsAre({ table: view, columns: types }),
    notNull({ table: view, column: "url" }),
    range({ table: view, column: "count", min: 1 }),
    sqlCheck({ table: view, kind: "schema", name: "every url is https", sql: `SELECT COUNT(*) AS n FROM ${view} WHERE url NOT LIKE 'https://%'` }),
    noTracking(view),
    unique({ table: view, columns: ["hour", "url"], name: "one row per hour and url" }),
    drift({ table: view, column: "url", categorical: true, threshold: 0.1, severity: "warn", name: "share of rows per url" }),
  ];
}

/** Every check of the batch layer's tables in the warehouse. */
export function batchChecks(): QualityCheck[] {
  const { coverage, rejected } = BATCH_TABLES;
  return [
    ...batchViewChecks(),
    volume({ table: coverage, min: 1 }),
    unique({ table: coverage, columns: ["kafka_partition"] }),
    freshness({ table: coverage, column: "through_time", maxLagHours: 2, severity: "warn", name: "newest covered tweet at most 2 h old" }),
    unique({ table: rejected, columns: ["kafka_partition", "kafka_offset"], name: "one row per message" }),
    notNull({ table: rejected, column: "reason" }),
    references({ table: rejected, column: "kafka_partition", to: coverage, toColumn: "kafka_partition" }),
    sqlCheck({
      table: rejected, kind: "referential", name: "every rejected offset is covered",
      sql: `SELECT COUNT(*) AS n FROM ${rejected} AS r LEFT JOIN ${coverage} AS c ON r.kafka_partition = c.kafka_partition WHERE c.covered_offset IS NULL OR r.kafka_offset >= c.covered_offset`,
    }),
  ];
}

/** The speed view's checks (PostgreSQL's type names). */
export function speedChecks(table: string): QualityCheck[] {
  return [
    columnsAre({ table, columns: { hour: "timestamp without time zone", url: "text", kafka_partition: "integer", block: "bigint", count: "integer", last_offset: "bigint" } }),
    unique({ table, columns: ["hour", "url", "kafka_partition", "block"], name: "one row per hour, url and block" }),
    range({ table, column: "count", min: 1 }),
    freshness({ table, column: "hour", maxLagHours: 2, name: "newest hour at most 2 h old" }),
    noTracking(table),
  ];
}

/** The planted fault's copy of the batch view. */
export const PLANTED_VIEW = "url_hourly_planted";

/**
 * A fault planted on a copy, so the real view is untouched: `url_hourly` copied with its first row
 * loaded twice (a duplicated key, as a load retried without its key would leave), the batch view's
 * checks run on the copy (not recorded), the copy dropped. Returns the results.
 */
export async function checkDuplicatedKey(wh: Warehouse, interval: { start: Date; end: Date }): Promise<QualityResult[]> {
  await createBatchTables(wh);
  const rows = await readBatchView(wh);
  await wh.query(`DROP TABLE IF EXISTS ${PLANTED_VIEW}`);
  await wh.createTable(PLANTED_VIEW, BATCH_SCHEMAS.view);
  try {
    await wh.loadRows(PLANTED_VIEW, [...rows, ...rows.slice(0, 1)].map((r) => ({ ...r })), { write: "TRUNCATE" });
    return await runChecks(warehouseTarget(wh), batchViewChecks(PLANTED_VIEW).filter((c) => c.type !== "drift"), { interval, record: false });
  } finally {
    await wh.query(`DROP TABLE IF EXISTS ${PLANTED_VIEW}`);
  }
}
