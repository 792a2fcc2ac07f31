/** The precision-recall chart's labels can be read: coinciding points share one label, close ones go above and below. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { precisionRecallChart, type PrPoint } from "../../../scenarios/traffic-outliers/charts";

test("precisionRecallChart: one label for coinciding thresholds (3-10, or 7, 8), the lower of two close points labelled below", () => {
  const p = (detector: string, threshold: number, recall: number, precision: number): PrPoint => ({ detector, threshold, recall, precision, alerts: 1 });
  const points = [
    ...[3, 4, 5].map((t) => p("flat", t, 0.08, 1)),
    p("curve", 6, 0.83, 0.38), p("curve", 7, 0.58, 0.42), p("curve", 8, 0.58, 0.45), p("curve", 9, 0.58, 0.45), p("curve", 10, 0.33, 0.56),
  ];
  const spec = precisionRecallChart(points) as { layer: [unknown, { data: { values: Array<{ detector: string; label: string; below: boolean }> } }] };
  assert.deepEqual(spec.layer[1].data.values.map((v) => [v.detector, v.label, v.below]), [
    ["flat", "3-5", false], ["curve", "6", false], ["curve", "7", true], ["curve", "8, 9", false], ["curve", "10", false],
  ]);
});
