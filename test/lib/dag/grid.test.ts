import { test } from "node:test";
import assert from "node:assert/strict";
import { defineDag } from "../../../lib/dag/dag";
import { gridHtml, gridText } from "../../../lib/dag/grid";
import type { DagRun, TaskInstance } from "../../../lib/dag/records";
import { STATE_COLORS } from "../../../lib/dag/states";
import { task } from "../../../lib/dag/task";

const dag = defineDag({ id: "gridded", schedule: "@daily", startDate: "2024-01-01", tasks: [task({ id: "a", run: () => 1 }), task({ id: "b", upstream: ["a"], run: () => 1 })] });

function run(day: string, state: DagRun["state"], a: TaskInstance["state"], b?: TaskInstance["state"]): DagRun {
  const ti = (taskId: string, s: TaskInstance["state"]): TaskInstance => ({ dagId: "gridded", runId: day, taskId, state: s, tryNumber: 1, log: [] });
  return { dagId: "gridded", runId: day, logicalDate: new Date(day), dataInterval: { start: new Date(day), end: new Date(day) }, state, tasks: [ti("a", a), ...(b ? [ti("b", b)] : [])] };
}

test("the grid shows runs (oldest first) by tasks, each cell coloured by state", { timeout: 30_000 }, () => {
  const runs = [run("2024-01-02", "failed", "failed", "upstream_failed"), run("2024-01-01", "success", "success", "success"), run("2024-01-03", "running", "running")];
  const html = gridHtml(runs, dag);
  const rowB = /<tr data-task="b">(.*?)<\/tr>/.exec(html)?.[1] ?? "";
  const colours = [...rowB.matchAll(/background:(#[0-9a-f]{6})/g)].map((m) => m[1]);
  assert.deepEqual(colours, [STATE_COLORS.success, STATE_COLORS.upstream_failed, "#ffffff"]);
  assert.match(html, /title="b @ 2024-01-02T00:00:00Z: upstream_failed"/);
  // without styles (an untrusted notebook) the states still read as words
  const unstyled = rowB.replace(/<[^>]+>/g, " ").split(/\s+/).filter(Boolean);
  assert.deepEqual(unstyled, ["b", "success", "upstream_failed", "-"]);
  assert.equal(gridText(runs, dag), [
    "task   2024-01-01  2024-01-02       2024-01-03",
    "-----  ----------  ---------------  ----------",
    "(run)  success     failed           running",
    "a      success     failed           running",
    "b      success     upstream_failed  -",
  ].join("\n"));
});
