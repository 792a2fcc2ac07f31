/**
 * lib/quality on in-memory DuckDB: each kind of check against figures worked out by hand, results
 * recorded once per logical date, history for volume and drift, and declarations refused before
 * anything runs.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import {
  acceptedValues, assertChecks, columnsAre, drift, freshness, notNull, psi, range, references, runChecks, unique, volume, warehouseTarget, categoryShift,
} from "../../../lib/quality";
import { openWarehouse } from "../../../lib/warehouse";
import type { Warehouse } from "../../../lib/warehouse/warehouse";

async function memoryWarehouse(t: TestContext): Promise<Warehouse> {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  return wh;
}

const day = (d: number) => ({ start: new Date(Date.UTC(2024, 0, d)), end: new Date(Date.UTC(2024, 0, d + 1)) });
const at = (d: number, h = 12) => new Date(Date.UTC(2024, 0, d, h));

test("psi by hand: shares 1/2,1/2 -> 1/4,3/4 is 0.25*ln 2 + 0.25*ln 1.5 = 0.274653", () => {
  assert.ok(Math.abs(psi([2, 2], [1, 3]) - 0.2746531) < 1e-6);
  assert.equal(psi([5, 5], [1, 1]), 0);
  assert.deepEqual(categoryShift({ a: 2, b: 2 }, { a: 1, b: 3 }), { shift: 0.25, category: "a" });
});

test("numeric drift: the first run is a warning and becomes the reference; the second is a PSI against it; a re-run replaces its rows", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("m", { columns: [{ name: "x", type: "FLOAT64" }, { name: "ts", type: "TIMESTAMP" }] });
  // day 1: 1,2,3,4 -> two equal-width bins over 1..4 split at 2.5: counts [2, 2]
  // day 2: 1,3,4,4 -> [1, 3]: PSI 0.274653 (worked out above), above 0.2
  await wh.loadRows("m", [1, 2, 3, 4].map((x) => ({ x, ts: at(1) })).concat([1, 3, 4, 4].map((x) => ({ x, ts: at(2) }))));
  const target = warehouseTarget(wh);
  const checks = [drift({ table: "m", column: "x", bins: 2, timeColumn: "ts" })];
  const [first] = await runChecks(target, checks, { interval: day(1) });
  assert.equal(first.status, "warn");
  assert.equal(first.observed, null);
  assert.match(first.detail, /no earlier run/);
  const [second] = await runChecks(target, checks, { interval: day(2) });
  assert.equal(second.status, "fail");
  assert.ok(Math.abs((second.observed ?? 0) - 0.2746531) < 1e-6, String(second.observed));
  await runChecks(target, checks, { interval: day(2), runId: "again" });
  const stored = (await target.allResults()).map((r) => [r.logical_date.slice(0, 10), r.status, r.run_id]);
  assert.deepEqual(stored, [["2024-01-01", "warn", "manual"], ["2024-01-02", "fail", "again"]]);
  // a looser threshold passes the same data
  const [loose] = await runChecks(target, [drift({ table: "m", column: "x", bins: 2, timeColumn: "ts", threshold: 0.3 })], { interval: day(2), record: false });
  assert.equal(loose.status, "warn", "not recorded: no history read either");
});

test("categorical drift: the largest change of one category's share", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("c", { columns: [{ name: "level", type: "STRING" }, { name: "ts", type: "TIMESTAMP" }] });
  await wh.loadRows("c", ["free", "free", "paid", "paid"].map((level) => ({ level, ts: at(1) })).concat(["free", "paid", "paid", "paid"].map((level) => ({ level, ts: at(2) }))));
  const target = warehouseTarget(wh);
  const checks = [drift({ table: "c", column: "level", categorical: true, timeColumn: "ts", threshold: 0.2 })];
  await runChecks(target, checks, { interval: day(1) });
  const [r] = await runChecks(target, checks, { interval: day(2) });
  assert.equal(r.observed, 0.25);
  assert.equal(r.status, "fail");
  assert.match(r.detail, /"free" by 25\.0 points|"paid" by 25\.0 points/);
});

test("schema, uniqueness (compound key), referential integrity with an allowed missing share, freshness and volume", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("dim", { columns: [{ name: "id", type: "INT64" }] });
  await wh.createTable("fact", { columns: [{ name: "k1", type: "INT64" }, { name: "k2", type: "STRING" }, { name: "dim_id", type: "INT64" }, { name: "level", type: "STRING" }, { name: "amount", type: "FLOAT64" }, { name: "ts", type: "TIMESTAMP" }] });
  await wh.loadRows("dim", [{ id: 1 }, { id: 2 }]);
  await wh.loadRows("fact", [
    { k1: 1, k2: "a", dim_id: 1, level: "free", amount: 5, ts: at(1, 6) },
    { k1: 1, k2: "a", dim_id: 2, level: "paid", amount: -1, ts: at(1, 12) },
    { k1: 1, k2: "b", dim_id: 3, level: "gold", amount: 7, ts: at(1, 18) },
    { k1: 2, k2: "b", dim_id: null, level: null, amount: 8, ts: at(1, 18) },
    { k1: 2, k2: "b", dim_id: 1, level: "free", amount: 200, ts: at(3, 1) },
  ]);
  const target = warehouseTarget(wh);
  const results = await runChecks(target, [
    columnsAre({ table: "fact", columns: { k1: "INT64", k2: "STRING", amount: "INT64", missing: "STRING" } }),
    notNull({ table: "fact", column: "level" }),
    acceptedValues({ table: "fact", column: "level", values: ["free", "paid"] }),
    range({ table: "fact", column: "amount", min: 0, max: 100 }),
    unique({ table: "fact", columns: ["k1", "k2"] }),
    unique({ table: "fact", columns: ["k1", "k2"], timeColumn: "ts", name: "key unique in the interval" }),
    references({ table: "fact", column: "dim_id", to: "dim", toColumn: "id", timeColumn: "ts", maxMissingShare: 0.4 }),
    references({ table: "fact", column: "dim_id", to: "dim", toColumn: "id", timeColumn: "ts", maxMissingShare: 0.2, name: "strict", severity: "warn" }),
    freshness({ table: "fact", column: "ts", maxLagHours: 4 }),
    freshness({ table: "fact", column: "ts", maxLagHours: 8, name: "fresh within 8 h" }),
    volume({ table: "fact", timeColumn: "ts", min: 1, max: 3 }),
  ], { interval: day(1) });
  const got = Object.fromEntries(results.map((r) => [r.check, [r.observed, r.status]]));
  assert.deepEqual(got, {
    "columns and types": [2, "fail"], // amount is FLOAT64, "missing" is absent
    "level is never null": [1, "fail"],
    "level in accepted values": [1, "fail"], // "gold" (null is not-null's business)
    "amount in 0..100": [2, "fail"], // -1 and 200
    "k1, k2 is unique": [2, "fail"], // (1,a) twice, (2,b) twice
    "key unique in the interval": [1, "fail"], // the (2,b) of 3 January is outside
    "every dim_id exists in dim": [1 / 3, "pass"], // 3 of the 3 non-null keys in the interval, 1 missing
    strict: [1 / 3, "warn"],
    "ts at most 4 h old": [6, "fail"], // newest before 2 January 00:00 is 1 January 18:00
    "fresh within 8 h": [6, "pass"],
    "row count in 1..3": [4, "fail"],
  });
  assert.match(results[2].detail, /"gold"/);
  assert.throws(() => assertChecks(results), (err) => isWorkbookError(err, "DAG_QUALITY_FAILED") && /fact: ts at most 4 h old \(observed 6;/.test(err.message) && !/strict/.test(err.message));
  assert.doesNotThrow(() => assertChecks(results.filter((r) => r.check === "strict" || r.check === "fresh within 8 h")));
});

test("volume against history: within a tolerance of the mean of earlier runs; the first run is a warning", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("v", { columns: [{ name: "ts", type: "TIMESTAMP" }] });
  const counts = [10, 10, 14, 12];
  for (let d = 1; d <= counts.length; d++) await wh.loadRows("v", Array.from({ length: counts[d - 1] }, () => ({ ts: at(d) })));
  const target = warehouseTarget(wh);
  const checks = [volume({ table: "v", timeColumn: "ts", tolerance: 0.3 })];
  const statuses: [number | null, string][] = [];
  for (let d = 1; d <= counts.length; d++) {
    const [r] = await runChecks(target, checks, { interval: day(d) });
    statuses.push([r.observed, r.status]);
  }
  // day 2: 10 vs 10 (0%); day 3: 14 vs 10 (40% > 30%); day 4: 12 vs mean(10,10,14) = 11.33 (5.9%)
  assert.deepEqual(statuses, [[10, "warn"], [10, "pass"], [14, "fail"], [12, "pass"]]);
});

test("bad declarations are refused before anything runs, every problem with its fix", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("f", { columns: [{ name: "a", type: "STRING" }, { name: "n", type: "INT64" }] });
  const target = warehouseTarget(wh);
  await assert.rejects(
    runChecks(target, [
      notNull({ table: "nope", column: "a" }),
      notNull({ table: "f", column: "b" }),
      references({ table: "f", column: "a", to: "f", toColumn: "a", maxMissingShare: "5%" as unknown as number }),
      drift({ table: "f", column: "a" }),
      volume({ table: "f", min: 5, max: 1 }),
      freshness({ table: "f", column: "n", maxLagHours: 1 }),
    ], { interval: day(1) }),
    (err) => {
      assert.ok(isWorkbookError(err, "QUALITY_INVALID"));
      assert.match(err.message, /6 quality check declaration\(s\) refused/);
      assert.match(err.message, /column "n" is INT64, not a TIMESTAMP/);
      assert.match(err.message, /table "nope" does not exist on duckdb/);
      assert.match(err.message, /column "b" is not a column of "f"; its columns are a, n/);
      assert.match(err.message, /maxMissingShare is "5%"; it must be a number between 0 and 1/);
      assert.match(err.message, /add categorical: true/);
      assert.match(err.message, /min 5 is above max 1; swap them/);
      return true;
    },
  );
  assert.equal((await wh.listTables()).includes("quality_results"), false, "nothing ran, nothing recorded");
});
