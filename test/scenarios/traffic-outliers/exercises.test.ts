import { test } from "node:test";
import assert from "node:assert/strict";
import { trafficExercises, bestF1Threshold, f1, THRESHOLDS } from "../../../scenarios/traffic-outliers/exercises";
import { injectAnomalies } from "../../../scenarios/traffic-outliers/inject";
import { alertsFromScores, scoreSeries } from "../../../scenarios/traffic-outliers/detect";
import { evaluate } from "../../../scenarios/traffic-outliers/evaluate";
import { syntheticSeries } from "../../../scenarios/traffic-outliers/synthetic";
import { HOUR_MS, WEEK_HOURS } from "../../../scenarios/traffic-outliers/detectors";

const labelled = injectAnomalies(syntheticSeries({ airports: ["AAA", "BBB"], weeks: 12, seed: 21, level: 2 }), { seed: 2 });
const rule = { threshold: 5, k: 2, cooldownHours: 6 };
const target = labelled.anomalies[0];
const ex = trafficExercises(labelled.points, labelled.anomalies, target.airport, target.start, rule);

test("exercise 1 (baseline): the median of the same hour in the three weeks before passes; the hour's own value and one week's value fail", async () => {
  const weeks = [1, 2, 3].map((w) => labelled.points.find((p) => p.airport === target.airport && p.hour === target.start - w * WEEK_HOURS * HOUR_MS)!.departures).sort((a, b) => a - b);
  assert.equal((await ex.baseline.verdict(weeks[1])).status, "correct");
  assert.equal((await ex.baseline.verdict(await ex.baseline.solution())).status, "correct");
  const own = labelled.points.find((p) => p.airport === target.airport && p.hour === target.start)!.departures;
  if (own !== weeks[1]) {
    const v = await ex.baseline.verdict(own);
    assert.equal(v.status, "incorrect");
    assert.match(v.message, /the hour itself/);
  }
  const wrong = weeks.find((w) => w !== weeks[1]);
  if (wrong !== undefined) assert.equal((await ex.baseline.verdict(wrong)).status, "incorrect");
  assert.equal((await ex.baseline.verdict(undefined)).status, "not-attempted");
});

test("exercise 2 (alerts with k = 1): the count of k = 1 alerts passes, the k = 2 count fails", async () => {
  const scored = scoreSeries(labelled.points);
  const k1 = alertsFromScores(scored, { ...rule, k: 1 }, "seasonal-mad").filter((m) => m.type === "alert").length;
  const k2 = alertsFromScores(scored, rule, "seasonal-mad").filter((m) => m.type === "alert").length;
  assert.ok(k1 > k2, `${k1} > ${k2}`);
  assert.equal((await ex.alertsWithK1.verdict(k1)).status, "correct");
  assert.equal((await ex.alertsWithK1.verdict(k2)).status, "incorrect");
});

test("exercise 3 (best F1 threshold): the reference is the argmax of F1 over THRESHOLDS; another threshold fails", async () => {
  const scored = scoreSeries(labelled.points);
  const f1s = THRESHOLDS.map((threshold) => {
    const e = evaluate(alertsFromScores(scored, { ...rule, threshold }, "seasonal-mad"), labelled.anomalies);
    return f1(e.precision, e.recall);
  });
  const best = bestF1Threshold(scored, labelled.anomalies, rule);
  assert.equal(f1s[THRESHOLDS.indexOf(best)], Math.max(...f1s));
  assert.equal((await ex.bestThreshold.verdict(best)).status, "correct");
  const other = THRESHOLDS.find((t) => f1s[THRESHOLDS.indexOf(t)] < Math.max(...f1s))!;
  assert.equal((await ex.bestThreshold.verdict(other)).status, "incorrect");
  assert.equal(f1(0.5, 1), 2 / 3);
  assert.equal(f1(0, 0), 0);
});
