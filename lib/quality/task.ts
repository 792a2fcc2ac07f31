/**
 * Quality checks as a DAG step: run the checks for the task's data interval, log one line per check,
 * record the results under the run's logical date, and fail the task with DAG_QUALITY_FAILED when a
 * blocking check fails (a warning is logged and the load goes on).
 *
 *   qualityTask({ id: "check_star", upstream: ["build_star"], checks: starChecks(), target: async () => warehouseTarget(wh) })
 */
import { task, type TaskDefinition } from "../dag/task";
import type { TaskContext } from "../dag/task";
import type { QualityCheck } from "./checks";
import { assertChecks, formatObserved, runChecks, type QualityResult } from "./run";
import type { QualityTarget } from "./target";

/** How a task's checks came out (its XCom). */
export interface CheckCounts {
  checks: number;
  passed: number;
  warned: number;
  failed: number;
}

/** Runs the checks inside a task; returns a summary (the task's XCom) or throws DAG_QUALITY_FAILED. */
export async function checkInTask(ctx: TaskContext, target: QualityTarget, checks: readonly QualityCheck[], options: { record?: boolean } = {}): Promise<CheckCounts & { results: QualityResult[] }> {
  const results = await runChecks(target, checks, { interval: ctx.dataInterval, logicalDate: ctx.logicalDate, runId: ctx.runId, record: options.record });
  for (const r of results) ctx.log(`${r.status.toUpperCase().padEnd(4)} ${r.table}: ${r.check} = ${r.observed === null ? "-" : formatObserved(r.observed)} (${r.detail})`);
  assertChecks(results, `the load of ${ctx.dataInterval.start.toISOString()}..${ctx.dataInterval.end.toISOString()}`);
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return { checks: results.length, passed: count("pass"), warned: count("warn"), failed: count("fail"), results };
}

export interface QualityTaskOptions {
  id: string;
  upstream?: string[];
  /** The checks, or a function of the task's context returning them. */
  checks: readonly QualityCheck[] | ((ctx: TaskContext) => readonly QualityCheck[]);
  /** Opens the target for this run; `close` (if given) is called after the checks. */
  target: (ctx: TaskContext) => Promise<QualityTarget | { target: QualityTarget; close(): Promise<void> }>;
}

/** A DAG task that runs `checks` and stops the run on a failed blocking check. */
export function qualityTask(options: QualityTaskOptions): TaskDefinition {
  return task({
    id: options.id,
    upstream: options.upstream,
    run: async (ctx) => {
      const opened = await options.target(ctx);
      const target = "target" in opened ? opened.target : opened;
      try {
        const checks = typeof options.checks === "function" ? options.checks(ctx) : options.checks;
        const { results: _r, ...summary } = await checkInTask(ctx, target, checks);
        return summary;
      } finally {
        if ("close" in opened) await opened.close();
      }
    },
  });
}
