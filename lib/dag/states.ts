/**
 * The states of task instances and runs, and their colours in Airflow's UI (its STATE_COLORS), so
 * a learner sees the same green, red and orange here as at work.
 */

/** A task instance's state, as in Airflow. */
export type TaskState = "queued" | "running" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped";

/** A DAG run's state: queued (created, or cleared), running, then success or failed. */
export type RunState = "queued" | "running" | "success" | "failed";

export const TASK_STATES: readonly TaskState[] = ["queued", "running", "success", "failed", "up_for_retry", "upstream_failed", "skipped"];

/** States a task instance does not leave in this run. */
export const FINISHED_STATES: readonly TaskState[] = ["success", "failed", "upstream_failed", "skipped"];

export function isFinished(state: TaskState): boolean {
  return FINISHED_STATES.includes(state);
}

/** Airflow's default state colours (airflow.settings.STATE_COLORS), as hex. */
export const STATE_COLORS: Readonly<Record<TaskState, string>> = {
  success: "#008000", // green
  failed: "#ff0000", // red
  running: "#00ff00", // lime
  upstream_failed: "#ffa500", // orange
  skipped: "#ff69b4", // hotpink
  queued: "#808080", // gray
  up_for_retry: "#ffd700", // gold
};

/** The colour of a task that has no state yet (not run). */
export const NO_STATE_COLOR = "#ffffff";
