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
import { explainAlerts, knownEvent, type ExplainedAlert } from "./real-events";

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

/**
 * The precision-recall curve: one line per detector through its thresholds. Points of a line that
 * coincide get one label ("7, 8"); a label close to the previous one of its line goes below its
 * point instead of above; the target region (precision >= 0.6 at recall >= 0.8) is shaded.
 */
export function precisionRecallChart(points: readonly PrPoint[], target = { precision: 0.6, recall: 0.8 }): VegaLiteSpec {
  const labelled: Array<PrPoint & { label: string; thresholds: number[]; below: boolean }> = [];
  for (const detector of [...new Set(points.map((p) => p.detector))]) {
    const line = points.filter((p) => p.detector === detector).sort((a, b) => a.threshold - b.threshold);
    let last: (typeof labelled)[number] | undefined;
    for (const p of line) {
      const same = labelled.find((q) => q.detector === detector && q.precision === p.precision && q.recall === p.recall);
      if (same) {
        same.thresholds.push(p.threshold);
        same.label = same.thresholds.length > 2 ? `${same.thresholds[0]}-${p.threshold}` : same.thresholds.join(", ");
        continue;
      }
      const q = { ...p, label: String(p.threshold), thresholds: [p.threshold], below: false };
      // two points of a line close together: the lower one's label goes below it, the upper one's above
      if (last !== undefined && Math.abs(last.recall - p.recall) < 0.08 && Math.abs(last.precision - p.precision) < 0.06) {
        if (p.precision < last.precision) q.below = true;
        else last.below = true;
      }
      labelled.push(q);
      last = q;
    }
  }
  const text = (below: boolean) => ({
    transform: [{ filter: below ? "datum.below" : "!datum.below" }],
    mark: { type: "text", align: "left", dx: 7, dy: below ? 12 : -7, fontSize: 12 },
    encoding: { x: { field: "recall", type: "quantitative" }, y: { field: "precision", type: "quantitative" }, text: { field: "label", type: "nominal" }, color: { field: "detector", type: "nominal" } },
  });
  return {
    title: "Precision and recall over the threshold (labels: threshold; shaded: the target)",
    width: 480,
    height: 360,
    layer: [
      {
        data: { values: [{ r0: target.recall, r1: 1, p0: target.precision, p1: 1 }] },
        mark: { type: "rect", color: "#2ca02c", opacity: 0.12 },
        encoding: { x: { field: "r0", type: "quantitative", title: "recall" }, x2: { field: "r1" }, y: { field: "p0", type: "quantitative", title: "precision" }, y2: { field: "p1" } },
      },
      {
        data: { values: labelled },
        layer: [
          {
            mark: { type: "line", point: { size: 50, filled: true } },
            encoding: {
              x: { field: "recall", type: "quantitative", scale: { domain: [0, 1.08] }, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1] } },
              y: { field: "precision", type: "quantitative", scale: { domain: [0, 1.08] }, axis: { values: [0, 0.2, 0.4, 0.6, 0.8, 1] } },
              color: { field: "detector", type: "nominal", legend: { orient: "bottom", direction: "vertical", title: null, labelLimit: 400 } },
              order: { field: "threshold", type: "quantitative" },
            },
          },
          text(false),
          text(true),
        ],
      },
    ],
  };
}

/** The same curve for the real series with the alerts at hours already outlying before the injection set aside. */
export function precisionRecallSetAside(scored: Map<string, Scored[]>, realScores: ReadonlyMap<string, readonly Scored[]>, anomalies: readonly Anomaly[], thresholds: readonly number[], rule: AlertRule = {}, detector = "seasonal-mad, real-series alerts set aside"): PrPoint[] {
  return thresholds.map((threshold) => {
    const r = { ...rule, threshold };
    const messages = alertsFromScores(scored, r, detector);
    const e = evaluate(messages, anomalies, { detector });
    const setAside = explainAlerts(messages, anomalies, realScores, r).filter((x) => x.cause === "outlying in the real series").length;
    const counted = e.alerts - setAside;
    return { detector, threshold, precision: round(counted === 0 ? 1 : e.truePositives / counted), recall: round(e.recall), alerts: e.alerts };
  });
}

/**
 * The alerts on a timeline: one row per airport, the injected anomalies as bars, each alert a mark
 * at its first outlying hour, coloured by why it fired. A summary of the alerts topic, not a log.
 */
export function alertTimelineChart(explained: readonly ExplainedAlert[], anomalies: readonly Anomaly[] = []): VegaLiteSpec {
  const bars = anomalies.map((a) => ({ airport: a.airport, start: iso(a.start), end: iso(Math.max(a.end, a.start + DAY_MS)), kind: a.kind }));
  const marks = explained.map((x) => ({ airport: x.alert.airport, at: x.alert.started_at, cause: x.cause, event: x.event }));
  return {
    title: `${explained.length} alerts by airport and time (bars: the injected anomalies; times are local)`,
    width: 640,
    height: 150,
    layer: [
      { data: { values: bars }, mark: { type: "bar", color: "#f5c242", opacity: 0.5, height: 18 }, encoding: { y: { field: "airport", type: "nominal", title: null }, x: { field: "start", type: "temporal", title: null }, x2: { field: "end" } } },
      {
        data: { values: marks },
        mark: { type: "tick", thickness: 2, size: 22 },
        encoding: {
          y: { field: "airport", type: "nominal" }, x: { field: "at", type: "temporal", axis: { format: "%b %d" } },
          color: { field: "cause", type: "nominal", title: null, scale: { domain: ["injected anomaly", "outlying in the real series", "unexplained"], range: ["#2ca02c", "#1f77b4", "#d62728"] }, legend: { orient: "bottom", labelLimit: 300 } },
        },
      },
    ],
  };
}

export interface RealOutlier extends Record<string, unknown> {
  airport: string;
  name: string;
  /** Local time of the airport, as the data has it. */
  hour: string;
  weekday: string;
  /** A known event within a day (see KNOWN_EVENTS_2001), or "". */
  known_event: string;
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
      known_event: knownEvent(s.hour, airport),
      departures: s.value,
      expected: s.baseline ?? NaN,
      score: Math.round(s.score! * 10) / 10,
    }));
}
