/**
 * DAGs in a notebook: the graph coloured by state, a run's Gantt chart, the grid of runs by tasks,
 * each with a text form for terminals. `liveDag(dag)` is an onChange that redraws the graph in place.
 *
 *   showDag(dag, run);
 *   await showGantt(run);
 *   showGrid(await store.runs(dag.id), dag);
 *   await runDag(dag, { logicalDate: "2024-01-01", onChange: liveDag(dag) });
 */
import { chart, chartText } from "../display/chart";
import { inNotebook, publish, type PublishOptions } from "../display/output";
import { pictureBundle } from "../display/picture";
import type { Dag } from "./dag";
import { dagGraphSvg, dagText, type TaskStates } from "./graph-svg";
import { ganttSpec } from "./gantt";
import { gridHtml, gridText } from "./grid";
import type { DagRun } from "./records";
import type { RunChange } from "./run";

/** Shows the DAG's graph, coloured by `states` (a run, or task id -> state), as SVG with a PNG beside it. */
export async function showDag(dag: Dag, states?: TaskStates, options: PublishOptions = {}): Promise<void> {
  publish(await pictureBundle(dagGraphSvg(dag, states), dagText(dag, states)), options);
}

/** Shows a run's Gantt chart. */
export async function showGantt(run: DagRun): Promise<void> {
  const spec = ganttSpec(run);
  await chart(spec, { text: `${chartText(spec)}\n${run.tasks.map((t) => `  ${t.taskId}: ${t.state}`).join("\n")}` });
}

/** Shows runs by tasks (Airflow's grid view). */
export function showGrid(runs: readonly DagRun[], dag: Dag, options: PublishOptions = {}): void {
  publish({ "text/html": gridHtml(runs, dag), "text/plain": gridText(runs, dag) }, options);
}

let liveCount = 0;

/**
 * An onChange for runDag that keeps one graph of the run up to date in the notebook (outside a
 * notebook: one line per task change). Updates are SVG only (quick); when the run ends the live
 * picture gives way to a line of text, so that an executed copy holds no SVG without its PNG: show
 * the final graph with `await showDag(dag, run)`.
 */
export function liveDag(dag: Dag, options: { stream?: NodeJS.WritableStream } = {}): (change: RunChange) => void {
  const displayId = `dag-${dag.id}-${++liveCount}`;
  let shown = false;
  return (change) => {
    if (!inNotebook()) {
      const what = change.taskId ? `${change.taskId}: ${change.state}` : `run ${change.run.runId}: ${change.state}`;
      (options.stream ?? process.stdout).write(`${what}\n`);
      return;
    }
    const final = !change.taskId && change.state !== "running" && change.state !== "queued";
    if (final) {
      const counts = new Map<string, number>();
      for (const t of change.run.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
      const text = `run ${change.run.runId}: ${change.state} (${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")})`;
      publish({ "text/plain": text }, { displayId, update: shown });
    } else publish({ "image/svg+xml": dagGraphSvg(dag, change.run), "text/plain": dagText(dag, change.run) }, { displayId, update: shown });
    shown = true;
  };
}
