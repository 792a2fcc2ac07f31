/**
 * The Dataproc runner: the same job, on a Spark cluster. It stages the package, the input and two
 * small scripts in a bucket, creates a cluster whose initialization action installs Node and the
 * package on every node, submits a PySpark job (pipe_driver.py) that pipes each partition through
 * the job entrypoint with `node`, waits with progress, reads the results and the driver output,
 * and deletes the cluster it created (and only that one: by name and UUID).
 *
 * A cluster can also outlive one job: `createCluster(name)` creates a named cluster (the Sparkify
 * DAG's create_cluster), a runner made with `{ cluster: name }` submits every job to it, and
 * `deleteCluster({ clusterName, clusterUuid })` deletes it (the DAG's teardown), through the same calls.
 *
 * Cluster create and delete are long-running operations: the runner waits for each to be done
 * (operation.promise() polls it), as a job can only be submitted to a RUNNING cluster. Clusters
 * and jobs live in a project and a region, and every call names both.
 *
 * The clients use the REST transport (HTTP/1.1 + JSON, `fallback: true`), not gRPC: see dataprocClientOptions().
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { config } from "../../config";
import { WorkbookError } from "../../errors";
import { projectRoot } from "../../paths";
import { encodeParams, type Envelope, type RecordError } from "../job";
import { defaultPartitions, partition } from "../partition";
import { jobStopped, rate, type JobResult, type JobRunner, type JobSpec, type RunOptions } from "../runner";

export interface DataprocRunnerOptions {
  /** Google Cloud project. Default `config().jobRunner.project` (GOOGLE_CLOUD_PROJECT). */
  project?: string;
  /** Region. Default `config().jobRunner.region` (DATAPROC_REGION). */
  region?: string;
  /** Staging bucket (name, no gs://). Default `config().jobRunner.bucket` (DATAPROC_BUCKET). */
  bucket?: string;
  /** Use this existing cluster instead of creating one (it is never deleted). Default DATAPROC_CLUSTER. */
  cluster?: string;
  /** Image version of the created cluster. Default DATAPROC_IMAGE_VERSION, else "2.2-debian12". */
  imageVersion?: string;
  /** Machine type of master and workers. Default DATAPROC_MACHINE_TYPE, else "n2-standard-4". */
  machineType?: string;
  /** Number of workers. Default DATAPROC_WORKERS, else 2. */
  workerCount?: number;
  /** Node.js release the init action installs. Default: the one running this, e.g. "v20.20.0". */
  nodeVersion?: string;
  /** How often to ask for the job's state. Default 5000 ms. */
  pollMs?: number;
  /** Extra options for the Dataproc clients (e.g. `{ apiEndpoint, port, protocol, authClient }`); the transport is always REST. */
  clientOptions?: Record<string, unknown>;
  /** Extra options for the Cloud Storage client (e.g. `{ apiEndpoint }`). */
  storageOptions?: Record<string, unknown>;
}

/** Where the init action installs the package on every node. */
export const PACKAGE_DIR = "/opt/de-workbook";
/** The scripts shipped in the repo. */
export const INIT_ACTION = path.join(projectRoot, "lib", "jobs", "dataproc", "init-action.sh");
export const PIPE_DRIVER = path.join(projectRoot, "lib", "jobs", "dataproc", "pipe_driver.py");

/** What the runner creates and submits: plain objects, so they can be read and tested. */
export interface DataprocPlan {
  project: string;
  region: string;
  bucket: string;
  runId: string;
  /** gs:// prefix of everything staged for this run. */
  staging: string;
  clusterName: string;
  createCluster: boolean;
  /** The job module, relative to the package root. */
  module: string;
  jobId: string;
  cluster: Record<string, unknown>;
  job: Record<string, unknown>;
}

/** The settings a cluster spec needs. */
export type DataprocClusterSettings = Required<Pick<DataprocRunnerOptions, "project" | "bucket" | "imageVersion" | "machineType" | "workerCount" | "nodeVersion">>;

/** A new run id: the time in base 36 and 3 random bytes, e.g. "mfz1k2-a1b2c3". */
export function dataprocRunId(): string {
  return `${Date.now().toString(36)}-${crypto.randomBytes(3).toString("hex")}`;
}

/**
 * The spec of a cluster created by the workbook (no I/O): its initialization action installs Node
 * and the package staged under `staging`; labels name the run that created it.
 */
export function planDataprocCluster(options: DataprocClusterSettings, clusterName: string, staging: string, runId: string): Record<string, unknown> {
  return {
    projectId: options.project,
    clusterName,
    labels: { "created-by": "de-workbook", "workbook-run": runId },
    config: {
      configBucket: options.bucket,
      gceClusterConfig: {
        metadata: { "workbook-node-version": options.nodeVersion, "workbook-package": `${staging}/package.tgz` },
      },
      masterConfig: { numInstances: 1, machineTypeUri: options.machineType },
      workerConfig: { numInstances: options.workerCount, machineTypeUri: options.machineType },
      softwareConfig: { imageVersion: options.imageVersion },
      initializationActions: [{ executableFile: `${staging}/init-action.sh`, executionTimeout: { seconds: 900 } }],
      // A safety net: a cluster left behind by a killed notebook deletes itself after an idle hour.
      lifecycleConfig: { idleDeleteTtl: { seconds: 3600 } },
    },
  };
}

/** The cluster and job specs for one run (no I/O). */
export function planDataprocRun(spec: { module: string; params?: unknown }, options: DataprocClusterSettings & { region: string; cluster?: string; runId?: string }): DataprocPlan {
  const runId = options.runId ?? dataprocRunId();
  const staging = `gs://${options.bucket}/de-workbook/runs/${runId}`;
  const clusterName = options.cluster ?? `workbook-${runId}`;
  const module = packageRelative(spec.module);
  const labels = { "created-by": "de-workbook", "workbook-run": runId };
  const cluster = planDataprocCluster(options, clusterName, staging, runId);
  const jobId = `workbook-${runId}`;
  const job = {
    reference: { jobId },
    placement: { clusterName },
    labels,
    pysparkJob: {
      mainPythonFileUri: `${staging}/pipe_driver.py`,
      args: ["--input", `${staging}/input/`, "--output", `${staging}/output`, "--module", module, "--params", encodeParams(spec.params ?? {}), "--package-dir", PACKAGE_DIR],
      // One retry per partition, as the local runner does.
      properties: { "spark.task.maxFailures": "2" },
    },
  };
  return { project: options.project, region: options.region, bucket: options.bucket, runId, staging, clusterName, createCluster: options.cluster === undefined, module, jobId, cluster, job };
}

/**
 * Dataproc's rule for cluster names: lower-case letters, digits and hyphens, starting with a letter,
 * ending with a letter or digit, at most 51 characters.
 */
export function checkDataprocClusterName(name: string): string {
  if (!/^[a-z](?:[a-z0-9-]{0,49}[a-z0-9])?$/.test(name)) {
    throw new WorkbookError("OPTIONS_INVALID", `${JSON.stringify(name)} is not a Dataproc cluster name: use lower-case letters, digits and hyphens, starting with a letter, ending with a letter or digit, at most 51 characters (e.g. "sparkify-2018-11").`);
  }
  return name;
}

/** A cluster the workbook created: deleted by name and UUID, so a namesake made since is left alone. */
export interface DataprocCluster {
  clusterName: string;
  clusterUuid?: string;
  project: string;
  region: string;
  /** gs:// prefix of the package and init action staged for it. */
  staging: string;
}

/** A job module path as seen from the package root (the cluster has the package, not this machine's paths). */
function packageRelative(module: string): string {
  const abs = path.resolve(projectRoot, module);
  const rel = path.relative(projectRoot, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new WorkbookError("JOB_OPTIONS_INVALID", `job module ${module} is outside the project ${projectRoot}; a Dataproc job can only run modules of the package, e.g. dist/scenarios/image-kmeans/job.js.`);
  }
  return rel.split(path.sep).join("/");
}

type StorageModule = typeof import("@google-cloud/storage");
type Storage = InstanceType<StorageModule["Storage"]>;
type DataprocModule = typeof import("@google-cloud/dataproc");
type ClusterClient = InstanceType<DataprocModule["v1"]["ClusterControllerClient"]>;
type JobClient = InstanceType<DataprocModule["v1"]["JobControllerClient"]>;
type ClientOptions = NonNullable<ConstructorParameters<DataprocModule["v1"]["ClusterControllerClient"]>[0]>;
/**
 * The clients' options as this module's public type: structural, so that the declarations of
 * `de-workbook` name no type of @google-cloud/dataproc (a notebook importing it would otherwise make
 * tslab read google-gax's and gRPC's declarations, about a second of each kernel's first cell).
 */
export interface DataprocClientOptions {
  apiEndpoint: string;
  projectId: string;
  fallback: boolean;
  [option: string]: unknown;
}

/**
 * The options the runner gives both Dataproc clients: the regional endpoint, the project, `extra`,
 * and always the REST transport (HTTP/1.1 + JSON, google-gax's `fallback: true`), chosen on purpose
 * over the default gRPC: it is the transport the contract test exercises (its stand-in speaks REST
 * only, test/cloud/dataproc-stand-in.ts), so what runs is what is tested; and it needs no HTTP/2
 * channel, so it works through the HTTP proxies notebooks often sit behind. The runner's calls are
 * few and small (create, poll, submit, delete), so gRPC would gain nothing.
 */
export function dataprocClientOptions(region: string, project: string, extra: Record<string, unknown> = {}): DataprocClientOptions {
  return { apiEndpoint: `${region}-dataproc.googleapis.com`, projectId: project, ...(extra as ClientOptions), fallback: true };
}

const FINISHED = new Set(["DONE", "ERROR", "CANCELLED"]);
/** google.rpc.Code NOT_FOUND, as the client's errors carry it. */
const NOT_FOUND = 5;
// JobStatus.State numbers, for clients that return enums as numbers.
const JOB_STATES: Record<number, string> = { 0: "STATE_UNSPECIFIED", 1: "PENDING", 2: "RUNNING", 3: "CANCEL_PENDING", 4: "CANCELLED", 5: "DONE", 6: "ERROR", 7: "CANCEL_STARTED", 8: "SETUP_DONE", 9: "ATTEMPT_FAILURE" };

export class DataprocJobRunner implements JobRunner {
  readonly kind = "dataproc" as const;
  private readonly options: DataprocRunnerOptions;
  private clients?: { clusters: ClusterClient; jobs: JobClient; storage: Storage };

  /** Throws CONFIG_INVALID at once when there is no project or staging bucket (not at the first run). */
  constructor(options: DataprocRunnerOptions = {}) {
    this.options = options;
    this.settings();
  }

  private settings() {
    const c = config().jobRunner;
    const o = this.options;
    const project = o.project ?? c.project;
    const bucket = o.bucket ?? c.bucket;
    if (!project || !bucket) {
      throw new WorkbookError("CONFIG_INVALID", `the Dataproc runner needs a project and a staging bucket (now project=${JSON.stringify(project)}, bucket=${JSON.stringify(bucket)}); set GOOGLE_CLOUD_PROJECT and DATAPROC_BUCKET, or pass { project, bucket }.`);
    }
    return {
      project, bucket,
      region: o.region ?? c.region,
      cluster: o.cluster ?? c.cluster,
      imageVersion: o.imageVersion ?? c.imageVersion,
      machineType: o.machineType ?? c.machineType,
      workerCount: o.workerCount ?? c.workerCount,
      nodeVersion: o.nodeVersion ?? process.version,
      pollMs: o.pollMs ?? 5000,
    };
  }

  private async connect(region: string, project: string) {
    if (!this.clients) {
      const dataproc = require("@google-cloud/dataproc") as DataprocModule;
      const { Storage } = require("@google-cloud/storage") as StorageModule;
      const clientOptions = dataprocClientOptions(region, project, this.options.clientOptions) as ClientOptions;
      this.clients = {
        clusters: new dataproc.v1.ClusterControllerClient(clientOptions),
        jobs: new dataproc.v1.JobControllerClient(clientOptions),
        storage: new Storage({ projectId: project, ...this.options.storageOptions }),
      };
    }
    return this.clients;
  }

  /**
   * Creates a named cluster for several jobs and waits until it is RUNNING: stages the package and
   * the init action, then one create call. A cluster whose creation fails is deleted again (Dataproc
   * keeps clusters in ERROR, and bills them) before this throws DATAPROC_CLUSTER_FAILED. Jobs go to
   * it through a runner made with `{ cluster: name }`; delete it with `deleteCluster(result)`.
   */
  async createCluster(name: string, options: { onPhase?: (phase: string) => void } = {}): Promise<DataprocCluster> {
    const s = this.settings();
    const runId = dataprocRunId();
    const staging = `gs://${s.bucket}/de-workbook/clusters/${checkDataprocClusterName(name)}-${runId}`;
    options.onPhase?.("staging");
    await this.stageCluster(s, staging);
    options.onPhase?.("cluster");
    return this.create(s, planDataprocCluster(s, name, staging, runId), staging);
  }

  /**
   * Deletes a cluster this workbook created, by name and UUID, and waits until it is gone; a cluster
   * that is gone already counts as deleted. DATAPROC_TEARDOWN_FAILED names it and the command to
   * delete it by hand. `failure` (the run's error, if any) is quoted in that message.
   */
  async deleteCluster(cluster: Pick<DataprocCluster, "clusterName" | "clusterUuid">, failure?: unknown): Promise<void> {
    const s = this.settings();
    const { clusters } = await this.connect(s.region, s.project);
    try {
      const [operation] = await clusters.deleteCluster({ projectId: s.project, region: s.region, clusterName: cluster.clusterName, ...(cluster.clusterUuid ? { clusterUuid: cluster.clusterUuid } : {}) });
      await operation.promise();
    } catch (cause) {
      if ((cause as { code?: unknown }).code === NOT_FOUND) return;
      throw new WorkbookError("DATAPROC_TEARDOWN_FAILED", `could not delete cluster ${cluster.clusterName} (${(cause as Error).message})` +
        (failure ? ` after the run failed: ${(failure as Error).message}` : "") +
        `. Delete it yourself: gcloud dataproc clusters delete ${cluster.clusterName} --region ${s.region} (it also deletes itself after an idle hour).`, { cause });
    }
  }

  /** Stages what a created cluster's init action installs: the package (with `module` when it lives outside it) and the script. */
  private async stageCluster(s: ReturnType<DataprocJobRunner["settings"]>, staging: string, module?: string): Promise<void> {
    const { storage } = await this.connect(s.region, s.project);
    const bucket = storage.bucket(s.bucket);
    const save = (uri: string, body: Buffer | string, contentType: string) =>
      bucket.file(uri.slice(`gs://${s.bucket}/`.length)).save(body, { resumable: false, contentType });
    await save(`${staging}/package.tgz`, await packTarball(module), "application/gzip");
    await save(`${staging}/init-action.sh`, fs.readFileSync(INIT_ACTION), "text/x-shellscript");
  }

  /** One create call and its operation; on failure the cluster is deleted again before this throws. */
  private async create(s: ReturnType<DataprocJobRunner["settings"]>, spec: Record<string, unknown>, staging: string): Promise<DataprocCluster> {
    const { clusters } = await this.connect(s.region, s.project);
    const clusterName = String(spec.clusterName);
    const [operation] = await clusters.createCluster({ projectId: s.project, region: s.region, cluster: spec });
    const created: DataprocCluster = { clusterName, project: s.project, region: s.region, staging, clusterUuid: (operation.metadata as { clusterUuid?: string } | null)?.clusterUuid ?? undefined };
    try {
      const [cluster] = await operation.promise();
      created.clusterUuid = cluster.clusterUuid ?? created.clusterUuid;
      return created;
    } catch (cause) {
      const failure = new WorkbookError("DATAPROC_CLUSTER_FAILED", `Dataproc could not create cluster ${clusterName}: ${(cause as Error).message}. The init action's log is in gs://${s.bucket}/google-cloud-dataproc-metainfo/; staged files are in ${staging}.`, { cause });
      await this.deleteCluster(created, failure);
      throw failure;
    }
  }

  async run<I, O, P>(spec: JobSpec<I, P>, options: RunOptions = {}): Promise<JobResult<I, O> & { driverOutput: string; staging: string }> {
    const started = Date.now();
    const s = this.settings();
    // Spark runs one task per executor core: count four per worker (an n2-standard-4).
    const parts = partition(spec.input, spec.partitions ?? defaultPartitions(spec.input.length, s.workerCount * 4));
    const plan = planDataprocRun(spec, s);
    const { jobs, storage } = await this.connect(s.region, s.project);
    const bucket = storage.bucket(s.bucket);
    const save = (uri: string, body: Buffer | string, contentType: string) =>
      bucket.file(uri.slice(`gs://${s.bucket}/`.length)).save(body, { resumable: false, contentType });
    let recordsDone = 0;
    let partitionsDone = 0;
    const report = (phase: string) => {
      const elapsedMs = Date.now() - started;
      options.onProgress?.({ phase, recordsDone, recordsTotal: spec.input.length, partitionsDone, partitionsTotal: parts.length, recordsPerSecond: rate(recordsDone, elapsedMs), elapsedMs });
    };

    // 1. Stage the package and the init action (for a cluster of its own), the driver and the input (one file per partition).
    report("staging");
    if (plan.createCluster) await this.stageCluster(s, plan.staging, plan.module);
    await save(`${plan.staging}/pipe_driver.py`, fs.readFileSync(PIPE_DRIVER), "text/x-python");
    for (let p = 0; p < parts.length; p++) {
      await save(`${plan.staging}/input/part-${String(p).padStart(5, "0")}.jsonl`, parts[p].map((r) => JSON.stringify(r) + "\n").join(""), "application/x-ndjson");
    }

    let created: DataprocCluster | undefined;
    let failure: unknown;
    try {
      // 2. The cluster (created for this run, unless an existing one was named).
      if (options.signal?.aborted) throw jobStopped(spec.module, options.signal.reason, "before its Dataproc cluster was created");
      if (plan.createCluster) {
        report("cluster");
        created = await this.create(s, plan.cluster, plan.staging);
      }

      // 3. The job, and wait for it (progress: the Spark application's, as YARN reports it).
      report("running");
      let [job] = await notFound(jobs.submitJob({ projectId: s.project, region: s.region, job: plan.job }), `cluster ${plan.clusterName}`, s, plan.createCluster ? undefined : "DATAPROC_CLUSTER");
      const jobId = job.reference?.jobId ?? plan.jobId;
      for (;;) {
        const progress = Math.max(0, ...(job.yarnApplications ?? []).map((a) => Number(a.progress ?? 0)));
        recordsDone = Math.floor(progress * spec.input.length);
        partitionsDone = Math.floor(progress * parts.length);
        report("running");
        if (FINISHED.has(stateName(job.status?.state))) break;
        if (options.signal?.aborted) {
          // a stop cancels the job; the finally below deletes the cluster this run created
          await jobs.cancelJob({ projectId: s.project, region: s.region, jobId }).catch(() => undefined);
          throw jobStopped(spec.module, options.signal.reason, `on Dataproc: job ${jobId} was cancelled${created ? ` and cluster ${plan.clusterName} is deleted` : ""}`);
        }
        await new Promise((r) => setTimeout(r, s.pollMs));
        // The job is looked up in its project and region; anywhere else it is NOT_FOUND.
        [job] = await notFound(jobs.getJob({ projectId: s.project, region: s.region, jobId }), `job ${jobId}`, s);
      }

      // 4. The driver output and the results (Spark's part files, in partition order).
      report("fetching");
      const driverOutput = job.driverOutputResourceUri ? await readPrefix(storage, job.driverOutputResourceUri) : "";
      const state = stateName(job.status?.state);
      if (state !== "DONE") {
        throw new WorkbookError("DATAPROC_JOB_FAILED", `Dataproc job ${jobId} on cluster ${plan.clusterName} ended ${state}: ${job.status?.details ?? "no details"}` +
          (driverOutput ? `\ndriver output (end):\n${driverOutput.slice(-3000)}` : "") + `\nStaged files are in ${plan.staging}.`);
      }
      const lines = (await readPrefix(storage, `${plan.staging}/output/part-`)).split("\n").filter((l) => l.trim() !== "");
      if (lines.length !== spec.input.length) {
        throw new WorkbookError("DATAPROC_JOB_FAILED", `Dataproc job ${jobId} returned ${lines.length} results for ${spec.input.length} records; see ${plan.staging}/output and the driver output.`);
      }
      const outputs: O[] = [];
      const errors: RecordError<I>[] = [];
      lines.forEach((line, index) => {
        const e = JSON.parse(line) as Envelope<I, O>;
        if (e.ok) outputs.push(e.output);
        else errors.push({ index, input: e.input, error: e.error });
      });
      recordsDone = lines.length;
      partitionsDone = parts.length;
      report("fetching");
      // Spark retries failed tasks itself (spark.task.maxFailures); which ones is in the driver output.
      return { runner: "dataproc", outputs, errors, records: lines.length, partitions: parts.length, retried: [], elapsedMs: Date.now() - started, driverOutput, staging: plan.staging };
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // 5. Delete the cluster this run created, and only that one (by name and UUID).
      if (created) {
        report("teardown");
        await this.deleteCluster(created, failure);
      }
    }
  }

  async close(): Promise<void> {
    if (this.clients) {
      await Promise.all([this.clients.clusters.close(), this.clients.jobs.close()]);
      this.clients = undefined;
    }
  }
}

/** A NOT_FOUND from Dataproc as DATAPROC_NOT_FOUND, naming the project and region it looked in. */
async function notFound<T>(call: Promise<T>, what: string, s: { project: string; region: string }, setting?: string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if ((err as { code?: unknown }).code !== NOT_FOUND) throw err;
    throw new WorkbookError("DATAPROC_NOT_FOUND", `Dataproc has no ${what} in project ${s.project}, region ${s.region}: ${(err as Error).message}. Check GOOGLE_CLOUD_PROJECT and DATAPROC_REGION${setting ? ` and ${setting}` : ""}.`, { cause: err });
  }
}

function stateName(state: unknown): string {
  if (typeof state === "number") return JOB_STATES[state] ?? String(state);
  return String(state ?? "STATE_UNSPECIFIED");
}

/** Concatenates every object under a gs:// prefix (the driver output comes in numbered pieces). */
async function readPrefix(storage: Storage, uri: string): Promise<string> {
  const m = /^gs:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) return "";
  const [files] = await storage.bucket(m[1]).getFiles({ prefix: m[2] });
  files.sort((a, b) => (a.name < b.name ? -1 : 1));
  let text = "";
  for (const f of files) text += (await f.download())[0].toString("utf8");
  return text;
}

/** Folders of the package the cluster installs (with package.json and the lock file). */
const PACKAGE_FOLDERS = ["dist/lib", "dist/scenarios"];

/**
 * The package as the cluster installs it: package.json, the lock file, the compiled code, and the
 * job module when it lives elsewhere in the project (e.g. a job of your own under dist/).
 */
async function packTarball(module?: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-package-"));
  const file = path.join(dir, "package.tgz");
  const inFolders = module === undefined || PACKAGE_FOLDERS.some((f) => module.startsWith(f + "/"));
  const entries = ["package.json", "package-lock.json", ...PACKAGE_FOLDERS, ...(inFolders ? [] : [module])].filter((e) => fs.existsSync(path.join(projectRoot, e)));
  try {
    await new Promise<void>((resolve, reject) => {
      const tar = spawn("tar", ["-czf", file, "-C", projectRoot, ...entries], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      tar.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
      tar.on("error", reject);
      tar.on("close", (code) => code === 0 ? resolve() : reject(new WorkbookError("DATAPROC_STAGING_FAILED", `tar could not pack ${projectRoot} (exit ${code}): ${stderr.trim()}; run npm run build first.`)));
    });
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
