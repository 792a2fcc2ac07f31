/** The Pythagorean expectation and its fitted exponent. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../../lib/random";
import { expectedPoints, fitExponent, luckSummary, pointsHandedOut, pythagorean, squaredError, withExpectation, type TeamSeason } from "../../../scenarios/football/pythagorean";

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

test("withExpectation: the naive one gives 3 x played x share; the handed-out one shares the league-season's points, so its luck averages 0", () => {
  const teams: TeamSeason[] = [
    { season: "s", division: "d", team: "Even", played: 10, goals_for: 10, goals_against: 10, points: 15 },
    { season: "s", division: "d", team: "Lucky", played: 10, goals_for: 10, goals_against: 10, points: 20 },
  ];
  assert.deepEqual(withExpectation(teams, 1.5, "naive").map((r) => [r.team, r.expected_points, r.luck]), [["Lucky", 15, 5], ["Even", 15, 0]]);
  // 35 points handed out, equal shares: 17.5 each
  assert.deepEqual(withExpectation(teams, 1.5).map((r) => [r.team, r.expected_points, r.luck]), [["Lucky", 17.5, 2.5], ["Even", 17.5, -2.5]]);
});

test("the handed-out expectation: shares by played x GF^k / (GF^k + GA^k) within each league-season, never across", () => {
  // one league-season of three clubs, each meeting each other twice (played 4): 6 matches, 2 of them draws
  const league: TeamSeason[] = [
    { season: "a", division: "d", team: "A", played: 4, goals_for: 9, goals_against: 3, points: 10 },
    { season: "a", division: "d", team: "B", played: 4, goals_for: 4, goals_against: 4, points: 5 },
    { season: "a", division: "d", team: "C", played: 4, goals_for: 3, goals_against: 9, points: 1 },
  ];
  const other: TeamSeason = { season: "b", division: "d", team: "A", played: 2, goals_for: 1, goals_against: 1, points: 2 };
  // by hand with k = 1: shares 0.75, 0.5, 0.25; weights 3, 2, 1 of 6; 16 points handed out
  assert.deepEqual(expectedPoints([...league, other], 1).map((x) => Math.round(x * 1e9) / 1e9), [8, 16 / 3, 8 / 3, 2].map((x) => Math.round(x * 1e9) / 1e9));
  assert.deepEqual(expectedPoints(league, 1, "naive"), [9, 6, 3]);
  assert.deepEqual(pointsHandedOut(league), { matches: 6, draws: 2, points_handed_out: 16, three_per_match: 18 });
  // naive: (10 - 9 + 5 - 6 + 1 - 3) / 3 = -2/3, i.e. minus the 2 points the draws did not hand out, over 3 teams
  assert.deepEqual(luckSummary(league, 1, "naive"), { expectation: "naive: 3 x played x share", teams: 3, mean_luck: -0.7, above_expectation: 1, below_expectation: 2 });
  // the fit's error is the unbiased expectation's, in points per match: ((10 - 8) / 4)^2 + ((5 - 16/3) / 4)^2 + ((1 - 8/3) / 4)^2
  assert.ok(Math.abs(squaredError(league, 1) - (0.25 + 1 / 144 + 25 / 144)) < 1e-12);
  assert.deepEqual(luckSummary(league, 1, "handed-out"), { expectation: "points handed out, shared by played x share", teams: 3, mean_luck: 0, above_expectation: 1, below_expectation: 2 });
});
