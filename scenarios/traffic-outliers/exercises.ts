/**
 * The notebook's exercises, with their reference solutions. Expected values come from the tested
 * detector, alert rule and evaluation over the same labelled series, never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import { alertsFromScores, scoreSeries } from "./detect";
import { WEEK_HOURS, HOUR_MS, type Scored } from "./detectors";
import { evaluate } from "./evaluate";
import { alertRule, type AlertRule } from "./alerts";
import type { Anomaly, LabelledPoint } from "./inject";

export interface TrafficExercises {
  baseline: Exercise<number>;
  alertsWithK1: Exercise<number>;
  bestThreshold: Exercise<number>;
}

/** Thresholds exercise 3 picks from. */
export const THRESHOLDS = [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8];

/** F1 = the harmonic mean of precision and recall. */
export function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Reference: the threshold of THRESHOLDS with the best F1 for the seasonal detector (the smallest on a tie). */
export function bestF1Threshold(scored: Map<string, Scored[]>, anomalies: readonly Anomaly[], rule: AlertRule): number {
  let best = THRESHOLDS[0];
  let bestF1 = -1;
  for (const threshold of THRESHOLDS) {
    const e = evaluate(alertsFromScores(scored, { ...rule, threshold }, "seasonal-mad"), anomalies);
    const f = f1(e.precision, e.recall);
    if (f > bestF1 + 1e-12) {
      best = threshold;
      bestF1 = f;
    }
  }
  return best;
}

/**
 * @param points the labelled series; @param airport and @param hour (epoch ms) the point of exercise 1;
 * @param rule the notebook's threshold, k and cooldown.
 */
export function trafficExercises(points: readonly LabelledPoint[], anomalies: readonly Anomaly[], airport: string, hour: number, rule: AlertRule): TrafficExercises {
  const scored = scoreSeries(points);
  const series = scored.get(airport) ?? [];
  const at = series.find((s) => s.hour === hour);
  const baseline = async () => {
    if (!at || at.baseline === null) throw new Error(`no baseline for ${airport} at ${new Date(hour).toISOString()}; pick an hour after the first three weeks`);
    return at.baseline;
  };
  const value = (h: number) => points.find((p) => p.airport === airport && p.hour === h)?.departures;
  const k1 = async () => alertsFromScores(scored, { ...rule, k: 1 }, "seasonal-mad").filter((m) => m.type === "alert").length;
  const best = async () => bestF1Threshold(scored, anomalies, rule);
  const when = new Date(hour).toISOString().slice(0, 16).replace("T", " ");
  return exerciseSet({
    baseline: exercise<number>({
      id: "baseline",
      title: `What the seasonal detector expects at ${airport}, ${when}`,
      hints: [
        "The seasonal baseline of an hour is the median of the departures at the same hour of the week in the previous three weeks.",
        `The same hour of the week is 168 hours earlier: the points of ${airport} at hour - 168, - 336 and - 504 hours (HOUR_MS = 3,600,000 ms).`,
        "Take the three values from `labelled.points` (filter on airport and hour), sort them, and take the middle one.",
      ],
      solution: baseline,
      expected: baseline,
      compare: (v, e) => Math.abs(v - e) < 0.01,
      nudge: (v) => (v === value(hour) ? "That is the departures of the hour itself; the baseline comes from the weeks before it." : [1, 2, 3].some((w) => value(hour - w * WEEK_HOURS * HOUR_MS) === v) ? "That is one of the three weeks; the baseline is their median." : "Use the same hour of the week (168 hours apart), three weeks back, and take the median."),
    }),
    alertsWithK1: exercise<number>({
      id: "alerts-k1",
      title: "Alerts with k = 1",
      hints: [
        "k is how many outlying hours in a row it takes to fire; with k = 1 a single outlying hour is enough.",
        "alertsFromScores(scores, { threshold, k: 1, cooldownHours }, \"seasonal-mad\") runs the alert rule over scores computed once (scoreSeries(labelled.points)).",
        "Count the messages whose type is \"alert\" (resolutions are not alerts).",
      ],
      solution: k1,
      expected: k1,
      nudge: async (v) => {
        const withK = (k: number) => alertsFromScores(scored, { ...rule, k: k }, "seasonal-mad");
        const k = alertRule(rule).k;
        if (v === withK(k).filter((m) => m.type === "alert").length) return `That is the count with k = ${k}, the notebook's rule; with k = 1 a single outlying hour is enough.`;
        if (v === withK(1).length) return "That counts the resolutions too: only the messages of type \"alert\".";
        return v < withK(k).filter((m) => m.type === "alert").length ? "Fewer alerts than with the notebook's k? With k = 1 every one of them still fires, and more." : "Count only the messages of type \"alert\", over every airport, with the same threshold and cooldown.";
      },
    }),
    bestThreshold: exercise<number>({
      id: "best-threshold",
      title: "The threshold with the best F1",
      hints: [
        "F1 = 2PR / (P + R) balances precision P and recall R; one threshold maximises it.",
        "For each threshold in THRESHOLDS: alertsFromScores with that threshold, then evaluate(alerts, labelled.anomalies) gives precision and recall.",
        "Keep the threshold with the largest f1(precision, recall); on a tie the smallest threshold.",
      ],
      solution: best,
      expected: best,
      nudge: (v) => {
        if (!THRESHOLDS.includes(v)) return `Pick one of THRESHOLDS (${THRESHOLDS.join(", ")}).`;
        const scores = THRESHOLDS.map((threshold) => evaluate(alertsFromScores(scored, { ...rule, threshold }, "seasonal-mad"), anomalies));
        const argmax = (f: (e: (typeof scores)[number]) => number) => THRESHOLDS[scores.map(f).indexOf(Math.max(...scores.map(f)))];
        if (v === argmax((e) => e.precision)) return "That threshold has the best precision alone: F1 balances it with recall.";
        if (v === argmax((e) => e.recall)) return "That threshold has the best recall alone: F1 balances it with precision.";
        return "Compute F1 from precision and recall at every threshold of THRESHOLDS (seasonal-mad, the notebook's k and cooldown) and take the largest.";
      },
    }),
  });
}
