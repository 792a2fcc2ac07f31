/**
 * From outlying points to alerts: an alert fires at the k-th outlying point in a row of a series;
 * the incident stays open while the series keeps coming back outlying; it is resolved once the
 * series has been normal for `cooldownHours` hours in a row (the resolution says when it returned).
 * So one incident is one alert and one resolution, however often it flickers across the threshold.
 */
import { WorkbookError } from "../../lib/errors";
import { HOUR_MS, type Scored } from "./detectors";

export interface AlertRule {
  /** |score| at or above it is an outlying point. Default 5. */
  threshold?: number;
  /** Outlying points in a row before an alert fires. Default 2. */
  k?: number;
  /** Normal hours in a row before an incident is resolved (a relapse before that is the same incident). Default 6. */
  cooldownHours?: number;
}

export const ALERT_DEFAULTS: Required<AlertRule> = { threshold: 5, k: 2, cooldownHours: 6 };

/** A message of the alerts topic. */
export interface AlertMessage {
  type: "alert" | "resolved";
  airport: string;
  detector: string;
  /** The incident: airport and the hour of its first outlying point. */
  incident: string;
  /** First outlying hour of the incident (ISO). */
  started_at: string;
  /** Event time of this message: the k-th outlying hour (alert), or the hour the cooldown ended (resolved). */
  at: string;
  /** alert: the firing point's value, baseline and score; resolved: the incident's strongest score. */
  value: number;
  baseline: number | null;
  score: number;
  /** resolved only: the first normal hour after the incident. */
  returned_at?: string;
  /** resolved only: outlying points in the incident. */
  outlying_points?: number;
}

/** Per-series alert state (JSON). */
export interface AlertState {
  run: number;
  runStart: number | null;
  open: { startedAt: number; peak: number; outlying: number } | null;
  normal: number;
  returnedAt: number | null;
}

export function alertRule(rule: AlertRule = {}): Required<AlertRule> {
  const r: Required<AlertRule> = { ...ALERT_DEFAULTS, ...Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) };
  if (!(r.threshold > 0)) throw new WorkbookError("OPTIONS_INVALID", `threshold=${r.threshold} must be a positive score (e.g. 4).`);
  if (!Number.isInteger(r.k) || r.k < 1) throw new WorkbookError("OPTIONS_INVALID", `k=${r.k} must be a whole number of points, 1 or more.`);
  if (!Number.isInteger(r.cooldownHours) || r.cooldownHours < 1) throw new WorkbookError("OPTIONS_INVALID", `cooldownHours=${r.cooldownHours} must be a whole number of hours, 1 or more.`);
  return r;
}

export function initAlertState(): AlertState {
  return { run: 0, runStart: null, open: null, normal: 0, returnedAt: null };
}

const iso = (t: number): string => new Date(t).toISOString();

/** Folds one scored point into the alert state; returns the message it triggers, if any. */
export function stepAlert(state: AlertState, point: Scored, rule: Required<AlertRule>, airport: string, detector: string): AlertMessage | undefined {
  const outlying = point.score !== null && Math.abs(point.score) >= rule.threshold;
  if (outlying) {
    const score = point.score as number;
    if (state.run === 0) state.runStart = point.hour;
    state.run++;
    state.normal = 0;
    state.returnedAt = null;
    if (state.open) {
      state.open.outlying++;
      if (Math.abs(score) > Math.abs(state.open.peak)) state.open.peak = score;
      return undefined;
    }
    if (state.run >= rule.k) {
      const startedAt = state.runStart as number;
      state.open = { startedAt, peak: score, outlying: state.run };
      return { type: "alert", airport, detector, incident: `${airport}@${iso(startedAt)}`, started_at: iso(startedAt), at: iso(point.hour), value: point.value, baseline: point.baseline, score };
    }
    return undefined;
  }
  state.run = 0;
  state.runStart = null;
  if (!state.open) return undefined;
  if (state.normal === 0) state.returnedAt = point.hour;
  state.normal++;
  if (state.normal < rule.cooldownHours) return undefined;
  const open = state.open;
  const returnedAt = state.returnedAt as number;
  state.open = null;
  state.normal = 0;
  state.returnedAt = null;
  return {
    type: "resolved", airport, detector, incident: `${airport}@${iso(open.startedAt)}`, started_at: iso(open.startedAt), at: iso(point.hour),
    value: point.value, baseline: point.baseline, score: open.peak, returned_at: iso(returnedAt), outlying_points: open.outlying,
  };
}

/** The Kafka key of an alert message: the same message always gets the same key (a replayed batch is deduplicated by it). */
export function alertKey(a: AlertMessage): string {
  return `${a.type}|${a.incident}|${a.detector}`;
}

/** Hours from an incident's start to its alert. */
export function alertDelayHours(a: AlertMessage): number {
  return (Date.parse(a.at) - Date.parse(a.started_at)) / HOUR_MS;
}
