/**
 * The star schema's 20 data-quality checks for one interval, declared with lib/quality next to the
 * tables they guard: the interval's songplays and time rows and every dimension have rows; keys are
 * neither null nor duplicated; every songplay's user, time, song and artist exist in their
 * dimension; and the songplays reconcile with the logged-in NextSong events staged. The DAG's
 * `quality_checks` task runs them with `checkInTask` (results recorded in the warehouse's
 * quality_results; a failure fails the task with DAG_QUALITY_FAILED naming the check and value).
 */
import { WorkbookError } from "../../lib/errors";
import { notNull, references, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck } from "../../lib/quality";
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
    volume({ table: songplays, timeColumn: "start_time", min: 1 }), volume({ table: users, min: 1 }), volume({ table: songs, min: 1 }), volume({ table: artists, min: 1 }),
    volume({ table: time, timeColumn: "start_time", min: 1 }),
    ...keyed(songplays, "songplay_id"), ...keyed(users, "user_id"), ...keyed(songs, "song_id"), ...keyed(artists, "artist_id"), ...keyed(time, "start_time"),
    exists("user_id", users), exists("start_time", time), exists("song_id", songs), exists("artist_id", artists),
    sqlCheck({
      name: "songplays = logged-in NextSong events (difference)",
      kind: "volume",
      table: songplays,
      sql: `SELECT ABS((SELECT COUNT(*) FROM ${songplays} WHERE ${inInterval})
                   - (SELECT COUNT(*) FROM ${stagingEvents} WHERE page = 'NextSong' AND user_id <> '' AND ${inInterval})) AS n`,
    }),
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
