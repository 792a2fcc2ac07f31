/**
 * Runs over time: `backfill` runs every interval of a date range; `runDue` is one tick of a
 * scheduler at `now` (catchup: every missed interval since the last run; otherwise only the latest);
 * `clearTasks` resets tasks (and their downstream) so the next run of that date re-runs them.
 */
import { WorkbookError } from "../errors";
import type { Dag } from "./dag";
import type { DagRun } from "./records";
import { runDag, withStore, type RunOptions } from "./run";
import { dataIntervalFor, dueIntervals, isoDate, runsBetween, toDate, type DataInterval } from "./schedule";
import type { DagStore } from "./store";

export interface BackfillOptions extends Omit<RunOptions, "logicalDate"> {
  /** The first logical date (included). */
  from: Date | string;
  /** The last logical date (included, as in `airflow dags backfill`). */
  to: Date | string;
  /** Called after each run. Default: none. */
  onRun?: (run: DagRun) => void;
}

/** Runs every interval whose logical date is in [from, to], one after another, oldest first. Re-runs skip what succeeded. */
export async function backfill(dag: Dag, options: BackfillOptions): Promise<DagRun[]> {
  const { from, to, onRun, ...rest } = options;
  const intervals = runsBetween(dag, from, to);
  return withStore(options.store, (store) => runIntervals(dag, intervals, store, rest, onRun));
}

export interface RunDueOptions extends Omit<RunOptions, "logicalDate"> {
  /** The scheduler's "now": intervals that ended by then are due. */
  now: Date | string;
  /** Called after each run. Default: none. */
  onRun?: (run: DagRun) => void;
}

/**
 * One scheduler tick: runs the intervals that are due at `now` and have not run (with catchup, every
 * missed one since the latest run, or since the start date; without, only the latest). Returns the runs.
 */
export async function runDue(dag: Dag, options: RunDueOptions): Promise<DagRun[]> {
  const { now, onRun, ...rest } = options;
  const at = toDate(now, "now");
  return withStore(options.store, async (store) => runIntervals(dag, dueIntervals(dag, at, await store.lastLogicalDate(dag.id)), store, rest, onRun));
}

export interface ClearOptions {
  /** Also clear every task downstream of them (Airflow's "Downstream"). Default true. */
  downstream?: boolean;
  /** Default: a store on `openSql()`, closed after. */
  store?: DagStore;
}

/** Resets tasks of the run at `logicalDate` to queued, so the next run of that date re-runs them. Returns the cleared task ids. */
export async function clearTasks(dag: Dag, logicalDate: Date | string, taskIds: readonly string[], options: ClearOptions = {}): Promise<string[]> {
  if (taskIds.length === 0) throw new WorkbookError("DAG_UNKNOWN_TASK", `Clearing DAG ${JSON.stringify(dag.id)} needs at least one task id; its tasks are: ${dag.order.join(", ")}.`);
  for (const id of taskIds) dag.task(id);
  const ids = (options.downstream ?? true) ? dag.downstream(taskIds) : [...taskIds];
  const { start } = dataIntervalFor(dag, logicalDate);
  return withStore(options.store, async (store) => {
    const run = await store.getRun(dag.id, start);
    if (!run) throw new WorkbookError("DAG_NOT_FOUND", `DAG ${JSON.stringify(dag.id)} has no run at ${isoDate(start)}; run it first (workbook dag run ${dag.id} --logical-date ${isoDate(start)}).`);
    await store.resetTasks(dag.id, run.runId, ids);
    return ids;
  });
}

/** Runs the intervals one after another, oldest first, until the signal aborts. */
async function runIntervals(dag: Dag, intervals: readonly DataInterval[], store: DagStore, options: Omit<RunOptions, "logicalDate" | "store">, onRun?: (run: DagRun) => void): Promise<DagRun[]> {
  const runs: DagRun[] = [];
  for (const interval of intervals) {
    if (options.signal?.aborted) break;
    const run = await runDag(dag, { ...options, store, logicalDate: interval.start });
    runs.push(run);
    onRun?.(run);
  }
  return runs;
}
