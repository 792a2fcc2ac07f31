import { test } from "node:test";
import assert from "node:assert/strict";
import { alertRule, initAlertState, stepAlert, type AlertMessage } from "../../../scenarios/traffic-outliers/alerts";
import { HOUR_MS } from "../../../scenarios/traffic-outliers/detectors";
import { isWorkbookError } from "../../../lib/errors";

/** Runs the rule over a list of scores (null = warm-up), one per hour from hour 0. */
function run(scores: Array<number | null>, rule = {}): AlertMessage[] {
  const r = alertRule(rule);
  const state = initAlertState();
  const out: AlertMessage[] = [];
  scores.forEach((score, i) => {
    const m = stepAlert(state, { hour: i * HOUR_MS, value: 10, baseline: 5, score }, r, "ORD", "seasonal-mad");
    if (m) out.push(m);
  });
  return out;
}
const hourOf = (iso: string) => Date.parse(iso) / HOUR_MS;

test("an alert fires at the k-th outlying point in a row, not before; a single outlying point does not fire with k = 2", () => {
  assert.deepEqual(run([0, 9, 0, 0, 0, 0, 0, 0, 0]), []);
  const m = run([0, 9, -9, 9, 0], { k: 3, threshold: 5 });
  assert.equal(m.length, 1);
  assert.equal(m[0].type, "alert");
  assert.equal(hourOf(m[0].started_at), 1);
  assert.equal(hourOf(m[0].at), 3);
  assert.equal(run([0, 9, 9, 0], { k: 3 }).length, 0);
  assert.equal(run([null, null, 9, 9], {}).length, 1, "warm-up points are not outlying");
});

test("one incident is one alert: a relapse within the cooldown continues it; the resolution comes after cooldownHours normal hours and says when the series returned", () => {
  const scores = [0, 6, 7, 0, 0, 8, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0];
  const m = run(scores, { k: 2, threshold: 5, cooldownHours: 4 });
  assert.deepEqual(m.map((x) => x.type), ["alert", "resolved"]);
  const [alert, resolved] = m;
  assert.equal(alert.incident, resolved.incident);
  assert.equal(hourOf(resolved.returned_at!), 8);
  assert.equal(hourOf(resolved.at), 11, "four normal hours: 8, 9, 10, 11");
  assert.equal(resolved.outlying_points, 5);
  assert.equal(resolved.score, 9, "the peak score");
});

test("after a resolution a new run of outlying points is a new incident with a new alert", () => {
  const m = run([9, 9, 0, 0, 9, 9, 0, 0], { cooldownHours: 2 });
  assert.deepEqual(m.map((x) => `${x.type}@${hourOf(x.at)}`), ["alert@1", "resolved@3", "alert@5", "resolved@7"]);
  assert.notEqual(m[0].incident, m[2].incident);
});

test("negative scores (drops) are outlying too; rule options are checked", () => {
  assert.equal(run([-9, -9]).length, 1);
  assert.throws(() => alertRule({ k: 0 }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /k=0/.test(e.message));
  assert.throws(() => alertRule({ threshold: -1 }), /threshold=-1/);
  assert.throws(() => alertRule({ cooldownHours: 1.5 }), /cooldownHours=1.5/);
});
