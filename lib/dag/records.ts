/** What a run leaves behind: the DAG run and one task instance per task (Airflow's dag_run and task_instance). */
import { isoDate, type DataInterval } from "./schedule";
import type { RunState, TaskState } from "./states";

/** One task in one run. */
export interface TaskInstance {
  dagId: string;
  runId: string;
  taskId: string;
  state: TaskState;
  /** Tries so far: 1 after the first try; 0 before any. */
  tryNumber: number;
  /** When the latest try started. */
  startedAt?: Date;
  endedAt?: Date;
  /** The task's return value, as JSON (undefined when it returned nothing). */
  xcom?: unknown;
  /** Why the latest try failed (or was skipped). */
  error?: string;
  /** Lines the task wrote with ctx.log. */
  log: string[];
}

/** One run of a DAG, for one logical date. */
export interface DagRun {
  dagId: string;
  runId: string;
  logicalDate: Date;
  dataInterval: DataInterval;
  state: RunState;
  startedAt?: Date;
  endedAt?: Date;
  /** Its task instances: in the DAG's run order from runDag, by task id from the store. */
  tasks: TaskInstance[];
}

/** The run id of a logical date: one run per DAG and logical date, so a re-run finds it. */
export function runIdFor(logicalDate: Date): string {
  return `scheduled__${isoDate(logicalDate)}`;
}
