/**
 * `workbook dag ...`: the DAGs scenarios register (lib/cli/registry), run from a terminal.
 *
 *   workbook dag list
 *   workbook dag run daily_sales --logical-date 2024-01-01
 *   workbook dag backfill daily_sales --from 2024-01-01 --to 2024-01-07
 *   workbook dag status daily_sales
 *   workbook dag clear daily_sales --logical-date 2024-01-01 --task load
 *   workbook dag export-airflow daily_sales --output airflow/dags/daily_sales.py
 *   workbook dag run-task daily_sales load --logical-date 2024-01-01     (what Airflow's workers run)
 */
import * as fs from "node:fs";
import { helpText, parseArgs, usageError, type OptionSpec } from "../cli/args";
import { findDagEntry, registeredDags } from "../cli/registry";
import { tableText } from "../display/table";
import { WorkbookError, isUsageError, isWorkbookError } from "../errors";
import { exportAirflow } from "./airflow";
import { isDag, type Dag } from "./dag";
import { gridText } from "./grid";
import type { DagRun } from "./records";
import { runDag, runTask, type RunChange } from "./run";
import { backfill, clearTasks } from "./scheduler";
import { dueIntervals, isoDate, toDate } from "./schedule";
import { openDagStore, type DagStore } from "./store";

export const DAG_USAGE = `usage: workbook dag COMMAND
  list                                         the registered DAGs
  run DAG [--logical-date D] [-p NAME VALUE]   run a DAG for one logical date (default: the latest complete interval)
  backfill DAG --from D --to D                 run every interval with a logical date in [from, to]
  status DAG [--limit N]                       the latest runs (default 10) by task, and the latest run's tasks
  clear DAG --logical-date D --task T [--no-downstream]
                                               reset a task (and its downstream) so the next run re-runs it
  export-airflow DAG [--command CMD] [--cwd DIR] [--output FILE]
                                               print (or write) an Airflow 2 DAG file for the DAG
  run-task DAG TASK --logical-date D           one try of one task, as Airflow runs it (exit 99: skipped)
Dates are UTC: 2024-01-31 or 2024-01-31T06:00:00Z.`;

const OPTIONS: OptionSpec[] = [
  { names: ["--logical-date"], key: "logicalDate", arity: 1, help: "the run's logical date (UTC)" },
  { names: ["--from"], key: "from", arity: 1, help: "first logical date of a backfill" },
  { names: ["--to"], key: "to", arity: 1, help: "last logical date of a backfill (included)" },
  { names: ["--task"], key: "tasks", arity: 1, repeat: true, help: "a task to clear (repeatable)" },
  { names: ["--no-downstream"], key: "downstream", arity: 0, value: false, help: "clear only the tasks given" },
  { names: ["--limit"], key: "limit", arity: 1, help: "runs shown by status (default 10)" },
  { names: ["-p", "--param"], key: "params", arity: 2, repeat: true, help: "a run parameter (ctx.params)" },
  { names: ["--command"], key: "command", arity: 1, help: "export-airflow: the command Airflow runs (default \"npx workbook\")" },
  { names: ["--cwd"], key: "cwd", arity: 1, help: "export-airflow: the folder Airflow runs it in" },
  { names: ["--output", "-o"], key: "output", arity: 1, help: "export-airflow: write the file here instead of printing it" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "this help" },
];

export interface DagCommandIo {
  /** Default: process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Default: process.stderr. */
  stderr?: NodeJS.WritableStream;
  /** Where runs are recorded. Default: a store on `openSql()`, closed when the command ends. */
  store?: DagStore;
  /** The clock's "now" (the default logical date of `run`). Default: the current time. */
  now?: () => Date;
}

/** The registered DAG `id`, loaded. */
function loadDag(id: string | undefined): Dag {
  if (!id) throw usageError(`Which DAG? Give its id, e.g. \`workbook dag run ${registeredDags()[0]?.id ?? "DAG"}\`; \`workbook dag list\` lists them.`);
  const dag = findDagEntry(id).load();
  if (!isDag(dag)) throw new WorkbookError("DAG_INVALID", `The registered DAG ${JSON.stringify(id)} did not load a DAG; its load() must return defineDag({...}).`);
  return dag;
}

function required(value: unknown, flag: string, example: string): string {
  if (typeof value !== "string") throw usageError(`${flag} is required, e.g. ${flag} ${example}.`);
  return value;
}

function taskRows(run: DagRun): Record<string, unknown>[] {
  return run.tasks.map((t) => ({
    task: t.taskId, state: t.state, try: t.tryNumber,
    ms: t.startedAt && t.endedAt ? t.endedAt.getTime() - t.startedAt.getTime() : null,
    error: t.error ?? "",
  }));
}

function runLine(run: DagRun): string {
  const failed = run.tasks.filter((t) => t.state === "failed").map((t) => t.taskId);
  return `${run.dagId} ${isoDate(run.logicalDate)}: ${run.state}${failed.length ? ` (failed: ${failed.join(", ")})` : ""}`;
}

/** Runs `workbook dag ...`; returns the exit code (0 ok, 1 a run failed, 2 bad input, 99 run-task skipped). */
export async function dagCommand(argv: string[], io: DagCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [sub, ...rest] = argv;
  if (!sub || sub === "-h" || sub === "--help" || sub === "help") {
    (sub ? stdout : stderr).write(`${helpText(DAG_USAGE, OPTIONS)}`);
    return sub ? 0 : 2;
  }
  let store: DagStore | undefined = io.store;
  try {
    const { options, positionals } = parseArgs(rest, OPTIONS, `dag ${sub}`);
    if (options.help) {
      stdout.write(helpText(DAG_USAGE, OPTIONS));
      return 0;
    }
    if (sub === "list") {
      const rows = registeredDags().map((d) => ({ id: d.id, scenario: d.scenario, description: d.description }));
      stdout.write(rows.length ? `${tableText(rows, { maxRows: 1000 })}\n` : "No DAGs registered.\n");
      return 0;
    }
    if (!["run", "backfill", "status", "clear", "export-airflow", "run-task"].includes(sub)) {
      throw usageError(`Unknown command \`workbook dag ${sub}\`.\n${DAG_USAGE}`);
    }
    const dag = loadDag(positionals[0]);
    if (sub === "export-airflow") {
      const source = exportAirflow(dag, { command: options.command as string | undefined, cwd: options.cwd as string | undefined });
      if (typeof options.output === "string") {
        fs.writeFileSync(options.output, source);
        stdout.write(`wrote ${options.output}\n`);
      } else stdout.write(source);
      return 0;
    }
    const params = Object.fromEntries(((options.params as [string, string][] | undefined) ?? []));
    const now = io.now ?? (() => new Date());
    store ??= await openDagStore();
    if (sub === "run") {
      const logicalDate = typeof options.logicalDate === "string" ? toDate(options.logicalDate, "logical date") : latestLogicalDate(dag, now());
      const onChange = (c: RunChange): void => {
        if (c.taskId) stdout.write(`  ${c.taskId}: ${c.state}\n`);
      };
      const run = await runDag(dag, { logicalDate, store, params, onChange });
      stdout.write(`${tableText(taskRows(run), { maxRows: 1000 })}\n${runLine(run)}\n`);
      return run.state === "success" ? 0 : 1;
    }
    if (sub === "run-task") {
      const taskId = positionals[1];
      if (!taskId) throw usageError(`run-task needs a task id after the DAG id; the tasks of ${dag.id} are: ${dag.order.join(", ")}.`);
      const logicalDate = required(options.logicalDate, "--logical-date", "2024-01-01");
      const ti = await runTask(dag, taskId, { logicalDate, store, params, onLog: (id, line) => stdout.write(`[${id}] ${line}\n`) });
      stdout.write(`${dag.id} ${taskId} ${isoDate(toDate(logicalDate))}: ${ti.state} (try ${ti.tryNumber})${ti.error ? `: ${ti.error}` : ""}\n`);
      return ti.state === "success" ? 0 : ti.state === "skipped" ? 99 : 1;
    }
    if (sub === "backfill") {
      const from = required(options.from, "--from", "2024-01-01");
      const to = required(options.to, "--to", "2024-01-07");
      const runs = await backfill(dag, { from, to, store, params, onRun: (run) => stdout.write(`${runLine(run)}\n`) });
      stdout.write(`${runs.length} run${runs.length === 1 ? "" : "s"}, ${runs.filter((r) => r.state !== "success").length} failed\n`);
      return runs.every((r) => r.state === "success") ? 0 : 1;
    }
    if (sub === "clear") {
      const logicalDate = required(options.logicalDate, "--logical-date", "2024-01-01");
      const tasks = (options.tasks as string[] | undefined) ?? [];
      if (tasks.length === 0) throw usageError(`clear needs --task T (repeatable); the tasks of ${dag.id} are: ${dag.order.join(", ")}.`);
      const cleared = await clearTasks(dag, logicalDate, tasks, { store, downstream: options.downstream !== false });
      stdout.write(`cleared ${cleared.join(", ")}; \`workbook dag run ${dag.id} --logical-date ${logicalDate}\` re-runs them\n`);
      return 0;
    }
    // status
    const limit = options.limit === undefined ? 10 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit ${JSON.stringify(options.limit)} is not a positive whole number; e.g. --limit 10.`);
    const runs = await store.runs(dag.id, { limit });
    if (runs.length === 0) {
      stdout.write(`DAG ${dag.id} has no runs yet; \`workbook dag run ${dag.id}\` runs it.\n`);
      return 0;
    }
    const latest = runs[runs.length - 1];
    stdout.write(`${gridText(runs, dag)}\n\nlatest: ${runLine(latest)}\n${tableText(taskRows(latest), { maxRows: 1000 })}\n`);
    return 0;
  } catch (err) {
    if (!isWorkbookError(err)) throw err;
    stderr.write(`workbook dag ${sub}: ${err.message}\n`);
    return isUsageError(err) ? 2 : 1;
  } finally {
    if (store && !io.store) await store.close();
  }
}

/** The logical date of the latest complete interval at `now` (manual DAGs: now; @once: the start date). */
function latestLogicalDate(dag: Dag, now: Date): Date {
  if (dag.schedule.kind === "none") return now;
  if (dag.schedule.kind === "once") return dag.startDate;
  const [latest] = dueIntervals({ id: dag.id, schedule: dag.schedule, startDate: dag.startDate, endDate: dag.endDate, catchup: false }, now);
  if (!latest) throw new WorkbookError("DAG_DATE_INVALID", `DAG ${JSON.stringify(dag.id)} has no complete interval at ${isoDate(now)} (it starts ${isoDate(dag.startDate)}); pass --logical-date.`);
  return latest.start;
}
