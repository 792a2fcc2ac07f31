/**
 * The notebook's exercises, with their reference solutions. Expected values are computed from the
 * matches in the warehouse by the reference SQL (and the tested Pythagorean code), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./matches";
import { teamSeasons, withExpectation } from "./pythagorean";

export interface FootballExercises {
  points: Exercise<string>;
  awayWins: Exercise<number>;
  luckiest: Exercise<string>;
}

/** Reference: every team's points in a season and division (3 for a win, 1 for a draw), as (team, points) rows. */
export const POINTS_SQL = `WITH sides AS (
  SELECT season, division, home_team AS team, home_score AS scored, away_score AS conceded FROM ${TABLES.matches}
  UNION ALL
  SELECT season, division, away_team AS team, away_score AS scored, home_score AS conceded FROM ${TABLES.matches}
)
SELECT team, SUM(CASE WHEN scored > conceded THEN 3 WHEN scored = conceded THEN 1 ELSE 0 END) AS points
FROM sides
WHERE season = @season AND division = @division
GROUP BY team
ORDER BY points DESC, team`;

/** Reference: the share of a division's matches won by the away side, to 3 decimals. */
export const AWAY_WINS_SQL = `SELECT ROUND(AVG(CASE WHEN away_score > home_score THEN 1 ELSE 0 END), 3) AS share FROM ${TABLES.matches} WHERE division = @division`;

type PointsRow = { team: string; points: number };

export function footballExercises(wh: Warehouse, season: string, division: string, exponent: number): FootballExercises {
  // only the parameters the SQL uses (DuckDB refuses unused ones; a learner may write the values in)
  const params = (sql: string) => Object.fromEntries(Object.entries({ season: season, division: division }).filter(([name]) => new RegExp(`@${name}\\b`).test(sql)));
  const pointsRows = async (sql: string): Promise<PointsRow[]> => {
    const r = await wh.query<Record<string, unknown>>(sql, params(sql));
    if (!r.columns.includes("team") || !r.columns.includes("points")) throw new Error(`the query must return the columns team and points; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ team: String(x.team), points: Number(x.points) })).sort((a, b) => a.team.localeCompare(b.team));
  };
  const awayShare = async () => Number((await wh.query<{ share: number }>(AWAY_WINS_SQL, { division: division })).rows[0].share);
  const luckiest = async () => withExpectation((await teamSeasons(wh)).filter((t) => t.season === season && t.division === division), exponent)[0].team;
  return exerciseSet({
    points: exercise<string, PointsRow[]>({
      id: "points",
      title: `Points of every team, ${division} ${season}`,
      hints: [
        "A match gives points to both sides: 3 to the winner, 0 to the loser, 1 each for a draw. A team plays at home in some matches and away in others.",
        `Turn each row of ${TABLES.matches} into two rows, one per side, with UNION ALL; then CASE WHEN ... THEN 3 ... and SUM per team.`,
        "WITH sides AS (SELECT season, division, home_team AS team, home_score AS scored, away_score AS conceded FROM ... UNION ALL SELECT ... away ...) SELECT team, SUM(CASE ...) AS points FROM sides WHERE season = @season AND division = @division GROUP BY team",
      ],
      solution: () => POINTS_SQL,
      evaluate: pointsRows,
      expected: () => pointsRows(POINTS_SQL),
      show: (v) => `${v.length} teams, e.g. ${v.slice(0, 3).map((r) => `${r.team} ${r.points}`).join(", ")}`,
      nudge: () => "Check that every team of the division appears (home AND away matches count), the points (3 for a win, 1 for a draw), and the filter on @season and @division.",
    }),
    awayWins: exercise<number>({
      id: "away-wins",
      title: `Share of away wins, ${division}`,
      hints: [
        "An away win is a match where the away side scored more than the home side; the share is away wins / all matches.",
        "AVG of a CASE that is 1 for an away win and 0 otherwise is that share; ROUND(x, 3) rounds it.",
        `SELECT ROUND(AVG(CASE WHEN away_score > home_score THEN 1 ELSE 0 END), 3) FROM ${TABLES.matches} WHERE division = ...`,
      ],
      solution: awayShare,
      expected: awayShare,
      compare: (v, e) => Math.abs(v - e) < 0.0015,
      nudge: (v) => (v > 1 ? "A share is between 0 and 1, not a count." : v > 0.4 ? "That looks like home wins (or wins and draws)." : "Count the matches where away_score > home_score, in all seasons of the division."),
    }),
    luckiest: exercise<string>({
      id: "luckiest",
      title: `Above its Pythagorean expectation, ${division} ${season}`,
      hints: [
        "A team's expected points are 3 x played x GF^k / (GF^k + GA^k), with the k fitted above; luck = points - expected points.",
        "withExpectation(teams, k) computes it for a list of team-seasons; teamSeasons(wh) gives them all.",
        "Filter the team-seasons to the season and division, call withExpectation with the fitted exponent, and take the first team (the largest luck).",
      ],
      solution: luckiest,
      expected: luckiest,
      nudge: () => "That team did not earn the most points above its expectation: the table's leader is not always the luckiest.",
    }),
  });
}
