/**
 * The job runner interface (one implementation per backend: local.ts, dataproc/dataproc.ts) and
 * the one place that chooses between them.
 */
import { WorkbookError } from "../errors";
import type { RecordError } from "./job";

export interface JobSpec<I = unknown, P = unknown> {
  /**
   * The job module: a compiled file exporting `job` (see job.ts), absolute or relative to the
   * project root, e.g. `dist/scenarios/image-kmeans/job.js`.
   */
  module: string;
  /** Input records (anything JSON can carry). */
  input: readonly I[];
  /** Parameters handed to every `map` call. Default `{}`. */
  params?: P;
  /** Number of partitions. Default: the same number per worker, of at least 250 records each when there are enough (see defaultPartitions). */
  partitions?: number;
}

export interface JobProgress {
  /** "staging", "cluster", "running", "fetching", "teardown" (Dataproc) or "running" (local). */
  phase: string;
  recordsDone: number;
  recordsTotal: number;
  partitionsDone: number;
  partitionsTotal: number;
  /** Records finished per second since the start. */
  recordsPerSecond: number;
  elapsedMs: number;
}

export interface RunOptions {
  /** Called when records or partitions finish (and on phase changes). */
  onProgress?: (progress: JobProgress) => void;
  /**
   * Stops the job: no partition starts, the running ones are ended (local: their worker processes
   * are killed; Dataproc: the job is cancelled and the cluster it created deleted), and `run`
   * rejects with JOB_STOPPED once they are gone. Default: none.
   */
  signal?: AbortSignal;
}

export interface JobResult<I = unknown, O = unknown> {
  runner: "local" | "dataproc";
  /** Outputs of the mapped records, in input order. */
  outputs: O[];
  /** The rejected records, in input order, with the reason. */
  errors: RecordError<I>[];
  records: number;
  partitions: number;
  /** Partitions that failed once and were run again. */
  retried: number[];
  elapsedMs: number;
}

/** A backend that runs jobs. Create it with `createJobRunner()`, close it when done. */
export interface JobRunner {
  readonly kind: "local" | "dataproc";
  run<I, O, P>(spec: JobSpec<I, P>, options?: RunOptions): Promise<JobResult<I, O>>;
  close(): Promise<void>;
}

/** The JOB_STOPPED error of a job stopped for `reason` (the signal's reason: an Error, a string or nothing). */
export function jobStopped(module: string, reason: unknown, done: string): WorkbookError {
  const why = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
  return new WorkbookError("JOB_STOPPED", `job ${module} was stopped${why ? ` (${why})` : ""} ${done}; run it again to start over.`, { cause: reason });
}

/** Rate in records per second, 0 before any time has passed. */
export function rate(records: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (records * 1000) / elapsedMs : 0;
}
