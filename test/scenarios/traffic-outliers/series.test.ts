import { test } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse } from "../../../lib/warehouse";
import { isWorkbookError } from "../../../lib/errors";
import { airportNames, departuresFrom, firstBanks, hourlySql, loadTraffic, readAirports, readSeries, TABLES } from "../../../scenarios/traffic-outliers/series";
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
  const morning = await departuresFrom(wh, "2001-03-05 08:00", 3);
  const at = (airport: string, iso: string) => points.find((p) => p.airport === airport && p.hour === Date.parse(iso))!.departures;
  assert.deepEqual(morning.map((r) => [r.airport, r.hour, r.departures]), [
    ["ORD", "2001-03-05 08:00", at("ORD", "2001-03-05T08:00:00Z")], ["SAN", "2001-03-05 08:00", monday8], ["ORD", "2001-03-05 09:00", at("ORD", "2001-03-05T09:00:00Z")],
  ]);
  // the times are each airport's local clock: the morning bank starts at 06:00 in New York, Chicago, Denver and Los Angeles alike
  // (counted here without the scenario's SQL: the first hour of the day, from 03:00 on, with 2% of the airport's departures)
  const byHour = (await wh.query<{ origin: string; h: number; n: number }>(`SELECT origin, hour(date) AS h, COUNT(*) AS n FROM ${TABLES.flights} WHERE origin IN ('JFK', 'ORD', 'DEN', 'LAX') GROUP BY 1, 2`)).rows;
  const firstBank = (a: string) => {
    const rows = byHour.filter((r) => r.origin === a);
    const total = rows.reduce((s, r) => s + Number(r.n), 0);
    return Math.min(...rows.filter((r) => Number(r.h) >= 3 && Number(r.n) >= 0.02 * total).map((r) => Number(r.h)));
  };
  const banks = await firstBanks(wh);
  assert.deepEqual(banks.map((b) => [b.airport, b.first_bank]), ["JFK", "ORD", "DEN", "LAX"].map((a) => [a, `${String(firstBank(a)).padStart(2, "0")}:00`]));
  assert.equal(new Set(banks.map((b) => b.first_bank)).size, 1, "one clock hour at four time zones");
  assert.equal(banks.find((b) => b.airport === "LAX")?.if_it_were_utc_local_time, "22:00");
  assert.equal(load.origins, Number((await wh.query<{ n: number }>(`SELECT COUNT(DISTINCT origin) AS n FROM ${TABLES.flights}`)).rows[0].n));
  await assert.rejects(loadTraffic(wh, { airports: ["ORD", "QQQ"] }), (e) => isWorkbookError(e, "INPUT_INVALID") && /"QQQ"/.test(e.message) && /ORD/.test(e.message));
  assert.throws(() => hourlySql(["ORD'; DROP TABLE x; --"]), (e) => isWorkbookError(e, "INPUT_INVALID") && /not an IATA code/.test(e.message));
});
