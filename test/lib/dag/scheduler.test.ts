import { after, test } from "node:test";
import assert from "node:assert/strict";
import { defineDag, type DagOptions } from "../../../lib/dag/dag";
import { runDag } from "../../../lib/dag/run";
import { backfill, clearTasks, runDue } from "../../../lib/dag/scheduler";
import { isoDate } from "../../../lib/dag/schedule";
import { task } from "../../../lib/dag/task";
import { isWorkbookError } from "../../../lib/errors";
import { sharedStore } from "./helpers";

const shared = sharedStore();
after(() => shared.close());

/** A DAG whose tasks record (task, logical date) when they run. */
function recording(id: string, extra: Partial<DagOptions> = {}) {
  const calls: string[] = [];
  const rec = (name: string) => (ctx: { logicalDate: Date }) => {
    calls.push(`${name}@${isoDate(ctx.logicalDate).slice(0, 10)}`);
    return name;
  };
  const dag = defineDag({
    id, schedule: "@daily", startDate: "2024-01-01",
    tasks: [
      task({ id: "extract", run: rec("extract") }),
      task({ id: "transform", upstream: ["extract"], run: rec("transform") }),
      task({ id: "load", upstream: ["transform"], run: rec("load") }),
      task({ id: "audit", upstream: ["extract"], run: rec("audit") }),
    ],
    ...extra,
  });
  return { dag, calls };
}

test("clear re-runs a task and its downstream only, on the next run of that date", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const { dag, calls } = recording("clear_me");
  await runDag(dag, { logicalDate: "2024-01-03", store });
  calls.length = 0;
  const cleared = await clearTasks(dag, "2024-01-03", ["transform"], { store });
  assert.deepEqual(cleared, ["transform", "load"]);
  const stored = await store.getRun("clear_me", new Date("2024-01-03"));
  assert.equal(stored?.state, "queued");
  assert.deepEqual(stored?.tasks.map((t) => [t.taskId, t.state]), [["audit", "success"], ["extract", "success"], ["load", "queued"], ["transform", "queued"]]);
  const rerun = await runDag(dag, { logicalDate: "2024-01-03", store });
  assert.deepEqual(calls, ["transform@2024-01-03", "load@2024-01-03"]);
  assert.equal(rerun.state, "success");
  calls.length = 0;
  await clearTasks(dag, "2024-01-03", ["transform"], { store, downstream: false });
  await runDag(dag, { logicalDate: "2024-01-03", store });
  assert.deepEqual(calls, ["transform@2024-01-03"]);
  await assert.rejects(clearTasks(dag, "2024-01-09", ["load"], { store }), (err: unknown) => isWorkbookError(err, "DAG_NOT_FOUND") && /no run at 2024-01-09T00:00:00Z; run it first/.test(err.message));
  await assert.rejects(clearTasks(dag, "2024-01-03", ["lod"], { store }), (err: unknown) => isWorkbookError(err, "DAG_UNKNOWN_TASK"));
});

test("backfill runs every interval of the range, one run each, oldest first", { timeout: 30_000 }, async () => {
  const { store, db } = await shared.get();
  const { dag, calls } = recording("backfilled");
  const seen: string[] = [];
  const runs = await backfill(dag, { from: "2024-02-01", to: "2024-02-04", store, onRun: (r) => seen.push(isoDate(r.logicalDate)) });
  assert.deepEqual(runs.map((r) => [isoDate(r.logicalDate), isoDate(r.dataInterval.end), r.state]), [
    ["2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z", "success"],
    ["2024-02-02T00:00:00Z", "2024-02-03T00:00:00Z", "success"],
    ["2024-02-03T00:00:00Z", "2024-02-04T00:00:00Z", "success"],
    ["2024-02-04T00:00:00Z", "2024-02-05T00:00:00Z", "success"],
  ]);
  assert.equal(seen.length, 4);
  assert.equal(calls.filter((c) => c.startsWith("extract@")).join(" "), "extract@2024-02-01 extract@2024-02-02 extract@2024-02-03 extract@2024-02-04");
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM dag_run WHERE dag_id = 'backfilled'");
  assert.equal(rows[0].n, 4);
  calls.length = 0;
  await backfill(dag, { from: "2024-02-01", to: "2024-02-05", store });
  assert.deepEqual(calls.map((c) => c.slice(-10)).filter((d, i, all) => all.indexOf(d) === i), ["2024-02-05"], "a second backfill only runs what had not succeeded");
});

test("runDue with catchup runs every missed interval since the last run; without, only the latest", { timeout: 30_000 }, async () => {
  const { store } = await shared.get();
  const caught = recording("caught_up", { catchup: true });
  const first = await runDue(caught.dag, { now: "2024-01-04T01:00:00Z", store });
  assert.deepEqual(first.map((r) => isoDate(r.logicalDate)), ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"]);
  const next = await runDue(caught.dag, { now: "2024-01-06T00:00:00Z", store });
  assert.deepEqual(next.map((r) => isoDate(r.logicalDate)), ["2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z"], "since the last run");
  assert.deepEqual(await runDue(caught.dag, { now: "2024-01-06T12:00:00Z", store }), [], "nothing new is due");

  const latest = recording("latest_only", { catchup: false });
  const once = await runDue(latest.dag, { now: "2024-01-04T01:00:00Z", store });
  assert.deepEqual(once.map((r) => isoDate(r.logicalDate)), ["2024-01-03T00:00:00Z"]);
  const later = await runDue(latest.dag, { now: "2024-01-07T01:00:00Z", store });
  assert.deepEqual(later.map((r) => isoDate(r.logicalDate)), ["2024-01-06T00:00:00Z"], "missed 4th and 5th are not run");
  assert.equal((await store.runs("latest_only")).length, 2);
});
