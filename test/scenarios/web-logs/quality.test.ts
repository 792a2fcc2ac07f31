/**
 * The web-logs checks as lib/quality SQL on the staged hour agree with the in-memory rules
 * (checkQuality) on a clean hour and on each planted fault, and are recorded once per hour.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { QUALITY_KINDS, runChecks, warehouseTarget } from "../../../lib/quality";
import { checkQuality, checksByHour, stageForChecks, webLogsChecks } from "../../../scenarios/web-logs/quality";
import type { HourRollup } from "../../../scenarios/web-logs/rollup";
import { testWarehouse } from "./helpers";

const START = Date.UTC(2021, 2, 26, 10);
const H = 3_600_000;

test("the SQL checks on the staged hour fail on the same planted faults as the in-memory rules", { timeout: 60_000 }, async (t) => {
  const wh = await testWarehouse(t);
  const ok: HourRollup = {
    date: "2021-03-26", hour: 10, files: ["f"], fingerprint: "x", lakeRows: 5, maxEventTime: START + 10 * 60_000,
    rows: [{ date: "2021-03-26", hour: 10, type: "shoes", state: "Ohio", category: "products", sub_cat: "mens-wear", visits: 3, cart_adds: 1 }],
    rejected: [{ date: "2021-03-26", hour: 10, kafka_partition: 0, kafka_offset: 7, date_time: "2021-03-26 10:01:00", state: "Ontario", reason: "not a US state" }],
  };
  const now = Date.UTC(2026, 0, 1);
  const interval = { start: new Date(START), end: new Date(START + H) };
  const failedSql = async (r: HourRollup, when = now) => {
    await stageForChecks(wh, r);
    return (await runChecks(warehouseTarget(wh), webLogsChecks(when), { interval })).filter((c) => c.status === "fail").map((c) => c.check);
  };
  const failedMemory = (r: HourRollup, when = now) => checkQuality(r, when).filter((c) => !c.ok).map((c) => c.check);
  const cases: [string, HourRollup, number?][] = [
    ["clean", ok],
    ["a lake row lost", { ...ok, lakeRows: 6 }],
    ["an empty key", { ...ok, rows: [{ ...ok.rows[0], category: "" }] }],
    ["an event after the hour", { ...ok, maxEventTime: START + 2 * H }],
    ["an event after now", ok, START + 5 * 60_000],
    ["a state not in the list", { ...ok, rows: [{ ...ok.rows[0], state: "Ontario" }] }],
  ];
  for (const [what, r, when] of cases) assert.deepEqual(await failedSql(r, when), failedMemory(r, when), what);
  assert.deepEqual(await failedSql({ ...ok, rows: [{ ...ok.rows[0], state: null as unknown as string }] }), ["no null keys"], "a null state is the not-null rule's");
  const stored = await wh.query<{ n: number }>("SELECT COUNT(*) AS n FROM quality_results");
  assert.equal(Number(stored.rows[0].n), 7, "one row per check for the hour, however often it was checked");
});

test("the checks cover the six kinds: a duplicated rollup key fails; an hour whose newest event is 50 minutes before its end warns (a late file); the category mix against the previous hour", { timeout: 60_000 }, async (t) => {
  const wh = await testWarehouse(t);
  const row = { date: "2021-03-26", hour: 10, type: "shoes", state: "Ohio", category: "products", sub_cat: "mens-wear", visits: 3, cart_adds: 1 };
  const hourOf = (h: number, maxMinute: number, rows = [{ ...row, hour: h }]): HourRollup => ({
    date: "2021-03-26", hour: h, files: ["f"], fingerprint: "x", lakeRows: rows.reduce((s, r) => s + r.visits + r.cart_adds, 0), maxEventTime: START + (h - 10) * H + maxMinute * 60_000, rows, rejected: [],
  });
  const now = Date.UTC(2026, 0, 1);
  const check = async (r: HourRollup) => {
    await stageForChecks(wh, r);
    const start = START + (r.hour - 10) * H;
    return runChecks(warehouseTarget(wh), webLogsChecks(now), { interval: { start: new Date(start), end: new Date(start + H) } });
  };
  const first = await check(hourOf(10, 58));
  assert.deepEqual(QUALITY_KINDS.filter((k) => first.some((r) => r.kind === k)), [...QUALITY_KINDS]);
  assert.deepEqual(first.filter((r) => r.status !== "pass").map((r) => [r.check, r.status]), [["rows by category, against the previous hour", "warn"]], "the first hour has no previous one");
  const fresh = first.find((r) => r.kind === "freshness");
  assert.ok(Math.abs((fresh?.observed ?? NaN) - 2 / 60) < 1e-9, "2 minutes before the hour's end");

  // a late file: the newest event 50 minutes before the end (0.83 h > 0.25 h): a warning, the load goes on
  const late = await check(hourOf(11, 10));
  assert.deepEqual(late.filter((r) => r.status !== "pass").map((r) => [r.check, r.status, Math.round((r.observed ?? 0) * 100) / 100]), [["newest event at most 15 minutes before the hour's end", "warn", 0.83]]);
  // a duplicated key blocks; a category mix all "daily-deals" after all "products" drifts (a shift of 1 = 100 points)
  const dup = await check(hourOf(12, 58, [{ ...row, hour: 12, category: "daily-deals" }, { ...row, hour: 12, category: "daily-deals" }]));
  assert.deepEqual(dup.filter((r) => r.status !== "pass").map((r) => [r.check, r.status, r.observed]), [["one row per rollup key", "fail", 1], ["rows by category, against the previous hour", "warn", 1]]);
  const rows = await warehouseTarget(wh).allResults();
  assert.deepEqual(checksByHour(rows).find((r) => r.check === "one row per rollup key"), { check: "one row per rollup key", kind: "uniqueness", "10:00": "pass", "11:00": "pass", "12:00": "fail" });
});
