/**
 * Evaluation against the injected ground truth, by incident:
 * - an alert is a true positive when its incident overlaps an injected anomaly of its airport
 *   (the incident's first outlying hour is before the anomaly's end + `toleranceHours`, and the
 *   alert fires at or after the anomaly's start); otherwise a false positive. On the real series a
 *   "false" positive may be a real event (a storm, a holiday): the notebook lists them;
 * - an anomaly is detected when at least one alert matches it; recall = detected / injected;
 * - delay = hours from the anomaly's start to its first matching alert.
 */
import { median } from "./stats";
import type { AlertMessage } from "./alerts";
import type { Anomaly, AnomalyKind } from "./inject";
import { HOUR_MS } from "./detectors";

export interface Evaluation {
  detector: string;
  alerts: number;
  truePositives: number;
  falsePositives: number;
  anomalies: number;
  detected: number;
  /** truePositives / alerts (1 when there is no alert). */
  precision: number;
  /** detected / anomalies. */
  recall: number;
  /** Median hours from an anomaly's start to its first alert (null when none is detected). */
  medianDelayHours: number | null;
  /** Injected and detected, per kind. */
  perKind: Record<AnomalyKind, { injected: number; detected: number }>;
}

export function matches(alert: AlertMessage, anomaly: Anomaly, toleranceHours: number): boolean {
  return alert.airport === anomaly.airport && Date.parse(alert.started_at) < anomaly.end + toleranceHours * HOUR_MS && Date.parse(alert.at) >= anomaly.start;
}

export function evaluate(messages: readonly AlertMessage[], anomalies: readonly Anomaly[], options: { detector?: string; toleranceHours?: number } = {}): Evaluation {
  const tolerance = options.toleranceHours ?? 3;
  const alerts = messages.filter((m) => m.type === "alert");
  const firstAlert = new Map<string, number>();
  let tp = 0;
  for (const a of alerts) {
    const hit = anomalies.filter((x) => matches(a, x, tolerance));
    if (hit.length > 0) tp++;
    for (const x of hit) {
      const at = Date.parse(a.at);
      if (!firstAlert.has(x.id) || at < firstAlert.get(x.id)!) firstAlert.set(x.id, at);
    }
  }
  const perKind = { spike: { injected: 0, detected: 0 }, drop: { injected: 0, detected: 0 }, flat: { injected: 0, detected: 0 }, "level-shift": { injected: 0, detected: 0 } };
  const delays: number[] = [];
  for (const x of anomalies) {
    perKind[x.kind].injected++;
    const at = firstAlert.get(x.id);
    if (at === undefined) continue;
    perKind[x.kind].detected++;
    delays.push((at - x.start) / HOUR_MS);
  }
  return {
    detector: options.detector ?? alerts[0]?.detector ?? "",
    alerts: alerts.length,
    truePositives: tp,
    falsePositives: alerts.length - tp,
    anomalies: anomalies.length,
    detected: firstAlert.size,
    precision: alerts.length === 0 ? 1 : tp / alerts.length,
    recall: anomalies.length === 0 ? 1 : firstAlert.size / anomalies.length,
    medianDelayHours: delays.length === 0 ? null : median(delays),
    perKind,
  };
}
