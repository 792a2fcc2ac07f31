/**
 * Trigger rules: what a waiting task does given its upstream tasks' states, as Airflow's
 * TriggerRuleDep decides it: run, wait, or finish at once as skipped or upstream_failed.
 */
import type { TaskState } from "./states";
import type { TriggerRule } from "./task";

export type Decision = "wait" | "run" | "skipped" | "upstream_failed";

export function decide(rule: TriggerRule, upstream: readonly TaskState[]): Decision {
  if (upstream.length === 0) return "run";
  const n = (...states: TaskState[]): number => upstream.filter((s) => states.includes(s)).length;
  const failed = n("failed", "upstream_failed");
  const succeeded = n("success");
  const skipped = n("skipped");
  const allDone = failed + succeeded + skipped === upstream.length;
  switch (rule) {
    case "all_success":
      if (failed > 0) return "upstream_failed";
      if (skipped > 0) return "skipped";
      return allDone ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "one_failed":
      if (failed > 0) return "run";
      return allDone ? "skipped" : "wait";
    case "all_failed":
      if (succeeded + skipped > 0) return "skipped";
      return allDone ? "run" : "wait";
    case "none_failed":
      if (failed > 0) return "upstream_failed";
      return allDone ? "run" : "wait";
  }
}

/** A run's state from its leaves (Airflow's rule): failed if a leaf failed or is upstream_failed, else success. */
export function runStateFromLeaves(leafStates: readonly TaskState[]): "success" | "failed" {
  return leafStates.every((s) => s === "success" || s === "skipped") ? "success" : "failed";
}
