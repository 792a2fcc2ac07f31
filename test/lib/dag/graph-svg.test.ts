import { test } from "node:test";
import assert from "node:assert/strict";
import { defineDag } from "../../../lib/dag/dag";
import { dagGraphSvg, dagText } from "../../../lib/dag/graph-svg";
import { STATE_COLORS, TASK_STATES } from "../../../lib/dag/states";
import { sensor, task } from "../../../lib/dag/task";

const dag = defineDag({
  id: "drawn", schedule: "@hourly", startDate: "2024-01-01",
  tasks: [
    sensor({ id: "ready", poke: () => true }),
    task({ id: "extract", upstream: ["ready"], run: () => 1 }),
    task({ id: "transform", upstream: ["extract"], run: () => 1 }),
    task({ id: "load.db-1", upstream: ["transform"], run: () => 1 }),
    task({ id: "notify", upstream: ["extract"], run: () => 1 }),
  ],
});

test("the graph SVG has one box per task, filled with its state's Airflow colour, an arrow per dependency, and a legend", { timeout: 30_000 }, () => {
  const states = { ready: "success", extract: "failed", transform: "upstream_failed", "load.db-1": "upstream_failed", notify: "up_for_retry" } as const;
  const svg = dagGraphSvg(dag, states);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
  const nodes = [...svg.matchAll(/<g class="task" data-task="([^"]+)" data-state="([^"]+)">.*?<rect [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(nodes, [
    ["ready", "success", STATE_COLORS.success],
    ["extract", "failed", STATE_COLORS.failed],
    ["transform", "upstream_failed", STATE_COLORS.upstream_failed],
    ["load.db-1", "upstream_failed", STATE_COLORS.upstream_failed],
    ["notify", "up_for_retry", STATE_COLORS.up_for_retry],
  ]);
  assert.deepEqual([STATE_COLORS.success, STATE_COLORS.failed, STATE_COLORS.running, STATE_COLORS.upstream_failed, STATE_COLORS.skipped, STATE_COLORS.queued, STATE_COLORS.up_for_retry],
    ["#008000", "#ff0000", "#00ff00", "#ffa500", "#ff69b4", "#808080", "#ffd700"]);
  assert.equal((svg.match(/<path class="edge"/g) ?? []).length, 4);
  for (const state of TASK_STATES) assert.match(svg, new RegExp(`<g class="legend-item" data-state="${state}"><rect [^>]*fill="${STATE_COLORS[state]}"`));
  assert.match(svg, /stroke-dasharray="4 3"/, "the sensor is dashed");
});

test("without states every task is white, 'no status'; the text form lists tasks and upstream", { timeout: 30_000 }, () => {
  const svg = dagGraphSvg(dag);
  assert.equal((svg.match(/data-state="none"/g) ?? []).length, 5);
  assert.equal((svg.match(/<rect [^>]*fill="#ffffff" stroke="#333333"/g) ?? []).length, 5);
  const text = dagText(dag, { extract: "running" });
  assert.match(text, /^DAG drawn \(@hourly\)\n/);
  assert.match(text, /extract\s+running\s+<- ready/);
});
