import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readConfig } from "../../../../lib/config";
import { isWorkbookError } from "../../../../lib/errors";
import { DataprocJobRunner, INIT_ACTION, PACKAGE_DIR, PIPE_DRIVER, dataprocClientOptions, planDataprocRun, type DataprocRunnerOptions } from "../../../../lib/jobs/dataproc/dataproc";
import { decodeParams } from "../../../../lib/jobs/job";
import type { JobProgress } from "../../../../lib/jobs/runner";
import { projectRoot } from "../../../../lib/paths";
import { startDataprocStandIn, type DataprocStandIn, type DataprocStandInOptions, type RecordedRequest } from "../../../cloud/dataproc-stand-in";
import { startGcsStandIn, type GcsStandIn } from "../../../cloud/gcs-stand-in";

const SQUARE = path.join(__dirname, "..", "fixtures", "square.js");
const FLAKY = path.join(__dirname, "..", "fixtures", "flaky.js");
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const skip = hasPython ? false : "python3 is not installed (the pipe driver runs under it)";
const timeout = 60_000;
const SHARED = "projects/test-project/regions/europe-west1/clusters/shared-cluster";

/** The only fake: credentials. Everything else is the real client talking REST (the product's choice) to the stand-ins. */
const fakeAuth = {
  getRequestHeaders: async () => new Headers({ authorization: "Bearer test-token" }),
  fetch: (url: string, init: { method: string; headers: Headers; body?: string }) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", "Bearer test-token");
    return fetch(url, { method: init.method, headers, body: init.body });
  },
};

interface Cloud { gcs: GcsStandIn; dataproc: DataprocStandIn; options: DataprocRunnerOptions }

async function standIns(t: { after(fn: () => Promise<void> | void): void }, extra: Omit<DataprocStandInOptions, "gcs" | "packageDir"> = {}): Promise<Cloud> {
  const gcs = await startGcsStandIn();
  const dataproc = await startDataprocStandIn({ gcs, packageDir: projectRoot, ...extra });
  t.after(async () => { await dataproc.close(); await gcs.close(); });
  const options: DataprocRunnerOptions = {
    project: "test-project", region: "europe-west1", bucket: "test-bucket",
    imageVersion: "2.2-debian12", machineType: "n2-standard-8", workerCount: 3, nodeVersion: "v20.20.0", pollMs: 20,
    // no `fallback: true` here: the runner picks the REST transport itself
    clientOptions: { apiEndpoint: dataproc.host, port: dataproc.port, protocol: "http", authClient: fakeAuth },
    storageOptions: { apiEndpoint: gcs.endpoint },
  };
  return { gcs, dataproc, options };
}

function only(requests: RecordedRequest[], method: string, pattern: RegExp): RecordedRequest[] {
  return requests.filter((r) => r.method === method && pattern.test(r.path));
}

/** The requests as [call, times in a row], e.g. [["create", 1], ["operation op-1", 3], ["submit", 1], ...]. */
function calls(requests: RecordedRequest[]): [string, number][] {
  const out: [string, number][] = [];
  for (const r of requests) {
    const name = r.method === "POST" && r.path.endsWith("/clusters") ? "create"
      : r.method === "DELETE" ? "delete"
        : r.path.endsWith("jobs:submit") ? "submit"
          : r.path.includes("/operations/") ? `operation ${r.path.split("/").pop()}`
            : r.path.includes("/jobs/") ? "job" : `${r.method} ${r.path}`;
    const last = out[out.length - 1];
    if (last && last[0] === name) last[1]++;
    else out.push([name, 1]);
  }
  return out;
}

test("the Dataproc runner creates a cluster with the image, init action and machine types, runs the job, and deletes that cluster", { skip, timeout }, async (t) => {
  const { gcs, dataproc, options } = await standIns(t);
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  const phases: string[] = [];
  const input = [{ n: 2 }, { n: -1 }, { n: 3 }, { n: 4 }, { n: -5 }];
  const result = await runner.run<{ n: number }, { square: number }, object>({ module: SQUARE, input, params: { delayMs: 1 }, partitions: 2 }, {
    onProgress: (p: JobProgress) => { if (phases[phases.length - 1] !== p.phase) phases.push(p.phase); },
  });

  // The results came back through Spark's pipe, in order, with the rejected records.
  assert.equal(result.runner, "dataproc");
  assert.deepEqual(result.outputs.map((o) => o.square), [4, 9, 16]);
  assert.deepEqual(result.errors.map((e) => [e.index, e.error]), [[1, "negative number -1"], [4, "negative number -5"]]);
  assert.equal(result.partitions, 2);
  assert.match(result.driverOutput, /pipe driver: 2 partitions through \S+node \S+\/dist\/lib\/jobs\/entrypoint\.js dist\/test\/lib\/jobs\/fixtures\/square\.js/);
  assert.deepEqual(phases, ["staging", "cluster", "running", "fetching", "teardown"]);

  // The cluster spec.
  const [create] = only(dataproc.requests, "POST", /\/v1\/projects\/test-project\/regions\/europe-west1\/clusters$/);
  const cluster = create.body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.match(cluster.clusterName, /^workbook-[a-z0-9-]+$/);
  assert.equal(cluster.config.softwareConfig.imageVersion, "2.2-debian12");
  assert.equal(cluster.config.masterConfig.machineTypeUri, "n2-standard-8");
  assert.equal(cluster.config.masterConfig.numInstances, 1);
  assert.equal(cluster.config.workerConfig.machineTypeUri, "n2-standard-8");
  assert.equal(cluster.config.workerConfig.numInstances, 3);
  assert.equal(cluster.labels["created-by"], "de-workbook");
  const init = cluster.config.initializationActions[0].executableFile as string;
  assert.match(init, /^gs:\/\/test-bucket\/de-workbook\/runs\/[^/]+\/init-action\.sh$/);
  assert.deepEqual(gcs.objects.get(init.slice(5)), fs.readFileSync(INIT_ACTION));
  const metadata = cluster.config.gceClusterConfig.metadata;
  assert.equal(metadata["workbook-node-version"], "v20.20.0");
  const tarball = gcs.objects.get(String(metadata["workbook-package"]).slice(5));
  assert.ok(tarball, "the package tarball is staged where the init action looks");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-tgz-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "p.tgz"), tarball);
  const listing = spawnSync("tar", ["-tzf", path.join(dir, "p.tgz")], { encoding: "utf8" }).stdout.split("\n");
  // The job module travels too when it is outside dist/lib and dist/scenarios.
  for (const f of ["package.json", "package-lock.json", "dist/lib/jobs/entrypoint.js", "dist/scenarios/image-kmeans/job.js", "dist/test/lib/jobs/fixtures/square.js"]) {
    assert.ok(listing.includes(f), `${f} is in the package`);
  }

  // The job spec.
  const [submit] = only(dataproc.requests, "POST", /\/jobs:submit$/);
  const job = (submit.body as any).job; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(job.placement.clusterName, cluster.clusterName);
  assert.match(job.pysparkJob.mainPythonFileUri, /^gs:\/\/test-bucket\/.*\/pipe_driver\.py$/);
  assert.deepEqual(gcs.objects.get(job.pysparkJob.mainPythonFileUri.slice(5)), fs.readFileSync(PIPE_DRIVER));
  const args: string[] = job.pysparkJob.args;
  const arg = (name: string) => args[args.indexOf(name) + 1];
  assert.equal(arg("--module"), "dist/test/lib/jobs/fixtures/square.js");
  assert.deepEqual(decodeParams(arg("--params")), { delayMs: 1 });
  assert.equal(arg("--package-dir"), PACKAGE_DIR);
  assert.equal(job.pysparkJob.properties["spark.task.maxFailures"], "2");
  assert.ok(only(dataproc.requests, "GET", /\/jobs\//).length >= 2, "the runner polled the job");

  // The teardown: exactly the cluster it created, by name and UUID.
  const deletes = only(dataproc.requests, "DELETE", /\/clusters\//);
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0].path, `/v1/projects/test-project/regions/europe-west1/clusters/${cluster.clusterName}`);
  assert.equal(deletes[0].query.clusterUuid, `uuid-${cluster.clusterName}`);
  assert.equal(dataproc.clusters.size, 0, "the cluster is gone");
});

test("cluster create and delete are long-running: the runner submits only once the cluster is RUNNING, and returns only once it is deleted", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t, { pollsUntilDone: 5 });
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  const result = await runner.run<{ n: number }, { square: number }, object>({ module: SQUARE, input: [{ n: 3 }] });
  assert.deepEqual(result.outputs.map((o) => o.square), [9]);
  const sequence = calls(dataproc.requests);
  const jobPolls = sequence.find(([name]) => name === "job")?.[1] ?? 0;
  assert.deepEqual(sequence, [["create", 1], ["operation op-1", 5], ["submit", 1], ["job", jobPolls], ["delete", 1], ["operation op-2", 5]]);
  assert.ok(jobPolls >= 2);
  // the operations were not done until their fifth look-up, and both ended done
  assert.deepEqual([...dataproc.operations.values()].map((op) => [op.polls, op.done]), [[5, true], [5, true]]);
  assert.equal(dataproc.clusters.size, 0);
  // every call the stand-in answered went well (a job submitted to a CREATING cluster is refused)
  assert.deepEqual(dataproc.requests.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.method} ${r.path}`), []);
});

test("jobs and clusters are found in their project and region: every call names both, and the stand-in, like the API, 404s any other", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t);
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  await runner.run({ module: SQUARE, input: [{ n: 1 }, { n: 2 }] });
  for (const r of dataproc.requests) assert.match(r.path, /^\/v1\/projects\/test-project\/regions\/europe-west1\//);
  const jobLookUps = only(dataproc.requests, "GET", /\/jobs\//);
  assert.ok(jobLookUps.length >= 2);
  const jobPath = jobLookUps[0].path;
  const get = async (p: string) => (await fetch(`http://${dataproc.host}:${dataproc.port}${p}`)).status;
  assert.equal(await get(jobPath), 200);
  assert.equal(await get(jobPath.replace("/regions/europe-west1/", "/regions/us-central1/")), 404);
  assert.equal(await get(jobPath.replace("/projects/test-project/", "/projects/other-project/")), 404);
  const opPath = only(dataproc.requests, "GET", /\/operations\//)[0].path;
  assert.equal(await get(opPath.replace("/regions/europe-west1/", "/regions/us-central1/")), 404);
});

test("an existing cluster (DATAPROC_CLUSTER) that is not in the region is DATAPROC_NOT_FOUND, naming project, region and cluster", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t, { clusters: [SHARED] });
  const runner = new DataprocJobRunner({ ...options, region: "us-central1", cluster: "shared-cluster" });
  t.after(() => runner.close());
  await assert.rejects(runner.run({ module: SQUARE, input: [{ n: 1 }] }), (err: unknown) =>
    isWorkbookError(err, "DATAPROC_NOT_FOUND") && /no cluster shared-cluster in project test-project, region us-central1: .*Not found: Cluster projects\/test-project\/regions\/us-central1\/clusters\/shared-cluster.*Check GOOGLE_CLOUD_PROJECT and DATAPROC_REGION and DATAPROC_CLUSTER/.test(err.message));
  assert.deepEqual(only(dataproc.requests, "POST", /jobs:submit/).map((r) => r.status), [404]);
});

test("the Dataproc clients use the REST transport (fallback), the one the stand-in speaks, whatever clientOptions say", { skip, timeout }, async (t) => {
  assert.deepEqual(dataprocClientOptions("europe-west1", "p"), { apiEndpoint: "europe-west1-dataproc.googleapis.com", projectId: "p", fallback: true });
  assert.equal(dataprocClientOptions("europe-west1", "p", { fallback: false, port: 1 }).fallback, true);
  const { dataproc, options } = await standIns(t, { clusters: [SHARED] });
  const runner = new DataprocJobRunner({ ...options, cluster: "shared-cluster", clientOptions: { ...options.clientOptions, fallback: false } });
  t.after(() => runner.close());
  const result = await runner.run<{ n: number }, { square: number }, object>({ module: SQUARE, input: [{ n: 5 }] });
  assert.deepEqual(result.outputs.map((o) => o.square), [25]);
  assert.ok(dataproc.requests.length >= 2);
  for (const r of dataproc.requests) {
    // HTTP/1.1 JSON with the REST client's marks (gRPC would be HTTP/2 with application/grpc)
    assert.equal(r.headers["content-type"], "application/json");
    assert.match(String(r.headers["x-goog-api-client"]), /(^| )rest\/\d/);
    assert.equal(r.query.$alt, "json;enum-encoding=int");
  }
});

test("on Dataproc a partition whose process dies is run again (spark.task.maxFailures=2)", { skip, timeout }, async (t) => {
  const { options } = await standIns(t);
  const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-flaky-"));
  t.after(() => fs.rmSync(markerDir, { recursive: true, force: true }));
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  const input = Array.from({ length: 6 }, (_, n) => ({ n, crash: n === 4 }));
  const result = await runner.run<{ n: number }, { n: number }, object>({ module: FLAKY, input, params: { markerDir }, partitions: 2 });
  assert.deepEqual(result.outputs.map((o) => o.n), [0, 1, 2, 3, 4, 5]);
  assert.match(result.driverOutput, /task 1 attempt 1 failed: exit 3/);
});

test("a failed Dataproc job throws with the driver output, and the cluster is still deleted", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t);
  const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-flaky-"));
  t.after(() => fs.rmSync(markerDir, { recursive: true, force: true }));
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  await assert.rejects(
    runner.run({ module: FLAKY, input: [{ n: 1, crash: true }], params: { markerDir, always: true } }),
    (err: unknown) => isWorkbookError(err, "DATAPROC_JOB_FAILED") && /ended ERROR/.test(err.message) && /failed 2 times/.test(err.message),
  );
  const created = only(dataproc.requests, "POST", /\/clusters$/)[0].body as { clusterName: string };
  const deletes = only(dataproc.requests, "DELETE", /\/clusters\//);
  assert.deepEqual(deletes.map((d) => d.path.split("/").pop()), [created.clusterName]);
  assert.equal(dataproc.clusters.size, 0);
});

test("a cluster whose creation fails (its operation ends with an error) is deleted, and no job is submitted", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t, { failCreate: true });
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  await assert.rejects(runner.run({ module: SQUARE, input: [{ n: 1 }] }), (err: unknown) => isWorkbookError(err, "DATAPROC_CLUSTER_FAILED") && /could not create cluster workbook-.*Initialization action failed/.test(err.message));
  assert.deepEqual(calls(dataproc.requests), [["create", 1], ["operation op-1", 3], ["delete", 1], ["operation op-2", 3]]);
  assert.equal(only(dataproc.requests, "POST", /jobs:submit/).length, 0);
  const created = only(dataproc.requests, "POST", /\/clusters$/)[0].body as { clusterName: string };
  const deletes = only(dataproc.requests, "DELETE", /\/clusters\//);
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0].path.split("/").pop(), created.clusterName);
  assert.equal(dataproc.clusters.size, 0);
});

test("a cluster that cannot be deleted is named in the error, with the command to delete it", { skip, timeout }, async (t) => {
  const { options } = await standIns(t, { failDelete: true });
  const runner = new DataprocJobRunner(options);
  t.after(() => runner.close());
  await assert.rejects(
    runner.run({ module: SQUARE, input: [{ n: 1 }] }),
    (err: unknown) => isWorkbookError(err, "DATAPROC_TEARDOWN_FAILED") && /could not delete cluster (workbook-\S+) .*gcloud dataproc clusters delete \1 --region europe-west1/.test(err.message),
  );
});

test("with an existing cluster the runner submits to it and neither creates nor deletes a cluster", { skip, timeout }, async (t) => {
  const { dataproc, options } = await standIns(t, { clusters: [SHARED] });
  const runner = new DataprocJobRunner({ ...options, cluster: "shared-cluster" });
  t.after(() => runner.close());
  const result = await runner.run<{ n: number }, { square: number }, object>({ module: SQUARE, input: [{ n: 7 }] });
  assert.deepEqual(result.outputs.map((o) => o.square), [49]);
  assert.equal(only(dataproc.requests, "POST", /\/clusters$/).length, 0);
  assert.equal(only(dataproc.requests, "DELETE", /\/clusters\//).length, 0);
  assert.equal(((only(dataproc.requests, "POST", /jobs:submit/)[0].body as any).job.placement.clusterName), "shared-cluster"); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual([...dataproc.clusters.entries()].map(([name, c]) => [name, c.state]), [[SHARED, "RUNNING"]]);
});

test("planDataprocRun refuses a job module outside the package", { timeout }, () => {
  assert.throws(
    () => planDataprocRun({ module: "/tmp/elsewhere/job.js" }, { project: "p", region: "r", bucket: "b", imageVersion: "2.2-debian12", machineType: "n2-standard-4", workerCount: 2, nodeVersion: "v20.20.0" }),
    (err: unknown) => isWorkbookError(err, "JOB_OPTIONS_INVALID") && /outside the project/.test(err.message),
  );
});

test("the init action installs node in /usr/local and the package where the pipe driver looks for it", { timeout }, () => {
  const script = fs.readFileSync(INIT_ACTION, "utf8");
  const driver = fs.readFileSync(PIPE_DRIVER, "utf8");
  assert.match(script, new RegExp(`PREFIX=${PACKAGE_DIR}\\n`));
  assert.match(script, /tar -xJ -C \/usr\/local --strip-components=1/);
  assert.match(script, /metadata workbook-package/);
  assert.match(script, /metadata workbook-node-version/);
  assert.match(driver, /NODE = "\/usr\/local\/bin\/node"/);
  assert.match(driver, new RegExp(`default="${PACKAGE_DIR}"`));
  assert.equal(spawnSync("bash", ["-n", INIT_ACTION]).status, 0, "init-action.sh parses");
});

test("Dataproc settings come from config: DATAPROC_CLUSTER, DATAPROC_IMAGE_VERSION, DATAPROC_MACHINE_TYPE, DATAPROC_WORKERS", { timeout }, () => {
  const defaults = readConfig({}).jobRunner;
  assert.deepEqual([defaults.cluster, defaults.imageVersion, defaults.machineType, defaults.workerCount], [undefined, "2.2-debian12", "n2-standard-4", 2]);
  const set = readConfig({
    JOB_RUNNER: "dataproc", GOOGLE_CLOUD_PROJECT: "p", DATAPROC_BUCKET: "b", DATAPROC_REGION: "asia-east1",
    DATAPROC_CLUSTER: "team-cluster", DATAPROC_IMAGE_VERSION: "2.1-debian11", DATAPROC_MACHINE_TYPE: "e2-standard-2", DATAPROC_WORKERS: "5",
  }).jobRunner;
  assert.deepEqual(set, { runner: "dataproc", workers: set.workers, project: "p", region: "asia-east1", bucket: "b", cluster: "team-cluster", imageVersion: "2.1-debian11", machineType: "e2-standard-2", workerCount: 5 });
  assert.throws(() => readConfig({ DATAPROC_WORKERS: "0" }), (err: unknown) => isWorkbookError(err, "CONFIG_INVALID") && /DATAPROC_WORKERS="0"/.test(err.message));
});
