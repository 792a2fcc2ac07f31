/**
 * Precision on a real series, honestly: the planted anomalies are the only labels, so an alert that
 * matches none of them counts as false, even when it fires on a real event of the data (a holiday,
 * a storm, a schedule change). Three ways to see what those alerts are:
 * - a calendar of known events (US holidays and a storm of January-June 2001): does the alert's day
 *   fall within a day of one?
 * - the unaltered series: was the alert's hour outlying before anything was injected? Then the
 *   injection did not cause it, and the planted labels cannot judge it; set aside, precision says
 *   how often an alert about the injected copy is wrong;
 * - a synthetic series of the same daily and weekly shape without any real event: the same
 *   injection, detector and rule, so precision there needs no set-aside at all.
 */
import { HOUR_MS, type DetectorKind, type Scored } from "./detectors";
import type { AlertMessage, AlertRule } from "./alerts";
import { alertRule } from "./alerts";
import { alertsFromScores, scoreSeries } from "./detect";
import { evaluate, matches, type Evaluation } from "./evaluate";
import type { Anomaly } from "./inject";
import { injectAnomalies } from "./inject";
import { syntheticSeries } from "./synthetic";
import type { RealOutlier } from "./charts";
import { escapeHtml, publish } from "../../lib/display/output";

/**
 * Known events of January-June 2001: the US federal holidays and Easter (every airport), and Tropical
 * Storm Allison's days over Houston (its airports only).
 */
export const KNOWN_EVENTS_2001: ReadonlyArray<{ from: string; to: string; event: string; airports?: readonly string[] }> = [
  { from: "2001-01-01", to: "2001-01-01", event: "New Year's Day" },
  { from: "2001-01-15", to: "2001-01-15", event: "Martin Luther King Jr. Day" },
  { from: "2001-02-19", to: "2001-02-19", event: "Presidents' Day" },
  { from: "2001-04-15", to: "2001-04-15", event: "Easter Sunday" },
  { from: "2001-05-28", to: "2001-05-28", event: "Memorial Day" },
  { from: "2001-06-05", to: "2001-06-10", event: "Tropical Storm Allison", airports: ["IAH", "HOU"] },
];

const DAY_MS = 24 * HOUR_MS;

/** The known event at `airport` within `days` days (default 1) of the hour (epoch ms), or "". */
export function knownEvent(hour: number, airport: string, days = 1): string {
  for (const e of KNOWN_EVENTS_2001) {
    if (e.airports && !e.airports.includes(airport)) continue;
    const from = Date.parse(`${e.from}T00:00:00Z`) - days * DAY_MS;
    const to = Date.parse(`${e.to}T00:00:00Z`) + (days + 1) * DAY_MS;
    if (hour >= from && hour < to) return e.event;
  }
  return "";
}

export type AlertCause = "injected anomaly" | "outlying in the real series" | "unexplained";

export interface ExplainedAlert {
  alert: AlertMessage;
  cause: AlertCause;
  /** A known event within a day of the incident's start, or "". */
  event: string;
}

/**
 * Why each alert fired: it matches an injected anomaly; else an hour of its incident (first outlying
 * hour to the alert) is outlying (|score| >= threshold) in the unaltered series' scores; else unexplained.
 */
export function explainAlerts(messages: readonly AlertMessage[], anomalies: readonly Anomaly[], realScores: ReadonlyMap<string, readonly Scored[]>, rule: AlertRule = {}, toleranceHours = 3): ExplainedAlert[] {
  const { threshold } = alertRule(rule);
  return messages.filter((m) => m.type === "alert").map((alert) => {
    const from = Date.parse(alert.started_at);
    const to = Date.parse(alert.at);
    const real = (realScores.get(alert.airport) ?? []).some((s) => s.hour >= from && s.hour <= to && s.score !== null && Math.abs(s.score) >= threshold);
    const cause: AlertCause = anomalies.some((x) => matches(alert, x, toleranceHours)) ? "injected anomaly" : real ? "outlying in the real series" : "unexplained";
    return { alert, cause, event: knownEvent(from, alert.airport) };
  });
}

/** One row of the evaluation table: which labels, how many alerts counted, precision and recall. */
export type EvaluationRow = {
  series: string;
  labels: string;
  alerts: number;
  set_aside: number;
  true_alerts: number;
  precision: number;
  recall: number;
};

/** Precision counting only the alerts not set aside (1 when none is left). */
function row(series: string, labels: string, e: Evaluation, setAside: number, extraTrue = 0): EvaluationRow {
  const counted = e.alerts - setAside;
  const tp = e.truePositives + extraTrue;
  return { series, labels, alerts: e.alerts, set_aside: setAside, true_alerts: tp, precision: counted === 0 ? 1 : tp / counted, recall: e.recall };
}

export interface HonestEvaluation {
  rows: EvaluationRow[];
  /** The alerts of the labelled real series, explained. */
  explained: ExplainedAlert[];
  /** The evaluation on the synthetic series. */
  synthetic: Evaluation;
}

/**
 * The evaluation four ways: planted labels only; known events counted as true too; alerts at hours
 * outlying in the unaltered series set aside; and a synthetic series without real events (same
 * airports, 26 weeks, `level` 3: busiest hours near the hubs' 60-80 departures), injected the same way.
 * `realScores` and `options.detector` must be those of the detector that raised `messages`.
 */
export function honestEvaluation(messages: readonly AlertMessage[], anomalies: readonly Anomaly[], realScores: ReadonlyMap<string, readonly Scored[]>, rule: AlertRule = {}, options: { seed?: number; level?: number; detector?: DetectorKind } = {}): HonestEvaluation {
  const e = evaluate(messages, anomalies);
  const explained = explainAlerts(messages, anomalies, realScores, rule);
  const unmatched = explained.filter((x) => x.cause !== "injected anomaly");
  const onEvent = unmatched.filter((x) => x.event !== "").length;
  const real = unmatched.filter((x) => x.cause === "outlying in the real series").length;
  const airports = [...realScores.keys()];
  const synthetic = syntheticSeries({ airports, weeks: 26, seed: options.seed ?? 7, level: options.level ?? 3 });
  const injected = injectAnomalies(synthetic, { seed: 14 });
  const kind = options.detector ?? "seasonal-mad";
  const synth = evaluate(alertsFromScores(scoreSeries(injected.points, { kind }), rule, kind), injected.anomalies);
  return {
    explained,
    synthetic: synth,
    rows: [
      row("real flights", "planted only", e, 0),
      row("real flights", "planted + known holidays and storm (within a day)", e, 0, onEvent),
      row("real flights", "planted; alerts outlying before injection set aside", e, real),
      row("synthetic, no real events", "planted only", synth, 0),
    ],
  };
}

/** Counts of the explained alerts by cause, and how many fall within a day of a known event. */
export function causeSummary(explained: readonly ExplainedAlert[]): Array<{ cause: AlertCause; alerts: number; near_known_event: number }> {
  const causes: AlertCause[] = ["injected anomaly", "outlying in the real series", "unexplained"];
  return causes.map((cause) => {
    const of = explained.filter((x) => x.cause === cause);
    return { cause, alerts: of.length, near_known_event: of.filter((x) => x.event !== "").length };
  });
}

/**
 * The sentence under the real outliers' table, made from its rows: which of them fall within a day
 * of a known event (with their dates), and how many fall on days no calendar lists.
 */
export function realOutliersSentence(real: readonly RealOutlier[]): string {
  const day = (r: RealOutlier) => r.hour.slice(0, 10);
  const near = real.filter((r) => r.known_event !== "");
  const other = real.filter((r) => r.known_event === "");
  const list = (rs: readonly RealOutlier[]) => rs.map((r) => `${day(r)} ${r.airport}${r.known_event ? ` (${r.known_event})` : ""}`).join(", ");
  const first = near.length === 0
    ? `None of these ${real.length} outliers falls within a day of a holiday of the calendar or of Allison's days in Houston.`
    : `${near.length} of these ${real.length} outliers fall within a day of a known event: ${list(near)}.`;
  const rest = other.length === 0 ? "" : near.length === 0 ? `All ${other.length} fall on days the calendar does not list: ${list(other)}.` : `The other ${other.length} fall on days the calendar does not list: ${list(other)}.`;
  return `${first} ${rest}`.trim();
}

/** Shows a sentence as markdown (HTML beside it; the plain text wrapped at 100 characters for terminals). */
export function showSentence(text: string): void {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    if (lines.length > 0 && lines[lines.length - 1].length + word.length < 100) lines[lines.length - 1] += ` ${word}`;
    else lines.push(word);
  }
  publish({ "text/plain": lines.join("\n"), "text/markdown": text, "text/html": `<p>${escapeHtml(text)}</p>` });
}
