/**
 * Running a DAG for one logical date, as Airflow's scheduler and executor would: each task starts
 * when its trigger rule holds, at most maxActiveTasks at once; failures retry after a delay; every
 * state change is recorded in the store, so a re-run of the same logical date skips what succeeded.
 *
 *   const run = await runDag(dag, { logicalDate: "2024-01-01", store });
 *   run.state; run.tasks.map((t) => [t.taskId, t.state]);
 */
import { attempt, errorText, makeContext } from "./attempt";
import { systemClock, type Clock } from "./clock";
import type { Dag, Task } from "./dag";
import { decidingTasks } from "./graph";
import { runIdFor, type DagRun, type TaskInstance } from "./records";
import { dataIntervalFor } from "./schedule";
import { isFinished, type RunState, type TaskState } from "./states";
import { openDagStore, type DagStore } from "./store";
import { decide, runStateFromLeaves } from "./trigger-rules";

/** One state change: `taskId` set for a task's change, absent for the run's. `run` is live: copy what you keep. */
export interface RunChange {
  run: DagRun;
  taskId?: string;
  state: TaskState | RunState;
}

export interface RunOptions {
  /** The run's logical date (UTC): the start of its data interval. */
  logicalDate: Date | string;
  /** Where the run is recorded. Default: a store on `openSql()`, closed after the run. */
  store?: DagStore;
  /** Values for ctx.params. Default {}. */
  params?: Record<string, unknown>;
  /** Called on every task and run state change (live displays). Default: none. */
  onChange?: (change: RunChange) => void;
  /** Called for each ctx.log line (lines are also kept in the task instance). Default: none. */
  onLog?: (taskId: string, line: string) => void;
  /**
   * Stops the run, as Airflow's "mark failed": running tasks see ctx.signal abort and are not
   * retried, tasks that would start are skipped (their error says why), and the run fails; teardown
   * tasks still run when their trigger rule holds (a stop still deletes the cluster), with a signal
   * of their own that the stop does not abort. Default: none.
   */
  signal?: AbortSignal;
  /** The clock for timestamps, retry delays and sensor pokes. Default: systemClock. */
  clock?: Clock;
}

/** Runs `fn` with `store`, or with a store opened (and closed) for it. */
export async function withStore<T>(store: DagStore | undefined, fn: (store: DagStore) => Promise<T>): Promise<T> {
  if (store) return fn(store);
  const opened = await openDagStore();
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

/** Store writes, one at a time in order; the first error is thrown by `flush`. */
class Writes {
  private chain: Promise<void> = Promise.resolve();
  private error: unknown;
  constructor(private readonly store: DagStore) {}

  run(run: DagRun): void {
    const { tasks: _tasks, ...copy } = run;
    this.add(() => this.store.saveRun({ ...copy }));
  }

  tasks(tis: readonly TaskInstance[]): void {
    const copies = tis.map((ti) => ({ ...ti, log: [...ti.log] }));
    this.add(() => this.store.saveTasks(copies));
  }

  fail(error: unknown): void {
    this.error ??= error;
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.error !== undefined) throw this.error;
  }

  private add(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch((err: unknown) => this.fail(err));
  }
}

/** The run at `logicalDate`, resumed from the store: succeeded tasks keep their state and XCom, the others are queued. */
async function prepareRun(dag: Dag, store: DagStore, logicalDate: Date | string, clock: Clock): Promise<{ run: DagRun; xcoms: Map<string, string>; previous?: DagRun }> {
  const dataInterval = dataIntervalFor(dag, logicalDate);
  const previous = await store.getRun(dag.id, dataInterval.start);
  const runId = previous?.runId ?? runIdFor(dataInterval.start);
  const before = new Map(previous?.tasks.map((t) => [t.taskId, t]));
  const xcoms = new Map<string, string>();
  const tasks = dag.order.map((taskId): TaskInstance => {
    const old = before.get(taskId);
    if (old?.state === "success") {
      if (old.xcom !== undefined) xcoms.set(taskId, JSON.stringify(old.xcom));
      return { ...old, log: [...old.log] };
    }
    return { dagId: dag.id, runId, taskId, state: "queued", tryNumber: old?.tryNumber ?? 0, log: [] };
  });
  const run: DagRun = { dagId: dag.id, runId, logicalDate: dataInterval.start, dataInterval, state: "running", startedAt: clock.now(), tasks };
  return { run, xcoms, previous };
}

/**
 * Runs `dag` for one logical date and resolves with the finished run (state success or failed; it
 * does not throw for failed tasks). A date before the DAG's start throws DAG_DATE_INVALID before any task runs.
 */
export async function runDag(dag: Dag, options: RunOptions): Promise<DagRun> {
  return withStore(options.store, (store) => execute(dag, store, options));
}

async function execute(dag: Dag, store: DagStore, options: RunOptions): Promise<DagRun> {
  const clock = options.clock ?? systemClock;
  const { run, xcoms } = await prepareRun(dag, store, options.logicalDate, clock);
  const writes = new Writes(store);
  const controller = new AbortController();
  const abort = (): void => controller.abort(options.signal?.reason);
  const teardownSignal = new AbortController().signal; // teardowns run to their end, even after a stop
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  const byId = new Map(run.tasks.map((ti) => [ti.taskId, ti]));
  const triesThisRun = new Map<string, number>();
  const running = new Set<string>();
  let retrying = 0;
  let wake: (() => void) | undefined;
  const kick = (): void => wake?.();
  controller.signal.addEventListener("abort", kick, { once: true });

  const emit = (change: RunChange): void => {
    try {
      options.onChange?.(change);
    } catch (err) {
      writes.fail(err);
    }
  };
  const setState = (ti: TaskInstance, state: TaskState): void => {
    ti.state = state;
    if (isFinished(state)) ti.endedAt = clock.now();
    writes.tasks([ti]);
    emit({ run, taskId: ti.taskId, state });
  };

  const finish = (task: Task, ti: TaskInstance, outcome: Awaited<ReturnType<typeof attempt>>): void => {
    running.delete(task.id);
    if (outcome.state === "success") {
      ti.xcom = outcome.xcom;
      if (outcome.json !== undefined) xcoms.set(task.id, outcome.json);
      setState(ti, "success");
    } else if (outcome.state === "skipped") {
      ti.error = outcome.reason;
      setState(ti, "skipped");
    } else {
      ti.error = errorText(outcome.error);
      const canRetry = outcome.retryable && !controller.signal.aborted && (triesThisRun.get(task.id) ?? 0) <= task.retries;
      if (!canRetry) setState(ti, "failed");
      else {
        ti.endedAt = clock.now();
        setState(ti, "up_for_retry");
        retrying++;
        clock.sleep(task.retryDelayMs, controller.signal).then(
          () => setState(ti, "queued"),
          () => setState(ti, "failed"),
        ).finally(() => {
          retrying--;
          kick();
        });
      }
    }
    kick();
  };

  const start = (task: Task, ti: TaskInstance): void => {
    running.add(task.id);
    triesThisRun.set(task.id, (triesThisRun.get(task.id) ?? 0) + 1);
    Object.assign(ti, { tryNumber: ti.tryNumber + 1, startedAt: clock.now(), endedAt: undefined, error: undefined, xcom: undefined });
    setState(ti, "running");
    const signal = task.teardown ? teardownSignal : controller.signal;
    const ctx = makeContext({ dag, run, ti, xcoms, params: options.params ?? {}, signal, onLog: options.onLog });
    void attempt(task, ctx, clock).then((outcome) => finish(task, ti, outcome));
  };

  /** Starts what may start and settles what the trigger rules decide, until nothing changes. */
  const schedule = (): void => {
    for (let changed = true; changed;) {
      changed = false;
      for (const task of dag.order.map((id) => dag.task(id))) {
        const ti = byId.get(task.id) as TaskInstance;
        if (ti.state !== "queued") continue;
        const decision = decide(task.triggerRule, task.upstream.map((u) => (byId.get(u) as TaskInstance).state));
        if (decision === "wait") continue;
        if (decision === "run" && controller.signal.aborted && !task.teardown) {
          ti.error = `not started: the run was stopped (${errorText(controller.signal.reason)})`;
          setState(ti, "skipped");
          changed = true;
          continue;
        }
        if (decision === "run") {
          if (running.size < dag.maxActiveTasks) start(task, ti);
          continue;
        }
        setState(ti, decision);
        changed = true;
      }
    }
  };

  writes.run(run);
  writes.tasks(run.tasks);
  emit({ run, state: "running" });
  try {
    for (;;) {
      schedule();
      if (running.size === 0 && retrying === 0) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
  const leaves = decidingTasks(dag.tasks).map((id) => (byId.get(id) as TaskInstance).state);
  run.state = controller.signal.aborted ? "failed" : runStateFromLeaves(leaves);
  run.endedAt = clock.now();
  writes.run(run);
  emit({ run, state: run.state });
  await writes.flush();
  return run;
}

export type RunTaskOptions = Omit<RunOptions, "onChange">;

/**
 * Runs ONE try of one task for one logical date, reading its upstream XComs from the store (what
 * an Airflow worker does through `workbook dag run-task`): Airflow decides retries and trigger
 * rules. The run's state is set once every task has finished.
 */
export async function runTask(dag: Dag, taskId: string, options: RunTaskOptions): Promise<TaskInstance> {
  const task = dag.task(taskId);
  const clock = options.clock ?? systemClock;
  return withStore(options.store, async (store) => {
    const { run, xcoms, previous } = await prepareRun(dag, store, options.logicalDate, clock);
    if (previous?.startedAt) run.startedAt = previous.startedAt;
    const ti = run.tasks.find((t) => t.taskId === taskId) as TaskInstance;
    Object.assign(ti, { state: "running", tryNumber: ti.tryNumber + 1, startedAt: clock.now(), endedAt: undefined, error: undefined, xcom: undefined, log: [] });
    await store.saveRun(run);
    await store.saveTasks([ti]);
    const signal = options.signal ?? new AbortController().signal;
    const outcome = await attempt(task, makeContext({ dag, run, ti, xcoms, params: options.params ?? {}, signal, onLog: options.onLog }), clock);
    ti.endedAt = clock.now();
    if (outcome.state === "success") Object.assign(ti, { state: "success", xcom: outcome.xcom });
    else if (outcome.state === "skipped") Object.assign(ti, { state: "skipped", error: outcome.reason });
    else Object.assign(ti, { state: "failed", error: errorText(outcome.error) });
    await store.saveTasks([ti]);
    const stored = new Map((await store.getRun(dag.id, run.logicalDate))?.tasks.map((t) => [t.taskId, t.state]));
    if (dag.order.every((id) => isFinished(stored.get(id) ?? "queued"))) {
      await store.saveRun({ ...run, state: runStateFromLeaves(decidingTasks(dag.tasks).map((id) => stored.get(id) as TaskState)), endedAt: clock.now() });
    }
    return ti;
  });
}
