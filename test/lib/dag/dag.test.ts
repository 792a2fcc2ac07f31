import { test } from "node:test";
import assert from "node:assert/strict";
import { defineDag, isDag, type DagOptions } from "../../../lib/dag/dag";
import { sensor, task } from "../../../lib/dag/task";
import { isUsageError, isWorkbookError, type ErrorCode } from "../../../lib/errors";

const noop = async (): Promise<void> => undefined;

function base(tasks: DagOptions["tasks"], extra: Partial<DagOptions> = {}): DagOptions {
  return { id: "validation", schedule: "@daily", startDate: "2024-01-01", tasks, ...extra };
}

function rejects(options: DagOptions, code: ErrorCode, message: RegExp): void {
  assert.throws(() => defineDag(options), (err: unknown) => {
    assert.ok(isWorkbookError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match(err.message, message);
    assert.ok(isUsageError(err), "a DAG definition error is the caller's input: the CLI exits 2");
    return true;
  });
}

test("defineDag applies the defaults and orders tasks after their upstream tasks", { timeout: 10_000 }, () => {
  const dag = defineDag(base([
    task({ id: "load", upstream: ["transform"], run: noop }),
    task({ id: "extract", run: noop }),
    task({ id: "transform", upstream: ["extract"], retries: 2, run: noop }),
    sensor({ id: "ready", poke: () => true }),
  ]));
  assert.ok(isDag(dag));
  assert.deepEqual(dag.order, ["extract", "transform", "load", "ready"]);
  assert.equal(dag.catchup, false);
  assert.equal(dag.maxActiveTasks, 4);
  assert.equal(dag.task("extract").retries, 0);
  assert.equal(dag.task("transform").retries, 2);
  assert.equal(dag.task("load").triggerRule, "all_success");
  assert.equal(dag.task("load").retryDelayMs, 300_000);
  const ready = dag.task("ready");
  assert.ok(ready.kind === "sensor" && ready.pokeIntervalMs === 60_000 && ready.timeoutMs === 3_600_000);
  assert.deepEqual(dag.downstream(["transform"]), ["transform", "load"]);
});

test("a cycle is rejected, naming its tasks in order", { timeout: 10_000 }, () => {
  rejects(base([
    task({ id: "start", run: noop }),
    task({ id: "a", upstream: ["start", "c"], run: noop }),
    task({ id: "b", upstream: ["a"], run: noop }),
    task({ id: "c", upstream: ["b"], run: noop }),
  ]), "DAG_CYCLE", /cycle: a -> b -> c -> a; remove one of these upstream links/);
  rejects(base([task({ id: "self", upstream: ["self"], run: noop })]), "DAG_CYCLE", /self -> self/);
});

test("an unknown upstream task is rejected, quoting it and listing the tasks", { timeout: 10_000 }, () => {
  rejects(base([task({ id: "extract", run: noop }), task({ id: "load", upstream: ["extrct"], run: noop })]),
    "DAG_UNKNOWN_TASK", /"load" .* upstream "extrct", which is not a task of this DAG \(its tasks: extract, load\)/);
});

test("a duplicate task id is rejected", { timeout: 10_000 }, () => {
  rejects(base([task({ id: "load", run: noop }), task({ id: "load", run: noop })]), "DAG_DUPLICATE_TASK", /two tasks with id "load"; rename one/);
});

test("a bad cron expression or schedule is rejected, quoting it", { timeout: 10_000 }, () => {
  rejects(base([task({ id: "a", run: noop })], { schedule: "61 * * * *" }), "DAG_SCHEDULE_INVALID", /"61 \* \* \* \*" is not a valid cron expression .*minute/);
  rejects(base([task({ id: "a", run: noop })], { schedule: "@fortnightly" }), "DAG_SCHEDULE_INVALID", /"@fortnightly" is not a schedule; use "@hourly"/);
  rejects(base([task({ id: "a", run: noop })], { schedule: "0 0 * * * *" }), "DAG_SCHEDULE_INVALID", /five cron fields/);
});

test("bad dates, ids, trigger rules and limits are rejected with the fix", { timeout: 10_000 }, () => {
  const one = [task({ id: "a", run: noop })];
  rejects(base(one, { startDate: "2024-02-30" }), "DAG_DATE_INVALID", /"2024-02-30" is not a date; write it as 2024-01-31/);
  rejects(base(one, { startDate: "2024-01-02", endDate: "2024-01-01" }), "DAG_DATE_INVALID", /ends \(2024-01-01T00:00:00Z\) before it starts/);
  rejects(base(one, { id: "my dag" }), "DAG_INVALID", /DAG id "my dag" is not valid/);
  rejects(base([task({ id: "a", triggerRule: "sometimes" as never, run: noop })]), "DAG_INVALID", /"sometimes" of task "a" .* is not one of all_success/);
  rejects(base(one, { maxActiveTasks: 0 }), "DAG_INVALID", /maxActiveTasks .* 0 is not valid; use a whole number of at least 1/);
  rejects(base([]), "DAG_INVALID", /has no tasks/);
});
