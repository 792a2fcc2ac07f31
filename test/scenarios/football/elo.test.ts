/** Elo ratings on three matches worked out by hand. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { eloRatings, expectedResult } from "../../../scenarios/football/elo";

test("Elo on three matches, computed by hand (K = 20, everyone starts at 1500)", () => {
  const { final, history } = eloRatings([
    { match_date: "2015-08-01", home_team: "A", away_team: "B", home_score: 1, away_score: 0 },
    { match_date: "2015-08-08", home_team: "B", away_team: "C", home_score: 1, away_score: 1 },
    { match_date: "2015-08-15", home_team: "C", away_team: "A", home_score: 2, away_score: 0 },
  ]);
  // 1. A 1500 beats B 1500: expected 0.5, A +20 x 0.5 = +10 -> A 1510, B 1490.
  assert.deepEqual(history.slice(0, 2).map((p) => [p.team, p.rating]), [["A", 1510], ["B", 1490]]);
  // 2. B 1490 draws C 1500: B expected 1 / (1 + 10^(10/400)) = 0.485613, B +20 x (0.5 - 0.485613) = +0.28774.
  assert.ok(Math.abs(history[2].rating - 1490.2877) < 1e-4);
  assert.ok(Math.abs(history[3].rating - 1499.7123) < 1e-4);
  // 3. C 1499.7123 beats A 1510: C expected 1 / (1 + 10^(10.2877/400)) = 0.485197, C +20 x 0.514803 = +10.29606.
  assert.deepEqual(final.map((r) => r.team), ["C", "A", "B"]);
  assert.ok(Math.abs(final[0].rating - 1510.0083) < 1e-4);
  assert.ok(Math.abs(final[1].rating - 1499.7039) < 1e-4);
  assert.ok(Math.abs(final[2].rating - 1490.2877) < 1e-4);
  // rating points are only moved, never made
  assert.ok(Math.abs(final.reduce((s, r) => s + r.rating, 0) - 4500) < 1e-9);
});

test("expectedResult is symmetric and a home advantage shifts it", () => {
  assert.equal(expectedResult(1500, 1500), 0.5);
  assert.ok(Math.abs(expectedResult(1600, 1500) + expectedResult(1500, 1600) - 1) < 1e-12);
  const plain = eloRatings([{ match_date: "d", home_team: "H", away_team: "V", home_score: 1, away_score: 1 }]);
  const withHome = eloRatings([{ match_date: "d", home_team: "H", away_team: "V", home_score: 1, away_score: 1 }], { homeAdvantage: 100 });
  assert.equal(plain.final[0].rating, 1500);
  assert.ok(withHome.final.find((r) => r.team === "H")!.rating < 1500, "a draw at home loses rating when home sides are expected to win");
});
