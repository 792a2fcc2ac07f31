import { test } from "node:test";
import assert from "node:assert/strict";
import { createDetector, HOUR_MS, WEEK_HOURS } from "../../../scenarios/traffic-outliers/detectors";
import { detect, scoreSeries, type Point } from "../../../scenarios/traffic-outliers/detect";
import { syntheticSeries } from "../../../scenarios/traffic-outliers/synthetic";
import { isWorkbookError } from "../../../lib/errors";

/** Six weeks of one airport with a spike (x3) at a known daytime hour of week 5 and a drop (to 0) of week 6. */
function withOutliers(): { points: Point[]; spike: number; drop: number } {
  const points = syntheticSeries({ weeks: 6, seed: 7, level: 2 });
  const spike = 4 * WEEK_HOURS + 2 * 24 + 10; // Wednesday 10:00 of week 5
  const drop = 5 * WEEK_HOURS + 1 * 24 + 14; // Tuesday 14:00 of week 6
  for (const i of [spike, spike + 1]) points[i] = { ...points[i], departures: points[i].departures * 3 + 10 };
  for (const i of [drop, drop + 1, drop + 2]) points[i] = { ...points[i], departures: 0 };
  return { points, spike, drop };
}

test("seasonal-mad: no score during the warm-up (3 weeks of history, then a week of residuals), then the planted spike and drop score highest", () => {
  const { points, spike, drop } = withOutliers();
  const scored = scoreSeries(points).get("AAA")!;
  const warmup = createDetector().warmupHours;
  assert.equal(warmup, 3 * WEEK_HOURS + WEEK_HOURS);
  assert.ok(scored.slice(0, warmup).every((s) => s.score === null));
  assert.ok(scored.slice(warmup).every((s) => s.score !== null));
  assert.ok(scored.slice(3 * WEEK_HOURS).every((s) => s.baseline !== null), "a baseline from week 4 on");
  const ranked = scored.map((s, i) => ({ i, score: s.score ?? 0 })).sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
  const top = new Set(ranked.slice(0, 5).map((r) => r.i));
  for (const i of [spike, spike + 1, drop, drop + 1, drop + 2]) assert.ok(top.has(i), `hour ${i} is among the five strongest (${ranked.slice(0, 5).map((r) => `${r.i}:${r.score.toFixed(1)}`).join(" ")})`);
  assert.ok(scored[spike].score! > 5 && scored[drop].score! < -5);
  // the baseline is the median of the same hour in the previous three weeks
  const same = [1, 2, 3].map((w) => points[spike - w * WEEK_HOURS].departures).sort((a, b) => a - b)[1];
  assert.equal(scored[spike].baseline, same);
});

test("rolling-z: the naive score misses the drop that the seasonal detector sees (a quiet afternoon is within a day's spread)", () => {
  const { points, drop } = withOutliers();
  const z = scoreSeries(points, { kind: "rolling-z" }).get("AAA")!;
  const mad = scoreSeries(points).get("AAA")!;
  assert.ok(Math.abs(z[drop].score!) < 3, `rolling z of the drop: ${z[drop].score}`);
  assert.ok(Math.abs(mad[drop].score!) > 5);
  assert.equal(z[23].score, null, "24 hours of warm-up");
  assert.notEqual(z[24].score, null);
});

test("the detector's state survives a JSON round trip (a checkpoint) and goes on with the same scores", () => {
  const points = syntheticSeries({ weeks: 6, seed: 3 });
  const d = createDetector();
  const whole = d.init();
  const expected = points.map((p) => d.update(whole, p.hour, p.departures).score);
  let state = d.init();
  const got = points.map((p, i) => {
    if (i % 500 === 0) state = JSON.parse(JSON.stringify(state));
    return d.update(state, p.hour, p.departures).score;
  });
  assert.deepEqual(got, expected);
});

test("a missing hour leaves a hole in the same-hour history: no baseline where a week of it is missing", () => {
  const points = syntheticSeries({ weeks: 5, seed: 2 }).filter((_, i) => i !== 100);
  const scored = scoreSeries(points).get("AAA")!;
  const at = (i: number) => scored.find((s) => s.hour === points[0].hour + i * HOUR_MS)!;
  assert.equal(at(100 + 3 * WEEK_HOURS).baseline, null);
  assert.notEqual(at(101 + 3 * WEEK_HOURS).baseline, null);
});

test("bad options and out-of-order points are clear errors", () => {
  assert.throws(() => createDetector({ kind: "prophet" as never }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /"prophet"/.test(e.message));
  assert.throws(() => createDetector({ baselineWeeks: 0 }), /baselineWeeks=0/);
  const d = createDetector();
  const s = d.init();
  d.update(s, 10 * HOUR_MS, 1);
  assert.throws(() => d.update(s, 10 * HOUR_MS, 1), (e) => isWorkbookError(e, "INPUT_INVALID") && /hour order/.test(e.message));
  assert.throws(() => d.update(s, 11 * HOUR_MS + 5, 1), /whole hour/);
});

test("detect() on two airports: alerts name their airport, and the planted incidents are the ones found", () => {
  const { points, spike, drop } = withOutliers();
  const other = syntheticSeries({ airports: ["BBB"], weeks: 6, seed: 11 });
  const d = detect([...points, ...other]);
  const alerts = d.messages.filter((m) => m.type === "alert");
  const hours = alerts.filter((a) => a.airport === "AAA").map((a) => (Date.parse(a.started_at) - points[0].hour) / HOUR_MS);
  assert.ok(hours.includes(spike) && hours.includes(drop), `AAA incidents start at ${hours.join(", ")}`);
  assert.ok(alerts.length <= 4, `few false alerts on clean synthetic data: ${alerts.map((a) => `${a.airport} ${a.started_at}`).join(", ")}`);
});
