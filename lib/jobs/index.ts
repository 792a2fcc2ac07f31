// Jobs: one job module, run by the local worker pool or on Dataproc (the RDD.pipe contract).
export { defineJob, isJob } from "./job";
export type { Job, Envelope, RecordError } from "./job";
export type { JobSpec, JobResult, JobProgress, JobRunner, RunOptions } from "./runner";
export { createJobRunner, runJob } from "./create";
export type { JobRunnerOptions, RunJobOptions } from "./create";
export { LocalJobRunner, ENTRYPOINT } from "./local";
export type { LocalRunnerOptions } from "./local";
export { DataprocJobRunner, planDataprocRun, planDataprocCluster, checkDataprocClusterName } from "./dataproc/dataproc";
export type { DataprocRunnerOptions, DataprocPlan, DataprocCluster } from "./dataproc/dataproc";
export { partition } from "./partition";
export { jobProgressDisplay } from "./report";
export type { JobProgressDisplay } from "./report";
