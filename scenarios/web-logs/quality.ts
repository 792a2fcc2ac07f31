/**
 * Quality checks on one hour's rollup, run before the load: a blocking failure stops the load and
 * fails the DAG run (DAG_QUALITY_FAILED), so a bad hour never reaches the warehouse; a warning is
 * recorded and the load goes on. The DAG stages the rollup in warehouse tables (`stageForChecks`,
 * with the states dimension beside it) and runs the checks declared with lib/quality on them
 * (`webLogsChecks`, recorded in quality_results), one of each of the six kinds at least:
 * 1. volume: lake rows of the hour = sum of visits and cart additions + rejected rows (a reconciliation);
 * 2. schema: date, hour, type, state, category and sub_cat are set on every row (no null keys);
 * 3. schema: no timestamps in the future: the latest event is before `now` and inside the hour;
 * 4. referential: every state of the rollup is in the states dimension (the 50 states and DC);
 * 5. uniqueness: one row per key of the rollup (date, hour, type, state, category, sub_cat);
 * 6. freshness: the hour's newest event lies within 15 minutes of the hour's end (warn: a lake file
 *    of the hour's end is late; the hour re-runs when it arrives);
 * 7. drift: the shares of the rollup's rows by category against the previous hour's (warn above 10 points).
 * `checkQuality` is rules 1 to 4 over the rollup in memory, the second computation the SQL is tested
 * against (one difference: a null state is only "no null keys" in SQL, as a reference leaves nulls to
 * the not-null rule).
 */
import { WorkbookError } from "../../lib/errors";
import { drift, freshness, references, runChecks, sqlCheck, unique, warehouseTarget, type QualityCheck, type QualityKind, type QualityResult as CheckResult, type QualityResultRow } from "../../lib/quality";
import type { Lake } from "../../lib/lake/lake";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { rollupHour, ROLLUP_KEY, type HourRollup } from "./rollup";
import { stateByName, US_STATES } from "./states";

/** Where the hour waits for its checks: its rollup rows, one row of its counts, and the states dimension. */
export const CHECK_TABLES = { rollup: "weblogs_staged_rollup", hour: "weblogs_staged_hour", states: "weblogs_states" } as const;

/** The freshness limit: the hour's newest event at most this long before the hour's end (15 minutes). */
export const HOUR_END_LAG_HOURS = 0.25;

/** Replaces the staged hour in the warehouse (the staged tables hold one hour at a time), and the states dimension. */
export async function stageForChecks(wh: Warehouse, r: HourRollup): Promise<void> {
  const S = "STRING" as const;
  const I = "INT64" as const;
  await wh.createTable(CHECK_TABLES.rollup, { columns: [["date", S], ["hour", I], ["type", S], ["state", S], ["category", S], ["sub_cat", S], ["visits", I], ["cart_adds", I]].map(([name, type]) => ({ name, type: type as typeof S })) });
  await wh.createTable(CHECK_TABLES.hour, { columns: [{ name: "date", type: S }, { name: "hour", type: I }, { name: "lake_rows", type: I }, { name: "rejected", type: I }, { name: "max_event_time", type: "TIMESTAMP" }] });
  await wh.createTable(CHECK_TABLES.states, { columns: [{ name: "state", type: S }, { name: "fips", type: I }] });
  await wh.loadRows(CHECK_TABLES.rollup, r.rows.map((row) => ({ ...row })), { write: "TRUNCATE" });
  await wh.loadRows(CHECK_TABLES.hour, [{ date: r.date, hour: r.hour, lake_rows: r.lakeRows, rejected: r.rejected.length, max_event_time: r.maxEventTime === null ? null : new Date(r.maxEventTime) }], { write: "TRUNCATE" });
  await wh.loadRows(CHECK_TABLES.states, US_STATES.map((s) => ({ state: s.name, fips: s.fips })), { write: "TRUNCATE" });
}

/** The checks on the staged hour, as SQL; `now` bounds the newest event. */
export function webLogsChecks(now: number): QualityCheck[] {
  const { rollup, hour, states } = CHECK_TABLES;
  const blank = ROLLUP_KEY.map((k) => (k === "hour" ? `${k} IS NULL` : `${k} IS NULL OR ${k} = ''`)).join(" OR ");
  const nowSql = `TIMESTAMP '${new Date(now).toISOString().replace("T", " ").replace("Z", "")}'`;
  return [
    sqlCheck({ table: hour, kind: "volume", name: "lake rows = counted + rejected", sql: `SELECT ABS(h.lake_rows - h.rejected - COALESCE((SELECT SUM(visits + cart_adds) FROM ${rollup}), 0)) AS n FROM ${hour} AS h` }),
    sqlCheck({ table: rollup, kind: "schema", name: "no null keys", sql: `SELECT COUNT(*) AS n FROM ${rollup} WHERE ${blank}` }),
    sqlCheck({ table: hour, kind: "schema", name: "no timestamps in the future", sql: `SELECT COUNT(*) AS n FROM ${hour} WHERE max_event_time >= ${nowSql} OR max_event_time >= @end OR max_event_time < @start` }),
    references({ table: rollup, column: "state", to: states, toColumn: "state", name: "states from the known list" }),
    unique({ table: rollup, columns: [...ROLLUP_KEY], name: "one row per rollup key" }),
    freshness({ table: hour, column: "max_event_time", maxLagHours: HOUR_END_LAG_HOURS, severity: "warn", name: "newest event at most 15 minutes before the hour's end" }),
    drift({ table: rollup, column: "category", categorical: true, threshold: 0.1, severity: "warn", name: "rows by category, against the previous hour" }),
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

/** The stored results of the DAG's checks (every hour checked, latest run of each), as run results. */
export async function webLogsCheckResults(wh: Warehouse): Promise<{ rows: QualityResultRow[]; results: CheckResult[] }> {
  const rows = (await warehouseTarget(wh).allResults()).filter((r) => Object.values(CHECK_TABLES).some((t) => r.table_name === t));
  const results = rows.map((r) => ({
    check: r.check_name, table: r.table_name, kind: r.kind as QualityKind, observed: r.observed, threshold: JSON.parse(r.threshold || "{}") as Record<string, unknown>,
    status: r.status, blocking: r.status === "fail", detail: r.detail,
  }));
  return { rows, results };
}

/** One row per check, one column per hour checked ("10:00") with its status. */
export function checksByHour(rows: readonly QualityResultRow[]): Record<string, string>[] {
  const hours = [...new Set(rows.map((r) => r.logical_date))].sort();
  const checks = [...new Map(rows.map((r) => [`${r.table_name}\u0000${r.check_name}`, r])).values()];
  return checks.map((c) => ({
    check: c.check_name, kind: c.kind,
    ...Object.fromEntries(hours.map((h) => [h.slice(11, 16), rows.find((r) => r.logical_date === h && r.table_name === c.table_name && r.check_name === c.check_name)?.status ?? "-"])),
  }));
}

export interface PlantedWebLogsFault {
  fault: string;
  /** The check expected to catch it. */
  check: string;
  results: CheckResult[];
}

/**
 * Two faults planted on a separate run: the hour that starts at `start` rolled up again from the
 * lake and checked in a new in-memory DuckDB (the notebook's warehouse is not touched):
 * - a late lake file: only the files of the hour's first 40 minutes have arrived;
 * - an unknown state: a rollup row whose state is "Puerto Rico", as a rollup that stopped
 *   rejecting states outside the list would give.
 */
export async function plantWebLogsFaults(lake: Lake, start: number, now: number): Promise<PlantedWebLogsFault[]> {
  const minute = (path: string) => Number(/\/m(\d{2})-[^/]*$/.exec(path)?.[1] ?? NaN);
  const late = await rollupHour(lake, start, { only: (f) => minute(f.path) < 40 });
  const clean = await rollupHour(lake, start);
  if (clean.rows.length === 0) throw new WorkbookError("INPUT_INVALID", `the hour starting ${new Date(start).toISOString()} has no events in the lake; plant the faults in an hour the run loaded.`);
  const unknown: HourRollup = { ...clean, rows: clean.rows.map((r, i) => (i === 0 ? { ...r, state: "Puerto Rico" } : r)) };
  const copy = await openWarehouse({ memory: true });
  try {
    const check = async (r: HourRollup) => {
      await stageForChecks(copy, r);
      return runChecks(warehouseTarget(copy), webLogsChecks(now), { interval: { start: new Date(start), end: new Date(start + 3_600_000) }, record: false });
    };
    return [
      { fault: "a late lake file (only the first 40 minutes arrived)", check: "newest event at most 15 minutes before the hour's end", results: await check(late) },
      { fault: "an unknown state in the rollup", check: "states from the known list", results: await check(unknown) },
    ];
  } finally {
    await copy.close();
  }
}
