/**
 * Detection in memory, the same code the stream runs: each airport's points in hour order through
 * a detector and the alert rule. The notebook's precision-recall curve re-runs only the alert rule
 * over scores computed once; tests compare the stream's alerts with these.
 */
import { createDetector, type DetectorOptions, type Scored } from "./detectors";
import { alertRule, initAlertState, stepAlert, type AlertMessage, type AlertRule } from "./alerts";

/** Departures of one airport in one hour (epoch ms of the hour's start). */
export interface Point {
  airport: string;
  hour: number;
  departures: number;
}

export interface Detection {
  detector: string;
  /** Scored points per airport, in hour order. */
  scored: Map<string, Scored[]>;
  /** Alerts and resolutions, in event-time order. */
  messages: AlertMessage[];
}

/** Groups points by airport, each in hour order. */
export function byAirport<P extends Point>(points: readonly P[]): Map<string, P[]> {
  const groups = new Map<string, P[]>();
  for (const p of points) {
    let g = groups.get(p.airport);
    if (!g) groups.set(p.airport, (g = []));
    g.push(p);
  }
  for (const g of groups.values()) g.sort((a, b) => a.hour - b.hour);
  return groups;
}

/** Scores every point with a detector (one state per airport). */
export function scoreSeries(points: readonly Point[], options: DetectorOptions = {}): Map<string, Scored[]> {
  const detector = createDetector(options);
  const out = new Map<string, Scored[]>();
  for (const [airport, series] of byAirport(points)) {
    const state = detector.init();
    out.set(airport, series.map((p) => detector.update(state, p.hour, p.departures)));
  }
  return out;
}

/** The alert rule over scores computed before: alerts and resolutions, by event time then airport. */
export function alertsFromScores(scored: Map<string, Scored[]>, rule: AlertRule, detector: string): AlertMessage[] {
  const r = alertRule(rule);
  const out: AlertMessage[] = [];
  for (const [airport, series] of scored) {
    const state = initAlertState();
    for (const s of series) {
      const m = stepAlert(state, s, r, airport, detector);
      if (m) out.push(m);
    }
  }
  return sortMessages(out);
}

/** Scores and alerts in one call. */
export function detect(points: readonly Point[], options: DetectorOptions & AlertRule = {}): Detection {
  const detector = createDetector(options).kind;
  const scored = scoreSeries(points, options);
  return { detector, scored, messages: alertsFromScores(scored, options, detector) };
}

/** Messages by event time, then airport, alerts before resolutions. */
export function sortMessages(messages: AlertMessage[]): AlertMessage[] {
  return messages.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.airport < b.airport ? -1 : a.airport > b.airport ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
