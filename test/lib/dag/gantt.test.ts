import { test } from "node:test";
import assert from "node:assert/strict";
import { chartSvg } from "../../../lib/display/chart";
import { ganttSpec } from "../../../lib/dag/gantt";
import type { DagRun } from "../../../lib/dag/records";
import { STATE_COLORS } from "../../../lib/dag/states";

const at = (s: number): Date => new Date(Date.UTC(2024, 0, 2, 0, 0, s));
const run: DagRun = {
  dagId: "g", runId: "scheduled__2024-01-01T00:00:00Z", logicalDate: new Date("2024-01-01"), state: "failed",
  dataInterval: { start: new Date("2024-01-01"), end: new Date("2024-01-02") }, startedAt: at(0), endedAt: at(9),
  tasks: [
    { dagId: "g", runId: "r", taskId: "extract", state: "success", tryNumber: 1, startedAt: at(0), endedAt: at(3), log: [] },
    { dagId: "g", runId: "r", taskId: "load", state: "failed", tryNumber: 2, startedAt: at(4), endedAt: at(9), log: [] },
    { dagId: "g", runId: "r", taskId: "report", state: "upstream_failed", tryNumber: 0, log: [] },
  ],
};

test("the Gantt spec has a bar per task that started, from start to end, coloured by state", { timeout: 60_000 }, async () => {
  const spec = ganttSpec(run);
  const values = (spec.data as { values: Record<string, unknown>[] }).values;
  assert.deepEqual(values.map((v) => [v.task, v.state, v.start, v.end, v.ms, v.try]), [
    ["extract", "success", "2024-01-02T00:00:00.000Z", "2024-01-02T00:00:03.000Z", 3000, 1],
    ["load", "failed", "2024-01-02T00:00:04.000Z", "2024-01-02T00:00:09.000Z", 5000, 2],
  ]);
  const color = (spec.encoding as { color: { scale: { domain: string[]; range: string[] } } }).color.scale;
  assert.equal(color.range[color.domain.indexOf("failed")], STATE_COLORS.failed);
  const svg = await chartSvg(spec);
  assert.match(svg, /<svg/);
  assert.match(svg, new RegExp(`fill="${STATE_COLORS.failed}"`), "the failed bar is red");
});
