/**
 * The star schema's 23 data-quality checks for one interval, declared with lib/quality next to the
 * tables they guard, of all six kinds: the newest staged event is at most a day older than the
 * interval's end (freshness: a late log file); the interval's songplays and time rows and every
 * dimension have rows, and the songplays reconcile with the logged-in NextSong events staged
 * (volume); keys are never null and a play's level is free or paid (schema); keys are not
 * duplicated (uniqueness); every songplay's user, time, song and artist exist in their dimension
 * (referential); and the share of plays by level moves by at most 10 points from the previous run
 * (drift: the first run has nothing to compare with and becomes the reference). Freshness and drift
 * warn rather than stop the load: a sample of fewer days than the month (the `days` parameter) is
 * old by design, and a shift of listeners is news, not a broken load. The DAG's
 * `quality_checks` task runs them with `checkInTask` (results recorded in the warehouse's
 * quality_results; a failure fails the task with DAG_QUALITY_FAILED naming the check and value).
 */
import { WorkbookError } from "../../lib/errors";
import { acceptedValues, checkName, drift, freshness, notNull, references, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck, type QualityResult as CheckResult, type QualityResultRow } from "../../lib/quality";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES, type Interval } from "./star-schema";

export type { QualityCheck };

export type QualityResult = {
  check: string;
  table: string;
  value: number;
  passed: boolean;
};

const inInterval = "start_time >= @start AND start_time < @end";

/** The checks, in the order they run. */
export function qualityChecks(): QualityCheck[] {
  const { songplays, users, songs, artists, time, stagingEvents } = TABLES;
  const keyed = (table: string, key: string) => [notNull({ table, column: key }), unique({ table, columns: [key] })];
  const exists = (column: string, to: string) => references({ table: songplays, column, to, toColumn: column, timeColumn: "start_time" });
  return [
    freshness({ table: stagingEvents, column: "start_time", maxLagHours: 24, severity: "warn", name: "newest event at most 24 h before the interval's end" }),
    volume({ table: songplays, timeColumn: "start_time", min: 1 }), volume({ table: users, min: 1 }), volume({ table: songs, min: 1 }), volume({ table: artists, min: 1 }),
    volume({ table: time, timeColumn: "start_time", min: 1 }),
    ...keyed(songplays, "songplay_id"), ...keyed(users, "user_id"), ...keyed(songs, "song_id"), ...keyed(artists, "artist_id"), ...keyed(time, "start_time"),
    acceptedValues({ table: songplays, column: "level", values: ["free", "paid"], timeColumn: "start_time" }),
    exists("user_id", users), exists("start_time", time), exists("song_id", songs), exists("artist_id", artists),
    sqlCheck({
      name: "songplays = logged-in NextSong events (difference)",
      kind: "volume",
      table: songplays,
      sql: `SELECT ABS((SELECT COUNT(*) FROM ${songplays} WHERE ${inInterval})
                   - (SELECT COUNT(*) FROM ${stagingEvents} WHERE page = 'NextSong' AND user_id <> '' AND ${inInterval})) AS n`,
    }),
    drift({ table: songplays, column: "level", categorical: true, timeColumn: "start_time", threshold: 0.1, severity: "warn" }),
  ];
}

/**
 * Runs every check for the interval: the observed value (a count; a missing share for the
 * foreign keys) and whether it passed. `record: true` also keeps them in quality_results.
 */
export async function runQualityChecks(wh: Warehouse, interval: Interval, options: { record?: boolean } = {}): Promise<QualityResult[]> {
  const results = await runChecks(warehouseTarget(wh), qualityChecks(), { interval: { start: new Date(interval.start), end: new Date(interval.end) }, record: options.record ?? false });
  return results.map((r) => ({ check: r.check, table: r.table, value: r.observed ?? 0, passed: r.status !== "fail" }));
}

/** Throws DAG_QUALITY_FAILED listing the failed checks, if any. */
export function assertQuality(results: QualityResult[]): void {
  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new WorkbookError("DAG_QUALITY_FAILED", `${failed.length} data-quality check(s) failed: ${failed.map((f) => `${f.table}: ${f.check} (${f.value})`).join("; ")}. Look at those tables before using them.`);
  }
}

/** Stored result rows (quality_results) as lib/quality's results; blocking as the declaration says. */
export function asResults(rows: readonly QualityResultRow[]): CheckResult[] {
  const declared = qualityChecks();
  const blocking = (table: string, check: string) => declared.find((c) => c.table === table && checkName(c) === check)?.severity !== "warn";
  return rows.map((r) => ({
    check: r.check_name, table: r.table_name, kind: r.kind as CheckResult["kind"], observed: r.observed, threshold: JSON.parse(r.threshold || "{}") as Record<string, unknown>,
    status: r.status, blocking: blocking(r.table_name, r.check_name), detail: r.detail,
  }));
}

/** The results the DAG's quality task recorded for a logical date (the warehouse's quality_results). */
export async function recordedQuality(wh: Warehouse, logicalDate: string): Promise<CheckResult[]> {
  const at = new Date(logicalDate).toISOString();
  return asResults((await warehouseTarget(wh).allResults()).filter((r) => r.logical_date === at));
}

/** Every stored result of the Sparkify tables (the warehouse's quality_results may hold other scenarios' too). */
export async function sparkifyQualityRows(wh: Warehouse): Promise<QualityResultRow[]> {
  return (await warehouseTarget(wh).allResults()).filter((r) => r.table_name.startsWith("sparkify_"));
}
