import { test } from "node:test";
import assert from "node:assert/strict";
import { backfill, clearTasks, runDag } from "../../../lib/dag";
import { webLogsDag } from "../../../scenarios/web-logs/dags";
import { generateWebLogs } from "../../../scenarios/web-logs/generate";
import { loadHour, warehouseRollup, TABLES } from "../../../scenarios/web-logs/load";
import { checkQuality } from "../../../scenarios/web-logs/quality";
import { recomputeAll, rollupHour, rollupLines, type HourRollup } from "../../../scenarios/web-logs/rollup";
import { fillLake, testLake, testStore, testWarehouse } from "./helpers";

const H = 3_600_000;
const START = Date.UTC(2021, 2, 26, 10);

test("backfill loads each hour; re-running a loaded hour leaves the table unchanged; a changed hour's load touches no other hour", { timeout: 120_000 }, async (t) => {
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const logs = generateWebLogs({ hours: 3, eventsPerHour: 500, seed: 9 });
  await fillLake(t, lake, logs.lines.map((l) => l.line));
  const dag = webLogsDag({ lake: async () => lake, warehouse: async () => wh, pokeIntervalMs: 20 });
  const runs = await backfill(dag, { from: new Date(START), to: new Date(START + 2 * H), store });
  assert.deepEqual(runs.map((r) => r.state), ["success", "success", "success"]);
  const loaded = rollupLines((await warehouseRollup(wh)) as never);
  assert.deepEqual(loaded, rollupLines(await recomputeAll(lake)), "the warehouse equals the recomputation over the lake");

  await clearTasks(dag, new Date(START + H), ["rollup_hour"], { store });
  const again = await runDag(dag, { logicalDate: new Date(START + H), store });
  assert.equal(again.state, "success");
  assert.equal(again.tasks.find((x) => x.taskId === "load_hour")?.tryNumber, 2, "load_hour ran a second time");
  assert.deepEqual(rollupLines((await warehouseRollup(wh)) as never), loaded, "a re-run of a loaded hour changes nothing");

  // A load of hour 10 with one key gone and one count changed: exactly those rows change.
  const r: HourRollup = await rollupHour(lake, START);
  const changed = { ...r, rows: r.rows.slice(1).map((row, i) => (i === 0 ? { ...row, visits: row.visits + 100 } : row)) };
  await loadHour(wh, changed);
  const after = rollupLines((await warehouseRollup(wh)) as never);
  const other = (lines: string[]) => lines.filter((l) => !l.startsWith("2021-03-26|10|"));
  assert.deepEqual(other(after), other(loaded), "other hours are untouched");
  assert.deepEqual(after.filter((l) => l.startsWith("2021-03-26|10|")), rollupLines(changed.rows), "hour 10 holds exactly the new rows");
});

test("the sensor waits for the writer's watermark and fails the run with DAG_SENSOR_TIMEOUT when the hour never completes", { timeout: 120_000 }, async (t) => {
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const logs = generateWebLogs({ hours: 2, eventsPerHour: 300, seed: 2, lateShare: 0 });
  await fillLake(t, lake, logs.lines.map((l) => l.line), { end: false }); // the watermark stays inside the last hour
  const dag = webLogsDag({ lake: async () => lake, warehouse: async () => wh, sensorTimeoutMs: 400, pokeIntervalMs: 50 });
  const first = await runDag(dag, { logicalDate: new Date(START), store });
  assert.equal(first.state, "success", "the first hour is complete: the watermark passed its end");
  const last = await runDag(dag, { logicalDate: new Date(START + H), store });
  assert.equal(last.state, "failed");
  const sensor = last.tasks.find((x) => x.taskId === "hour_complete");
  assert.equal(sensor?.state, "failed");
  assert.match(sensor?.error ?? "", /DAG_SENSOR_TIMEOUT|timed out|timeout/i);
  assert.equal(last.tasks.find((x) => x.taskId === "load_hour")?.state, "upstream_failed");
  const n = await wh.query<{ n: number }>(`SELECT count(*) AS n FROM ${TABLES.hourly} WHERE hour = 11`);
  assert.equal(Number(n.rows[0].n), 0, "nothing of the incomplete hour was loaded");
});

test("a failed quality check stops the load and fails the run", { timeout: 120_000 }, async (t) => {
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const logs = generateWebLogs({ hours: 1, eventsPerHour: 400, seed: 4 });
  await fillLake(t, lake, logs.lines.map((l) => l.line));
  // "now" in the middle of the hour: its later events are in the future.
  const dag = webLogsDag({ lake: async () => lake, warehouse: async () => wh, pokeIntervalMs: 20, now: () => START + 30 * 60_000 });
  const run = await runDag(dag, { logicalDate: new Date(START), store });
  assert.equal(run.state, "failed");
  const check = run.tasks.find((x) => x.taskId === "check_quality");
  assert.equal(check?.state, "failed");
  assert.match(check?.error ?? "", /no timestamps in the future/);
  assert.equal(run.tasks.find((x) => x.taskId === "load_hour")?.state, "upstream_failed");
  assert.deepEqual(await wh.listTables().then((ts) => ts.includes(TABLES.hourly) ? warehouseRollup(wh) : []), []);
});

test("each quality check fails on the data it guards against", () => {
  const ok: HourRollup = {
    date: "2021-03-26", hour: 10, files: ["f"], fingerprint: "x", lakeRows: 5, maxEventTime: START + 10 * 60_000,
    rows: [{ date: "2021-03-26", hour: 10, type: "shoes", state: "Ohio", category: "products", sub_cat: "mens-wear", visits: 3, cart_adds: 1 }],
    rejected: [{ date: "2021-03-26", hour: 10, kafka_partition: 0, kafka_offset: 7, date_time: "2021-03-26 10:01:00", state: "Ontario", reason: "not a US state" }],
  };
  const now = Date.UTC(2026, 0, 1);
  assert.deepEqual(checkQuality(ok, now).map((c) => c.ok), [true, true, true, true]);
  const failed = (r: HourRollup) => checkQuality(r, now).filter((c) => !c.ok).map((c) => c.check);
  assert.deepEqual(failed({ ...ok, lakeRows: 6 }), ["lake rows = counted + rejected"]);
  assert.deepEqual(failed({ ...ok, rows: [{ ...ok.rows[0], state: null as unknown as string }] }), ["no null keys", "states from the known list"]);
  assert.deepEqual(failed({ ...ok, maxEventTime: START + 2 * H }), ["no timestamps in the future"]);
  assert.deepEqual(failed({ ...ok, rows: [{ ...ok.rows[0], state: "Ontario" }] }), ["states from the known list"]);
});
