/**
 * The notebook's pictures and tables: one airport's series with its baseline, the injected
 * anomalies shaded and the alerts marked; the precision-recall curve over the threshold; the
 * strongest outliers of the real (unaltered) series with their dates.
 */
import type { VegaLiteSpec } from "../../lib/display/chart";
import { HOUR_MS, type Scored } from "./detectors";
import type { AlertMessage, AlertRule } from "./alerts";
import type { Anomaly } from "./inject";
import { alertsFromScores } from "./detect";
import { evaluate } from "./evaluate";

const iso = (t: number) => new Date(t).toISOString();
const DAY_MS = 24 * HOUR_MS;

export interface SeriesChartOptions {
  /** First and last day shown (ISO or epoch ms). Default: three weeks from a week before the airport's first anomaly (or alert). */
  from?: string | number;
  to?: string | number;
  title?: string;
  width?: number;
}

/** One airport: departures (line), what the detector expected (dashed), anomalies (shaded), alerts (red rules). */
export function seriesChart(airport: string, scored: readonly Scored[], messages: readonly AlertMessage[], anomalies: readonly Anomaly[] = [], options: SeriesChartOptions = {}): VegaLiteSpec {
  const mine = anomalies.filter((a) => a.airport === airport);
  const alerts = messages.filter((m) => m.airport === airport && m.type === "alert");
  const anchor = mine[0]?.start ?? (alerts[0] ? Date.parse(alerts[0].at) : scored[0]?.hour ?? 0);
  const from = options.from !== undefined ? new Date(options.from).getTime() : anchor - 7 * DAY_MS;
  const to = options.to !== undefined ? new Date(options.to).getTime() : from + 21 * DAY_MS;
  const rows = scored.filter((s) => s.hour >= from && s.hour < to).map((s) => ({ hour: iso(s.hour), departures: s.value, expected: s.baseline }));
  const shaded = mine.filter((a) => a.end > from && a.start < to).map((a) => ({ start: iso(a.start), end: iso(a.end), kind: a.kind }));
  const marks = alerts.filter((a) => Date.parse(a.at) >= from && Date.parse(a.at) < to).map((a) => ({ at: a.at, score: Math.round(a.score * 10) / 10 }));
  return {
    title: options.title ?? `${airport}: departures per hour, injected anomalies shaded, alerts in red`,
    width: options.width ?? 640,
    height: 220,
    layer: [
      { data: { values: shaded }, mark: { type: "rect", color: "#f5c242", opacity: 0.35 }, encoding: { x: { field: "start", type: "temporal", title: null }, x2: { field: "end" } } },
      { data: { values: rows }, mark: { type: "line", strokeWidth: 1, color: "#4c78a8" }, encoding: { x: { field: "hour", type: "temporal", title: null }, y: { field: "departures", type: "quantitative", title: "departures" } } },
      { data: { values: rows }, mark: { type: "line", strokeWidth: 1, strokeDash: [3, 3], color: "#888" }, encoding: { x: { field: "hour", type: "temporal" }, y: { field: "expected", type: "quantitative" } } },
      { data: { values: marks }, mark: { type: "rule", color: "#d62728", strokeWidth: 2 }, encoding: { x: { field: "at", type: "temporal" } } },
    ],
  };
}

export interface PrPoint {
  detector: string;
  threshold: number;
  precision: number;
  recall: number;
  alerts: number;
}

/** Precision and recall at each threshold, for scores computed once per detector. */
export function precisionRecall(scores: ReadonlyMap<string, Map<string, Scored[]>>, anomalies: readonly Anomaly[], thresholds: readonly number[], rule: AlertRule = {}): PrPoint[] {
  const out: PrPoint[] = [];
  for (const [detector, scored] of scores) {
    for (const threshold of thresholds) {
      const e = evaluate(alertsFromScores(scored, { ...rule, threshold }, detector), anomalies, { detector });
      out.push({ detector, threshold, precision: round(e.precision), recall: round(e.recall), alerts: e.alerts });
    }
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The precision-recall curve: one line per detector through its thresholds. */
export function precisionRecallChart(points: readonly PrPoint[]): VegaLiteSpec {
  return {
    title: "Precision and recall over the threshold (labels: threshold)",
    width: 420,
    height: 300,
    data: { values: points.map((p) => ({ ...p })) },
    encoding: {
      x: { field: "recall", type: "quantitative", scale: { domain: [0, 1] } },
      y: { field: "precision", type: "quantitative", scale: { domain: [0, 1] } },
      color: { field: "detector", type: "nominal" },
      order: { field: "threshold", type: "quantitative" },
    },
    layer: [{ mark: { type: "line", point: true } }, { mark: { type: "text", dx: 12, dy: -6, fontSize: 9 }, encoding: { text: { field: "threshold", type: "quantitative" } } }],
  };
}

export interface RealOutlier extends Record<string, unknown> {
  airport: string;
  name: string;
  hour: string;
  weekday: string;
  departures: number;
  expected: number;
  score: number;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The `top` strongest scores of the unaltered series, at most one per airport and day. */
export function strongestOutliers(scored: ReadonlyMap<string, Scored[]>, names: ReadonlyMap<string, string> = new Map(), top = 10): RealOutlier[] {
  const best = new Map<string, { airport: string; s: Scored }>();
  for (const [airport, series] of scored) {
    for (const s of series) {
      if (s.score === null) continue;
      const key = `${airport}|${iso(s.hour).slice(0, 10)}`;
      const b = best.get(key);
      if (!b || Math.abs(s.score) > Math.abs(b.s.score!)) best.set(key, { airport, s });
    }
  }
  return [...best.values()]
    .sort((a, b) => Math.abs(b.s.score!) - Math.abs(a.s.score!) || a.s.hour - b.s.hour)
    .slice(0, top)
    .map(({ airport, s }) => ({
      airport,
      name: names.get(airport) ?? "",
      hour: iso(s.hour).slice(0, 16).replace("T", " "),
      weekday: WEEKDAYS[new Date(s.hour).getUTCDay()],
      departures: s.value,
      expected: s.baseline ?? NaN,
      score: Math.round(s.score! * 10) / 10,
    }));
}
