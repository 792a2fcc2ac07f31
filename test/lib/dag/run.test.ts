import { after, test } from "node:test";
import assert from "node:assert/strict";
import { defineDag, type DagOptions } from "../../../lib/dag/dag";
import { runDag, runTask } from "../../../lib/dag/run";
import { SkipTask, sensor, skip, task } from "../../../lib/dag/task";
import { isWorkbookError } from "../../../lib/errors";
import { fakeClock, pause, sharedStore, statesOf } from "./helpers";

const shared = sharedStore();
after(() => shared.close());

function dag(id: string, tasks: DagOptions["tasks"], extra: Partial<DagOptions> = {}) {
  return defineDag({ id, schedule: "@daily", startDate: "2024-01-01", tasks, ...extra });
}

const fail = async (): Promise<never> => {
  throw new Error("boom");
};

test("all_success: downstream of a failure is upstream_failed; an all_done teardown still runs", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const ran: string[] = [];
  const d = dag("rules", [
    task({ id: "extract", run: fail }),
    task({ id: "transform", upstream: ["extract"], run: () => ran.push("transform") }),
    task({ id: "load", upstream: ["transform"], run: () => ran.push("load") }),
    task({ id: "cleanup", upstream: ["load"], triggerRule: "all_done", run: () => ran.push("cleanup") }),
    task({ id: "report", upstream: ["extract"], triggerRule: "none_failed", run: () => ran.push("report") }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-01", store });
  assert.deepEqual(statesOf(run), { extract: "failed", transform: "upstream_failed", load: "upstream_failed", cleanup: "success", report: "upstream_failed" });
  assert.deepEqual(ran, ["cleanup"]);
  assert.equal(run.tasks.find((ti) => ti.taskId === "extract")?.error, "boom");
  assert.equal(run.state, "failed", "a leaf is upstream_failed");
});

test("a teardown leaf does not make a failed run successful: its upstream tasks decide (Airflow 2.7 teardown)", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const make = (id: string, teardown: boolean) => dag(id, [
    task({ id: "create", run: () => "cluster-1" }),
    task({ id: "work", upstream: ["create"], run: fail }),
    task({ id: "delete", upstream: ["work"], triggerRule: "all_done", teardown, run: () => true }),
  ]);
  const marked = await runDag(make("teardown_marked", true), { logicalDate: "2024-01-01", store });
  assert.deepEqual(statesOf(marked), { create: "success", work: "failed", delete: "success" });
  assert.equal(marked.state, "failed");
  const plain = await runDag(make("teardown_plain", false), { logicalDate: "2024-01-01", store });
  assert.equal(plain.state, "success", "Airflow's rule without teardown: the all_done leaf succeeded");
});

test("one_failed: the alert runs only when something failed", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  let alerts = 0;
  const make = (id: string, ok: boolean) => dag(id, [
    task({ id: "a", run: () => 1 }),
    task({ id: "b", run: ok ? () => 2 : fail }),
    task({ id: "alert", upstream: ["a", "b"], triggerRule: "one_failed", run: () => ++alerts }),
  ]);
  const good = await runDag(make("alert_ok", true), { logicalDate: "2024-01-01", store });
  assert.equal(statesOf(good).alert, "skipped");
  assert.equal(alerts, 0);
  assert.equal(good.state, "success", "a skipped leaf counts as done");
  const bad = await runDag(make("alert_bad", false), { logicalDate: "2024-01-01", store });
  assert.equal(statesOf(bad).alert, "success");
  assert.equal(alerts, 1);
  assert.equal(bad.state, "success", "Airflow's rule: the run's state is its leaves', and the alert (the only leaf) succeeded");
});

test("a task failing twice then succeeding retries after its delay: try 3, success", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const clock = fakeClock();
  const tries: { tryNumber: number; at: number }[] = [];
  const states: string[] = [];
  const d = dag("retries", [
    task({ id: "flaky", retries: 3, retryDelayMs: 7, run: (ctx) => {
      tries.push({ tryNumber: ctx.tryNumber, at: clock.now().getTime() });
      if (ctx.tryNumber < 3) throw new Error(`try ${ctx.tryNumber} failed`);
      return "ok";
    } }),
    task({ id: "after", upstream: ["flaky"], run: (ctx) => ctx.xcom("flaky") }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-01", store, clock, onChange: (c) => c.taskId === "flaky" && states.push(c.state) });
  assert.deepEqual(tries.map((x) => x.tryNumber), [1, 2, 3]);
  assert.deepEqual([tries[1].at - tries[0].at, tries[2].at - tries[1].at], [7, 7], "each retry waits retryDelayMs");
  assert.deepEqual(states, ["running", "up_for_retry", "queued", "running", "up_for_retry", "queued", "running", "success"]);
  const stored = (await store.getRun("retries", new Date("2024-01-01")))?.tasks.find((ti) => ti.taskId === "flaky");
  assert.equal(stored?.tryNumber, 3);
  assert.equal(stored?.state, "success");
  assert.equal(statesOf(run).after, "success");
});

test("retries run out: the task fails after 1 + retries tries (real clock, a few ms)", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  let tries = 0;
  const run = await runDag(dag("retry_out", [task({ id: "never", retries: 1, retryDelayMs: 3, run: () => {
    tries++;
    throw new Error("still broken");
  } })]), { logicalDate: "2024-01-01", store });
  assert.equal(tries, 2);
  assert.deepEqual(run.tasks.map((ti) => [ti.state, ti.tryNumber, ti.error]), [["failed", 2, "still broken"]]);
});

test("a skipped task skips its all_success downstream; all_done and none_failed still run", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const d = dag("skips", [
    task({ id: "check", run: () => skip("no new files") }),
    task({ id: "thrower", run: () => {
      throw new SkipTask("holiday");
    } }),
    task({ id: "process", upstream: ["check"], run: () => 1 }),
    task({ id: "publish", upstream: ["process"], run: () => 1 }),
    task({ id: "tidy", upstream: ["publish"], triggerRule: "all_done", run: () => 1 }),
    task({ id: "summary", upstream: ["thrower"], triggerRule: "none_failed", run: () => 1 }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-01", store });
  assert.deepEqual(statesOf(run), { check: "skipped", thrower: "skipped", process: "skipped", publish: "skipped", tidy: "success", summary: "success" });
  assert.equal(run.tasks[0].error, "no new files");
  assert.equal(run.state, "success");
});

test("XCom: a task reads its upstream's return value, stored as JSON in task_instance", { timeout: 30_000 }, async () => {
  const { store, db } = await shared.get();
  const seen: unknown[] = [];
  const d = dag("xcom", [
    task({ id: "extract", run: (ctx) => ({ rows: 3, day: ctx.dataInterval.start }) }),
    task({ id: "transform", upstream: ["extract"], run: (ctx) => ctx.xcom<{ rows: number }>("extract")!.rows * 2 }),
    task({ id: "load", upstream: ["transform"], run: (ctx) => {
      seen.push(ctx.xcom("extract"), ctx.xcom("transform"));
    } }),
    task({ id: "sneaky", run: (ctx) => ctx.xcom("extract") }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-02", store });
  assert.deepEqual(seen, [{ rows: 3, day: "2024-01-02T00:00:00.000Z" }, 6], "values come back as JSON (a Date as its ISO text)");
  assert.equal(statesOf(run).sneaky, "failed");
  assert.match(run.tasks.find((ti) => ti.taskId === "sneaky")?.error ?? "", /reads the XCom of "extract", which is not upstream of it/);
  const { rows } = await db.query<{ task_id: string; xcom: unknown }>("SELECT task_id, xcom FROM task_instance WHERE dag_id = 'xcom' ORDER BY task_id");
  assert.deepEqual(rows, [
    { task_id: "extract", xcom: { rows: 3, day: "2024-01-02T00:00:00.000Z" } },
    { task_id: "load", xcom: null },
    { task_id: "sneaky", xcom: null },
    { task_id: "transform", xcom: 6 },
  ]);
});

test("a sensor pokes until its condition holds, then downstream runs", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const clock = fakeClock();
  let pokes = 0;
  const d = dag("sensor_ok", [
    sensor({ id: "wait_for_file", pokeIntervalMs: 1_000, timeoutMs: 10_000, poke: () => ++pokes >= 3 }),
    task({ id: "read", upstream: ["wait_for_file"], run: () => "read" }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-01", store, clock });
  assert.equal(pokes, 3);
  assert.deepEqual(clock.sleeps, [1_000, 1_000]);
  assert.deepEqual(statesOf(run), { wait_for_file: "success", read: "success" });
});

test("a sensor fails with DAG_SENSOR_TIMEOUT after timeoutMs, without retrying", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const clock = fakeClock();
  let pokes = 0;
  const d = dag("sensor_timeout", [
    sensor({ id: "partition_done", retries: 2, retryDelayMs: 1, pokeIntervalMs: 2_000, timeoutMs: 5_000, poke: () => {
      pokes++;
      return false;
    } }),
    task({ id: "read", upstream: ["partition_done"], run: () => 1 }),
  ]);
  const run = await runDag(d, { logicalDate: "2024-01-01", store, clock });
  assert.deepEqual(clock.sleeps, [2_000, 2_000, 1_000], "the last wait is cut to the timeout");
  assert.equal(pokes, 4);
  const sensorTi = run.tasks[0];
  assert.equal(sensorTi.state, "failed");
  assert.equal(sensorTi.tryNumber, 1);
  assert.match(sensorTi.error ?? "", /Sensor "partition_done" of DAG "sensor_timeout" waited 5000 ms \(timeoutMs 5000\)/);
  assert.equal(statesOf(run).read, "upstream_failed");
});

test("at most maxActiveTasks tasks run at once", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  let running = 0;
  let most = 0;
  let mostSeenByOnChange = 0;
  const d = dag("concurrency", ["a", "b", "c", "d", "e"].map((id) => task({ id, run: async () => {
    running++;
    most = Math.max(most, running);
    await pause(5);
    running--;
  } })), { maxActiveTasks: 2 });
  const run = await runDag(d, { logicalDate: "2024-01-01", store, onChange: (c) => {
    mostSeenByOnChange = Math.max(mostSeenByOnChange, c.run.tasks.filter((ti) => ti.state === "running").length);
  } });
  assert.equal(run.state, "success");
  assert.equal(most, 2);
  assert.equal(mostSeenByOnChange, 2);
});

test("a logical date before the start date fails before any task runs", { timeout: 30_000 }, async () => {
  const { store, db } = await shared.get();
  let ran = false;
  const d = dag("too_early", [task({ id: "a", run: () => (ran = true) })]);
  await assert.rejects(runDag(d, { logicalDate: "2023-12-31", store }), (err: unknown) => isWorkbookError(err, "DAG_DATE_INVALID") && /before its start date/.test(err.message));
  assert.equal(ran, false);
  assert.equal((await db.query("SELECT * FROM dag_run WHERE dag_id = 'too_early'")).rowCount, 0);
});

test("a re-run of the same logical date skips succeeded tasks and reuses their XCom", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const calls: string[] = [];
  let broken = true;
  const d = dag("rerun", [
    task({ id: "extract", run: () => {
      calls.push("extract");
      return 41;
    } }),
    task({ id: "load", upstream: ["extract"], run: (ctx) => {
      calls.push("load");
      if (broken) throw new Error("database down");
      return ctx.xcom<number>("extract")! + 1;
    } }),
  ]);
  const first = await runDag(d, { logicalDate: "2024-01-05", store });
  assert.equal(first.state, "failed");
  broken = false;
  const second = await runDag(d, { logicalDate: "2024-01-05", store });
  assert.equal(second.state, "success");
  assert.equal(second.runId, first.runId);
  assert.deepEqual(calls, ["extract", "load", "load"]);
  assert.equal(second.tasks[1].xcom, 42);
  assert.equal(second.tasks[1].tryNumber, 2, "try numbers carry on across runs, as in Airflow");
  assert.equal((await store.runs("rerun")).length, 1);
});

test("runTask runs one try of one task with its upstream XCom from the store", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const d = dag("one_task", [
    task({ id: "extract", run: () => ["a", "b"] }),
    task({ id: "count", upstream: ["extract"], run: (ctx) => ctx.xcom<string[]>("extract")?.length }),
  ]);
  const extract = await runTask(d, "extract", { logicalDate: "2024-01-01", store });
  assert.equal(extract.state, "success");
  assert.equal((await store.getRun("one_task", new Date("2024-01-01")))?.state, "running");
  const count = await runTask(d, "count", { logicalDate: "2024-01-01", store });
  assert.deepEqual([count.state, count.xcom, count.tryNumber], ["success", 2, 1]);
  assert.equal((await store.getRun("one_task", new Date("2024-01-01")))?.state, "success", "the run finishes with its last task");
});

test("aborting a run stops it: the running task sees ctx.signal and is not retried, the run fails", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const controller = new AbortController();
  let sawAbort = false;
  const d = dag("aborted", [
    task({ id: "long", run: (ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => {
        sawAbort = true;
        reject(new Error("stopped"));
      });
      controller.abort();
    }) }),
    task({ id: "next", upstream: ["long"], run: () => 1 }),
  ], { defaultRetries: 3, defaultRetryDelayMs: 1 });
  const run = await runDag(d, { logicalDate: "2024-01-01", store, signal: controller.signal });
  assert.ok(sawAbort);
  assert.deepEqual(run.tasks.map((ti) => [ti.taskId, ti.state, ti.tryNumber]), [["long", "failed", 1], ["next", "upstream_failed", 0]]);
  assert.equal(run.state, "failed");
});

test("stopping a run midway: the running task fails with the stop reason, tasks that would start are skipped, the teardown still runs", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const controller = new AbortController();
  const ran: string[] = [];
  let teardownSignalAborted: boolean | undefined;
  const d = dag("stopped_midway", [
    task({ id: "create", run: () => "cluster-1" }),
    task({ id: "long", upstream: ["create"], run: (ctx) => new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      controller.abort(new Error("stopped by the test"));
    }) }),
    task({ id: "other", upstream: ["create"], run: () => ran.push("other") }), // waits: one task at a time
    task({ id: "after", upstream: ["long"], run: () => ran.push("after") }),
    task({ id: "delete", upstream: ["after", "other"], triggerRule: "all_done", teardown: true, run: (ctx) => {
      teardownSignalAborted = ctx.signal.aborted;
      ran.push("delete");
      return ctx.xcom("create");
    } }),
  ], { maxActiveTasks: 1 });
  const run = await runDag(d, { logicalDate: "2024-01-01", store, signal: controller.signal });
  assert.deepEqual(statesOf(run), { create: "success", long: "failed", other: "skipped", after: "upstream_failed", delete: "success" });
  assert.deepEqual(ran, ["delete"], "no task but the teardown started after the stop");
  assert.equal(teardownSignalAborted, false, "the teardown runs with a signal the stop does not abort");
  const error = (id: string) => run.tasks.find((ti) => ti.taskId === id)?.error;
  assert.equal(error("long"), "stopped by the test");
  assert.equal(error("other"), "not started: the run was stopped (stopped by the test)");
  assert.equal(run.tasks.find((ti) => ti.taskId === "delete")?.xcom, "cluster-1");
  assert.equal(run.state, "failed");
  assert.equal((await store.getRun("stopped_midway", new Date("2024-01-01")))?.state, "failed", "the store has the failed run");
});
