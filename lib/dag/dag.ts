/**
 * A DAG: tasks, their dependencies, a schedule and a start date, validated when it is defined so a
 * mistake (a cycle, an unknown upstream task, a duplicate id, a bad cron) shows before anything runs.
 *
 *   const dag = defineDag({
 *     id: "daily_sales", schedule: "@daily", startDate: "2024-01-01",
 *     tasks: [task({ id: "extract", run: ... }), task({ id: "load", upstream: ["extract"], run: ... })],
 *   });
 */
import { WorkbookError } from "../errors";
import { findCycle, topologicalOrder, downstreamOf } from "./graph";
import { parseSchedule, toDate, isoDate, type Schedule, type ScheduleSpec, type Scheduled } from "./schedule";
import { TRIGGER_RULES, type TaskContext, type TaskDefinition, type TriggerRule } from "./task";

export interface DagOptions {
  /** Letters, digits, `_`, `-` and `.`. */
  id: string;
  /** One line shown by `workbook dag list`. Default "". */
  description?: string;
  /** Longer documentation (Markdown): what the DAG does and how; exported as Airflow's `doc_md`. Default "". */
  doc?: string;
  /** "@hourly", "@daily", "@weekly", "@monthly", "@once", a cron expression (UTC), or null for manual runs only. */
  schedule: ScheduleSpec;
  /** The first logical date (UTC; "2024-01-01" or a Date). */
  startDate: Date | string;
  /** The last logical date. Default: none. */
  endDate?: Date | string;
  /** Run every missed interval since the last run (true), or only the latest (false). Default false. */
  catchup?: boolean;
  /** At most this many tasks run at once (Airflow's max_active_tasks). Default 4. */
  maxActiveTasks?: number;
  /** Retries of each task that does not set `retries`. Default 0. */
  defaultRetries?: number;
  /** Delay before a retry of each task that does not set `retryDelayMs`. Default 300_000 (Airflow's 5 minutes). */
  defaultRetryDelayMs?: number;
  tasks: TaskDefinition[];
}

/** Defaults of DagOptions. */
export const DAG_DEFAULTS = { catchup: false, maxActiveTasks: 4, defaultRetries: 0, defaultRetryDelayMs: 300_000 } as const;
/** Defaults of sensors. */
export const SENSOR_DEFAULTS = { pokeIntervalMs: 60_000, timeoutMs: 3_600_000 } as const;

interface TaskBase {
  id: string;
  upstream: readonly string[];
  triggerRule: TriggerRule;
  retries: number;
  retryDelayMs: number;
  /** A teardown task: its upstream tasks, not it, decide the run's state. */
  teardown: boolean;
}

/** A task of a defined DAG, with every default applied. */
export type Task = TaskBase & (
  | { kind: "task"; run: (ctx: TaskContext) => Promise<unknown> | unknown }
  | { kind: "sensor"; poke: (ctx: TaskContext) => Promise<boolean> | boolean; pokeIntervalMs: number; timeoutMs: number }
);

const ID = /^[A-Za-z0-9_.-]+$/;
const BRAND = Symbol.for("de-workbook.dag");

function invalid(message: string): WorkbookError {
  return new WorkbookError("DAG_INVALID", message);
}

function count(value: unknown, what: string, min: number, integer = true): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw invalid(`${what} ${JSON.stringify(value)} is not valid; use ${integer ? "a whole number" : "a number"} of at least ${min}.`);
  }
  return value;
}

/** A validated DAG. Create it with `defineDag`. */
export class Dag implements Scheduled {
  readonly id: string;
  readonly description: string;
  readonly doc: string;
  readonly schedule: Schedule;
  readonly startDate: Date;
  readonly endDate?: Date;
  readonly catchup: boolean;
  readonly maxActiveTasks: number;
  readonly defaultRetries: number;
  readonly defaultRetryDelayMs: number;
  readonly tasks: readonly Task[];
  /** Task ids, each after its upstream tasks. */
  readonly order: readonly string[];
  readonly [BRAND] = true;

  constructor(options: DagOptions) {
    const o = options ?? ({} as DagOptions);
    if (typeof o.id !== "string" || !ID.test(o.id)) throw invalid(`DAG id ${JSON.stringify(o.id)} is not valid; use letters, digits, "_", "-" and "." (e.g. "daily_sales").`);
    this.id = o.id;
    const dagName = JSON.stringify(o.id);
    this.description = o.description ?? "";
    this.doc = o.doc ?? "";
    if (!("schedule" in o)) throw new WorkbookError("DAG_SCHEDULE_INVALID", `DAG ${dagName} has no schedule; set schedule: "@daily" (or a cron expression, or null for manual runs only).`);
    this.schedule = parseSchedule(o.schedule);
    if (o.startDate === undefined) throw new WorkbookError("DAG_DATE_INVALID", `DAG ${dagName} has no startDate; set startDate: "2024-01-01" (UTC), the first logical date.`);
    this.startDate = toDate(o.startDate, `start date of DAG ${dagName}`);
    if (o.endDate !== undefined) {
      this.endDate = toDate(o.endDate, `end date of DAG ${dagName}`);
      if (this.endDate < this.startDate) throw new WorkbookError("DAG_DATE_INVALID", `DAG ${dagName} ends (${isoDate(this.endDate)}) before it starts (${isoDate(this.startDate)}); move endDate after startDate.`);
    }
    this.catchup = o.catchup ?? DAG_DEFAULTS.catchup;
    this.maxActiveTasks = count(o.maxActiveTasks ?? DAG_DEFAULTS.maxActiveTasks, `maxActiveTasks of DAG ${dagName}`, 1);
    this.defaultRetries = count(o.defaultRetries ?? DAG_DEFAULTS.defaultRetries, `defaultRetries of DAG ${dagName}`, 0);
    this.defaultRetryDelayMs = count(o.defaultRetryDelayMs ?? DAG_DEFAULTS.defaultRetryDelayMs, `defaultRetryDelayMs of DAG ${dagName}`, 0, false);
    this.tasks = checkTasks(this, o.tasks);
    this.order = topologicalOrder(this.tasks);
  }

  /** The task `id`, or DAG_UNKNOWN_TASK listing the tasks there are. */
  task(id: string): Task {
    const found = this.tasks.find((t) => t.id === id);
    if (!found) throw new WorkbookError("DAG_UNKNOWN_TASK", `DAG ${JSON.stringify(this.id)} has no task ${JSON.stringify(id)}; its tasks are: ${this.tasks.map((t) => t.id).join(", ")}.`);
    return found;
  }

  /** `ids` and every task downstream of them, in run order. */
  downstream(ids: readonly string[]): string[] {
    for (const id of ids) this.task(id);
    const set = downstreamOf(this.tasks, ids);
    return this.order.filter((id) => set.has(id));
  }
}

function checkTasks(dag: Dag, defs: unknown): Task[] {
  const dagName = JSON.stringify(dag.id);
  if (!Array.isArray(defs) || defs.length === 0) throw invalid(`DAG ${dagName} has no tasks; add tasks: [task({ id: "extract", run: async (ctx) => ... })].`);
  const seen = new Set<string>();
  const tasks = defs.map((def: TaskDefinition, i): Task => {
    if (!def || (def.kind !== "task" && def.kind !== "sensor")) throw invalid(`Task ${i + 1} of DAG ${dagName} is not a task; make it with task({ id, run }) or sensor({ id, poke }).`);
    if (typeof def.id !== "string" || !ID.test(def.id)) throw invalid(`Task id ${JSON.stringify(def.id)} in DAG ${dagName} is not valid; use letters, digits, "_", "-" and ".".`);
    const name = `task ${JSON.stringify(def.id)} of DAG ${dagName}`;
    if (seen.has(def.id)) throw new WorkbookError("DAG_DUPLICATE_TASK", `DAG ${dagName} has two tasks with id ${JSON.stringify(def.id)}; rename one of them (task ids are unique within a DAG).`);
    seen.add(def.id);
    const triggerRule = def.triggerRule ?? "all_success";
    if (!TRIGGER_RULES.includes(triggerRule)) throw invalid(`Trigger rule ${JSON.stringify(triggerRule)} of ${name} is not one of ${TRIGGER_RULES.join(", ")}.`);
    if (def.upstream !== undefined && (!Array.isArray(def.upstream) || def.upstream.some((u) => typeof u !== "string"))) throw invalid(`upstream of ${name} must be a list of task ids, e.g. upstream: ["extract"].`);
    const base: TaskBase = {
      id: def.id,
      upstream: [...new Set(def.upstream ?? [])],
      triggerRule,
      retries: count(def.retries ?? dag.defaultRetries, `retries of ${name}`, 0),
      retryDelayMs: count(def.retryDelayMs ?? dag.defaultRetryDelayMs, `retryDelayMs of ${name}`, 0, false),
      teardown: def.teardown === true,
    };
    if (def.kind === "task") {
      if (typeof def.run !== "function") throw invalid(`The ${name} has no run function; add run: async (ctx) => ...`);
      return { ...base, kind: "task", run: def.run };
    }
    if (typeof def.poke !== "function") throw invalid(`The sensor ${name} has no poke function; add poke: async (ctx) => true when ready.`);
    return {
      ...base, kind: "sensor", poke: def.poke,
      pokeIntervalMs: count(def.pokeIntervalMs ?? SENSOR_DEFAULTS.pokeIntervalMs, `pokeIntervalMs of ${name}`, 1, false),
      timeoutMs: count(def.timeoutMs ?? SENSOR_DEFAULTS.timeoutMs, `timeoutMs of ${name}`, 1, false),
    };
  });
  for (const t of tasks) {
    for (const u of t.upstream) {
      if (!seen.has(u)) throw new WorkbookError("DAG_UNKNOWN_TASK", `Task ${JSON.stringify(t.id)} of DAG ${dagName} has upstream ${JSON.stringify(u)}, which is not a task of this DAG (its tasks: ${[...seen].join(", ")}); fix the id or add the task.`);
    }
  }
  const cycle = findCycle(tasks);
  if (cycle) throw new WorkbookError("DAG_CYCLE", `DAG ${dagName} has a cycle: ${cycle.join(" -> ")}; remove one of these upstream links so the tasks can run in order.`);
  return tasks;
}

/** Defines and validates a DAG; throws a WorkbookError (DAG_*) saying what to fix. */
export function defineDag(options: DagOptions): Dag {
  return new Dag(options);
}

/** True for a DAG made by `defineDag` (also across copies of this module). */
export function isDag(value: unknown): value is Dag {
  return value instanceof Dag || (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
}
