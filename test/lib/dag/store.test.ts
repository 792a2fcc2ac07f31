import { after, test } from "node:test";
import assert from "node:assert/strict";
import { defineDag } from "../../../lib/dag/dag";
import { runDag } from "../../../lib/dag/run";
import { isoDate } from "../../../lib/dag/schedule";
import { task } from "../../../lib/dag/task";
import { openDagStore } from "../../../lib/dag/store";
import { fakeClock, sharedStore } from "./helpers";

const shared = sharedStore();
after(() => shared.close());

test("runs and task instances are read back from the store, with times, tries, XCom, errors and logs", { timeout: 30_000 }, async () => {
  const { store, db } = await shared.get();
  const clock = fakeClock("2024-03-02T00:05:00Z");
  const dag = defineDag({
    id: "stored", schedule: "@daily", startDate: "2024-03-01", defaultRetryDelayMs: 1,
    tasks: [
      task({ id: "extract", run: (ctx) => {
        ctx.log("read 2 rows");
        ctx.log("done");
        return [{ id: 1 }, { id: 2 }];
      } }),
      task({ id: "load", upstream: ["extract"], retries: 1, run: () => {
        throw new Error("table is locked");
      } }),
    ],
  });
  await runDag(dag, { logicalDate: "2024-03-01", store, clock });
  await runDag(dag, { logicalDate: "2024-03-02", store, clock });
  const reopened = await openDagStore({ db });
  const runs = await reopened.runs("stored");
  assert.deepEqual(runs.map((r) => [isoDate(r.logicalDate), isoDate(r.dataInterval.start), isoDate(r.dataInterval.end), r.state, r.runId]), [
    ["2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", "failed", "scheduled__2024-03-01T00:00:00Z"],
    ["2024-03-02T00:00:00Z", "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z", "failed", "scheduled__2024-03-02T00:00:00Z"],
  ]);
  const [extract, load] = runs[0].tasks;
  assert.deepEqual([extract.taskId, extract.state, extract.tryNumber, extract.xcom, extract.log], ["extract", "success", 1, [{ id: 1 }, { id: 2 }], ["read 2 rows", "done"]]);
  assert.deepEqual([load.taskId, load.state, load.tryNumber, load.error], ["load", "failed", 2, "table is locked"]);
  assert.ok(runs[0].startedAt instanceof Date && runs[0].endedAt instanceof Date);
  assert.equal(isoDate(load.endedAt as Date), "2024-03-02T00:05:00.001Z", "times come from the injected clock (+1 ms retry delay)");
  assert.equal(isoDate((await reopened.lastLogicalDate("stored")) as Date), "2024-03-02T00:00:00Z");
  assert.deepEqual((await reopened.runs("stored", { limit: 1 })).map((r) => isoDate(r.logicalDate)), ["2024-03-02T00:00:00Z"]);
  assert.equal(await reopened.getRun("stored", new Date("2024-03-05")), undefined);
  await reopened.close();
  assert.equal((await db.query("SELECT 1 AS one")).rows.length, 1, "a store does not close a database it was given");
});
