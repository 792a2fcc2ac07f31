import { test } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse } from "../../../lib/warehouse";
import { isWorkbookError } from "../../../lib/errors";
import { airportNames, departuresFrom, hourlySql, loadTraffic, readAirports, readSeries, TABLES } from "../../../scenarios/traffic-outliers/series";
import { HOUR_MS } from "../../../scenarios/traffic-outliers/detectors";
import { defer } from "../../lib/stream/helpers";

test("airports.csv: quoted names with commas are read whole", () => {
  const airports = readAirports();
  assert.equal(airports.length, 3376);
  const btr = airports.find((a) => a.iata === "BTR")!;
  assert.equal(btr.name, "Baton Rouge Metropolitan, Ryan");
  assert.equal(btr.state, "LA");
});

test("loadTraffic: 3 million flights in the warehouse; every hour of every chosen airport is a row, 0 where nothing left, and the counts equal a direct count of the flights", { timeout: 180_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  const load = await loadTraffic(wh, { airports: ["ORD", "SAN"] });
  assert.equal(load.flights, 3_000_000);
  assert.deepEqual(load.series, ["ORD", "SAN"]);
  assert.equal(load.points, 2 * 4345, "2001-01-01 00:00 to 2001-07-01 00:00, every hour");
  const points = await readSeries(wh);
  assert.equal(points.length, load.points);
  const ord = points.filter((p) => p.airport === "ORD");
  assert.ok(ord.every((p, i) => i === 0 || p.hour - ord[i - 1].hour === HOUR_MS), "no hour missing");
  assert.ok(ord.some((p) => p.departures === 0), "quiet hours are zeros");
  const direct = Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.flights} WHERE origin = 'ORD'`)).rows[0].n);
  assert.equal(ord.reduce((s, p) => s + p.departures, 0), direct);
  const monday8 = Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.flights} WHERE origin = 'SAN' AND date >= TIMESTAMP '2001-03-05 08:00:00' AND date < TIMESTAMP '2001-03-05 09:00:00'`)).rows[0].n);
  assert.equal(points.find((p) => p.airport === "SAN" && p.hour === Date.parse("2001-03-05T08:00:00Z"))!.departures, monday8);
  assert.match((await airportNames(wh)).get("ORD")!, /Chicago/);
  const morning = await departuresFrom(wh, "2001-03-05T08:00:00Z", 3);
  const at = (airport: string, iso: string) => points.find((p) => p.airport === airport && p.hour === Date.parse(iso))!.departures;
  assert.deepEqual(morning.map((r) => [r.airport, r.hour.toISOString(), r.departures]), [
    ["ORD", "2001-03-05T08:00:00.000Z", at("ORD", "2001-03-05T08:00:00Z")], ["SAN", "2001-03-05T08:00:00.000Z", monday8], ["ORD", "2001-03-05T09:00:00.000Z", at("ORD", "2001-03-05T09:00:00Z")],
  ]);
  await assert.rejects(loadTraffic(wh, { airports: ["ORD", "QQQ"] }), (e) => isWorkbookError(e, "INPUT_INVALID") && /"QQQ"/.test(e.message) && /ORD/.test(e.message));
  assert.throws(() => hourlySql(["ORD'; DROP TABLE x; --"]), (e) => isWorkbookError(e, "INPUT_INVALID") && /not an IATA code/.test(e.message));
});
