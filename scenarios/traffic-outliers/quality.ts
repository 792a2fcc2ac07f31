/**
 * The checks that guard what the traffic scenario loads, declared with lib/quality next to its
 * tables, for one data interval (a week of flights): the newest flight is at most 6 hours before the
 * interval's end (freshness); every day of the interval has at least 10,000 flights (volume); the
 * flights have their columns and types, delays within a day early and two days late, distances
 * 1..6,000 miles and well-formed airport codes (schema); one row per airport and hour in the hourly
 * counts (uniqueness); every origin is in the airports dimension from airports.csv, the missing
 * share reported (referential); and the hourly counts' distribution does not drift from the
 * previous run's, the week before (drift, PSI over 10 bins). `checkTraffic` runs them on the
 * warehouse; `assertChecks` stops the pipeline on a failed blocking check. The alerts read back from
 * their topic are loaded too (`traffic_alerts`) and checked: one message per key, known types, every
 * airport in the dimension, no resolution without its alert.
 */
import { acceptedValues, columnsAre, drift, freshness, notNull, range, references, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck, type QualityResult, type QualityResultRow } from "../../lib/quality";
import { WorkbookError } from "../../lib/errors";
import type { TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import type { AlertMessage } from "./alerts";
import { TABLES } from "./series";

/** The tables checked (default: the scenario's own; a copy with a planted fault has other names). */
export interface TrafficTables {
  flights: string;
  airports: string;
  hourly: string;
}

/** Fewer flights than this in a day of the interval is a failed load (the real days have 14,267 or more). */
export const MIN_FLIGHTS_PER_DAY = 10_000;

export function trafficChecks(tables: TrafficTables = TABLES): QualityCheck[] {
  const { flights, airports, hourly } = tables;
  return [
    freshness({ table: flights, column: "date", maxLagHours: 6 }),
    volume({ table: flights, timeColumn: "date", min: 1 }),
    sqlCheck({
      table: flights, kind: "volume", name: `every day has ${MIN_FLIGHTS_PER_DAY} flights or more (days short)`,
      sql: `SELECT COUNT(*) AS n FROM (SELECT unnest(generate_series(@start, @end - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS day) AS d
        LEFT JOIN (SELECT date_trunc('day', date) AS day, COUNT(*) AS flights FROM ${flights} WHERE date >= @start AND date < @end GROUP BY 1) AS c ON c.day = d.day
        WHERE COALESCE(c.flights, 0) < ${MIN_FLIGHTS_PER_DAY}`,
    }),
    columnsAre({ table: flights, columns: { date: "TIMESTAMP", delay: "INT64", distance: "INT64", origin: "STRING", destination: "STRING" } }),
    notNull({ table: flights, column: "date" }),
    range({ table: flights, column: "delay", min: -1440, max: 2880, timeColumn: "date" }),
    range({ table: flights, column: "distance", min: 1, max: 6000, timeColumn: "date" }),
    sqlCheck({
      table: flights, kind: "schema", name: "origin and destination are 3-character codes (rows not)",
      sql: `SELECT COUNT(*) AS n FROM ${flights} WHERE date >= @start AND date < @end AND NOT (regexp_full_match(origin, '[A-Z0-9]{3}') AND regexp_full_match(destination, '[A-Z0-9]{3}'))`,
    }),
    unique({ table: hourly, columns: ["airport", "hour"], name: "one row per airport and hour" }),
    range({ table: hourly, column: "departures", min: 0, timeColumn: "hour" }),
    references({ table: flights, column: "origin", to: airports, toColumn: "iata", timeColumn: "date", maxMissingShare: 0.001 }),
    drift({ table: hourly, column: "departures", timeColumn: "hour", threshold: 0.2 }),
  ];
}

const DAY_MS = 86_400_000;

/** The week that starts on `start` (ISO date): the interval a weekly load checks. */
export function week(start: string): { start: Date; end: Date } {
  const s = new Date(`${start}T00:00:00Z`);
  if (Number.isNaN(s.getTime())) throw new WorkbookError("OPTIONS_INVALID", `week start ${JSON.stringify(start)} is not a date; write it as YYYY-MM-DD, e.g. "2001-06-24".`);
  return { start: s, end: new Date(s.getTime() + 7 * DAY_MS) };
}

/**
 * Runs the checks for the week starting `start`, after a run for the week before it (the drift
 * check's reference), recording both in the warehouse's quality_results; returns this week's results.
 */
export async function checkTraffic(wh: Warehouse, start: string, tables: TrafficTables = TABLES): Promise<QualityResult[]> {
  const target = warehouseTarget(wh);
  const interval = week(start);
  const before = { start: new Date(interval.start.getTime() - 7 * DAY_MS), end: interval.start };
  await runChecks(target, trafficChecks(tables), { interval: before, runId: "week before" });
  return runChecks(target, trafficChecks(tables), { interval, runId: "this week" });
}

/**
 * A late file, planted on copies of the tables (the scenario's tables stay as they are): the flights
 * of the interval's last day have not arrived. Returns the copies' names.
 */
export async function plantLateFile(wh: Warehouse, start: string): Promise<TrafficTables> {
  const lastDay = new Date(week(start).end.getTime() - DAY_MS).toISOString().slice(0, 10);
  const copy: TrafficTables = { flights: `${TABLES.flights}_late`, airports: TABLES.airports, hourly: `${TABLES.hourly}_late` };
  await wh.query(`CREATE OR REPLACE TABLE ${copy.flights} AS SELECT * FROM ${TABLES.flights} WHERE date < TIMESTAMP '${lastDay} 00:00:00'`);
  await wh.query(`CREATE OR REPLACE TABLE ${copy.hourly} AS SELECT * FROM ${TABLES.hourly}`);
  return copy;
}

/** The stored results of the checks on these tables (for the scorecard: a copy's results stay out). */
export async function qualityRows(wh: Warehouse, tables: TrafficTables = TABLES): Promise<QualityResultRow[]> {
  const names = new Set(Object.values(tables));
  return (await warehouseTarget(wh).allResults()).filter((r) => names.has(r.table_name));
}

/** The results as a table (lib/quality resultsTable; `notPassed`: only warnings and failures). */
export { resultsTable as resultRows } from "../../lib/quality";

export const ALERTS_TABLE = "traffic_alerts";

export const ALERTS_SCHEMA: TableSchema = {
  columns: [
    { name: "type", type: "STRING", mode: "REQUIRED" },
    { name: "airport", type: "STRING", mode: "REQUIRED" },
    { name: "detector", type: "STRING", mode: "REQUIRED" },
    { name: "incident", type: "STRING", mode: "REQUIRED" },
    { name: "started_at", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "at", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "score", type: "FLOAT64" },
  ],
};

export function alertChecks(table = ALERTS_TABLE): QualityCheck[] {
  return [
    unique({ table, columns: ["type", "incident", "detector"], name: "one message per key" }),
    acceptedValues({ table, column: "type", values: ["alert", "resolved"] }),
    references({ table, column: "airport", to: TABLES.airports, toColumn: "iata" }),
    sqlCheck({
      table, kind: "referential", name: "no resolution without its alert (resolutions)",
      sql: `SELECT COUNT(*) AS n FROM ${table} AS r WHERE r.type = 'resolved' AND NOT EXISTS (SELECT 1 FROM ${table} AS a WHERE a.type = 'alert' AND a.incident = r.incident AND a.detector = r.detector)`,
    }),
  ];
}

/** Loads the alerts read back from their topic into the warehouse (replacing the table's rows) and runs alertChecks on them. */
export async function checkAlerts(wh: Warehouse, messages: readonly AlertMessage[], table = ALERTS_TABLE): Promise<QualityResult[]> {
  await wh.createTable(table, ALERTS_SCHEMA);
  const rows = messages.map((m) => ({ type: m.type, airport: m.airport, detector: m.detector, incident: m.incident, started_at: new Date(m.started_at), at: new Date(m.at), score: m.score }));
  await wh.loadRows(table, rows, { write: "TRUNCATE" });
  const times = messages.map((m) => Date.parse(m.at));
  const start = new Date(times.length ? Math.min(...times) : 0);
  return runChecks(warehouseTarget(wh), alertChecks(table), { interval: { start, end: new Date(start.getTime() + DAY_MS) }, runId: "alerts" });
}
