/**
 * The one module that reads environment variables. Everything else asks `config()` (or takes
 * options), so every backend decision (embedded or external) is made here, and every message that
 * depends on a variable can name it.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | WORKBOOK_HOME | `<project>/.workbook` | work folder: generated data, embedded databases, state |
 * | WORKBOOK_JOBS | number of cores | parallel notebooks in `workbook run-all`, workers in the local job pool |
 * | KAFKA_BROKERS | (unset: embedded broker) | comma-separated `host:port` list of a real Kafka cluster |
 * | KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD | (unset) | SASL for KAFKA_BROKERS (plain, scram-sha-256, scram-sha-512) |
 * | KAFKA_SSL | false | TLS for KAFKA_BROKERS |
 * | WAREHOUSE | duckdb | `duckdb` (a file in the work folder) or `bigquery` |
 * | GOOGLE_CLOUD_PROJECT | (unset) | Google Cloud project for BigQuery and Dataproc |
 * | BIGQUERY_DATASET | workbook | BigQuery dataset |
 * | BIGQUERY_LOCATION | US | BigQuery location |
 * | DATABASE_URL | (unset: PGlite) | a PostgreSQL server, e.g. postgres://user@127.0.0.1:5432/db |
 * | JOB_RUNNER | local | `local` (worker pool) or `dataproc` |
 * | DATAPROC_REGION | us-central1 | Dataproc region |
 * | DATAPROC_BUCKET | (unset) | Cloud Storage bucket for staging Dataproc jobs |
 * | DATAPROC_CLUSTER | (unset: a cluster per job) | an existing Dataproc cluster to submit to (never deleted) |
 * | DATAPROC_IMAGE_VERSION | 2.2-debian12 | Dataproc image of the clusters the runner creates |
 * | DATAPROC_MACHINE_TYPE | n2-standard-4 | machine type of their master and workers |
 * | DATAPROC_WORKERS | 2 | number of workers of those clusters |
 * | LAKE | `<work folder>/lake` | the data lake's root: a local folder, or `gs://bucket/prefix` for Cloud Storage |
 * | JUPYTER_DATA_DIR | ~/.local/share/jupyter (Linux) | where `workbook kernel install` writes the kernelspec |
 * | WORKBOOK_GRADE_KEY | (unset) | set by `workbook grade` in each learner's kernel: exercise checks then record a signed status |
 */
import * as os from "node:os";
import * as path from "node:path";
import { WorkbookError } from "./errors";
import { projectRoot } from "./paths";

export type Env = Record<string, string | undefined>;

export interface KafkaConfig {
  /** "embedded": the in-process broker; "external": a real cluster at `brokers`. */
  mode: "embedded" | "external";
  brokers: string[];
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
  ssl: boolean;
}

export interface WarehouseConfig {
  kind: "duckdb" | "bigquery";
  /** DuckDB database file (kind duckdb). */
  duckdbPath: string;
  /** Google Cloud project (kind bigquery). */
  project?: string;
  dataset: string;
  location: string;
}

export interface SqlConfig {
  kind: "pglite" | "postgres";
  /** PGlite data folder (kind pglite). */
  pglitePath: string;
  /** Connection string (kind postgres). */
  url?: string;
}

export interface JobsConfig {
  runner: "local" | "dataproc";
  workers: number;
  project?: string;
  region: string;
  bucket?: string;
  /** An existing cluster to use (DATAPROC_CLUSTER); unset: the runner creates one per job and deletes it. */
  cluster?: string;
  /** Image version of created clusters (DATAPROC_IMAGE_VERSION). */
  imageVersion: string;
  /** Machine type of their master and workers (DATAPROC_MACHINE_TYPE). */
  machineType: string;
  /** Number of workers (DATAPROC_WORKERS). */
  workerCount: number;
}

export interface LakeConfig {
  /** "local": a folder on this machine; "gcs": a Cloud Storage bucket and prefix. */
  kind: "local" | "gcs";
  /** The folder (kind local), or `gs://bucket/prefix` without a trailing slash (kind gcs). */
  root: string;
  /** Bucket and prefix ("" or "a/b") of a gcs lake. */
  bucket?: string;
  prefix?: string;
}

export interface WorkbookConfig {
  /** The project root (where package.json is). */
  projectRoot: string;
  /** The git-ignored work folder for generated data and state. */
  home: string;
  /** Default parallelism (notebooks in run-all, workers in the job pool). */
  jobs: number;
  kafka: KafkaConfig;
  warehouse: WarehouseConfig;
  sql: SqlConfig;
  jobRunner: JobsConfig;
  lake: LakeConfig;
  /** Jupyter's user data folder (kernelspecs go in its kernels/ folder). */
  jupyterDataDir: string;
  /** WORKBOOK_GRADE_KEY: set by `workbook grade` in a learner's kernel; exercise checks then glue a signed status. */
  gradeKey?: string;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new WorkbookError("CONFIG_INVALID", `${name}=${JSON.stringify(raw)} is not a positive integer; set it to a number such as 2, or unset it for ${fallback}.`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = raw.toLowerCase() as T;
  if (!allowed.includes(value)) {
    throw new WorkbookError("CONFIG_INVALID", `${name}=${JSON.stringify(raw)} is not one of ${allowed.join(", ")}; set one of those, or unset it for ${fallback}.`);
  }
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? "").toLowerCase();
  if (raw === "" || raw === "0" || raw === "false" || raw === "no") return false;
  if (raw === "1" || raw === "true" || raw === "yes") return true;
  throw new WorkbookError("CONFIG_INVALID", `${name}=${JSON.stringify(env[name])} is not a boolean; use true or false.`);
}

/** Reads the configuration from `env` (default: process.env). Throws WorkbookError CONFIG_INVALID on a bad value. */
export function readConfig(env: Env = process.env): WorkbookConfig {
  const home = path.resolve(env.WORKBOOK_HOME || path.join(projectRoot, ".workbook"));
  const jobs = positiveInt(env, "WORKBOOK_JOBS", Math.max(1, os.availableParallelism()));

  const brokers = (env.KAFKA_BROKERS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const b of brokers) {
    if (!/^[^:\s]+:\d+$/.test(b)) {
      throw new WorkbookError("CONFIG_INVALID", `KAFKA_BROKERS contains ${JSON.stringify(b)}, which is not host:port; use e.g. KAFKA_BROKERS=broker1:9092,broker2:9092.`);
    }
  }
  const mechanism = env.KAFKA_SASL_MECHANISM ? oneOf(env, "KAFKA_SASL_MECHANISM", ["plain", "scram-sha-256", "scram-sha-512"] as const, "plain") : undefined;
  const kafka: KafkaConfig = {
    mode: brokers.length > 0 ? "external" : "embedded",
    brokers,
    ssl: flag(env, "KAFKA_SSL"),
    ...(mechanism ? { sasl: { mechanism, username: env.KAFKA_SASL_USERNAME ?? "", password: env.KAFKA_SASL_PASSWORD ?? "" } } : {}),
  };

  const warehouse: WarehouseConfig = {
    kind: oneOf(env, "WAREHOUSE", ["duckdb", "bigquery"] as const, "duckdb"),
    duckdbPath: path.join(home, "warehouse.duckdb"),
    project: env.GOOGLE_CLOUD_PROJECT || undefined,
    dataset: env.BIGQUERY_DATASET || "workbook",
    location: env.BIGQUERY_LOCATION || "US",
  };
  if (warehouse.kind === "bigquery" && !warehouse.project) {
    throw new WorkbookError("CONFIG_INVALID", "WAREHOUSE=bigquery needs GOOGLE_CLOUD_PROJECT; set it to your project id, or unset WAREHOUSE for the embedded DuckDB.");
  }

  const sql: SqlConfig = env.DATABASE_URL
    ? { kind: "postgres", pglitePath: path.join(home, "pglite"), url: env.DATABASE_URL }
    : { kind: "pglite", pglitePath: path.join(home, "pglite") };

  const jobRunner: JobsConfig = {
    runner: oneOf(env, "JOB_RUNNER", ["local", "dataproc"] as const, "local"),
    workers: jobs,
    project: env.GOOGLE_CLOUD_PROJECT || undefined,
    region: env.DATAPROC_REGION || "us-central1",
    bucket: env.DATAPROC_BUCKET || undefined,
    cluster: env.DATAPROC_CLUSTER || undefined,
    imageVersion: env.DATAPROC_IMAGE_VERSION || "2.2-debian12",
    machineType: env.DATAPROC_MACHINE_TYPE || "n2-standard-4",
    workerCount: positiveInt(env, "DATAPROC_WORKERS", 2),
  };
  if (jobRunner.runner === "dataproc" && (!jobRunner.project || !jobRunner.bucket)) {
    throw new WorkbookError("CONFIG_INVALID", "JOB_RUNNER=dataproc needs GOOGLE_CLOUD_PROJECT and DATAPROC_BUCKET; set both, or unset JOB_RUNNER for the local worker pool.");
  }

  const lake = lakeConfig(env.LAKE, home);

  const jupyterDataDir = path.resolve(env.JUPYTER_DATA_DIR || (process.platform === "darwin"
    ? path.join(os.homedir(), "Library", "Jupyter")
    : path.join(env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter")));

  return { projectRoot, home, jobs, kafka, warehouse, sql, jobRunner, lake, jupyterDataDir, ...(env.WORKBOOK_GRADE_KEY ? { gradeKey: env.WORKBOOK_GRADE_KEY } : {}) };
}

function lakeConfig(raw: string | undefined, home: string): LakeConfig {
  if (!raw) return { kind: "local", root: path.join(home, "lake") };
  if (raw.startsWith("gs://")) {
    const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(raw);
    if (!m) throw new WorkbookError("CONFIG_INVALID", `LAKE=${JSON.stringify(raw)} is not a Cloud Storage location; use gs://bucket or gs://bucket/prefix (bucket names are lowercase letters, digits, dots, dashes and underscores).`);
    const prefix = (m[2] ?? "").replace(/\/+$/, "");
    return { kind: "gcs", root: prefix ? `gs://${m[1]}/${prefix}` : `gs://${m[1]}`, bucket: m[1], prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new WorkbookError("CONFIG_INVALID", `LAKE=${JSON.stringify(raw)} uses a scheme the lake does not support; use a local folder or gs://bucket/prefix.`);
  }
  return { kind: "local", root: path.resolve(raw) };
}

/** The configuration of this process, from process.env. */
export function config(): WorkbookConfig {
  return readConfig(process.env);
}
