/**
 * Quality checks on one hour's rollup, run before the load: any failure stops the load and fails
 * the DAG run (DAG_QUALITY_FAILED), so a bad hour never reaches the warehouse. The DAG stages the
 * rollup in two warehouse tables (`stageForChecks`) and runs the checks declared with lib/quality
 * on them (`webLogsChecks`, recorded in quality_results); `checkQuality` is the same four rules
 * over the rollup in memory, the second computation the SQL is tested against (one difference: a
 * null state is only "no null keys" in SQL, as accepted values leave nulls to the not-null rule).
 * 1. reconciliation: lake rows of the hour = sum of visits and cart additions + rejected rows;
 * 2. no null keys: date, hour, type, state, category and sub_cat are set on every row;
 * 3. no timestamps in the future: the latest event is before `now` and inside the hour;
 * 4. states from the known list: every state in the rollup is one of the 50 states and DC.
 */
import { WorkbookError } from "../../lib/errors";
import { acceptedValues, sqlCheck, type QualityCheck } from "../../lib/quality";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { ROLLUP_KEY, type HourRollup } from "./rollup";
import { STATE_NAMES, stateByName } from "./states";

/** Where the hour waits for its checks: its rollup rows, and one row of its counts. */
export const CHECK_TABLES = { rollup: "weblogs_staged_rollup", hour: "weblogs_staged_hour" } as const;

/** Replaces the staged hour in the warehouse (both tables hold one hour at a time). */
export async function stageForChecks(wh: Warehouse, r: HourRollup): Promise<void> {
  const S = "STRING" as const;
  const I = "INT64" as const;
  await wh.createTable(CHECK_TABLES.rollup, { columns: [["date", S], ["hour", I], ["type", S], ["state", S], ["category", S], ["sub_cat", S], ["visits", I], ["cart_adds", I]].map(([name, type]) => ({ name, type: type as typeof S })) });
  await wh.createTable(CHECK_TABLES.hour, { columns: [{ name: "date", type: S }, { name: "hour", type: I }, { name: "lake_rows", type: I }, { name: "rejected", type: I }, { name: "max_event_time", type: "TIMESTAMP" }] });
  await wh.loadRows(CHECK_TABLES.rollup, r.rows.map((row) => ({ ...row })), { write: "TRUNCATE" });
  await wh.loadRows(CHECK_TABLES.hour, [{ date: r.date, hour: r.hour, lake_rows: r.lakeRows, rejected: r.rejected.length, max_event_time: r.maxEventTime === null ? null : new Date(r.maxEventTime) }], { write: "TRUNCATE" });
}

/** The four checks on the staged hour, as SQL; `now` bounds the newest event. */
export function webLogsChecks(now: number): QualityCheck[] {
  const { rollup, hour } = CHECK_TABLES;
  const blank = ROLLUP_KEY.map((k) => (k === "hour" ? `${k} IS NULL` : `${k} IS NULL OR ${k} = ''`)).join(" OR ");
  const nowSql = `TIMESTAMP '${new Date(now).toISOString().replace("T", " ").replace("Z", "")}'`;
  return [
    sqlCheck({ table: hour, kind: "volume", name: "lake rows = counted + rejected", sql: `SELECT ABS(h.lake_rows - h.rejected - COALESCE((SELECT SUM(visits + cart_adds) FROM ${rollup}), 0)) AS n FROM ${hour} AS h` }),
    sqlCheck({ table: rollup, kind: "schema", name: "no null keys", sql: `SELECT COUNT(*) AS n FROM ${rollup} WHERE ${blank}` }),
    sqlCheck({ table: hour, kind: "freshness", name: "no timestamps in the future", sql: `SELECT COUNT(*) AS n FROM ${hour} WHERE max_event_time >= ${nowSql} OR max_event_time >= @end OR max_event_time < @start` }),
    acceptedValues({ table: rollup, column: "state", values: [...STATE_NAMES], name: "states from the known list" }),
  ];
}

export interface QualityResult {
  check: string;
  ok: boolean;
  detail: string;
}

export function checkQuality(r: HourRollup, now: number): QualityResult[] {
  const counted = r.rows.reduce((s, row) => s + Number(row.visits) + Number(row.cart_adds), 0);
  const nullKeys = r.rows.filter((row) => ROLLUP_KEY.some((k) => row[k] === null || row[k] === undefined || row[k] === ""));
  const start = Date.UTC(Number(r.date.slice(0, 4)), Number(r.date.slice(5, 7)) - 1, Number(r.date.slice(8, 10)), r.hour);
  const end = start + 3_600_000;
  const unknown = [...new Set(r.rows.map((row) => row.state).filter((s) => !stateByName(String(s))))];
  const future = r.maxEventTime !== null && (r.maxEventTime >= now || r.maxEventTime >= end || r.maxEventTime < start);
  return [
    { check: "lake rows = counted + rejected", ok: r.lakeRows === counted + r.rejected.length, detail: `${r.lakeRows} lake rows, ${counted} counted + ${r.rejected.length} rejected` },
    { check: "no null keys", ok: nullKeys.length === 0, detail: `${nullKeys.length} rows with a null key` },
    { check: "no timestamps in the future", ok: !future, detail: r.maxEventTime === null ? "no events" : `latest event ${new Date(r.maxEventTime).toISOString()}, hour ends ${new Date(end).toISOString()}, now ${new Date(now).toISOString()}` },
    { check: "states from the known list", ok: unknown.length === 0, detail: unknown.length === 0 ? `${new Set(r.rows.map((row) => row.state)).size} known states` : `unknown: ${unknown.map((s) => JSON.stringify(s)).join(", ")}` },
  ];
}

/** Throws DAG_QUALITY_FAILED naming every failed check. */
export function assertQuality(r: HourRollup, results: readonly QualityResult[]): void {
  const failed = results.filter((c) => !c.ok);
  if (failed.length > 0) {
    throw new WorkbookError("DAG_QUALITY_FAILED", `quality checks failed for ${r.date} hour ${r.hour}, so it was not loaded: ${failed.map((c) => `${c.check} (${c.detail})`).join("; ")}. Fix the lake partition or the rollup, then clear and re-run the hour.`);
  }
}
