import { test } from "node:test";
import assert from "node:assert/strict";
import { webLogsExercises, TOP_CONVERSION_SQL, yearsWithin } from "../../../scenarios/web-logs/exercises";
import { createWebLogTables, loadHour } from "../../../scenarios/web-logs/load";
import type { HourRollup, RollupRow } from "../../../scenarios/web-logs/rollup";
import { testWarehouse } from "./helpers";

function hour(rows: Array<[string, number, number]>): HourRollup {
  const r: RollupRow[] = rows.map(([state, visits, cart_adds]) => ({ date: "2021-03-26", hour: 10, type: "shoes", state, category: "products", sub_cat: "mens-wear", visits, cart_adds }));
  return { date: "2021-03-26", hour: 10, files: [], fingerprint: "x", lakeRows: 0, rows: r, rejected: [], maxEventTime: null };
}

test("each exercise: the placeholder is not attempted, a typical wrong answer fails without showing the expected value, the reference passes", async (t) => {
  const wh = await testWarehouse(t);
  await createWebLogTables(wh);
  // California: many cart additions but a low share; small states convert better.
  await loadHour(wh, hour([["California", 900, 100], ["Texas", 700, 70], ["Vermont", 20, 10], ["Wyoming", 30, 10], ["Ohio", 50, 15], ["Iowa", 40, 12], ["Utah", 60, 14]]));
  const ex = webLogsExercises(wh);
  assert.equal((await ex.topConversion.verdict(undefined)).status, "not-attempted");
  const wrong = await ex.topConversion.verdict("SELECT state, SUM(cart_adds) AS conversion FROM weblogs_hourly GROUP BY state ORDER BY conversion DESC LIMIT 5");
  assert.equal(wrong.status, "incorrect");
  assert.match(wrong.message, /California/);
  assert.doesNotMatch(wrong.message, /Vermont.*Wyoming.*Iowa/, "the expected list is not shown");
  assert.equal((await ex.topConversion.verdict(TOP_CONVERSION_SQL)).status, "correct");
  assert.equal((await ex.topConversion.verdict("SELECT nonsense")).status, "incorrect");

  assert.equal((await ex.monthYears.verdict(undefined)).status, "not-attempted");
  assert.equal((await ex.monthYears.verdict(10)).status, "incorrect", "the day-partition figure is wrong for months");
  assert.equal((await ex.monthYears.verdict(333)).status, "correct");
  assert.equal(yearsWithin(4000, "day"), 10);

  assert.equal((await ex.mergeKey.verdict(["date"])).status, "incorrect", "a day key is a day overwrite, not an hour merge");
  assert.match((await ex.mergeKey.verdict(["date", "hour", "type", "state", "category", "sub_cat", "visits"])).message, /counts change/);
  assert.equal((await ex.mergeKey.verdict(["sub_cat", "category", "state", "type", "hour", "date"])).status, "correct", "order does not matter");
  assert.equal((await ex.mergeKey.verdict(await ex.mergeKey.solution())).status, "correct");
});
