/**
 * Tasks and sensors: what runs, what it waits for (`upstream`), and when it may run (`triggerRule`).
 *
 *   task({ id: "extract", run: async (ctx) => readRows(ctx.dataInterval) })
 *   task({ id: "load", upstream: ["extract"], run: async (ctx) => save(ctx.xcom("extract")) })
 *   task({ id: "cleanup", upstream: ["load"], triggerRule: "all_done", run: async () => dropTemp() })
 *   sensor({ id: "partition_ready", poke: async (ctx) => exists(ctx.logicalDate), pokeIntervalMs: 5_000, timeoutMs: 60_000 })
 */

/**
 * When a task runs, given its upstream tasks' states (Airflow's trigger rules):
 * - all_success (default): every upstream succeeded; a failure makes it upstream_failed, a skip skipped;
 * - all_done: every upstream finished, whatever the state (teardown: runs even after a failure);
 * - one_failed: as soon as one upstream failed (alerts); skipped when none failed;
 * - all_failed: every upstream failed; skipped otherwise;
 * - none_failed: no upstream failed (succeeded or skipped); upstream_failed otherwise.
 */
export type TriggerRule = "all_success" | "all_done" | "one_failed" | "all_failed" | "none_failed";

export const TRIGGER_RULES: readonly TriggerRule[] = ["all_success", "all_done", "one_failed", "all_failed", "none_failed"];

/** What a task sees while it runs. */
export interface TaskContext {
  dagId: string;
  runId: string;
  taskId: string;
  /** The start of the data interval this run is for (Airflow's logical date, once "execution date"). */
  logicalDate: Date;
  /** The data this run reads: [start, end). Read this interval, never "everything so far". */
  dataInterval: { start: Date; end: Date };
  /** 1 for the first try, 2 for the first retry, ... */
  tryNumber: number;
  /** The run's parameters (`runDag(dag, { params })`). */
  params: Readonly<Record<string, unknown>>;
  /**
   * The value an upstream task returned (Airflow's XCom), read back as JSON: undefined when it
   * returned nothing or was skipped. Only tasks upstream of this one (directly or not) may be read.
   */
  xcom<T = unknown>(taskId: string): T | undefined;
  /** Adds a line to this task instance's log. */
  log(line: string): void;
  /** Aborted when the run is stopped: pass it to fetch(), timers, queries. */
  signal: AbortSignal;
}

/** Thrown (or returned) by a task to mark itself skipped; downstream all_success tasks are skipped too. */
export class SkipTask extends Error {
  constructor(reason = "skipped by the task") {
    super(reason);
    this.name = "SkipTask";
  }
}

/** A skip marker to return from a task: `return skip("no new files")`. */
export function skip(reason?: string): SkipTask {
  return new SkipTask(reason);
}

interface CommonOptions {
  /** Letters, digits, `_`, `-` and `.` (Airflow's rule). */
  id: string;
  /** Ids of the tasks this one waits for. Default: none. */
  upstream?: string[];
  /** Default "all_success". */
  triggerRule?: TriggerRule;
  /** Retries after a failure. Default: the DAG's defaultRetries. */
  retries?: number;
  /** Delay before each retry, in ms. Default: the DAG's defaultRetryDelayMs. */
  retryDelayMs?: number;
  /**
   * A teardown task (Airflow 2.7's setup/teardown): it does not decide the run's state, its upstream
   * tasks do. Without this, a teardown leaf with trigger rule all_done that succeeds after a failed
   * step would mark the whole run successful. Default false.
   */
  teardown?: boolean;
}

export interface TaskOptions extends CommonOptions {
  /** The work. Its return value (JSON) is the task's XCom; throw to fail, throw or return `skip()` to skip. */
  run: (ctx: TaskContext) => Promise<unknown> | unknown;
}

export interface SensorOptions extends CommonOptions {
  /** True when the condition holds (a partition is complete, a file exists). */
  poke: (ctx: TaskContext) => Promise<boolean> | boolean;
  /** Time between pokes, in ms. Default 60_000 (Airflow's poke_interval). */
  pokeIntervalMs?: number;
  /** Fails with DAG_SENSOR_TIMEOUT (no retry) when the condition still fails after this many ms. Default 3_600_000. */
  timeoutMs?: number;
}

export type TaskDefinition = ({ kind: "task" } & TaskOptions) | ({ kind: "sensor" } & SensorOptions);

/** A task: `run(ctx)` does the work. */
export function task(options: TaskOptions): TaskDefinition {
  return { kind: "task", ...options };
}

/**
 * A sensor: `poke(ctx)` is called every pokeIntervalMs until it returns true, or fails after
 * timeoutMs. While it waits it holds one of the DAG's maxActiveTasks slots (Airflow's "poke" mode).
 */
export function sensor(options: SensorOptions): TaskDefinition {
  return { kind: "sensor", ...options };
}
