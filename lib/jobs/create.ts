/** The one place that picks the job runner: the local worker pool or Dataproc. */
import { config } from "../config";
import { isWorkbookError } from "../errors";
import { DataprocJobRunner, type DataprocRunnerOptions } from "./dataproc/dataproc";
import { LocalJobRunner, type LocalRunnerOptions } from "./local";
import { jobProgressDisplay } from "./report";
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
   * Progress: `true` (default) for a bar (updated in place in a notebook, on stderr in a terminal),
   * a callback, or `false`.
   */
  progress?: boolean | ((progress: JobProgress) => void);
  /** Stops the job: its workers are ended and this rejects with JOB_STOPPED (see RunOptions). Default: none. */
  signal?: AbortSignal;
}

/** Creates a runner, runs one job on it with progress, closes it. */
export async function runJob<I, O, P>(spec: JobSpec<I, P>, options: RunJobOptions = {}): Promise<JobResult<I, O>> {
  const { progress = true, signal, ...runnerOptions } = options;
  const runner = await createJobRunner(runnerOptions);
  const display = progress === true ? jobProgressDisplay(jobLabel(spec.module), spec.input.length) : undefined;
  const onProgress = typeof progress === "function" ? progress : display?.onProgress;
  let failed: boolean | "stopped" = true;
  try {
    const result = await runner.run<I, O, P>(spec, { onProgress, signal });
    failed = false;
    return result;
  } catch (err) {
    if (isWorkbookError(err, "JOB_STOPPED")) failed = "stopped";
    throw err;
  } finally {
    display?.finish(failed);
    await runner.close();
  }
}

/** "image-kmeans/job" for ".../dist/scenarios/image-kmeans/job.js". */
function jobLabel(module: string): string {
  return module.replace(/\\/g, "/").replace(/\.js$/, "").split("/").slice(-2).join("/");
}
