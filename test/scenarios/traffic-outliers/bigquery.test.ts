/**
 * The BigQuery contract for the traffic-outliers scenario's warehouse side, against the local
 * stand-in of the BigQuery API (test/cloud/bigquery-stand-in.ts): the flights go up as a Parquet
 * load job (a small file in the layout of vega-datasets' flights-3m.parquet, written here with
 * DuckDB), the airports as rows, and the hourly series is derived with the BigQuery text of
 * `hourlySql`; reading it back uses UNIX_MILLIS. The batch alert query, DuckDB's only, fails before
 * it sends anything. The stand-in runs no SQL; the ZetaSQL check (test/zetasql) analyzes the same
 * statements.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { openWarehouse } from "../../../lib/warehouse";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import type { TableSchema } from "../../../lib/warehouse/warehouse";
import { batchAlerts } from "../../../scenarios/traffic-outliers/batch";
import { AIRPORTS_SCHEMA, airportNames, departuresFrom, FLIGHTS_SCHEMA, HOURLY_SCHEMA, loadTraffic, readAirports, readSeries, TABLES, vegaFile } from "../../../scenarios/traffic-outliers/series";
import { fakeAuthClient, startStandIn, type QueryAnswer } from "../../cloud/bigquery-stand-in";
import { tempDir } from "../../helpers";

/** A few flights: ORD 3, SAN 2, ATL 1, over three hours of 2001-01-01 (local time, as in the data). */
const FLIGHTS: [string, number, number, string, string][] = [
  ["2001-01-01 00:01:00", 33, 2176, "ORD", "LAS"],
  ["2001-01-01 00:40:00", -2, 1723, "ORD", "SFO"],
  ["2001-01-01 02:05:00", 0, 733, "ORD", "ATL"],
  ["2001-01-01 00:10:00", 5, 1275, "SAN", "DFW"],
  ["2001-01-01 02:30:00", 12, 1171, "SAN", "DEN"],
  ["2001-01-01 01:15:00", 19, 215, "ATL", "SAV"],
];

/** Writes FLIGHTS as Parquet with DuckDB (TIMESTAMP without time zone, BIGINT, VARCHAR) and checks it has the columns of the real file. */
async function flightsFile(dir: string): Promise<string> {
  const file = path.join(dir, "flights-small.parquet");
  const duck = await openWarehouse({ memory: true });
  try {
    const values = FLIGHTS.map(([d, delay, distance, o, dest]) => `(TIMESTAMP '${d}', ${delay}, ${distance}, '${o}', '${dest}')`).join(",\n  ");
    await duck.query(`COPY (SELECT CAST(date AS TIMESTAMP) AS date, CAST(delay AS BIGINT) AS delay, CAST(distance AS BIGINT) AS distance, origin, destination
      FROM (VALUES ${values}) AS f(date, delay, distance, origin, destination)) TO '${file}' (FORMAT PARQUET)`);
    const columns = async (f: string) => (await duck.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM '${f}'`)).rows.map((r) => `${r.column_name} ${r.column_type}`);
    assert.deepEqual(await columns(file), await columns(vegaFile("flights-3m.parquet")), "the small file has the columns of flights-3m.parquet");
  } finally {
    await duck.close();
  }
  return file;
}

const fieldsOf = (schema: TableSchema) => schema.columns.map((c) => ({ name: c.name, type: c.type, mode: c.mode ?? "NULLABLE" }));

test("BigQuery contract: traffic-outliers loads the flights as Parquet and the airports as rows, derives the hourly series with BigQuery SQL and reads it back", { timeout: 30_000 }, async (t) => {
  const file = await flightsFile(tempDir(t));
  const hours = 3;
  const busiest = [["ORD", "3"], ["SAN", "2"], ["ATL", "1"]];
  const series = [["ORD", String(Date.parse("2001-01-01T00:00:00Z")), "2"], ["SAN", String(Date.parse("2001-01-01T00:00:00Z")), "1"]];
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  standIn.answer = (sql): QueryAnswer => {
    if (sql.startsWith(`SELECT origin, COUNT(*) AS n FROM ${TABLES.flights}`)) return { fields: [{ name: "origin", type: "STRING" }, { name: "n", type: "INT64" }], rows: busiest };
    if (sql === `SELECT COUNT(*) AS n FROM ${TABLES.hourly}`) return { fields: [{ name: "n", type: "INT64" }], rows: [[String(2 * hours)]] };
    if (/^SELECT airport, UNIX_MILLIS\(hour\) AS hour/.test(sql)) return { fields: [{ name: "airport", type: "STRING" }, { name: "hour", type: "INT64" }, { name: "departures", type: "INT64" }], rows: series };
    if (sql.startsWith("SELECT airport, hour, departures FROM")) return { fields: [{ name: "airport", type: "STRING" }, { name: "hour", type: "TIMESTAMP" }, { name: "departures", type: "INT64" }], rows: [["ORD", String(Date.parse("2001-01-08T05:00:00Z") * 1000), "7"]] };
    if (sql.startsWith("SELECT iata, name, city FROM")) return { fields: ["iata", "name", "city"].map((name) => ({ name, type: "STRING" })), rows: [["ORD", "Chicago O'Hare International", "Chicago"]] };
    return { fields: [], rows: [] };
  };
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "traffic", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());

  const load = await loadTraffic(wh, { flights: file, top: 2 });
  assert.deepEqual(load.series, ["ORD", "SAN"], "the two busiest origins, as the warehouse ranked them");
  assert.equal(load.points, 2 * hours);
  assert.equal(load.airports, readAirports().length);
  assert.deepEqual(await readSeries(wh), [{ airport: "ORD", hour: Date.parse("2001-01-01T00:00:00Z"), departures: 2 }, { airport: "SAN", hour: Date.parse("2001-01-01T00:00:00Z"), departures: 1 }]);
  assert.equal((await airportNames(wh)).get("ORD"), "Chicago O'Hare International (Chicago)");
  assert.deepEqual(await departuresFrom(wh, "2001-01-08T05:00:00Z", 9), [{ airport: "ORD", hour: "2001-01-08 05:00", departures: 7 }]);

  // the three tables, with the scenario's schemas
  const created = standIn.requests.filter((r) => r.method === "POST" && /\/datasets\/traffic\/tables$/.test(r.path) && r.status === 200).map((r) => r.json as { tableReference: { tableId: string }; schema: { fields: unknown[] } });
  assert.deepEqual(created.map((c) => c.tableReference.tableId), [TABLES.flights, TABLES.airports, TABLES.hourly]);
  assert.deepEqual(created.map((c) => c.schema.fields), [fieldsOf(FLIGHTS_SCHEMA), fieldsOf(AIRPORTS_SCHEMA), fieldsOf(HOURLY_SCHEMA)]);

  // two load jobs: the Parquet file as it is, and the airports as NDJSON, each replacing the table
  const loads = standIn.requests.filter((r) => r.method === "POST" && r.path.startsWith("/upload/")).map((r) => ({ load: (r.json?.configuration as { load: { destinationTable: { tableId: string }; sourceFormat: string; writeDisposition: string } }).load, upload: r.upload ?? "" }));
  assert.deepEqual(loads.map((l) => [l.load.destinationTable.tableId, l.load.sourceFormat, l.load.writeDisposition]), [
    [TABLES.flights, "PARQUET", "WRITE_TRUNCATE"], [TABLES.airports, "NEWLINE_DELIMITED_JSON", "WRITE_TRUNCATE"],
  ]);
  assert.ok(loads[0].upload.startsWith("PAR1"), "the flights file goes up as Parquet");
  assert.equal(loads[1].upload.split("\n").filter((l) => l !== "").length, load.airports);

  // the statements, in order: BigQuery's text, no parameters, standard SQL
  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as { query: string; useLegacySql: boolean; queryParameters?: unknown[] });
  const statements = queries.map((q) => q.query);
  assert.equal(statements.length, 7, statements.join("\n---\n"));
  assert.match(statements[0], /^SELECT origin, COUNT\(\*\) AS n FROM traffic_flights GROUP BY origin ORDER BY n DESC, origin$/);
  assert.equal(statements[1], `DROP TABLE IF EXISTS ${TABLES.hourly}`);
  assert.match(statements[2], /^INSERT INTO traffic_hourly \(airport, hour, departures\)\n/);
  assert.match(statements[2], /IN UNNEST\(\['ORD', 'SAN'\]\)/, "the chosen airports are in the text");
  assert.match(statements[2], /GENERATE_TIMESTAMP_ARRAY\(TIMESTAMP_TRUNC\(lo, HOUR\), TIMESTAMP_TRUNC\(hi, HOUR\), INTERVAL 1 HOUR\)/, "every hour from the first flight to the last");
  assert.match(statements[2], /CROSS JOIN hours h\nLEFT JOIN counts c ON c\.airport = a\.airport AND c\.hour = h\.hour$/, "every airport at every hour, 0 where no flight left");
  assert.match(statements[3], /^SELECT COUNT\(\*\) AS n FROM traffic_hourly$/);
  assert.match(statements[4], /UNIX_MILLIS\(hour\)/);
  assert.match(statements[5], /^SELECT iata, name, city FROM traffic_airports$/);
  assert.equal(statements[6], "SELECT airport, hour, departures FROM traffic_hourly WHERE hour >= @from ORDER BY hour, airport LIMIT 9", "the notebook's look at the table");
  for (const s of statements) assert.doesNotMatch(s, /date_trunc\(|epoch_ms|generate_series|\bunnest\(/, "no DuckDB function on the BigQuery path");
  for (const q of queries) assert.equal(q.useLegacySql, false);
  assert.deepEqual(queries.map((q) => q.queryParameters ?? null), [...Array(6).fill(null), [{ name: "from", parameterType: { type: "TIMESTAMP" }, parameterValue: { value: "2001-01-08T05:00:00.000Z" } }]]);

  // the batch alert query is DuckDB's (list windows, lambdas): on BigQuery it stops before sending anything
  await assert.rejects(batchAlerts(wh), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /batchAlertsSql/.test(e.message) && /WAREHOUSE=bigquery/.test(e.message) && /openWarehouse\(\{ memory: true \}\)/.test(e.message));
  assert.equal(standIn.requests.filter((r) => r.path.endsWith("/queries")).length, queries.length, "no statement was sent");
});
