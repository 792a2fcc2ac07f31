/** A run's task instances on a time axis (Airflow's Gantt view), as a Vega-Lite spec. */
import type { VegaLiteSpec } from "../display/chart";
import type { DagRun } from "./records";
import { isoDate } from "./schedule";
import { STATE_COLORS, TASK_STATES } from "./states";

/** A Vega-Lite bar chart: one bar per task instance that started, from its start to its end, coloured by state. */
export function ganttSpec(run: DagRun): VegaLiteSpec {
  const started = run.tasks.filter((t) => t.startedAt);
  const values = started.map((t) => ({
    task: t.taskId,
    state: t.state,
    try: t.tryNumber,
    start: (t.startedAt as Date).toISOString(),
    end: (t.endedAt ?? run.endedAt ?? t.startedAt as Date).toISOString(),
    ms: (t.endedAt ?? t.startedAt as Date).getTime() - (t.startedAt as Date).getTime(),
  }));
  return {
    title: `${run.dagId}: run of ${isoDate(run.logicalDate)} (${run.state})`,
    width: 480,
    height: Math.max(40, 24 * values.length),
    data: { values },
    mark: { type: "bar", minBandSize: 2 },
    encoding: {
      y: { field: "task", type: "nominal", sort: started.map((t) => t.taskId), title: null },
      x: { field: "start", type: "temporal", scale: { type: "utc" }, title: "time (UTC)", axis: { format: "%H:%M:%S.%L" } },
      x2: { field: "end" },
      color: { field: "state", type: "nominal", scale: { domain: [...TASK_STATES], range: TASK_STATES.map((s) => STATE_COLORS[s]) } },
      tooltip: [{ field: "task" }, { field: "state" }, { field: "try" }, { field: "ms", title: "duration (ms)" }],
    },
  };
}
