/** The Sparkify DAG run as the notebook starts it: a handle that `startOnce` can stop, and its teardown. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, test } from "node:test";
import { getCluster, listClusters } from "../../../lib/jobs/cluster";
import type { LocalJobRunner } from "../../../lib/jobs/local";
import { openLake } from "../../../lib/lake";
import { openWarehouse } from "../../../lib/warehouse";
import { generateSparkify, writeSparkify } from "../../../scenarios/sparkify/generate";
import { startSparkify } from "../../../scenarios/sparkify/scenario";
import { tempDir } from "../../helpers";
import { sharedStore } from "../../lib/dag/helpers";

const shared = sharedStore(); // PGlite opens in a before hook, outside the test's time
after(() => shared.close());

/** The job worker processes of the clusters alive now. */
function clusterWorkers(): number {
  return listClusters().reduce((n, name) => n + ((getCluster(name).runner as LocalJobRunner).running ?? 0), 0);
}

test("stopping the Sparkify DAG run midway: its job's workers end, no later task starts, delete_cluster still deletes the cluster, and a second start completes", { timeout: 120_000 }, async (t) => {
  const { store } = await shared.get();
  const dir = tempDir(t);
  const saved = process.env.LAKE;
  process.env.LAKE = path.join(dir, "lake"); // the DAG opens the workbook's lake
  t.after(() => { if (saved === undefined) delete process.env.LAKE; else process.env.LAKE = saved; });
  const lake = await openLake();
  t.after(() => lake.close());
  await writeSparkify(lake, generateSparkify({ seed: 3, songs: 30, users: 8, days: 3, events: 300 }), "sparkify/raw");
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const options = { warehouse: wh, songData: lake.uri("sparkify/raw/song_data"), logData: lake.uri("sparkify/raw/log_data"), workers: 1, live: false, store };

  const running = await startSparkify(options);
  while (clusterWorkers() === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // a job runs on the cluster
  const note = await running.stop();
  const { run } = await running.finish();
  const cluster = run.tasks.find((ti) => ti.taskId === "create_cluster")?.xcom as { name: string };
  assert.equal(note, `delete_cluster still ran: cluster ${cluster.name} deleted`);
  assert.equal(run.state, "failed");
  const states = Object.fromEntries(run.tasks.map((ti) => [ti.taskId, ti.state]));
  assert.equal(states.delete_cluster, "success");
  assert.deepEqual(listClusters(), [], "the cluster is gone");
  const stopped = run.tasks.filter((ti) => ti.state === "failed");
  assert.ok(stopped.length >= 1 && stopped.every((ti) => /was stopped \(the sparkify_etl run was stopped/.test(ti.error ?? "")), JSON.stringify(stopped));
  for (const id of ["stage_events", "build_star_schema", "write_star_to_lake", "quality_checks"]) {
    const ti = run.tasks.find((x) => x.taskId === id);
    assert.ok(ti && ["upstream_failed", "skipped"].includes(ti.state) && ti.tryNumber === 0, `${id} did not start: ${JSON.stringify(ti)}`);
  }
  assert.equal(await running.stop(), undefined, "stopping an ended run again does nothing");

  const second = await (await startSparkify(options)).finish();
  assert.equal(second.run.state, "success", JSON.stringify(second.run.tasks.map((ti) => [ti.taskId, ti.state, ti.error])));
  assert.deepEqual(listClusters(), []);
});
