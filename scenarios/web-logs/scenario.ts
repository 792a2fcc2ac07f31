/** What the notebook shows: lake files appearing, the grid of runs, traffic by hour and category, conversion by state, the naive load. */
import type { DagRun } from "../../lib/dag";
import { showGrid } from "../../lib/dag";
import { chart, publish, show, tableBundle, usMapSpec, type VegaLiteSpec } from "../../lib/display";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./load";
import type { StepReport, WebLogsRun } from "./pipeline";
import type { HourRollup } from "./rollup";
import { trafficCurve } from "./generate";
import { stateByName, US_STATES } from "./states";

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

/**
 * Events per hour by sub-category (stacked bars, from the warehouse) over the day; with
 * `eventsPerHour` (generated logs), the generator's daily curve beside them: eventsPerHour x
 * trafficCurve(hour of day), a dashed line over every hour of the days the run touches, so a run of
 * a few hours shows where it sits on the day.
 */
export function trafficChartSpec(rows: readonly Record<string, unknown>[], options: { eventsPerHour?: number } = {}): VegaLiteSpec {
  const at = (r: Record<string, unknown>) => `${String(r.hour).replace(" ", "T")}:00Z`;
  const bars = rows.map((r) => ({ time: at(r), sub_cat: r.sub_cat, events: Number(r.events) }));
  const times = bars.map((b) => Date.parse(b.time));
  const layers: Record<string, unknown>[] = [{
    data: { values: bars },
    mark: { type: "bar" },
    encoding: {
      x: { field: "time", type: "temporal", timeUnit: "utcyearmonthdatehours", title: "hour (UTC)", scale: { type: "utc" }, axis: { format: "%H:%M" } },
      y: { field: "events", type: "quantitative", aggregate: "sum", stack: "zero", title: "events per hour" },
      color: { field: "sub_cat", type: "nominal", title: "sub-category" },
    },
  }];
  if (options.eventsPerHour !== undefined && times.length > 0) {
    const day = 24 * 3_600_000;
    const from = Math.floor(Math.min(...times) / day) * day;
    const to = Math.ceil((Math.max(...times) + 3_600_000) / day) * day;
    const curve = [];
    // each hour's expected events, drawn at the middle of its hour (the middle of its bar)
    for (let t = from; t < to; t += 3_600_000) curve.push({ time: new Date(t + 1_800_000).toISOString(), expected: Math.round(options.eventsPerHour * trafficCurve(new Date(t).getUTCHours())), line: "daily curve of the generator" });
    // the axis spans whole days, from midnight to midnight
    ((layers[0].encoding as Record<string, Record<string, unknown>>).x.scale as Record<string, unknown>).domain = [from, to];
    layers.push({
      data: { values: curve },
      mark: { type: "line", strokeDash: [6, 4], color: "#444444", interpolate: "monotone" },
      encoding: {
        x: { field: "time", type: "temporal", scale: { type: "utc" } },
        y: { field: "expected", type: "quantitative" },
        strokeDash: { field: "line", type: "nominal", title: null, scale: { domain: ["daily curve of the generator"], range: [[6, 4]] }, legend: { symbolStrokeColor: "#444444", labelLimit: 300 } },
      },
    });
  }
  return { title: "Events per hour by sub-category, over the daily curve", width: 560, height: 260, layer: layers };
}

export async function trafficChart(wh: Warehouse, options: { eventsPerHour?: number } = {}): Promise<void> {
  await chart(trafficChartSpec(await trafficByHour(wh), options));
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

/** The colour of a state with no events (no data), apart from the blues of 0% and up. */
export const NO_DATA_COLOR = "#a3a3a3";

/**
 * Cart conversion by state on a US map: blues from 0% up, from a visible light blue (so 0% is a
 * colour), and the states without events in grey, with a legend entry "no events (no data)".
 */
export function conversionMapSpec(rows: readonly Record<string, unknown>[]): VegaLiteSpec {
  const spec = usMapSpec([...rows], { key: "fips", value: "conversion", title: "Cart conversion by state (%)" });
  const [background, states] = spec.layer as Record<string, unknown>[];
  const noData = "no events (no data)";
  return {
    ...spec,
    layer: [
      {
        ...background,
        mark: { type: "geoshape", stroke: "white", strokeWidth: 0.5 },
        encoding: { color: { datum: noData, type: "nominal", scale: { domain: [noData], range: [NO_DATA_COLOR] }, legend: { title: null, orient: "bottom-left", symbolType: "square" } } },
      },
      { ...states, encoding: { color: { field: "conversion", type: "quantitative", title: "conversion (%)", scale: { domainMin: 0, range: ["#c6dbef", "#08306b"] } } } },
    ],
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  };
}

export async function conversionMap(wh: Warehouse): Promise<void> {
  const rows = await conversionByState(wh);
  const top = [...rows].sort((a, b) => b.conversion - a.conversion).slice(0, 10);
  const missing = US_STATES.filter((s) => !rows.some((r) => r.state === s.name)).map((s) => s.name);
  const text = [`[US map: cart conversion by state (%)] ${rows.length} states with events, ${missing.length} without; top ${top.length}:`, ...top.map((r) => `  ${r.state}: ${r.conversion}`)].join("\n");
  await chart(conversionMapSpec(rows), { text });
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
