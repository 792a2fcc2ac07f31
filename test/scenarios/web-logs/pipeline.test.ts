import { test } from "node:test";
import assert from "node:assert/strict";
import { resetWebLogs, runWebLogs, startWebLogs } from "../../../scenarios/web-logs/pipeline";
import { testBroker, testLake, testStore, testWarehouse } from "./helpers";

test("the whole stream: lake files per minute, hourly loads, late hours re-run, warehouse = recomputation over the lake", { timeout: 180_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const began = Date.now();
  const r = await runWebLogs({ kafka, lake, warehouse: wh, store, hours: 3, eventsPerHour: 600, seed: 7, lateShare: 0.03 });
  console.log(`runWebLogs: ${Date.now() - began} ms, ${r.events} events, ${r.lakeFiles} files, ${r.runs.length} runs, reruns ${r.reruns} of ${r.rerunHours.join(", ")}`);
  assert.equal(r.events, r.logs.truth.lines, "every line was sent");
  assert.equal(r.ok + r.rejected, r.events, "in = ok + rejected");
  assert.equal(r.rejected, r.logs.truth.malformed, "exactly the malformed lines were rejected");
  assert.equal(r.hoursLoaded, 3);
  assert.ok(r.rerunHours.length >= 1, "late events made at least one hour run again");
  assert.equal(r.warehouseMatchesLake, true);
  const totals = await wh.query<{ visits: number; cart_adds: number }>("SELECT sum(visits) AS visits, sum(cart_adds) AS cart_adds FROM weblogs_hourly");
  assert.equal(Number(totals.rows[0].visits), r.logs.truth.visits);
  assert.equal(Number(totals.rows[0].cart_adds), r.logs.truth.cartAdds);
  const rejected = await wh.query<{ n: number }>("SELECT count(*) AS n FROM weblogs_rejected");
  assert.equal(Number(rejected.rows[0].n), r.logs.truth.unknownState, "unknown states are in the rejected table");
  assert.ok(r.lakeFiles >= 3 * 60, `at least one file per minute (${r.lakeFiles})`);
});

test("a started run stops on stop(): finish() fails with STREAM_CLOSED at once, and a run started after it completes and reconciles", { timeout: 180_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const first = await startWebLogs({ kafka, lake, warehouse: wh, store, hours: 2, eventsPerHour: 300, seed: 3, speed: 600 }); // 2 hours at 600x: 12 s
  await new Promise((r) => setTimeout(r, 1_000));
  const began = Date.now();
  await first.stop();
  assert.ok(Date.now() - began < 10_000, "stop() does not wait for the end of the input");
  await assert.rejects(first.finish(), (err: Error & { code?: string }) => err.code === "STREAM_CLOSED");
  await first.stop(); // twice is safe
  await resetWebLogs(lake, wh, store);
  const second = await startWebLogs({ kafka, lake, warehouse: wh, store, hours: 1, eventsPerHour: 300, seed: 3 });
  assert.notEqual(second.topic, first.topic);
  const r = await second.finish();
  assert.equal(r.ok + r.rejected, r.events, "in = ok + rejected");
  assert.equal(r.hoursLoaded, 1);
  assert.equal(r.warehouseMatchesLake, true);
});
