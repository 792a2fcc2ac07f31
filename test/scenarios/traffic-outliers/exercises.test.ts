import { test } from "node:test";
import assert from "node:assert/strict";
import { trafficExercises, bestF1Threshold, f1, THRESHOLDS } from "../../../scenarios/traffic-outliers/exercises";
import { injectAnomalies } from "../../../scenarios/traffic-outliers/inject";
import { alertsFromScores, scoreSeries } from "../../../scenarios/traffic-outliers/detect";
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
  assert.equal(await ex.baseline.expected(), weeks[1], "the median of the three weeks, taken from the raw points");
  const wrong = weeks.find((w) => w !== weeks[1]);
  if (wrong !== undefined) assert.match((await ex.baseline.verdict(wrong)).message, /one of the three weeks/);
  assert.equal((await ex.baseline.verdict(undefined)).status, "not-attempted");
});

/**
 * The k = 1 alerts counted again, written separately from the alert rule: with k = 1 every outlying
 * point (|score| >= threshold) opens an incident unless one is open; an open incident closes after
 * `cooldown` normal points in a row.
 */
function incidentsWithK1(scored: ReturnType<typeof scoreSeries>, threshold: number, cooldown: number): number {
  let n = 0;
  for (const series of scored.values()) {
    let open = false;
    let calm = 0;
    for (const s of series) {
      if (s.score !== null && Math.abs(s.score) >= threshold) {
        calm = 0;
        if (!open) {
          open = true;
          n++;
        }
      } else if (open && ++calm >= cooldown) {
        open = false;
        calm = 0;
      }
    }
  }
  return n;
}

test("exercise 2 (alerts with k = 1): the expected count equals a separate count of incidents; the k = 2 count and the count with resolutions fail with their nudge", async () => {
  const scored = scoreSeries(labelled.points);
  const k1 = incidentsWithK1(scored, rule.threshold, rule.cooldownHours);
  assert.equal(await ex.alertsWithK1.expected(), k1);
  const k2 = alertsFromScores(scored, rule, "seasonal-mad").filter((m) => m.type === "alert").length;
  assert.ok(k1 > k2, `${k1} > ${k2}`);
  assert.equal((await ex.alertsWithK1.verdict(k1)).status, "correct");
  assert.match((await ex.alertsWithK1.verdict(k2)).message, /count with k = 2/);
  assert.match((await ex.alertsWithK1.verdict(alertsFromScores(scored, { ...rule, k: 1 }, "seasonal-mad").length)).message, /resolutions too/);
});

test("exercise 3 (best F1 threshold): the expected threshold equals an F1 argmax computed again from the alerts (matching written separately from evaluate); the best-precision and best-recall thresholds fail with their nudge", async () => {
  const scored = scoreSeries(labelled.points);
  const tolerance = 3 * HOUR_MS;
  const byHand = THRESHOLDS.map((threshold) => {
    const alerts = alertsFromScores(scored, { ...rule, threshold }, "seasonal-mad").filter((m) => m.type === "alert");
    const hits = (a: (typeof alerts)[number]) => labelled.anomalies.filter((x) => x.airport === a.airport && Date.parse(a.started_at) < x.end + tolerance && Date.parse(a.at) >= x.start);
    const precision = alerts.length === 0 ? 1 : alerts.filter((a) => hits(a).length > 0).length / alerts.length;
    const recall = new Set(alerts.flatMap((a) => hits(a).map((x) => x.id))).size / labelled.anomalies.length;
    return { threshold, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
  const best = byHand.reduce((b, x) => (x.f1 > b.f1 + 1e-12 ? x : b)).threshold;
  assert.equal(await ex.bestThreshold.expected(), best);
  assert.equal(bestF1Threshold(scored, labelled.anomalies, rule), best);
  assert.equal((await ex.bestThreshold.verdict(best)).status, "correct");
  const f1s = byHand.map((x) => x.f1);
  const bestPrecision = byHand.reduce((b, x) => (x.precision > b.precision ? x : b)).threshold;
  const bestRecall = byHand.reduce((b, x) => (x.recall > b.recall ? x : b)).threshold;
  if (bestPrecision !== best) assert.match((await ex.bestThreshold.verdict(bestPrecision)).message, /best precision alone/);
  if (bestRecall !== best && bestRecall !== bestPrecision) assert.match((await ex.bestThreshold.verdict(bestRecall)).message, /best recall alone/);
  assert.match((await ex.bestThreshold.verdict(4.2)).message, /Pick one of THRESHOLDS/);
  assert.ok(f1s.some((f) => f < Math.max(...f1s)), "the thresholds differ");
  assert.equal(f1(0.5, 1), 2 / 3);
  assert.equal(f1(0, 0), 0);
});
