/**
 * A workbook DAG as an Airflow 2 DAG file: the same id, schedule, start date, catchup and
 * concurrency; one BashOperator per task that calls the workbook for that task and logical date
 * (`workbook dag run-task DAG TASK --logical-date {{ ds }}`), with its retries, retry delay, trigger
 * rule and `>>` dependencies. So the DAG runs on Airflow (Cloud Composer) as it does here.
 *
 * Sensors are BashOperators too: `run-task` pokes until the condition holds or the sensor's timeout
 * passes (the poke loop runs inside the workbook, so Airflow sees one long task). A task that skips
 * itself exits 99, which BashOperator (skip_on_exit_code) marks skipped.
 */
import type { Dag, Task } from "./dag";

export interface AirflowExportOptions {
  /** The command that starts the workbook on Airflow's workers. Default "npx workbook". */
  command?: string;
  /** The folder to run it in (BashOperator's cwd), e.g. the project's checkout. Default: none (the worker's). */
  cwd?: string;
  /** Tags of the Airflow DAG. Default ["de-workbook"]. */
  tags?: string[];
}

const PYTHON_KEYWORDS = new Set("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield dag".split(" "));

/** A Python string literal (JSON's escapes are Python's). */
function py(text: string): string {
  return JSON.stringify(text);
}

function pyDate(d: Date): string {
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const ms = d.getUTCMilliseconds();
  if (ms) parts.push(...time, ms * 1000);
  else if (time.some((x) => x)) parts.push(...time);
  return `datetime(${parts.join(", ")}, tzinfo=timezone.utc)`;
}

function pyDelay(ms: number): string {
  return ms % 1000 === 0 ? `timedelta(seconds=${ms / 1000})` : `timedelta(milliseconds=${ms})`;
}

/** Python variable names for task ids: letters, digits and _, not a keyword, unique. */
function variableNames(tasks: readonly Task[]): Map<string, string> {
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const t of tasks) {
    let base = t.id.replace(/[^A-Za-z0-9_]/g, "_");
    if (/^\d/.test(base) || PYTHON_KEYWORDS.has(base)) base = `task_${base}`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    names.set(t.id, name);
  }
  return names;
}

/** `{{ ds }}` when every logical date is a midnight (then the date says it all), else `{{ ts }}`. */
function logicalDateTemplate(dag: Dag): string {
  const midnight = (d: Date): boolean => d.getTime() % 86_400_000 === 0;
  if (dag.schedule.kind === "cron") {
    const [minute, hour] = dag.schedule.cron.getPattern()?.split(/\s+/) ?? [];
    return minute === "0" && hour === "0" && midnight(dag.startDate) ? "{{ ds }}" : "{{ ts }}";
  }
  return dag.schedule.kind === "once" && midnight(dag.startDate) ? "{{ ds }}" : "{{ ts }}";
}

/** The Python source of an Airflow 2 DAG file that runs `dag`'s tasks through the workbook. */
export function exportAirflow(dag: Dag, options: AirflowExportOptions = {}): string {
  const command = options.command ?? "npx workbook";
  const names = variableNames(dag.tasks);
  const template = logicalDateTemplate(dag);
  const schedule = dag.schedule.kind === "none" ? "None" : py(dag.schedule.text);
  const operators = dag.order.map((id) => {
    const t = dag.task(id);
    const args = [
      `task_id=${py(t.id)}`,
      `bash_command=${py(`${command} dag run-task ${dag.id} ${t.id} --logical-date ${template}`)}`,
      ...(options.cwd ? [`cwd=${py(options.cwd)}`] : []),
      `retries=${t.retries}`,
      `retry_delay=${pyDelay(t.retryDelayMs)}`,
      ...(t.triggerRule !== "all_success" ? [`trigger_rule=TriggerRule.${t.triggerRule.toUpperCase()}`] : []),
    ];
    const note = t.kind === "sensor" ? `    # sensor: pokes every ${t.pokeIntervalMs / 1000} s, fails after ${t.timeoutMs / 1000} s (the loop runs in \`workbook dag run-task\`)\n` : "";
    return `${note}    ${names.get(id)} = BashOperator(\n${args.map((a) => `        ${a},\n`).join("")}    )\n`;
  });
  const edges = dag.order.flatMap((id) => dag.task(id).upstream.map((u) => `    ${names.get(u)} >> ${names.get(id)}\n`));
  const dagArgs = [
    `dag_id=${py(dag.id)}`,
    ...(dag.description ? [`description=${py(dag.description)}`] : []),
    ...(dag.doc ? [`doc_md=${py(dag.doc)}`] : []),
    `schedule=${schedule}`,
    `start_date=${pyDate(dag.startDate)}`,
    ...(dag.endDate ? [`end_date=${pyDate(dag.endDate)}`] : []),
    `catchup=${dag.catchup ? "True" : "False"}`,
    `max_active_tasks=${dag.maxActiveTasks}`,
    `tags=[${(options.tags ?? ["de-workbook"]).map(py).join(", ")}]`,
  ];
  return [
    `"""Airflow DAG ${py(dag.id).slice(1, -1)}, exported from the de-workbook DAG of the same id.\n\n` +
      `Each task runs \`${command} dag run-task ${dag.id} TASK --logical-date ${template}\`: the workbook runs that task\n` +
      `for that logical date, reading its upstream tasks' XComs from the workbook's database (DATABASE_URL).\n` +
      `Exit code 99 means the task skipped itself. Re-export it when the DAG changes: \`workbook dag export-airflow ${dag.id}\`.\n"""\n`,
    "from datetime import datetime, timedelta, timezone\n\n",
    "from airflow import DAG\n",
    "from airflow.operators.bash import BashOperator\n",
    "from airflow.utils.trigger_rule import TriggerRule\n\n",
    `with DAG(\n${dagArgs.map((a) => `    ${a},\n`).join("")}) as dag:\n`,
    operators.join("\n"),
    edges.length ? `\n${edges.join("")}` : "",
  ].join("");
}
