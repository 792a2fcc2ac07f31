/** What the notebook shows: lake files appearing, the grid of runs, traffic by hour and category, conversion by state, the naive load. */
import type { DagRun } from "../../lib/dag";
import { showGrid } from "../../lib/dag";
import { chart, lineChart, publish, show, tableBundle, usMap } from "../../lib/display";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./load";
import type { StepReport, WebLogsRun } from "./pipeline";
import type { HourRollup } from "./rollup";
import { stateByName } from "./states";

let views = 0;

/** An onStep that keeps one small table up to date: simulated clock, lines sent, lake files and rows, hours loaded and re-run. */
export function liveLakeView(): (step: StepReport) => void {
  const displayId = `weblogs-lake-${++views}`;
  let shown = false;
  return (s) => {
    const row = { clock: new Date(s.clock).toISOString().slice(0, 16).replace("T", " "), lines_sent: s.sent, lake_files: s.files, lake_rows: s.rows, hours_loaded: s.hoursLoaded, reruns: s.reruns };
    publish(tableBundle([row]), { displayId, update: shown });
    shown = true;
  };
}

/** The DAG's grid of hourly runs, and a table of the hours with how many times each was loaded. */
export async function showRuns(run: WebLogsRun, wh: Warehouse): Promise<void> {
  const latest = new Map<string, DagRun>();
  for (const r of run.runs) latest.set(r.runId, r);
  showGrid([...latest.values()], run.dag);
  show((await wh.query(`SELECT date, hour, files, lake_rows, counted, rejected, loads, CASE WHEN loads > 1 THEN 're-run for late data' ELSE '' END AS note FROM ${TABLES.loads} ORDER BY date, hour`)).rows);
}

/** Visits and cart additions by hour and category, from the warehouse. */
export async function trafficByHour(wh: Warehouse): Promise<Record<string, unknown>[]> {
  return (await wh.query(`SELECT CAST(date AS STRING) || ' ' || LPAD(CAST(hour AS STRING), 2, '0') || ':00' AS hour, sub_cat, SUM(visits + cart_adds) AS events
    FROM ${TABLES.hourly} GROUP BY 1, 2 ORDER BY 1, 2`)).rows.map((r) => ({ ...r, events: Number(r.events) }));
}

export async function trafficChart(wh: Warehouse): Promise<void> {
  await chart(lineChart(await trafficByHour(wh), { x: "hour", y: "events", color: "sub_cat", title: "Events by hour and sub-category" }));
}

/** Visits and cart additions per hour and state, from the warehouse: hour "YYYY-MM-DD HH:00" (UTC). */
export async function hourlyCountsByState(wh: Warehouse): Promise<Array<{ hour: string; state: string; visits: number; cart_adds: number }>> {
  const r = await wh.query<{ date: unknown; hour: number; state: string; visits: number; cart_adds: number }>(`SELECT CAST(date AS STRING) AS date, hour, state, SUM(visits) AS visits, SUM(cart_adds) AS cart_adds FROM ${TABLES.hourly} GROUP BY date, hour, state ORDER BY date, hour, state`);
  return r.rows.map((x) => ({ hour: `${String(x.date)} ${String(x.hour).padStart(2, "0")}:00`, state: x.state, visits: Number(x.visits), cart_adds: Number(x.cart_adds) }));
}

/** Cart conversion (cart additions / all events) by state, with the FIPS code for the map. */
export async function conversionByState(wh: Warehouse): Promise<Array<{ state: string; fips: number; events: number; cart_adds: number; conversion: number }>> {
  const r = await wh.query<{ state: string; events: number; cart_adds: number }>(`SELECT state, SUM(visits + cart_adds) AS events, SUM(cart_adds) AS cart_adds FROM ${TABLES.hourly} GROUP BY state ORDER BY state`);
  return r.rows.map((row) => ({ state: row.state, fips: stateByName(row.state)?.fips ?? 0, events: Number(row.events), cart_adds: Number(row.cart_adds), conversion: Math.round((1000 * Number(row.cart_adds)) / Number(row.events)) / 10 }));
}

export async function conversionMap(wh: Warehouse): Promise<void> {
  await usMap(await conversionByState(wh), { key: "fips", label: "state", value: "conversion", title: "Cart conversion by state (%)" });
}

/**
 * The original's naive load: append an hour's counts, as a retried or re-run load would, twice.
 * Returns the table's total events after the first and the second append (the second doubles them).
 */
export async function naiveAppendTwice(wh: Warehouse, r: HourRollup, table = "weblogs_naive"): Promise<{ first: number; second: number }> {
  await wh.query(`DROP TABLE IF EXISTS ${table}`);
  await wh.createTable(table, { columns: [{ name: "date", type: "DATE" }, { name: "hour", type: "INT64" }, { name: "type", type: "STRING" }, { name: "state", type: "STRING" }, { name: "category", type: "STRING" }, { name: "sub_cat", type: "STRING" }, { name: "visits", type: "INT64" }, { name: "cart_adds", type: "INT64" }] });
  const total = async () => Number((await wh.query<{ n: number }>(`SELECT COALESCE(SUM(visits + cart_adds), 0) AS n FROM ${table}`)).rows[0].n);
  await wh.loadRows(table, r.rows as unknown as Record<string, unknown>[], { write: "APPEND" });
  const first = await total();
  await wh.loadRows(table, r.rows as unknown as Record<string, unknown>[], { write: "APPEND" });
  return { first, second: await total() };
}
