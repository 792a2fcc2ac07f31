/** The Pythagorean expectation and its fitted exponent. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../../lib/random";
import { fitExponent, pythagorean, squaredError, withExpectation, type TeamSeason } from "../../../scenarios/football/pythagorean";

test("pythagorean: GF^k / (GF^k + GA^k), and one half for 0-0", () => {
  assert.equal(pythagorean(3, 1, 2), 0.9);
  assert.equal(pythagorean(2, 2, 1.3), 0.5);
  assert.equal(pythagorean(0, 0, 2), 0.5);
  assert.equal(pythagorean(4, 0, 1.5), 1);
});

test("fitExponent recovers the exponent synthetic data were made with", () => {
  const random = seededRandom(11);
  for (const k of [1.3, 1.7, 2.4]) {
    const teams: TeamSeason[] = Array.from({ length: 80 }, (_, i) => {
      const goals_for = 20 + Math.round(random() * 60);
      const goals_against = 20 + Math.round(random() * 60);
      return { season: "s", division: "d", team: `T${i}`, played: 38, goals_for, goals_against, points: 3 * 38 * pythagorean(goals_for, goals_against, k) };
    });
    const fitted = fitExponent(teams);
    assert.ok(Math.abs(fitted - k) < 0.001, `fitted ${fitted} for ${k}`);
    assert.ok(squaredError(teams, fitted) < 1e-6);
    assert.ok(squaredError(teams, fitted) < squaredError(teams, 2) || k === 2);
  }
});

test("withExpectation: expected points and luck, luckiest first", () => {
  const teams: TeamSeason[] = [
    { season: "s", division: "d", team: "Even", played: 10, goals_for: 10, goals_against: 10, points: 15 },
    { season: "s", division: "d", team: "Lucky", played: 10, goals_for: 10, goals_against: 10, points: 20 },
  ];
  assert.deepEqual(withExpectation(teams, 1.5).map((r) => [r.team, r.expected_points, r.luck]), [["Lucky", 15, 5], ["Even", 15, 0]]);
});
