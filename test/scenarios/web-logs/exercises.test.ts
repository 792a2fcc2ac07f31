import { test } from "node:test";
import assert from "node:assert/strict";
import { webLogsExercises, TOP_CONVERSION_SQL } from "../../../scenarios/web-logs/exercises";
import { createWebLogTables, loadHour } from "../../../scenarios/web-logs/load";
import type { HourRollup, RollupRow } from "../../../scenarios/web-logs/rollup";
import { testWarehouse } from "./helpers";

function hour(rows: Array<[string, number, number]>, h = 10): HourRollup {
  const r: RollupRow[] = rows.map(([state, visits, cart_adds]) => ({ date: "2021-03-26", hour: h, type: "shoes", state, category: "products", sub_cat: "mens-wear", visits, cart_adds }));
  return { date: "2021-03-26", hour: h, files: [], fingerprint: "x", lakeRows: 0, rows: r, rejected: [], maxEventTime: null };
}

test("each exercise: the placeholder is not attempted, a typical wrong answer fails without showing the expected value, the reference passes", async (t) => {
  const wh = await testWarehouse(t);
  await createWebLogTables(wh);
  // California: many cart additions but a low share; small states convert better.
  await loadHour(wh, hour([["California", 900, 100], ["Texas", 700, 70], ["Vermont", 20, 10], ["Wyoming", 30, 10], ["Ohio", 50, 15], ["Iowa", 40, 12], ["Utah", 60, 14]]));
  const ex = webLogsExercises(wh);
  assert.equal((await ex.topConversion.verdict(undefined)).status, "not-attempted");
  const wrong = await ex.topConversion.verdict("SELECT state, SUM(cart_adds) AS conversion FROM weblogs_hourly WHERE hour = 10 GROUP BY state ORDER BY conversion DESC LIMIT 5");
  assert.equal(wrong.status, "incorrect");
  assert.match(wrong.message, /California/);
  assert.doesNotMatch(wrong.message, /Vermont.*Wyoming.*Iowa/, "the expected list is not shown");
  assert.equal((await ex.topConversion.verdict(TOP_CONVERSION_SQL)).status, "correct");
  assert.equal((await ex.topConversion.verdict("SELECT nonsense")).status, "incorrect");

  assert.equal((await ex.hourDays.verdict(undefined)).status, "not-attempted");
  assert.match((await ex.hourDays.verdict(10)).message, /day-partition figure/);
  assert.match((await ex.hourDays.verdict(417)).message, /would not fit whole/);
  assert.match((await ex.hourDays.verdict(10000)).message, /counts partitions/);
  assert.match((await ex.hourDays.verdict(166)).message, /original's limit of 4000/, "4,000 / 24: the limit when the original was written");
  assert.equal((await ex.hourDays.verdict(416)).status, "correct");
  assert.equal((await ex.mergeKey.verdict(["date"])).status, "incorrect", "a day key is a day overwrite, not an hour merge");
  assert.match((await ex.mergeKey.verdict(["date", "hour", "type", "state", "category", "sub_cat", "visits"])).message, /counts change/);
  assert.equal((await ex.mergeKey.verdict(["sub_cat", "category", "state", "type", "hour", "date"])).status, "correct", "order does not matter");
  assert.equal((await ex.mergeKey.verdict(await ex.mergeKey.solution())).status, "correct");
});

test("each exercise's expected value, pinned by hand: the five best-converting states of a small table, 10,000 / 24 hours, the rollup's GROUP BY", async (t) => {
  const wh = await testWarehouse(t);
  await createWebLogTables(wh);
  // at 10:00, conversion = cart_adds / (visits + cart_adds): Vermont 10/30 = 0.333, Wyoming 10/40 = 0.25, Iowa 12/52 = Ohio 15/65
  // = 0.2308 (a tie: by name), Utah 14/74 = 0.189, California 100/1000 = 0.1, Texas 70/770 = 0.091; Alaska 3/5 = 0.6 has
  // fewer than 20 events. At 11:00 Texas converts 400/500, which puts it first over the whole run.
  await loadHour(wh, hour([["California", 900, 100], ["Texas", 700, 70], ["Vermont", 20, 10], ["Wyoming", 30, 10], ["Ohio", 50, 15], ["Iowa", 40, 12], ["Utah", 60, 14], ["Alaska", 2, 3]]));
  await loadHour(wh, hour([["Texas", 100, 400]], 11));
  const ex = webLogsExercises(wh);
  assert.deepEqual(await ex.topConversion.expected(), ["Vermont", "Wyoming", "Iowa", "Ohio", "Utah"]);
  assert.equal(await ex.hourDays.expected(), 416, "BigQuery's 10,000 partitions (quotas page, checked 2026-12-07) / 24 = 416.7: 416 whole days");
  assert.deepEqual(await ex.mergeKey.expected(), ["category", "date", "hour", "state", "sub_cat", "type"]);
  // two typical wrong answers of exercise 1, each with its nudge
  assert.match((await ex.topConversion.verdict("SELECT state, SUM(cart_adds) AS conversion FROM weblogs_hourly GROUP BY state ORDER BY conversion DESC LIMIT 5")).message, /California has many cart additions/);
  const sql = TOP_CONVERSION_SQL;
  assert.match((await ex.topConversion.verdict(sql.replace("LIMIT 5", ""))).message, /Give five states/);
  assert.match((await ex.topConversion.verdict(sql.replace("WHERE hour = @hour\n", ""))).message, /whole run, as on the map/);
  assert.match((await ex.topConversion.verdict(sql.replace(/HAVING .*\n/, ""))).message, /handful of events/);
  assert.equal((await ex.topConversion.verdict(sql.replace("@hour", "10"))).status, "correct", "the hour written in");
  assert.match((await ex.mergeKey.verdict(["date", "hour"])).message, /fewer columns/);
});
