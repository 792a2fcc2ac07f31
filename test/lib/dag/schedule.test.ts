import { test } from "node:test";
import assert from "node:assert/strict";
import { defineDag } from "../../../lib/dag/dag";
import { dataIntervalFor, dueIntervals, isoDate, runsBetween, toDate } from "../../../lib/dag/schedule";
import { task } from "../../../lib/dag/task";
import { isWorkbookError } from "../../../lib/errors";

function dag(schedule: string | null, extra: { startDate?: string; endDate?: string; catchup?: boolean } = {}) {
  return defineDag({ id: "sched", schedule, startDate: extra.startDate ?? "2024-01-01", endDate: extra.endDate, catchup: extra.catchup, tasks: [task({ id: "a", run: () => 1 })] });
}

function interval(i: { start: Date; end: Date }): string {
  return `${isoDate(i.start)}/${isoDate(i.end)}`;
}

test("@hourly, @daily and a cron expression give [start, end) data intervals in UTC", { timeout: 10_000 }, () => {
  assert.equal(interval(dataIntervalFor(dag("@hourly"), "2024-03-05T07:00:00Z")), "2024-03-05T07:00:00Z/2024-03-05T08:00:00Z");
  assert.equal(interval(dataIntervalFor(dag("@hourly"), "2024-03-05T07:42:10Z")), "2024-03-05T07:00:00Z/2024-03-05T08:00:00Z", "a date inside an interval means that interval");
  assert.equal(interval(dataIntervalFor(dag("@daily"), "2024-02-28")), "2024-02-28T00:00:00Z/2024-02-29T00:00:00Z");
  assert.equal(interval(dataIntervalFor(dag("@monthly"), "2024-02-10")), "2024-02-01T00:00:00Z/2024-03-01T00:00:00Z");
  const weekdays = dag("30 6 * * 1-5");
  assert.equal(interval(dataIntervalFor(weekdays, "2024-01-05T06:30:00Z")), "2024-01-05T06:30:00Z/2024-01-08T06:30:00Z", "Friday's interval ends on Monday");
  assert.equal(interval(dataIntervalFor(weekdays, "2024-01-09T06:30:00Z")), "2024-01-09T06:30:00Z/2024-01-10T06:30:00Z");
  assert.equal(interval(dataIntervalFor(dag(null), "2024-05-01T10:00:00Z")), "2024-05-01T10:00:00Z/2024-05-01T10:00:00Z");
});

test("a logical date before the start date (or its first interval) is rejected", { timeout: 10_000 }, () => {
  assert.throws(() => dataIntervalFor(dag("@daily"), "2023-12-31"), (err: unknown) =>
    isWorkbookError(err, "DAG_DATE_INVALID") && /2023-12-31T00:00:00Z of DAG "sched" is before its start date 2024-01-01T00:00:00Z; use 2024-01-01T00:00:00Z/.test(err.message));
  const midday = dag("@daily", { startDate: "2024-01-01T12:00:00Z" });
  assert.throws(() => dataIntervalFor(midday, "2024-01-01T13:00:00Z"), /use 2024-01-02T00:00:00Z \(its first run\)/);
  assert.throws(() => dataIntervalFor(dag("@daily", { endDate: "2024-01-10" }), "2024-01-11"), /after its end date/);
  assert.equal(isoDate(toDate("2024-01-01T00:00:00+00:00")), "2024-01-01T00:00:00Z", "Airflow's {{ ts }} parses");
});

test("runsBetween includes both ends and stays within the start and end dates", { timeout: 10_000 }, () => {
  assert.deepEqual(runsBetween(dag("@daily"), "2024-01-03", "2024-01-05").map((i) => isoDate(i.start)), ["2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z"]);
  assert.equal(runsBetween(dag("@daily"), "2023-12-25", "2024-01-02").length, 2);
  assert.equal(runsBetween(dag("@hourly", { endDate: "2024-01-01T05:00:00Z" }), "2024-01-01", "2024-01-02").length, 6);
  assert.throws(() => runsBetween(dag("@daily"), "2024-01-05", "2024-01-01"), /ends before it starts/);
});

test("due intervals: every missed one with catchup, only the latest without", { timeout: 10_000 }, () => {
  const now = new Date("2024-01-04T03:00:00Z");
  assert.deepEqual(dueIntervals(dag("@daily", { catchup: true }), now).map((i) => isoDate(i.start)), ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"]);
  assert.deepEqual(dueIntervals(dag("@daily", { catchup: true }), now, new Date("2024-01-02")).map((i) => isoDate(i.start)), ["2024-01-03T00:00:00Z"]);
  assert.deepEqual(dueIntervals(dag("@daily"), now).map((i) => isoDate(i.start)), ["2024-01-03T00:00:00Z"]);
  assert.deepEqual(dueIntervals(dag("@daily"), now, new Date("2024-01-03")), []);
  assert.deepEqual(dueIntervals(dag("@once"), now).map(interval), ["2024-01-01T00:00:00Z/2024-01-01T00:00:00Z"]);
  assert.deepEqual(dueIntervals(dag(null), now), []);
});
