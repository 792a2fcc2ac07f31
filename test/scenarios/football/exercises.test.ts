/** Every checker: a typical wrong answer fails, the reference passes, the placeholder is not attempted. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { footballExercises, POINTS_SQL } from "../../../scenarios/football/exercises";
import { loadMatches, readFootball, TABLES, withInjected } from "../../../scenarios/football/matches";
import { fitExponent, teamSeasons } from "../../../scenarios/football/pythagorean";

test("the football exercises: wrong answers fail without giving the answer away, the references pass", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadMatches(wh, withInjected(readFootball()));
  const k = fitExponent(await teamSeasons(wh));
  const ex = footballExercises(wh, "2015-16", "English Premier League", k);

  for (const e of [ex.points, ex.awayWins, ex.luckiest]) assert.equal((await e.verdict(undefined)).status, "not-attempted");

  // 1. points: two points for a win (the rule before 1981), and home matches only
  const twoPoints = POINTS_SQL.replace("THEN 3", "THEN 2");
  const wrong1 = await ex.points.verdict(twoPoints);
  assert.equal(wrong1.status, "incorrect");
  assert.doesNotMatch(wrong1.message, /Leicester City 81/);
  const homeOnly = `SELECT home_team AS team, SUM(CASE WHEN home_score > away_score THEN 3 WHEN home_score = away_score THEN 1 ELSE 0 END) AS points FROM ${TABLES.matches} WHERE season = @season AND division = @division GROUP BY home_team`;
  assert.equal((await ex.points.verdict(homeOnly)).status, "incorrect");
  assert.match((await ex.points.verdict("SELECT 1 AS x")).message, /did not run: the query must return the columns team and points/);
  assert.equal((await ex.points.verdict(await ex.points.solution())).status, "correct");

  // 2. the share of away wins: the home share is the typical slip
  const homeShare = Number((await wh.query<{ s: number }>(`SELECT AVG(CASE WHEN home_score > away_score THEN 1 ELSE 0 END) AS s FROM ${TABLES.matches} WHERE division = @division`, { division: "English Premier League" })).rows[0].s);
  const wrong2 = await ex.awayWins.verdict(Math.round(homeShare * 1000) / 1000);
  assert.equal(wrong2.status, "incorrect");
  assert.match(wrong2.message, /home wins/);
  assert.equal((await ex.awayWins.verdict(465)).status, "incorrect");
  const away = await ex.awayWins.solution();
  assert.ok(away > 0.2 && away < 0.4);
  assert.equal((await ex.awayWins.verdict(away)).status, "correct");

  // 3. the team most above its Pythagorean expectation is not the champion
  assert.equal((await ex.luckiest.verdict("Leicester City")).status, "incorrect");
  const luckiest = await ex.luckiest.solution();
  assert.notEqual(luckiest, "Leicester City");
  assert.equal((await ex.luckiest.verdict(luckiest)).status, "correct");
});
