/**
 * The web-logs checks as lib/quality SQL on the staged hour agree with the in-memory rules
 * (checkQuality) on a clean hour and on each planted fault, and are recorded once per hour.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runChecks, warehouseTarget } from "../../../lib/quality";
import { checkQuality, stageForChecks, webLogsChecks } from "../../../scenarios/web-logs/quality";
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
  assert.equal(Number(stored.rows[0].n), 4, "one row per check for the hour, however often it was checked");
});
