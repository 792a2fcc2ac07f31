/**
 * The notebook's exercises, with their reference solutions. Expected values are computed from the
 * matches in the warehouse by the reference SQL (and the tested Pythagorean code), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./matches";
import { leagueTable } from "./standings";
import { expectedPoints, teamSeasons, type Expectation, type TeamSeason } from "./pythagorean";

export interface FootballExercises {
  points: Exercise<string>;
  goallessDraws: Exercise<number>;
  championLuck: Exercise<number>;
}

/** Reference: every team's points in a division over all its seasons (3 for a win, 1 for a draw), as (team, points) rows. */
export const POINTS_SQL = `WITH sides AS (
  SELECT season, division, home_team AS team, home_score AS scored, away_score AS conceded FROM ${TABLES.matches}
  UNION ALL
  SELECT season, division, away_team AS team, away_score AS scored, home_score AS conceded FROM ${TABLES.matches}
)
SELECT team, SUM(CASE WHEN scored > conceded THEN 3 WHEN scored = conceded THEN 1 ELSE 0 END) AS points
FROM sides
WHERE division = @division
GROUP BY team
ORDER BY points DESC, team`;

/** Reference: the share of a season's matches of a division that ended 0-0, to 3 decimals. */
export const GOALLESS_SQL = `SELECT ROUND(AVG(CASE WHEN home_score = 0 AND away_score = 0 THEN 1 ELSE 0 END), 3) AS share FROM ${TABLES.matches} WHERE division = @division AND season = @season`;

/**
 * The points above (below: negative) its expectation that `team` finished with, summed over its
 * seasons in `division`, to one decimal. The expectation is the "handed-out" one unless told: each
 * league-season's points shared by played x GF^k / (GF^k + GA^k), so `teams` must hold every team.
 */
export function luckOverSeasons(teams: readonly TeamSeason[], division: string, team: string, k: number, expectation: Expectation = "handed-out"): number {
  const seasons = new Set(teams.filter((t) => t.division === division && t.team === team).map((t) => t.season));
  if (seasons.size === 0) throw new Error(`no season of ${team} in ${division}`);
  const league = teams.filter((t) => t.division === division && seasons.has(t.season));
  const expected = expectedPoints(league, k, expectation);
  return Math.round(league.reduce((s, t, i) => s + (t.team === team ? t.points - expected[i] : 0), 0) * 10) / 10;
}

type PointsRow = { team: string; points: number };

export function footballExercises(wh: Warehouse, season: string, division: string, exponent: number): FootballExercises {
  // only the parameters the SQL uses (DuckDB refuses unused ones; a learner may write the values in)
  const params = (sql: string) => Object.fromEntries(Object.entries({ season: season, division: division }).filter(([name]) => new RegExp(`@${name}\\b`).test(sql)));
  const pointsRows = async (sql: string): Promise<PointsRow[]> => {
    const r = await wh.query<Record<string, unknown>>(sql, params(sql));
    if (!r.columns.includes("team") || !r.columns.includes("points")) throw new Error(`the query must return the columns team and points; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ team: String(x.team), points: Number(x.points) })).sort((a, b) => a.team.localeCompare(b.team));
  };
  const same = (a: PointsRow[], b: PointsRow[]) => JSON.stringify(a) === JSON.stringify(b);
  const share = async (sql: string) => Number((await wh.query<{ share: number }>(sql, params(sql))).rows[0].share);
  const champion = async () => (await leagueTable(wh, season, division))[0].team;
  const luck = async (k: number, expectation: Expectation = "handed-out") => luckOverSeasons(await teamSeasons(wh), division, await champion(), k, expectation);
  const seasonLuck = async () => luckOverSeasons((await teamSeasons(wh)).filter((t) => t.season === season), division, await champion(), exponent);
  return exerciseSet({
    points: exercise<string, PointsRow[]>({
      id: "points",
      title: `Points of every team, ${division}, all seasons`,
      hints: [
        "A match gives points to both sides: 3 to the winner, 0 to the loser, 1 each for a draw. A team plays at home in some matches and away in others, in every season it was in the division.",
        `Turn each row of ${TABLES.matches} into two rows, one per side, with UNION ALL; then CASE WHEN ... THEN 3 ... and SUM per team.`,
        "WITH sides AS (SELECT season, division, home_team AS team, home_score AS scored, away_score AS conceded FROM ... UNION ALL SELECT ... away ...) SELECT team, SUM(CASE ...) AS points FROM sides WHERE division = @division GROUP BY team",
      ],
      solution: () => POINTS_SQL,
      evaluate: pointsRows,
      expected: () => pointsRows(POINTS_SQL),
      show: (v) => `${v.length} teams, e.g. ${v.slice(0, 3).map((r) => `${r.team} ${r.points}`).join(", ")}`,
      nudge: async (v) => {
        const sides = (who: "home" | "away") => `SELECT ${who}_team AS team, SUM(CASE WHEN ${who}_score > ${who === "home" ? "away" : "home"}_score THEN 3 WHEN home_score = away_score THEN 1 ELSE 0 END) AS points FROM ${TABLES.matches} WHERE division = @division GROUP BY ${who}_team`;
        if (same(v, await pointsRows(POINTS_SQL.replace("WHERE division = @division", "WHERE division = @division AND season = @season")))) return `That is the ${season} season only: add up every season of the division.`;
        if (same(v, await pointsRows(sides("home"))) || same(v, await pointsRows(sides("away")))) return "That counts one side of each match only: a team's home AND away matches both give it points.";
        if (v.some((r) => r.points % 1 !== 0)) return "Points are whole numbers: 3, 1 or 0 per match.";
        return "Check the points (3 for a win, 1 for a draw) and that every season of @division counts.";
      },
    }),
    goallessDraws: exercise<number>({
      id: "goalless-draws",
      title: `Share of 0-0 draws, ${division} ${season}`,
      hints: [
        "A goalless draw is a match where neither side scored; the share is those matches / all matches of the season.",
        "AVG of a CASE that is 1 for a 0-0 and 0 otherwise is that share; ROUND(x, 3) rounds it.",
        `SELECT ROUND(AVG(CASE WHEN home_score = 0 AND away_score = 0 THEN 1 ELSE 0 END), 3) FROM ${TABLES.matches} WHERE division = ... AND season = ...`,
      ],
      solution: () => share(GOALLESS_SQL),
      expected: () => share(GOALLESS_SQL),
      compare: (v, e) => Math.abs(v - e) < 0.0005,
      nudge: async (v) => {
        if (v > 1) return "A share is between 0 and 1, not a count.";
        if (Math.abs(v - (await share(GOALLESS_SQL.replace("home_score = 0 AND away_score = 0", "home_score = away_score")))) < 0.0005) return "That counts every draw; a goalless draw is 0-0.";
        if (Math.abs(v - (await share(GOALLESS_SQL.replace(" AND season = @season", "")))) < 0.0005) return `That is every season of the division; keep the ${season} season only.`;
        return "Count the matches where both scores are 0, out of all matches of that division and season, to three decimals.";
      },
    }),
    championLuck: exercise<number>({
      id: "champion-luck",
      title: `Points above the expectation of the ${season} champion, over all its ${division} seasons`,
      hints: [
        "A team's expected points in a season are the points its league-season handed out, shared in proportion to played x GF^k / (GF^k + GA^k) (the unbiased expectation above, k fitted above); its luck = points - expected points. The champion is the first team of the league table above.",
        "teamSeasons(wh) gives every team-season (played, goals for and against, points); withExpectation(teams of one league-season, k) gives each team's expected points and luck.",
        "For each season the champion played in the division, take that league-season's teams, withExpectation(them, exponent), keep the champion's luck; add the seasons up and round to one decimal.",
      ],
      solution: () => luck(exponent),
      expected: () => luck(exponent),
      compare: (v, e) => Math.abs(v - e) < 0.051,
      nudge: async (v) => {
        if (Math.abs(v - ((await seasonLuck()) ?? NaN)) < 0.051) return `That is the ${season} season only: add up every season the champion played in the division.`;
        if (Math.abs(v - (await luck(2))) < 0.051) return "That uses baseball's exponent 2: use the exponent fitted to football above.";
        if (Math.abs(v - (await luck(exponent, "naive"))) < 0.051) return "That uses the naive expectation, 3 points for every match: a draw hands out 2, so use the points the league-season handed out.";
        return "Luck is points minus expected points (the unbiased expectation), per season, added up over the champion's seasons in the division (with the fitted exponent).";
      },
    }),
  });
}
