/**
 * Quality checks on one hour's rollup, run before the load: any failure stops the load and fails
 * the DAG run (DAG_QUALITY_FAILED), so a bad hour never reaches the warehouse.
 * 1. reconciliation: lake rows of the hour = sum of visits and cart additions + rejected rows;
 * 2. no null keys: date, hour, type, state, category and sub_cat are set on every row;
 * 3. no timestamps in the future: the latest event is before `now` and inside the hour;
 * 4. states from the known list: every state in the rollup is one of the 50 states and DC.
 */
import { WorkbookError } from "../../lib/errors";
import { ROLLUP_KEY, type HourRollup } from "./rollup";
import { stateByName } from "./states";

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
