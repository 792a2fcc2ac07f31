/** Explaining alerts on a real series: by the planted labels, by the unaltered series, by a calendar; worked out by hand. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AlertMessage } from "../../../scenarios/traffic-outliers/alerts";
import type { Scored } from "../../../scenarios/traffic-outliers/detectors";
import type { Anomaly } from "../../../scenarios/traffic-outliers/inject";
import type { RealOutlier } from "../../../scenarios/traffic-outliers/charts";
import { causeSummary, explainAlerts, knownEvent, realOutliersSentence } from "../../../scenarios/traffic-outliers/real-events";

const at = (iso: string) => Date.parse(`${iso}:00Z`);
const alert = (airport: string, from: string, to: string): AlertMessage => ({ type: "alert", airport, detector: "seasonal-mad", incident: `${airport}@${from}`, started_at: `${from}:00.000Z`, at: `${to}:00.000Z`, value: 1, baseline: 1, score: 6 });

test("knownEvent: holidays at every airport within a day, Allison only in Houston", () => {
  assert.equal(knownEvent(at("2001-05-27T10:00"), "ORD"), "Memorial Day");
  assert.equal(knownEvent(at("2001-05-29T23:00"), "ORD"), "Memorial Day");
  assert.equal(knownEvent(at("2001-05-30T00:00"), "ORD"), "");
  assert.equal(knownEvent(at("2001-06-08T12:00"), "IAH"), "Tropical Storm Allison");
  assert.equal(knownEvent(at("2001-06-08T12:00"), "ORD"), "");
});

test("explainAlerts: an alert matching a planted anomaly, one at an hour outlying before injection, one unexplained", () => {
  const anomalies: Anomaly[] = [{ id: "ORD-spike", airport: "ORD", kind: "spike", start: at("2001-03-01T08:00"), end: at("2001-03-01T10:00"), factor: 2 }];
  const realScores = new Map<string, Scored[]>([["ORD", [
    { hour: at("2001-03-05T08:00"), value: 1, baseline: 1, score: 1 },
    { hour: at("2001-03-05T09:00"), value: 1, baseline: 1, score: -5.5 },
    { hour: at("2001-03-09T08:00"), value: 1, baseline: 1, score: 4.9 },
  ]]]);
  const messages = [alert("ORD", "2001-03-01T08:00", "2001-03-01T09:00"), alert("ORD", "2001-03-05T08:00", "2001-03-05T09:00"), alert("ORD", "2001-03-09T08:00", "2001-03-09T09:00"), { ...alert("ORD", "2001-02-19T08:00", "2001-02-19T09:00") }];
  const explained = explainAlerts(messages, anomalies, realScores, { threshold: 5 });
  assert.deepEqual(explained.map((x) => [x.cause, x.event]), [["injected anomaly", ""], ["outlying in the real series", ""], ["unexplained", ""], ["unexplained", "Presidents' Day"]]);
  assert.deepEqual(causeSummary(explained), [
    { cause: "injected anomaly", alerts: 1, near_known_event: 0 },
    { cause: "outlying in the real series", alerts: 1, near_known_event: 0 },
    { cause: "unexplained", alerts: 2, near_known_event: 1 },
  ]);
});

test("realOutliersSentence names only the table's dates", () => {
  const row = (airport: string, hour: string, known_event: string): RealOutlier => ({ airport, name: "", hour, weekday: "Mon", known_event, departures: 1, expected: 2, score: -9 });
  assert.equal(realOutliersSentence([row("ORD", "2001-05-28 09:00", "Memorial Day"), row("DFW", "2001-06-14 20:00", "")]),
    "1 of these 2 outliers fall within a day of a known event: 2001-05-28 ORD (Memorial Day). The other 1 fall on days the calendar does not list: 2001-06-14 DFW.");
  assert.match(realOutliersSentence([row("DFW", "2001-06-14 20:00", "")]), /^None of these 1 outliers/);
});
