import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "../../../scenarios/traffic-outliers/evaluate";
import { injectAnomalies, ANOMALY_KINDS, type Anomaly } from "../../../scenarios/traffic-outliers/inject";
import { HOUR_MS } from "../../../scenarios/traffic-outliers/detectors";
import { syntheticSeries } from "../../../scenarios/traffic-outliers/synthetic";
import type { AlertMessage } from "../../../scenarios/traffic-outliers/alerts";
import { isWorkbookError } from "../../../lib/errors";

const H = (n: number) => new Date(n * HOUR_MS).toISOString();
const alert = (airport: string, start: number, at: number): AlertMessage => ({ type: "alert", airport, detector: "d", incident: `${airport}@${H(start)}`, started_at: H(start), at: H(at), value: 0, baseline: 0, score: 9 });
const anomaly = (id: string, airport: string, start: number, end: number, kind: Anomaly["kind"] = "spike"): Anomaly => ({ id, airport, kind, start: start * HOUR_MS, end: end * HOUR_MS, factor: 2 });

test("precision, recall and delay by incident: matching airport and overlap count, a resolution is not an alert", () => {
  const anomalies = [anomaly("a", "ORD", 100, 103), anomaly("b", "ORD", 500, 510, "drop"), anomaly("c", "ATL", 100, 103)];
  const messages = [
    alert("ORD", 101, 102), // a, delay 2
    { ...alert("ORD", 101, 102), type: "resolved" as const, at: H(110) },
    alert("ORD", 104, 105), // a again (started within end + 3 h tolerance): a true alert, a's first alert stays at 102
    alert("ATL", 300, 301), // nothing there: false
    alert("ORD", 505, 509), // b, delay 9
  ];
  const e = evaluate(messages, anomalies);
  assert.equal(e.alerts, 4);
  assert.equal(e.truePositives, 3);
  assert.equal(e.falsePositives, 1);
  assert.equal(e.precision, 0.75);
  assert.equal(e.detected, 2);
  assert.equal(e.recall, 2 / 3);
  assert.equal(e.medianDelayHours, (2 + 9) / 2);
  assert.deepEqual(e.perKind.spike, { injected: 2, detected: 1 });
  assert.deepEqual(e.perKind.drop, { injected: 1, detected: 1 });
  assert.equal(evaluate([alert("ORD", 107, 108)], anomalies).truePositives, 0, "started 4 hours after the end: beyond the tolerance");
  assert.equal(evaluate([], anomalies).precision, 1);
  assert.equal(evaluate([], anomalies).medianDelayHours, null);
});

test("injection: one anomaly of each kind per airport, after the warm-up, in the daytime, seeded; the original values are kept", () => {
  const points = syntheticSeries({ airports: ["AAA", "BBB"], weeks: 12, seed: 9 });
  const a = injectAnomalies(points, { seed: 4 });
  const b = injectAnomalies(points, { seed: 4 });
  assert.deepEqual(a, b, "the same seed gives the same anomalies");
  assert.notDeepEqual(injectAnomalies(points, { seed: 5 }).anomalies, a.anomalies);
  assert.equal(a.anomalies.length, 8);
  for (const airport of ["AAA", "BBB"]) assert.deepEqual(a.anomalies.filter((x) => x.airport === airport).map((x) => x.kind).sort(), [...ANOMALY_KINDS].sort());
  const first = points[0].hour;
  for (const x of a.anomalies) {
    assert.ok(x.start >= first + 840 * HOUR_MS, `${x.id} after the warm-up`);
    const h = new Date(x.start).getUTCHours();
    assert.ok(h >= 8 && h <= 15, `${x.id} starts at ${h}:00`);
  }
  assert.equal(a.points.length, points.length);
  a.points.forEach((p, i) => {
    assert.equal(p.original, points[i].departures);
    assert.equal(p.airport, points[i].airport);
    const inside = a.anomalies.find((x) => x.airport === p.airport && p.hour >= x.start && p.hour < x.end);
    assert.equal(p.anomaly, inside ? inside.id : null);
    if (!inside) assert.equal(p.departures, p.original);
  });
  const flat = a.anomalies.find((x) => x.kind === "flat" && x.airport === "AAA")!;
  const stuck = a.points.filter((p) => p.anomaly === flat.id).map((p) => p.departures);
  assert.ok(stuck.length >= 12 && new Set(stuck).size === 1, "a flat line is one value");
  const fresh = syntheticSeries({ airports: ["AAA", "BBB"], weeks: 12, seed: 9 });
  assert.ok(points.every((p, i) => p.departures === fresh[i].departures), "the input is not changed");
});

test("a series too short for four anomalies after the warm-up is a clear error", () => {
  assert.throws(() => injectAnomalies(syntheticSeries({ weeks: 6 })), (e) => isWorkbookError(e, "INPUT_INVALID") && /AAA has 1008 hours/.test(e.message));
});
