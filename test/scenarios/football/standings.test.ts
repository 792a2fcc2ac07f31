/** The walkthrough's SQL on four hand-made matches whose table is known. */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { loadMatches } from "../../../scenarios/football/matches";
import { homeAdvantage, leagueTable, positions, seasons } from "../../../scenarios/football/standings";

const L = "Test League";
const m = (date: string, home: string, away: string, hs: number, as: number) => ({ date: date, division: L, home_team: home, away_team: away, home_score: hs, away_score: as });

// A beats B 2-0, B and C draw 1-1, A wins 3-0 at C, C beats B 2-1; and one match of another season.
const MATCHES = [m("2015-08-01", "A", "B", 2, 0), m("2015-08-08", "B", "C", 1, 1), m("2015-08-15", "C", "A", 0, 3), m("2015-08-22", "C", "B", 2, 1), m("2016-08-06", "B", "A", 5, 0), m("2016-08-06", "", "A", 1, 0)];

async function loaded(t: TestContext) {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const r = await loadMatches(wh, MATCHES);
  assert.deepEqual([r.input, r.ok, r.rejected.length], [6, 5, 1]);
  return wh;
}

test("the league table: 3 points a win, 1 a draw, goal difference, position", { timeout: 60_000 }, async (t) => {
  const wh = await loaded(t);
  assert.deepEqual(await seasons(wh), ["2015-16", "2016-17"]);
  assert.deepEqual(await leagueTable(wh, "2015-16", L), [
    { position: 1, team: "A", played: 2, won: 2, drawn: 0, lost: 0, goals_for: 5, goals_against: 0, goal_difference: 5, points: 6 },
    { position: 2, team: "C", played: 3, won: 1, drawn: 1, lost: 1, goals_for: 3, goals_against: 5, goal_difference: -2, points: 4 },
    { position: 3, team: "B", played: 3, won: 0, drawn: 1, lost: 2, goals_for: 2, goals_against: 5, goal_difference: -3, points: 1 },
  ]);
  assert.deepEqual((await leagueTable(wh, "2016-17", L)).map((r) => [r.team, r.points, r.position]), [["B", 3, 1], ["A", 0, 2]]);
});

test("positions after each matchday: a running sum per team, ranked per matchday", { timeout: 60_000 }, async (t) => {
  const wh = await loaded(t);
  const rows = await positions(wh, "2015-16", L);
  // B's matches: lost to A, drew with C, lost to C; C's: drew with B, lost to A, beat B; A played twice
  assert.deepEqual(rows.map((r) => [r.matchday, r.team, r.points, r.goal_difference, r.position]), [
    [1, "A", 3, 2, 1], [1, "C", 1, 0, 2], [1, "B", 0, -2, 3],
    [2, "A", 6, 5, 1], [2, "B", 1, -2, 2], [2, "C", 1, -3, 3],
    [3, "C", 4, -2, 1], [3, "B", 1, -3, 2],
  ]);
});

test("home advantage: shares of home wins, draws and away wins, and the home goal margin", { timeout: 60_000 }, async (t) => {
  const wh = await loaded(t);
  assert.deepEqual(await homeAdvantage(wh), [{ division: L, matches: 5, home_wins: 0.6, draws: 0.2, away_wins: 0.2, home_goal_margin: 1 }]);
});
