/** One try of one task or sensor: its context, its outcome (success with an XCom, skipped, or failed). */
import { WorkbookError } from "../errors";
import type { Clock } from "./clock";
import type { Dag, Task } from "./dag";
import { ancestorsOf } from "./graph";
import type { DagRun, TaskInstance } from "./records";
import { SkipTask, type TaskContext } from "./task";

export type Outcome =
  | { state: "success"; xcom: unknown; json: string | undefined }
  | { state: "skipped"; reason: string }
  | { state: "failed"; error: unknown; retryable: boolean };

export interface ContextInput {
  dag: Dag;
  run: DagRun;
  ti: TaskInstance;
  /** Upstream XComs as JSON text, by task id. */
  xcoms: ReadonlyMap<string, string>;
  params: Record<string, unknown>;
  signal: AbortSignal;
  onLog?: (taskId: string, line: string) => void;
}

/** The ctx a task receives. */
export function makeContext(input: ContextInput): TaskContext {
  const { dag, run, ti } = input;
  const ancestors = ancestorsOf(dag.tasks, ti.taskId);
  return {
    dagId: dag.id, runId: run.runId, taskId: ti.taskId, logicalDate: run.logicalDate,
    dataInterval: { ...run.dataInterval }, tryNumber: ti.tryNumber, params: { ...input.params }, signal: input.signal,
    xcom<T = unknown>(taskId: string): T | undefined {
      dag.task(taskId);
      if (!ancestors.has(taskId)) {
        throw new WorkbookError("DAG_UNKNOWN_TASK", `Task ${JSON.stringify(ti.taskId)} reads the XCom of ${JSON.stringify(taskId)}, which is not upstream of it; add ${JSON.stringify(taskId)} to its upstream list.`);
      }
      const json = input.xcoms.get(taskId);
      return json === undefined ? undefined : (JSON.parse(json) as T);
    },
    log(line: string): void {
      ti.log.push(String(line));
      input.onLog?.(ti.taskId, String(line));
    },
  };
}

/** The message stored for an error. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toJson(task: Task, value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new WorkbookError("DAG_TASK_FAILED", `Task ${JSON.stringify(task.id)} returned a value that is not JSON (${errorText(err)}); return plain objects, arrays, strings, numbers or booleans.`, { cause: err });
  }
}

async function pokeUntilTrue(task: Extract<Task, { kind: "sensor" }>, ctx: TaskContext, clock: Clock): Promise<void> {
  const started = clock.now().getTime();
  for (;;) {
    if (await task.poke(ctx)) return;
    const waited = clock.now().getTime() - started;
    if (waited >= task.timeoutMs) {
      throw new WorkbookError("DAG_SENSOR_TIMEOUT", `Sensor ${JSON.stringify(task.id)} of DAG ${JSON.stringify(ctx.dagId)} waited ${waited} ms (timeoutMs ${task.timeoutMs}) and its condition still does not hold; check what it waits for, or raise timeoutMs.`);
    }
    await clock.sleep(Math.min(task.pokeIntervalMs, task.timeoutMs - waited), ctx.signal);
  }
}

/** Runs one try. Sensor timeouts and aborted runs are not retried. */
export async function attempt(task: Task, ctx: TaskContext, clock: Clock): Promise<Outcome> {
  try {
    if (task.kind === "sensor") {
      await pokeUntilTrue(task, ctx, clock);
      return { state: "success", xcom: undefined, json: undefined };
    }
    const value = await task.run(ctx);
    if (value instanceof SkipTask) return { state: "skipped", reason: value.message };
    const json = toJson(task, value);
    return { state: "success", xcom: json === undefined ? undefined : JSON.parse(json), json };
  } catch (error) {
    if (error instanceof SkipTask) return { state: "skipped", reason: error.message };
    const timeout = error instanceof WorkbookError && error.code === "DAG_SENSOR_TIMEOUT";
    return { state: "failed", error, retryable: !timeout && !ctx.signal.aborted };
  }
}
