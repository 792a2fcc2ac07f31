/**
 * Every checker: its expected value pinned by a second computation written separately (plain
 * TypeScript over the raw football.json, not the warehouse's SQL), typical wrong answers failing
 * with their own nudge, the reference passing, the placeholder not attempted.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { footballExercises, POINTS_SQL } from "../../../scenarios/football/exercises";
import { footballFile, loadMatches, readFootball, TABLES, withInjected } from "../../../scenarios/football/matches";
import { fitExponent, teamSeasons } from "../../../scenarios/football/pythagorean";

const DIVISION = "English Premier League";
const SEASON = "2015-16";

/** The matches of football.json read as plain JSON, the unplayed ones (no score) left out; seasons start in July. */
function rawMatches(): { season: string; division: string; home: string; away: string; hs: number; as: number }[] {
  const records = JSON.parse(fs.readFileSync(footballFile(), "utf8")) as Record<string, unknown>[];
  return records
    .filter((r) => Number.isInteger(r.home_score) && Number.isInteger(r.away_score))
    .map((r) => {
      const date = String(r.date);
      const y = Number(date.slice(0, 4));
      const start = Number(date.slice(5, 7)) >= 7 ? y : y - 1;
      return { season: `${start}-${String(start + 1).slice(2)}`, division: String(r.division), home: String(r.home_team), away: String(r.away_team), hs: r.home_score as number, as: r.away_score as number };
    });
}

test("the football exercises: each expected value equals a plain TypeScript computation over football.json; wrong answers fail with their nudge", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadMatches(wh, withInjected(readFootball()));
  const k = fitExponent(await teamSeasons(wh));
  const ex = footballExercises(wh, SEASON, DIVISION, k);
  const raw = rawMatches().filter((m) => m.division === DIVISION);

  for (const e of [ex.points, ex.goallessDraws, ex.championLuck]) assert.equal((await e.verdict(undefined)).status, "not-attempted");

  // 1. points over every season of the division
  const points = new Map<string, number>();
  const add = (team: string, p: number) => points.set(team, (points.get(team) ?? 0) + p);
  for (const m of raw) {
    add(m.home, m.hs > m.as ? 3 : m.hs === m.as ? 1 : 0);
    add(m.away, m.as > m.hs ? 3 : m.hs === m.as ? 1 : 0);
  }
  const byHand = [...points].map(([team, p]) => ({ team: team, points: p })).sort((a, b) => a.team.localeCompare(b.team));
  assert.deepEqual(await ex.points.expected(), byHand);
  assert.ok(byHand.length > 20, "teams relegated and promoted over four seasons: more than one season's 20");
  const oneSeason = POINTS_SQL.replace("WHERE division = @division", "WHERE division = @division AND season = @season");
  const wrong1 = await ex.points.verdict(oneSeason);
  assert.match(wrong1.message, /2015-16 season only/);
  assert.doesNotMatch(wrong1.message, new RegExp(`${byHand[0].team} ${byHand[0].points}`), "the expected rows are not shown");
  const homeOnly = `SELECT home_team AS team, SUM(CASE WHEN home_score > away_score THEN 3 WHEN home_score = away_score THEN 1 ELSE 0 END) AS points FROM ${TABLES.matches} WHERE division = @division GROUP BY home_team`;
  assert.match((await ex.points.verdict(homeOnly)).message, /home AND away/);
  assert.match((await ex.points.verdict(POINTS_SQL.replace("THEN 3", "THEN 2"))).message, /3 for a win/, "two points for a win (the rule before 1981)");
  assert.match((await ex.points.verdict("SELECT 1 AS x")).message, /did not run: the query must return the columns team and points/);
  assert.equal((await ex.points.verdict(await ex.points.solution())).status, "correct");

  // 2. the share of 0-0 draws in the season
  const season = raw.filter((m) => m.season === SEASON);
  assert.equal(season.length, 380, "20 teams, each meeting each other twice");
  const goalless = season.filter((m) => m.hs === 0 && m.as === 0).length;
  const goallessShare = Math.round((goalless / season.length) * 1000) / 1000;
  assert.equal(await ex.goallessDraws.expected(), goallessShare);
  const draws = Math.round((season.filter((m) => m.hs === m.as).length / season.length) * 1000) / 1000;
  assert.match((await ex.goallessDraws.verdict(draws)).message, /counts every draw/);
  const allSeasons = Math.round((raw.filter((m) => m.hs === 0 && m.as === 0).length / raw.length) * 1000) / 1000;
  if (Math.abs(allSeasons - goallessShare) >= 0.0005) assert.match((await ex.goallessDraws.verdict(allSeasons)).message, /every season of the division/);
  assert.match((await ex.goallessDraws.verdict(goalless)).message, /not a count/);
  assert.equal((await ex.goallessDraws.verdict(goallessShare)).status, "correct");

  // 3. the champion's luck over its seasons: Leicester City won 2015-16 (81 points, the league table's first row)
  const champion = "Leicester City";
  // a club's points, goals for and against in a season
  const record = (team: string, s: string) => {
    const games = raw.filter((m) => m.season === s && (m.home === team || m.away === team));
    return {
      played: games.length,
      pts: games.reduce((p, m) => p + ((m.home === team ? m.hs - m.as : m.as - m.hs) > 0 ? 3 : m.hs === m.as ? 1 : 0), 0),
      gf: games.reduce((g, m) => g + (m.home === team ? m.hs : m.as), 0),
      ga: games.reduce((g, m) => g + (m.home === team ? m.as : m.hs), 0),
    };
  };
  // unbiased: the season's points handed out (3 a decided match, 2 a draw), shared by played x GF^k / (GF^k + GA^k); naive: 3 x played x share
  const luckOf = (exponent: number, seasons: string[], naive = false) => Math.round(seasons.reduce((sum, s) => {
    const weight = (r: ReturnType<typeof record>) => r.played * (r.gf ** exponent / (r.gf ** exponent + r.ga ** exponent));
    const games = raw.filter((m) => m.season === s);
    const handedOut = games.reduce((p, m) => p + (m.hs === m.as ? 2 : 3), 0);
    const clubs = [...new Set(games.map((m) => m.home))].map((team) => record(team, s));
    const total = clubs.reduce((w, r) => w + weight(r), 0);
    const own = record(champion, s);
    return sum + own.pts - (naive ? 3 * weight(own) : handedOut * weight(own) / total);
  }, 0) * 10) / 10;
  const seasonsIn = [...new Set(raw.filter((m) => m.home === champion).map((m) => m.season))];
  assert.deepEqual(seasonsIn.sort(), ["2014-15", "2015-16", "2016-17"], "Leicester came up in 2014");
  const expected = luckOf(k, seasonsIn);
  assert.ok(Math.abs((await ex.championLuck.expected() as number) - expected) < 0.051, `${await ex.championLuck.expected()} = ${expected}`);
  assert.match((await ex.championLuck.verdict(luckOf(k, [SEASON]))).message, /2015-16 season only/);
  assert.match((await ex.championLuck.verdict(luckOf(2, seasonsIn))).message, /baseball's exponent 2/);
  assert.match((await ex.championLuck.verdict(luckOf(k, seasonsIn, true))).message, /naive expectation/);
  assert.equal((await ex.championLuck.verdict(expected)).status, "correct");
});
