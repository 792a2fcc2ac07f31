/** Runs by tasks, each cell coloured by its task instance's state (Airflow's grid view). */
import { escapeHtml } from "../display/output";
import type { Dag } from "./dag";
import type { DagRun } from "./records";
import { isoDate } from "./schedule";
import { NO_STATE_COLOR, STATE_COLORS, type TaskState } from "./states";

function label(runs: readonly DagRun[], run: DagRun): string {
  const midnight = runs.every((r) => isoDate(r.logicalDate).endsWith("T00:00:00Z"));
  return midnight ? isoDate(run.logicalDate).slice(0, 10) : isoDate(run.logicalDate).slice(0, 16).replace("T", " ");
}

function stateOf(run: DagRun, taskId: string): TaskState | undefined {
  return run.tasks.find((t) => t.taskId === taskId)?.state;
}

/**
 * A coloured square; its state is also written in a span hidden by style, so a viewer that drops
 * styles (Jupyter for an untrusted notebook) shows the word instead of an empty cell.
 */
function cell(color: string, title: string, state: string): string {
  return `<td style="padding:2px"><div title="${escapeHtml(title)}" style="width:16px;height:16px;margin:auto;border-radius:3px;border:1px solid #999;background:${color}"><span style="display:none">${escapeHtml(state)}</span></div></td>`;
}

/** An HTML table: a column per run (oldest first), a row per task, and the runs' states on top. */
export function gridHtml(runs: readonly DagRun[], dag: Dag): string {
  const sorted = [...runs].sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());
  const head = sorted.map((r) => `<th style="writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;font-size:11px;padding:2px">${escapeHtml(label(sorted, r))}</th>`);
  const runRow = sorted.map((r) => cell(STATE_COLORS[r.state as TaskState] ?? NO_STATE_COLOR, `run ${isoDate(r.logicalDate)}: ${r.state}`, r.state));
  const rows = dag.order.map((id) => {
    const cells = sorted.map((r) => {
      const state = stateOf(r, id);
      return cell(state ? STATE_COLORS[state] : NO_STATE_COLOR, `${id} @ ${isoDate(r.logicalDate)}: ${state ?? "no status"}`, state ?? "-");
    });
    return `<tr data-task="${escapeHtml(id)}"><th style="text-align:left;font-weight:normal;padding:2px 8px 2px 0">${escapeHtml(id)}</th>${cells.join("")}</tr>`;
  });
  return `<table class="dag-grid" style="border-collapse:collapse;font-family:Helvetica,Arial,sans-serif;font-size:12px">` +
    `<caption style="text-align:left;font-weight:bold">${escapeHtml(dag.id)}: ${sorted.length} run${sorted.length === 1 ? "" : "s"}</caption>` +
    `<tr><th></th>${head.join("")}</tr><tr><th style="text-align:left;font-weight:normal;padding:2px 8px 2px 0"><i>run</i></th>${runRow.join("")}</tr>${rows.join("")}</table>`;
}

/** The grid as text: a row per task, a column per run, the state in each cell. */
export function gridText(runs: readonly DagRun[], dag: Dag): string {
  const sorted = [...runs].sort((a, b) => a.logicalDate.getTime() - b.logicalDate.getTime());
  const header = ["task", ...sorted.map((r) => label(sorted, r))];
  const body = [["(run)", ...sorted.map((r) => r.state as string)], ...dag.order.map((id) => [id, ...sorted.map((r) => stateOf(r, id) ?? "-")])];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
