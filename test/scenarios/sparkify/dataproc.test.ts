/**
 * Sparkify on Dataproc, a contract test on the stand-ins (test/cloud/): the DAG creates ONE cluster
 * for the run, submits every job of the run to it, and deletes it and only it, also after a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, test, type TestContext } from "node:test";
import { clearTasks, dataIntervalFor, exportAirflow, runDag } from "../../../lib/dag";
import { createCluster, deleteCluster, listClusters, type ClusterRecord } from "../../../lib/jobs/cluster";
import { checkDataprocClusterName, type DataprocRunnerOptions } from "../../../lib/jobs/dataproc/dataproc";
import { isWorkbookError } from "../../../lib/errors";
import { openLake } from "../../../lib/lake";
import { projectRoot } from "../../../lib/paths";
import { openWarehouse } from "../../../lib/warehouse";
import { sparkifyDag, SPARKIFY_DOC, SPARKIFY_TASKS } from "../../../scenarios/sparkify/dags";
import { startSparkify } from "../../../scenarios/sparkify/scenario";
import { generateSparkify, writeSparkify } from "../../../scenarios/sparkify/generate";
import { TABLES } from "../../../scenarios/sparkify/star-schema";
import { startDataprocStandIn, type DataprocStandIn, type RecordedRequest } from "../../cloud/dataproc-stand-in";
import { startGcsStandIn } from "../../cloud/gcs-stand-in";
import { tempDir } from "../../helpers";
import { sharedStore } from "../../lib/dag/helpers";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const skip = hasPython ? false : "python3 is not installed (the stand-in's pipe driver runs under it)";
const timeout = 180_000;
/** A cluster someone else runs in the same project and region: nothing here may delete it. */
const OTHER = "projects/test-project/regions/europe-west1/clusters/team-cluster";

const shared = sharedStore();
after(() => shared.close());

const fakeAuth = {
  getRequestHeaders: async () => new Headers({ authorization: "Bearer test-token" }),
  fetch: (url: string, init: { method: string; headers: Headers; body?: string }) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", "Bearer test-token");
    return fetch(url, { method: init.method, headers, body: init.body });
  },
};

async function cloud(t: TestContext, extra: { failCreate?: boolean } = {}): Promise<{ dataproc: DataprocStandIn; options: DataprocRunnerOptions }> {
  const gcs = await startGcsStandIn();
  const dataproc = await startDataprocStandIn({ gcs, packageDir: projectRoot, clusters: [OTHER], ...extra });
  t.after(async () => { await dataproc.close(); await gcs.close(); });
  return {
    dataproc,
    options: {
      project: "test-project", region: "europe-west1", bucket: "test-bucket", workerCount: 2, nodeVersion: "v20.20.0", pollMs: 20,
      clientOptions: { apiEndpoint: dataproc.host, port: dataproc.port, protocol: "http", authClient: fakeAuth },
      storageOptions: { apiEndpoint: gcs.endpoint },
    },
  };
}

/** The cluster calls in order: "create NAME", "submit NAME", "delete NAME?clusterUuid=UUID" (look-ups left out). */
function clusterCalls(requests: RecordedRequest[]): string[] {
  return requests.flatMap((r) => {
    if (r.method === "POST" && r.path.endsWith("/clusters")) return [`create ${(r.body as { clusterName: string }).clusterName}`];
    if (r.method === "POST" && r.path.endsWith("/jobs:submit")) return [`submit ${((r.body as { job: { placement: { clusterName: string } } }).job.placement.clusterName)}`];
    if (r.method === "DELETE") return [`delete ${r.path.split("/").pop()}?clusterUuid=${r.query.clusterUuid ?? ""}`];
    return [];
  });
}

async function sparkifyOnDataproc(t: TestContext, failAt: string) {
  const { dataproc, options } = await cloud(t);
  const { store } = await shared.get();
  const dir = tempDir(t);
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  await writeSparkify(lake, generateSparkify({ seed: 5, songs: 20, users: 6, days: 3, events: 200 }), "sparkify/raw");
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const dag = sparkifyDag({ warehouse: async () => wh, lake: async () => lake, dataproc: options });
  // the tests share one store: a run recorded by the other test is cleared first, as the notebook does
  if (await store.getRun(dag.id, dataIntervalFor(dag, "2018-11-01").start)) await clearTasks(dag, "2018-11-01", [...SPARKIFY_TASKS], { store });
  const run = await runDag(dag, {
    logicalDate: "2018-11-01", store,
    params: { songData: lake.uri("sparkify/raw/song_data"), logData: lake.uri("sparkify/raw/log_data"), runner: "dataproc", failAt },
  });
  const created = run.tasks.find((ti) => ti.taskId === "create_cluster")?.xcom as ClusterRecord;
  return { dataproc, run, wh, created, states: Object.fromEntries(run.tasks.map((ti) => [ti.taskId, ti.state])) };
}

test("Sparkify on Dataproc: create_cluster creates one cluster for the run, both jobs run on it, delete_cluster deletes it and nothing else", { skip, timeout }, async (t) => {
  const { dataproc, run, wh, created, states } = await sparkifyOnDataproc(t, "");
  assert.equal(run.state, "success", JSON.stringify(run.tasks.map((ti) => [ti.taskId, ti.state, ti.error])));
  const name = created.name;
  assert.match(name, /^sparkify-[a-z0-9-]+$/);
  assert.deepEqual(created.dataproc, { clusterName: name, clusterUuid: `uuid-${name}`, created: true });
  // create once, the run's two jobs (clean_events, stage_songs) on that cluster, delete once: that cluster, by UUID
  assert.deepEqual(clusterCalls(dataproc.requests), [`create ${name}`, `submit ${name}`, `submit ${name}`, `delete ${name}?clusterUuid=uuid-${name}`]);
  assert.deepEqual([...dataproc.clusters.keys()], [OTHER], "only the other team's cluster is left");
  assert.equal(dataproc.clusters.get(OTHER)?.state, "RUNNING");
  assert.deepEqual(dataproc.requests.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.method} ${r.path}`), []);
  assert.equal(states.delete_cluster, "success");
  assert.deepEqual(listClusters(), []);
  // the jobs' results came back: the star schema has the month's songplays
  const plays = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.songplays}`);
  assert.ok(Number(plays.rows[0].n) > 0);
});

test("Sparkify on Dataproc: a task that fails after the jobs still leaves delete_cluster to delete the run's cluster, once, and only it", { skip, timeout }, async (t) => {
  const { dataproc, run, created, states } = await sparkifyOnDataproc(t, "build_star_schema");
  assert.equal(run.state, "failed");
  assert.equal(states.build_star_schema, "failed");
  assert.equal(states.quality_checks, "upstream_failed");
  assert.equal(states.delete_cluster, "success");
  const name = created.name;
  assert.deepEqual(clusterCalls(dataproc.requests), [`create ${name}`, `submit ${name}`, `submit ${name}`, `delete ${name}?clusterUuid=uuid-${name}`]);
  assert.deepEqual([...dataproc.clusters.keys()], [OTHER]);
  assert.deepEqual(listClusters(), []);
});

test("Sparkify on Dataproc stopped while a job runs: the job is cancelled, no later task starts, and delete_cluster deletes the run's cluster", { skip, timeout }, async (t) => {
  const { dataproc, options } = await cloud(t);
  const { store } = await shared.get();
  const dir = tempDir(t);
  const saved = process.env.LAKE;
  process.env.LAKE = path.join(dir, "lake"); // startSparkify's DAG opens the workbook's lake
  t.after(() => { if (saved === undefined) delete process.env.LAKE; else process.env.LAKE = saved; });
  const lake = await openLake();
  t.after(() => lake.close());
  await writeSparkify(lake, generateSparkify({ seed: 5, songs: 20, users: 6, days: 3, events: 200 }), "sparkify/raw");
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const running = await startSparkify({ warehouse: wh, songData: lake.uri("sparkify/raw/song_data"), logData: lake.uri("sparkify/raw/log_data"), runner: "dataproc", dataproc: options, live: false, store });
  while (!dataproc.requests.some((r) => r.path.endsWith("/jobs:submit"))) await new Promise((resolve) => setTimeout(resolve, 5));
  const note = await running.stop();
  const { run, xcom } = await running.finish();
  const name = xcom<ClusterRecord>("create_cluster")?.name ?? "";
  assert.equal(note, `delete_cluster still ran: cluster ${name} deleted`);
  assert.equal(run.state, "failed");
  assert.ok(dataproc.requests.some((r) => r.method === "POST" && r.path.endsWith(":cancel")), "the running job was cancelled");
  for (const id of ["stage_events", "build_star_schema", "write_star_to_lake", "quality_checks"]) {
    const ti = run.tasks.find((x) => x.taskId === id);
    assert.ok(ti && ["upstream_failed", "skipped"].includes(ti.state) && ti.startedAt === undefined, `${id} did not start: ${JSON.stringify(ti)}`);
  }
  const calls = clusterCalls(dataproc.requests);
  assert.deepEqual([calls[0], calls[calls.length - 1]], [`create ${name}`, `delete ${name}?clusterUuid=uuid-${name}`]);
  assert.deepEqual(calls.slice(1, -1).filter((c) => c !== `submit ${name}`), [], "every job went to the run's cluster");
  assert.equal(calls.filter((c) => c.startsWith("create")).length + calls.filter((c) => c.startsWith("delete")).length, 2);
  assert.deepEqual([...dataproc.clusters.keys()], [OTHER]);
  assert.deepEqual(listClusters(), []);
});

/** lib/jobs/cluster as a new process would load it: a module of its own, with no clusters in memory. */
function inAnotherProcess(): typeof import("../../../lib/jobs/cluster") {
  const file = require.resolve("../../../lib/jobs/cluster");
  delete require.cache[file];
  try {
    return require(file) as typeof import("../../../lib/jobs/cluster");
  } finally {
    delete require.cache[file];
  }
}

test("a cluster record from another process (Airflow runs each task in one): jobs are submitted to its Dataproc cluster, and deleteCluster(record) deletes it", { skip, timeout }, async (t) => {
  const { dataproc, options } = await cloud(t);
  // process 1, create_cluster: creates the cluster and hands on its record (JSON, the XCom)
  const first = inAnotherProcess();
  const made = await first.createCluster({ name: "sparkify-airflow-run", runner: "dataproc", dataproc: options });
  const record = JSON.parse(JSON.stringify(first.clusterRecord(made))) as ClusterRecord;
  assert.deepEqual(record, { name: "sparkify-airflow-run", kind: "dataproc", workers: 2, dataproc: { clusterName: "sparkify-airflow-run", clusterUuid: "uuid-sparkify-airflow-run", created: true } });
  await made.runner.close(); // the process ends
  // process 2, a job task: submits to that cluster, creates none
  const second = inAnotherProcess();
  const cluster = await second.attachCluster(record, { dataproc: options });
  const result = await cluster.runner.run<{ n: number }, { square: number }, object>({ module: path.join(projectRoot, "dist", "test", "lib", "jobs", "fixtures", "square.js"), input: [{ n: 6 }] });
  assert.deepEqual(result.outputs.map((o) => o.square), [36]);
  await cluster.runner.close();
  // process 3, delete_cluster: nothing of the cluster in memory, the record suffices
  const third = inAnotherProcess();
  assert.deepEqual(third.listClusters(), []);
  assert.equal(await third.deleteCluster(record, { dataproc: options }), true);
  assert.deepEqual(clusterCalls(dataproc.requests), ["create sparkify-airflow-run", "submit sparkify-airflow-run", "delete sparkify-airflow-run?clusterUuid=uuid-sparkify-airflow-run"]);
  assert.deepEqual([...dataproc.clusters.keys()], [OTHER]);
  assert.deepEqual(listClusters(), []);
});

test("createCluster on Dataproc whose creation fails: DATAPROC_CLUSTER_FAILED, the half-made cluster is deleted, and no cluster is left in the process", { skip, timeout }, async (t) => {
  const { dataproc, options } = await cloud(t, { failCreate: true });
  await assert.rejects(createCluster({ name: "sparkify-broken", runner: "dataproc", dataproc: options }), (err: Error) => isWorkbookError(err, "DATAPROC_CLUSTER_FAILED") && /could not create cluster sparkify-broken: .*Initialization action failed/.test(err.message));
  assert.deepEqual(clusterCalls(dataproc.requests), ["create sparkify-broken", "delete sparkify-broken?clusterUuid=uuid-sparkify-broken"]);
  assert.deepEqual([...dataproc.clusters.keys()], [OTHER]);
  assert.deepEqual(listClusters(), []);
  assert.throws(() => checkDataprocClusterName("Sparkify_Run"), (err: Error) => isWorkbookError(err, "OPTIONS_INVALID") && /"Sparkify_Run" is not a Dataproc cluster name/.test(err.message));
});

test("an existing cluster (DATAPROC_CLUSTER) given to createCluster gets the jobs and is never deleted", { skip, timeout }, async (t) => {
  const { dataproc, options } = await cloud(t);
  const cluster = await createCluster({ name: "sparkify-shared", runner: "dataproc", dataproc: { ...options, cluster: "team-cluster" } });
  assert.deepEqual(cluster.dataproc, { clusterName: "team-cluster", created: false });
  const result = await cluster.runner.run<{ n: number }, { square: number }, object>({ module: path.join(projectRoot, "dist", "test", "lib", "jobs", "fixtures", "square.js"), input: [{ n: 4 }] });
  assert.deepEqual(result.outputs.map((o) => o.square), [16]);
  assert.equal(await deleteCluster("sparkify-shared", { dataproc: options }), true);
  assert.deepEqual(clusterCalls(dataproc.requests), ["submit team-cluster"]);
  assert.equal(dataproc.clusters.get(OTHER)?.state, "RUNNING");
});

test("the Airflow export of sparkify_etl and notebook 03 tell the same cluster lifecycle", { timeout: 60_000 }, (t) => {
  const phrases = ["creates one cluster for the run, named `sparkify-<run id>`", "one Dataproc cluster", "`clean_events` and `stage_songs` submit their jobs to that cluster",
    "deletes that cluster and only it, by name and UUID", "`all_done`", "failed or stopped run", "`DATAPROC_CLUSTER`", "the cluster's name travels in `create_cluster`'s XCom"];
  const notebook = JSON.parse(fs.readFileSync(path.join(projectRoot, "notebooks", "03-sparkify-star-schema.ipynb"), "utf8")) as { cells: { cell_type: string; source: string[] }[] };
  const text = notebook.cells.filter((c) => c.cell_type === "markdown").map((c) => c.source.join("")).join("\n");
  for (const p of phrases) {
    assert.ok(SPARKIFY_DOC.includes(p), `the DAG's doc says ${p}`);
    assert.ok(text.includes(p), `notebook 03 says ${p}`);
  }
  if (!hasPython) return t.skip("python3 is not installed");
  const dir = tempDir(t);
  const file = path.join(dir, "sparkify_etl.py");
  fs.writeFileSync(file, exportAirflow(sparkifyDag()));
  const fixtures = path.join(projectRoot, "test", "lib", "dag", "fixtures");
  const r = spawnSync("python3", [path.join(fixtures, "load_dag.py"), file], { encoding: "utf8", env: { ...process.env, PYTHONPATH: fixtures, PYTHONDONTWRITEBYTECODE: "1" } });
  assert.equal(r.status, 0, r.stderr);
  const [exported] = JSON.parse(r.stdout) as { doc_md: string; tasks: { task_id: string; trigger_rule: string }[] }[];
  assert.equal(exported.doc_md, SPARKIFY_DOC);
  assert.equal(exported.tasks.find((x) => x.task_id === "delete_cluster")?.trigger_rule, "all_done");
});
