/**
 * The real traffic: vega-datasets' flights-3m.parquet (3,000,000 US flights, January-June 2001;
 * `date` is the scheduled departure in the airport's local time, kept as it is) loaded into the
 * warehouse, and departures per airport per hour derived from it with SQL, every hour present
 * (an hour without a departure is a 0, not a missing row). Airport names from airports.csv.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";
import { WorkbookError } from "../../lib/errors";
import { dialect, type DialectSql } from "../../lib/warehouse/dialect";
import type { TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import type { Point } from "./detect";

export const TABLES = { flights: "traffic_flights", airports: "traffic_airports", hourly: "traffic_hourly" } as const;

const DATA = path.join(projectRoot, "node_modules", "vega-datasets", "data");

/** Where a vega-datasets file is; INPUT_MISSING when the package is not installed. */
export function vegaFile(name: "flights-3m.parquet" | "airports.csv"): string {
  const file = path.join(DATA, name);
  if (!fs.existsSync(file)) throw new WorkbookError("INPUT_MISSING", `${file} does not exist; run "npm install" (the data come with the vega-datasets package).`);
  return file;
}

export const FLIGHTS_SCHEMA: TableSchema = {
  columns: [
    { name: "date", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "delay", type: "INT64" },
    { name: "distance", type: "INT64" },
    { name: "origin", type: "STRING" },
    { name: "destination", type: "STRING" },
  ],
};

export const AIRPORTS_SCHEMA: TableSchema = {
  columns: [
    { name: "iata", type: "STRING", mode: "REQUIRED" },
    { name: "name", type: "STRING" },
    { name: "city", type: "STRING" },
    { name: "state", type: "STRING" },
  ],
};

export const HOURLY_SCHEMA: TableSchema = {
  columns: [
    { name: "airport", type: "STRING", mode: "REQUIRED" },
    { name: "hour", type: "TIMESTAMP", mode: "REQUIRED" },
    { name: "departures", type: "INT64", mode: "REQUIRED" },
  ],
};

export interface Airport {
  iata: string;
  name: string;
  city: string;
  state: string;
}

/** One CSV line into fields (double quotes around a field that holds commas; "" inside is a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2;
    } else {
      const end = line.indexOf(",", i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

/** airports.csv (iata,name,city,state,country,latitude,longitude) as records. */
export function readAirports(file = vegaFile("airports.csv")): Airport[] {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const header = csvFields(lines[0]);
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new WorkbookError("INPUT_INVALID", `${file} has no column ${JSON.stringify(name)} (its header is ${lines[0]}); pass vega-datasets' airports.csv.`);
    return i;
  };
  const [iata, name, city, state] = [at("iata"), at("name"), at("city"), at("state")];
  return lines.slice(1).map((l) => {
    const f = csvFields(l);
    return { iata: f[iata], name: f[name], city: f[city], state: f[state] };
  });
}

/**
 * The SQL that derives departures per airport per hour, every hour from the first to the last
 * flight. The airports are written into the text as a list literal (both engines take
 * ['ORD', 'ATL']); each code was checked against the data before.
 */
export function hourlySql(airports: readonly string[]): DialectSql {
  for (const a of airports) if (!/^[A-Z0-9]{3,4}$/.test(a)) throw new WorkbookError("INPUT_INVALID", `airport ${JSON.stringify(a)} is not an IATA code (3 capital letters or digits, e.g. "ORD").`);
  const list = `[${airports.map((a) => `'${a}'`).join(", ")}]`;
  return dialect({
  duckdb: `INSERT INTO ${TABLES.hourly}
WITH counts AS (
  SELECT origin AS airport, date_trunc('hour', date) AS hour, COUNT(*) AS departures
  FROM ${TABLES.flights} WHERE origin IN (SELECT unnest(${list})) GROUP BY 1, 2),
hours AS (
  SELECT unnest(generate_series(date_trunc('hour', MIN(date)), date_trunc('hour', MAX(date)), INTERVAL 1 HOUR)) AS hour FROM ${TABLES.flights})
SELECT a.airport, h.hour, COALESCE(c.departures, 0) AS departures
FROM (SELECT unnest(${list}) AS airport) a CROSS JOIN hours h
LEFT JOIN counts c ON c.airport = a.airport AND c.hour = h.hour`,
  bigquery: `INSERT INTO ${TABLES.hourly} (airport, hour, departures)
WITH counts AS (
  SELECT origin AS airport, TIMESTAMP_TRUNC(date, HOUR) AS hour, COUNT(*) AS departures
  FROM ${TABLES.flights} WHERE origin IN UNNEST(${list}) GROUP BY 1, 2),
hours AS (
  SELECT hour FROM (SELECT MIN(date) AS lo, MAX(date) AS hi FROM ${TABLES.flights}),
  UNNEST(GENERATE_TIMESTAMP_ARRAY(TIMESTAMP_TRUNC(lo, HOUR), TIMESTAMP_TRUNC(hi, HOUR), INTERVAL 1 HOUR)) AS hour)
SELECT a.airport, h.hour, COALESCE(c.departures, 0) AS departures
FROM (SELECT airport FROM UNNEST(${list}) AS airport) a CROSS JOIN hours h
LEFT JOIN counts c ON c.airport = a.airport AND c.hour = h.hour`,
  });
}

export interface LoadTrafficResult {
  flights: number;
  /** Distinct origins among the flights. */
  origins: number;
  /** Rows of the airports dimension (airports.csv: every US airport, most without a flight here). */
  airports: number;
  /** Airports in the hourly table. */
  series: string[];
  /** Rows of the hourly table (airports x hours). */
  points: number;
}

/**
 * Loads the flights and airports into the warehouse (replacing what was there) and derives the
 * hourly departures of `airports` (IATA codes; default: the `top` busiest origins, default 5).
 * An airport without a single departure in the data is an INPUT_INVALID error naming it.
 */
export async function loadTraffic(wh: Warehouse, options: { airports?: readonly string[]; top?: number; flights?: string } = {}): Promise<LoadTrafficResult> {
  await wh.createTable(TABLES.flights, FLIGHTS_SCHEMA);
  const flights = await wh.loadFile(TABLES.flights, options.flights ?? vegaFile("flights-3m.parquet"), { write: "TRUNCATE" });
  const airports = readAirports();
  await wh.createTable(TABLES.airports, AIRPORTS_SCHEMA);
  await wh.loadRows(TABLES.airports, airports as unknown as Record<string, unknown>[], { write: "TRUNCATE" });
  const busiest = (await wh.query<{ origin: string; n: number }>(`SELECT origin, COUNT(*) AS n FROM ${TABLES.flights} GROUP BY origin ORDER BY n DESC, origin`)).rows.map((r) => r.origin);
  let series: string[];
  if (options.airports && options.airports.length > 0) {
    const known = new Set(busiest);
    const unknown = options.airports.filter((a) => !known.has(a));
    if (unknown.length > 0) throw new WorkbookError("INPUT_INVALID", `no flights leave ${unknown.map((a) => JSON.stringify(a)).join(", ")} in the data; pick IATA codes of origins, e.g. ${busiest.slice(0, 5).join(", ")}.`);
    series = [...new Set(options.airports)];
  } else {
    const top = options.top ?? 5;
    if (!Number.isInteger(top) || top < 1) throw new WorkbookError("OPTIONS_INVALID", `top=${top} must be a whole number of airports, 1 or more.`);
    series = busiest.slice(0, top);
  }
  await wh.query(`DROP TABLE IF EXISTS ${TABLES.hourly}`);
  await wh.createTable(TABLES.hourly, HOURLY_SCHEMA);
  await wh.query(hourlySql(series));
  const points = Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.hourly}`)).rows[0].n);
  return { flights: flights.rows, origins: busiest.length, airports: airports.length, series, points };
}

/** The hourly series from the warehouse, by hour then airport. */
export async function readSeries(wh: Warehouse): Promise<Point[]> {
  const sql = dialect({
    duckdb: `SELECT airport, epoch_ms(hour) AS hour, departures FROM ${TABLES.hourly} ORDER BY hour, airport`,
    bigquery: `SELECT airport, UNIX_MILLIS(hour) AS hour, departures FROM ${TABLES.hourly} ORDER BY hour, airport`,
  });
  const { rows } = await wh.query<Record<string, unknown>>(sql);
  return rows.map((r) => ({ airport: String(r.airport), hour: Number(r.hour), departures: Number(r.departures) }));
}

/**
 * An hour as the data has it: the airport's local clock, written without a time zone
 * ("2001-01-08 05:00"). The warehouse keeps it as a TIMESTAMP without zone; JavaScript's Date and
 * JSON messages stamp it as UTC, which it is not.
 */
export function localHour(t: number | Date): string {
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

/** Departures per airport and hour from `from` on (local time, "2001-01-08 05:00"), the first `limit` rows by hour then airport: the notebook's look at the table. */
export async function departuresFrom(wh: Warehouse, from: string, limit = 9): Promise<{ airport: string; hour: string; departures: number }[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new WorkbookError("OPTIONS_INVALID", `limit=${limit} must be a whole number of rows, 1 or more.`);
  const at = new Date(`${from.replace(" ", "T")}${/Z$|[+-]\d\d:\d\d$/.test(from) ? "" : "Z"}`);
  if (Number.isNaN(at.getTime())) throw new WorkbookError("OPTIONS_INVALID", `from=${JSON.stringify(from)} is not a date-time; write it as "2001-01-08 05:00".`);
  const { rows } = await wh.query<{ airport: string; hour: Date; departures: number }>(
    `SELECT airport, hour, departures FROM ${TABLES.hourly} WHERE hour >= @from ORDER BY hour, airport LIMIT ${limit}`,
    { from: at }, { types: { from: "TIMESTAMP" } },
  );
  return rows.map((r) => ({ airport: r.airport, hour: localHour(r.hour), departures: Number(r.departures) }));
}

/** Standard-time UTC offsets (hours) of a few airports in the four main US time zones. */
export const UTC_OFFSETS: Readonly<Record<string, number>> = { JFK: -5, ATL: -5, ORD: -6, DFW: -6, DEN: -7, PHX: -7, LAX: -8, SFO: -8 };

const hh = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, "0")}:00`;

/**
 * Whether the flights' times are local or UTC, from the data: per airport, the first hour of the day
 * with 2% or more of its departures (the morning bank), and what that clock reading would be locally
 * if it were UTC. Airports four time zones apart start at the same clock hour: the times are local.
 */
export async function firstBanks(wh: Warehouse, airports: readonly string[] = ["JFK", "ORD", "DEN", "LAX"]): Promise<Array<{ airport: string; first_bank: string; utc_offset_hours: number; if_it_were_utc_local_time: string }>> {
  for (const a of airports) if (UTC_OFFSETS[a] === undefined) throw new WorkbookError("INPUT_INVALID", `no UTC offset known for ${JSON.stringify(a)}; pick from ${Object.keys(UTC_OFFSETS).join(", ")}.`);
  const list = airports.map((a) => `'${a}'`).join(", ");
  const { rows } = await wh.query<{ airport: string; first: number }>(
    `WITH h AS (SELECT origin AS airport, hour(date) AS h, COUNT(*) AS n FROM ${TABLES.flights} WHERE origin IN (${list}) GROUP BY 1, 2),
      t AS (SELECT airport, SUM(n) AS total FROM h GROUP BY 1)
    SELECT h.airport, MIN(h.h) AS first FROM h JOIN t ON t.airport = h.airport WHERE h.h >= 3 AND h.n >= 0.02 * t.total GROUP BY 1`);
  const first = new Map(rows.map((r) => [r.airport, Number(r.first)]));
  return airports.map((a) => ({ airport: a, first_bank: hh(first.get(a) ?? NaN), utc_offset_hours: UTC_OFFSETS[a], if_it_were_utc_local_time: hh((first.get(a) ?? NaN) + UTC_OFFSETS[a]) }));
}

/** Names of airports by IATA code. */
export async function airportNames(wh: Warehouse): Promise<Map<string, string>> {
  const { rows } = await wh.query<{ iata: string; name: string; city: string }>(`SELECT iata, name, city FROM ${TABLES.airports}`);
  return new Map(rows.map((r) => [r.iata, `${r.name} (${r.city})`]));
}
