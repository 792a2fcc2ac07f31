/**
 * A named "cluster" for the lifetime of a DAG run: created by its first task, used by the job tasks,
 * deleted by its teardown task (trigger rule all_done) BY NAME, so a teardown never touches a
 * cluster it did not create (the Sparkify original terminated every waiting cluster).
 *
 * Locally a cluster is a worker pool (LocalJobRunner). With runner "dataproc" it is one Dataproc
 * cluster of that name, created here and deleted by `deleteCluster`; every job of the run is
 * submitted to it. With DATAPROC_CLUSTER set, the jobs go to that existing cluster instead, which is
 * never deleted.
 *
 * Airflow runs each task in a process of its own: a task passes `clusterRecord(cluster)` on (its
 * XCom), and a later task in another process uses the same cluster with `attachCluster(record)` and
 * deletes it with `deleteCluster(record)`.
 */
import { randomUUID } from "node:crypto";
import { config } from "../config";
import { WorkbookError } from "../errors";
import { createJobRunner } from "./create";
import { DataprocJobRunner, type DataprocRunnerOptions } from "./dataproc/dataproc";
import type { JobRunner } from "./runner";

/** The Dataproc cluster a workbook cluster submits to; `created` when the workbook created it (and so deletes it). */
export interface DataprocClusterRef {
  clusterName: string;
  clusterUuid?: string;
  created: boolean;
}

export interface Cluster {
  name: string;
  kind: "local" | "dataproc";
  /** Workers of a local cluster (Dataproc: its configured worker count). */
  workers: number;
  runner: JobRunner;
  createdAt: Date;
  /** Dataproc only: the cluster its jobs are submitted to. */
  dataproc?: DataprocClusterRef;
}

/** What a task hands on (as JSON) so that a task in another process can use and delete the cluster. */
export interface ClusterRecord {
  name: string;
  kind: "local" | "dataproc";
  workers: number;
  dataproc?: DataprocClusterRef;
}

export interface CreateClusterOptions {
  /** Default `workbook-<random>`. With runner "dataproc", also the Dataproc cluster's name (lower-case letters, digits, hyphens). */
  name?: string;
  /** Default `config().jobRunner.runner` (JOB_RUNNER). */
  runner?: "local" | "dataproc";
  /** Local workers. Default `config().jobRunner.workers` (WORKBOOK_JOBS). */
  workers?: number;
  /** Dataproc settings (project, region, bucket, machine types, client options). Default: from config (GOOGLE_CLOUD_PROJECT, DATAPROC_*). */
  dataproc?: DataprocRunnerOptions;
}

const clusters = new Map<string, Cluster>();

/** Creates a named cluster in this process (Dataproc: creates the cloud cluster and waits until it runs). */
export async function createCluster(options: CreateClusterOptions = {}): Promise<Cluster> {
  const name = options.name ?? `workbook-${randomUUID().slice(0, 8)}`;
  if (clusters.has(name)) throw new WorkbookError("OPTIONS_INVALID", `A cluster named ${JSON.stringify(name)} already exists in this process; pick another name or delete it first.`);
  const kind = options.runner ?? config().jobRunner.runner;
  if (kind === "local") {
    const workers = options.workers ?? config().jobRunner.workers;
    return register({ name, kind, workers, runner: await createJobRunner({ runner: "local", workers }), createdAt: new Date() });
  }
  const settings = options.dataproc ?? {};
  const workers = settings.workerCount ?? config().jobRunner.workerCount;
  const existing = settings.cluster ?? config().jobRunner.cluster;
  if (existing) {
    // DATAPROC_CLUSTER: the jobs go there, and it is never deleted.
    const runner = new DataprocJobRunner({ ...settings, cluster: existing });
    return register({ name, kind, workers, runner, createdAt: new Date(), dataproc: { clusterName: existing, created: false } });
  }
  const runner = new DataprocJobRunner({ ...settings, cluster: name });
  try {
    const made = await runner.createCluster(name);
    return register({ name, kind, workers, runner, createdAt: new Date(), dataproc: { clusterName: made.clusterName, ...(made.clusterUuid ? { clusterUuid: made.clusterUuid } : {}), created: true } });
  } catch (err) {
    await runner.close();
    throw err;
  }
}

function register(cluster: Cluster): Cluster {
  clusters.set(cluster.name, cluster);
  return cluster;
}

/** The JSON a task returns for its cluster (see attachCluster, deleteCluster). */
export function clusterRecord(c: Cluster): ClusterRecord {
  return { name: c.name, kind: c.kind, workers: c.workers, ...(c.dataproc ? { dataproc: c.dataproc } : {}) };
}

/**
 * The cluster of a record made by another task, perhaps in another process: the one alive in this
 * process if there is one; else, for Dataproc, a runner that submits to the record's cluster (nothing
 * is created); for a local cluster, its worker pool started again.
 */
export async function attachCluster(record: ClusterRecord, options: { dataproc?: DataprocRunnerOptions } = {}): Promise<Cluster> {
  const alive = clusters.get(record.name);
  if (alive) return alive;
  if (record.kind === "local") return createCluster({ name: record.name, runner: "local", workers: record.workers });
  if (!record.dataproc) throw new WorkbookError("INPUT_INVALID", `the record of Dataproc cluster ${JSON.stringify(record.name)} names no Dataproc cluster; clear the task that created it and run again.`);
  const runner = new DataprocJobRunner({ ...options.dataproc, cluster: record.dataproc.clusterName });
  return register({ name: record.name, kind: "dataproc", workers: record.workers, runner, createdAt: new Date(), dataproc: record.dataproc });
}

/** The cluster of that name, or an error saying which clusters exist. */
export function getCluster(name: string): Cluster {
  const c = clusters.get(name);
  if (!c) throw new WorkbookError("INPUT_MISSING", `No cluster named ${JSON.stringify(name)} in this process (there are: ${[...clusters.keys()].join(", ") || "none"}); run the task that creates it first.`);
  return c;
}

/**
 * Deletes the cluster of that name only: its worker pool or runner in this process, and the Dataproc
 * cluster the workbook created for it (by name and UUID; never a DATAPROC_CLUSTER). Given a record
 * (from another process), it deletes that Dataproc cluster even when nothing of it lives here.
 * False if there was nothing to delete.
 */
export async function deleteCluster(cluster: string | ClusterRecord, options: { dataproc?: DataprocRunnerOptions } = {}): Promise<boolean> {
  const name = typeof cluster === "string" ? cluster : cluster.name;
  const alive = clusters.get(name);
  const cloud = alive?.dataproc ?? (typeof cluster === "string" ? undefined : cluster.dataproc);
  if (alive) clusters.delete(name);
  const owner = alive?.runner instanceof DataprocJobRunner ? alive.runner : cloud?.created ? new DataprocJobRunner({ ...options.dataproc, cluster: cloud.clusterName }) : undefined;
  try {
    if (cloud?.created && owner) await owner.deleteCluster(cloud);
  } finally {
    if (alive) await alive.runner.close();
    else await owner?.close();
  }
  return alive !== undefined || cloud?.created === true;
}

/** Names of the clusters alive in this process. */
export function listClusters(): string[] {
  return [...clusters.keys()].sort();
}
