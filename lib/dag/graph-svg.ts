/**
 * The DAG drawn as a graph (Airflow's graph view): laid out left to right by @dagrejs/dagre, each
 * task a box filled with its state's colour, arrows from upstream to downstream, and a legend.
 */
import * as dagre from "@dagrejs/dagre";
import { escapeHtml } from "../display/output";
import type { Dag } from "./dag";
import type { DagRun } from "./records";
import { NO_STATE_COLOR, STATE_COLORS, TASK_STATES, type TaskState } from "./states";

/** Task states to colour the graph with: a run, or task id -> state. Tasks without one are white. */
export type TaskStates = DagRun | Readonly<Record<string, TaskState>>;

const FONT = "Helvetica, Arial, sans-serif";
const CHAR_WIDTH = 7;
const NODE_HEIGHT = 36;

/** Task id -> state from a run or a map. */
export function statesOf(states: TaskStates | undefined): Record<string, TaskState> {
  if (!states) return {};
  if ("tasks" in states && Array.isArray(states.tasks)) return Object.fromEntries(states.tasks.map((t) => [t.taskId, t.state]));
  return { ...(states as Record<string, TaskState>) };
}

/** Black or white, whichever reads better on `hex`. */
function textColor(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#000000" : "#ffffff";
}

function legend(y: number, width: number): { svg: string; height: number } {
  const items: [string, string][] = [...TASK_STATES.map((s): [string, string] => [s, STATE_COLORS[s]]), ["no status", NO_STATE_COLOR]];
  let x = 10;
  let row = 0;
  const parts: string[] = [];
  for (const [name, color] of items) {
    const w = 12 + 6 + name.length * 6.5 + 14;
    if (x + w > width && x > 10) {
      x = 10;
      row++;
    }
    const top = y + row * 20;
    parts.push(`<g class="legend-item" data-state="${name}"><rect x="${x}" y="${top}" width="12" height="12" fill="${color}" stroke="#555555"/>` +
      `<text x="${x + 18}" y="${top + 10}" font-size="11">${name}</text></g>`);
    x += w;
  }
  return { svg: `<g class="legend" font-family="${FONT}">${parts.join("")}</g>`, height: (row + 1) * 20 + 6 };
}

/** The DAG as an SVG string: one `<g class="task" data-task=ID data-state=STATE>` per task, coloured by `states`. */
export function dagGraphSvg(dag: Dag, states?: TaskStates): string {
  const byTask = statesOf(states);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 48, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of dag.tasks) g.setNode(t.id, { width: Math.max(70, t.id.length * CHAR_WIDTH + 24), height: NODE_HEIGHT });
  for (const t of dag.tasks) for (const u of t.upstream) g.setEdge(u, t.id);
  dagre.layout(g);
  const graphWidth = Math.ceil(g.graph().width ?? 0);
  const graphHeight = Math.ceil(g.graph().height ?? 0);
  const width = Math.max(graphWidth, 440);
  const edges = g.edges().map((e) => {
    const points = g.edge(e).points ?? [];
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    return `<path class="edge" data-from="${escapeHtml(e.v)}" data-to="${escapeHtml(e.w)}" d="${d}" fill="none" stroke="#777777" stroke-width="1.5" marker-end="url(#arrow)"/>`;
  });
  const nodes = dag.order.map((id) => {
    const task = dag.task(id);
    const n = g.node(id);
    const state = byTask[id];
    const fill = state ? STATE_COLORS[state] : NO_STATE_COLOR;
    const label = escapeHtml(id);
    const dash = task.kind === "sensor" ? ` stroke-dasharray="4 3"` : "";
    return `<g class="task" data-task="${label}" data-state="${state ?? "none"}"><title>${label}${task.kind === "sensor" ? " (sensor)" : ""}: ${state ?? "no status"}</title>` +
      `<rect x="${(n.x - n.width / 2).toFixed(1)}" y="${(n.y - n.height / 2).toFixed(1)}" width="${n.width}" height="${n.height}" rx="5" fill="${fill}" stroke="#333333" stroke-width="1.5"${dash}/>` +
      `<text x="${n.x.toFixed(1)}" y="${(n.y + 4).toFixed(1)}" text-anchor="middle" font-size="12" fill="${textColor(fill)}">${label}</text></g>`;
  });
  const key = legend(graphHeight + 6, width);
  const height = graphHeight + 6 + key.height;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777777"/></marker></defs>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<g class="edges">${edges.join("")}</g><g class="tasks">${nodes.join("")}</g>${key.svg}</svg>`;
}

/** The DAG as text: one line per task with its state and upstream tasks. */
export function dagText(dag: Dag, states?: TaskStates): string {
  const byTask = statesOf(states);
  const width = Math.max(...dag.order.map((id) => id.length));
  const lines = dag.order.map((id) => {
    const up = dag.task(id).upstream;
    return `  ${id.padEnd(width)}  ${(byTask[id] ?? "-").padEnd(15)}${up.length ? `  <- ${up.join(", ")}` : ""}`;
  });
  return `DAG ${dag.id} (${dag.schedule.text ?? "no schedule"})\n${lines.join("\n")}`;
}
