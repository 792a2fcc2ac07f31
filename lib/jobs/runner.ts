/**
 * The job runner interface (one implementation per backend: local.ts, dataproc/dataproc.ts) and
 * the one place that chooses between them.
 */
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

/** Rate in records per second, 0 before any time has passed. */
export function rate(records: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (records * 1000) / elapsedMs : 0;
}
