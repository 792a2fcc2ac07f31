/** The one place that picks the job runner: the local worker pool or Dataproc. */
import { config } from "../config";
import { DataprocJobRunner, type DataprocRunnerOptions } from "./dataproc/dataproc";
import { LocalJobRunner, type LocalRunnerOptions } from "./local";
import { printProgress } from "./report";
import type { JobProgress, JobResult, JobRunner, JobSpec } from "./runner";

export interface JobRunnerOptions extends LocalRunnerOptions, DataprocRunnerOptions {
  /** "local" (worker pool) or "dataproc". Default `config().jobRunner.runner` (JOB_RUNNER, else local). */
  runner?: "local" | "dataproc";
}

/** Creates the configured job runner. Close it when done. */
export async function createJobRunner(options: JobRunnerOptions = {}): Promise<JobRunner> {
  const kind = options.runner ?? config().jobRunner.runner;
  return kind === "dataproc" ? new DataprocJobRunner(options) : new LocalJobRunner(options);
}

export interface RunJobOptions extends JobRunnerOptions {
  /**
   * Progress: a callback, `true` to print a line now and then on stderr (default), or `false`.
   */
  progress?: boolean | ((progress: JobProgress) => void);
}

/** Creates a runner, runs one job on it with progress, closes it. */
export async function runJob<I, O, P>(spec: JobSpec<I, P>, options: RunJobOptions = {}): Promise<JobResult<I, O>> {
  const { progress = true, ...runnerOptions } = options;
  const runner = await createJobRunner(runnerOptions);
  const onProgress = typeof progress === "function" ? progress : progress ? printProgress() : undefined;
  try {
    return await runner.run<I, O, P>(spec, { onProgress });
  } finally {
    await runner.close();
  }
}
