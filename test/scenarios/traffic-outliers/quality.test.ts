/** The traffic checks on the real flights: a clean week passes all six kinds; a late file, a duplicated hour and a missing airport are caught. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { isWorkbookError } from "../../../lib/errors";
import { QUALITY_KINDS } from "../../../lib/quality";
import { loadTraffic, TABLES } from "../../../scenarios/traffic-outliers/series";
import { checkAlerts, checkTraffic, plantLateFile, resultRows, week } from "../../../scenarios/traffic-outliers/quality";

test("traffic checks: the week of 2001-06-24 passes all six kinds; a late file fails freshness (24 h) and the daily volume; a duplicated hour and a missing airport are caught", { timeout: 180_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadTraffic(wh, { airports: ["ORD", "DFW"] });
  const clean = await checkTraffic(wh, "2001-06-24");
  assert.deepEqual(clean.filter((r) => r.status !== "pass").map((r) => [r.check, r.detail]), []);
  assert.deepEqual([...new Set(clean.map((r) => r.kind))].sort(), [...QUALITY_KINDS].sort());
  const n = async (sql: string) => Number((await wh.query<{ n: number }>(sql)).rows[0].n);
  assert.equal(clean.find((r) => r.check === "has rows")?.observed, await n(`SELECT COUNT(*) AS n FROM ${TABLES.flights} WHERE date >= TIMESTAMP '2001-06-24' AND date < TIMESTAMP '2001-07-01'`));

  // a late file: the flights of 2001-06-30 missing; the newest flight is a day and a minute before the week's end
  const late = await checkTraffic(wh, "2001-06-24", await plantLateFile(wh, "2001-06-24"));
  const newest = (await wh.query<{ t: Date }>(`SELECT MAX(date) AS t FROM ${TABLES.flights} WHERE date < TIMESTAMP '2001-06-30'`)).rows[0].t;
  const fresh = late.find((r) => r.check === "date at most 6 h old");
  assert.equal(fresh?.status, "fail");
  assert.ok(Math.abs((fresh?.observed ?? 0) - (Date.parse("2001-07-01T00:00:00Z") - new Date(newest).getTime()) / 3_600_000) < 1e-9);
  assert.deepEqual(resultRows(late, { notPassed: true }).map((r) => [r.check, r.observed]), [["date at most 6 h old", Number(fresh!.observed!.toFixed(4))], ["every day has 10000 flights or more (days short)", 1]]);
  assert.doesNotMatch(resultRows(late).map((r) => r.detail).join("\n"), /\d{2}:\d{2}:\d{2}\.\d{3}Z/, "times without the Z");

  // a duplicated hour in the counts, and ORD missing from the airports dimension (on copies)
  await wh.query(`CREATE OR REPLACE TABLE dup_hourly AS SELECT * FROM ${TABLES.hourly} UNION ALL SELECT * FROM ${TABLES.hourly} WHERE airport = 'ORD' AND hour = TIMESTAMP '2001-06-25 08:00:00'`);
  await wh.query(`CREATE OR REPLACE TABLE no_ord AS SELECT * FROM ${TABLES.airports} WHERE iata <> 'ORD'`);
  const bad = await checkTraffic(wh, "2001-06-24", { flights: TABLES.flights, airports: "no_ord", hourly: "dup_hourly" });
  assert.equal(bad.find((r) => r.check === "one row per airport and hour")?.observed, 1);
  const ord = await n(`SELECT COUNT(*) AS n FROM ${TABLES.flights} WHERE origin = 'ORD' AND date >= TIMESTAMP '2001-06-24' AND date < TIMESTAMP '2001-07-01'`);
  const all = await n(`SELECT COUNT(*) AS n FROM ${TABLES.flights} WHERE date >= TIMESTAMP '2001-06-24' AND date < TIMESTAMP '2001-07-01'`);
  const ref = bad.find((r) => r.check === `every origin exists in no_ord`);
  assert.equal(ref?.status, "fail");
  assert.ok(Math.abs((ref?.observed ?? 0) - ord / all) < 1e-12, `missing share ${ref?.observed} vs ${ord / all}`);

  // the alerts read back: clean messages pass; a message twice, a resolution without its alert and an unknown airport are caught
  const msg = (type: "alert" | "resolved", airport: string, incident: string) => ({ type, airport, detector: "seasonal-mad", incident, started_at: "2001-03-01T08:00:00.000Z", at: "2001-03-01T09:00:00.000Z", value: 1, baseline: 1, score: 6 });
  const good = [msg("alert", "ORD", "ORD@1"), msg("resolved", "ORD", "ORD@1"), msg("alert", "DFW", "DFW@1")];
  assert.deepEqual((await checkAlerts(wh, good)).filter((r) => r.status !== "pass").map((r) => r.check), []);
  const wrong = await checkAlerts(wh, [...good, msg("alert", "ORD", "ORD@1"), msg("resolved", "DFW", "DFW@2"), msg("alert", "XXX", "XXX@1")]);
  assert.deepEqual(wrong.filter((r) => r.status !== "pass").map((r) => [r.check, r.observed]), [
    ["one message per key", 1], ["every airport exists in traffic_airports", 1 / 6], ["no resolution without its alert (resolutions)", 1],
  ]);

  assert.throws(() => week("June 24"), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /"June 24"/.test(e.message) && /YYYY-MM-DD/.test(e.message));
});
