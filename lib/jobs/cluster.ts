/**
 * A named "cluster" for the lifetime of a DAG run: created by its first task, used by the job tasks,
 * deleted by its teardown task (trigger rule all_done) BY NAME, so a teardown never touches a
 * cluster it did not create (the Sparkify original terminated every waiting cluster).
 *
 * Locally a cluster is a worker pool (LocalJobRunner). With runner "dataproc" it is the Dataproc
 * job runner, which creates a Dataproc cluster for each job and deletes it after (or submits to
 * DATAPROC_CLUSTER, which it never deletes).
 */
import { randomUUID } from "node:crypto";
import { config } from "../config";
import { WorkbookError } from "../errors";
import { createJobRunner } from "./create";
import type { JobRunner } from "./runner";

export interface Cluster {
  name: string;
  kind: "local" | "dataproc";
  /** Workers of a local cluster (Dataproc: its configured worker count). */
  workers: number;
  runner: JobRunner;
  createdAt: Date;
}

export interface CreateClusterOptions {
  /** Default `workbook-<random>`. */
  name?: string;
  /** Default `config().jobRunner.runner` (JOB_RUNNER). */
  runner?: "local" | "dataproc";
  /** Local workers. Default `config().jobRunner.workers` (WORKBOOK_JOBS). */
  workers?: number;
}

const clusters = new Map<string, Cluster>();

/** Creates a named cluster in this process. */
export async function createCluster(options: CreateClusterOptions = {}): Promise<Cluster> {
  const name = options.name ?? `workbook-${randomUUID().slice(0, 8)}`;
  if (clusters.has(name)) throw new WorkbookError("OPTIONS_INVALID", `A cluster named ${JSON.stringify(name)} already exists in this process; pick another name or delete it first.`);
  const kind = options.runner ?? config().jobRunner.runner;
  const workers = options.workers ?? (kind === "local" ? config().jobRunner.workers : config().jobRunner.workerCount);
  const runner = await createJobRunner({ runner: kind, ...(kind === "local" ? { workers } : {}) });
  const cluster: Cluster = { name, kind, workers, runner, createdAt: new Date() };
  clusters.set(name, cluster);
  return cluster;
}

/** The cluster of that name, or an error saying which clusters exist. */
export function getCluster(name: string): Cluster {
  const c = clusters.get(name);
  if (!c) throw new WorkbookError("INPUT_MISSING", `No cluster named ${JSON.stringify(name)} in this process (there are: ${[...clusters.keys()].join(", ") || "none"}); run the task that creates it first.`);
  return c;
}

/** Deletes the cluster of that name only; false if there was none. */
export async function deleteCluster(name: string): Promise<boolean> {
  const c = clusters.get(name);
  if (!c) return false;
  clusters.delete(name);
  await c.runner.close();
  return true;
}

/** Names of the clusters alive in this process. */
export function listClusters(): string[] {
  return [...clusters.keys()].sort();
}
