/** The lambda tables' quality checks on hand-made rows: the clean tables pass, each planted fault is caught by its check. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runChecks, warehouseTarget, type QualityResult } from "../../../lib/quality";
import { openWarehouse } from "../../../lib/warehouse";
import type { Warehouse } from "../../../lib/warehouse/warehouse";
import { BATCH_TABLES, createBatchTables } from "../../../scenarios/lambda-urls/batch";
import { batchChecks, checkDuplicatedKey, PLANTED_VIEW, trackingCondition } from "../../../scenarios/lambda-urls/quality";
import { defer } from "../../lib/stream/helpers";

const interval = { start: new Date("2021-03-01T02:00:00Z"), end: new Date("2021-03-01T03:00:00Z") };

/** Two hours of a clean view (3 rows), its coverage (offsets below 10, newest tweet 02:40) and one rejected message (offset 4). */
async function tables(wh: Warehouse, extra: { view?: Record<string, unknown>[]; rejected?: Record<string, unknown>[] } = {}): Promise<void> {
  await createBatchTables(wh);
  await wh.loadRows(BATCH_TABLES.view, [
    { hour: "2021-03-01T01:00:00Z", url: "https://example.net/recipes/pancakes", count: 3 },
    { hour: "2021-03-01T02:00:00Z", url: "https://example.net/recipes/pancakes", count: 2 },
    { hour: "2021-03-01T02:00:00Z", url: "https://docs.example.com/Guide/Intro", count: 1 },
    ...(extra.view ?? []),
  ], { write: "TRUNCATE" });
  await wh.loadRows(BATCH_TABLES.coverage, [{ kafka_partition: 0, covered_offset: 10, master_offset: 12, block_size: 5, through_time: "2021-03-01T02:40:00Z", tweets: 10, rejected: 1, keep_tracking: false, computed_at: "2021-03-01T03:01:00Z" }], { write: "TRUNCATE" });
  await wh.loadRows(BATCH_TABLES.rejected, [{ kafka_partition: 0, kafka_offset: 4, reason: "not JSON", raw: "{" }, ...(extra.rejected ?? [])], { write: "TRUNCATE" });
}

const statusOf = (results: QualityResult[], check: string) => results.find((r) => r.check === check)?.status;

test("the batch tables' checks: clean tables pass every check in the six kinds (drift warns on its first run: nothing to compare with)", async (t) => {
  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  await tables(wh);
  const results = await runChecks(warehouseTarget(wh), batchChecks(), { interval, record: false });
  assert.deepEqual([...new Set(results.map((r) => r.kind))].sort(), ["drift", "freshness", "referential", "schema", "uniqueness", "volume"]);
  assert.deepEqual(results.filter((r) => r.status !== "pass").map((r) => r.check), ["share of rows per url"]);
  const fresh = results.find((r) => r.kind === "freshness");
  assert.ok(Math.abs((fresh?.observed ?? 0) - 20 / 60) < 1e-9, "02:40 is 20 minutes before 03:00");
});

test("planted faults are caught: a tracking parameter warns, a rejected offset above the coverage fails, a duplicated key in a copy fails", async (t) => {
  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  await tables(wh, {
    view: [{ hour: "2021-03-01T02:00:00Z", url: "https://example.net/recipes/pancakes?utm_source=twitter", count: 1 }],
    rejected: [{ kafka_partition: 0, kafka_offset: 11, reason: "not JSON", raw: "[" }],
  });
  const results = await runChecks(warehouseTarget(wh), batchChecks(), { interval, record: false });
  assert.equal(statusOf(results, "no url keeps a tracking parameter"), "warn");
  assert.equal(results.find((r) => r.check === "no url keeps a tracking parameter")?.observed, 1);
  assert.equal(statusOf(results, "every rejected offset is covered"), "fail", "offset 11 is not below the covered offset 10");
  const planted = await checkDuplicatedKey(wh, interval);
  assert.deepEqual(planted.filter((r) => r.status === "fail").map((r) => [r.table, r.check, r.observed]), [[PLANTED_VIEW, "one row per hour and url", 1]]);
  assert.deepEqual(await wh.listTables().then((ts) => ts.includes(PLANTED_VIEW)), false, "the copy is dropped");
});

test("trackingCondition finds utm_* and the listed parameters by name, not inside another name", async (t) => {
  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  const urls = ["https://a.example/x?utm_source=t", "https://a.example/x?id=1&fbclid=z", "https://a.example/x?basis=1", "https://a.example/x?v=abc&si=9", "https://a.example/x"];
  const r = await wh.query<{ url: string }>(`SELECT url FROM (${urls.map((u) => `SELECT '${u}' AS url`).join(" UNION ALL ")}) AS t WHERE ${trackingCondition()} ORDER BY url`);
  assert.deepEqual(r.rows.map((x) => x.url), ["https://a.example/x?id=1&fbclid=z", "https://a.example/x?utm_source=t", "https://a.example/x?v=abc&si=9"]);
});
