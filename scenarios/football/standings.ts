/**
 * The walkthrough's queries, each ONE SQL statement a learner can read, in the SQL that DuckDB and
 * BigQuery both accept (CTEs, UNION ALL, CASE, window functions, `@name` parameters; no `::`
 * casts, no `GROUP BY ALL`, no engine-only functions).
 */
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./matches";

/** One row per team per match, from the team's side: the shape every other query starts from. */
const TEAM_MATCHES = `team_matches AS (
    SELECT season, division, match_date, home_team AS team, home_score AS goals_for, away_score AS goals_against
    FROM ${TABLES.matches}
    UNION ALL
    SELECT season, division, match_date, away_team AS team, away_score AS goals_for, home_score AS goals_against
    FROM ${TABLES.matches}
  ),
  results AS (
    SELECT *,
      CASE WHEN goals_for > goals_against THEN 3 WHEN goals_for = goals_against THEN 1 ELSE 0 END AS points
    FROM team_matches
  )`;

/** The league table of a season and division: points (3/1/0), goal difference and position. */
export const LEAGUE_TABLE_SQL = `WITH ${TEAM_MATCHES},
  totals AS (
    SELECT team,
      COUNT(*) AS played,
      SUM(CASE WHEN points = 3 THEN 1 ELSE 0 END) AS won,
      SUM(CASE WHEN points = 1 THEN 1 ELSE 0 END) AS drawn,
      SUM(CASE WHEN points = 0 THEN 1 ELSE 0 END) AS lost,
      SUM(goals_for) AS goals_for,
      SUM(goals_against) AS goals_against,
      SUM(goals_for) - SUM(goals_against) AS goal_difference,
      SUM(points) AS points
    FROM results
    WHERE season = @season AND division = @division
    GROUP BY team
  )
SELECT RANK() OVER (ORDER BY points DESC, goal_difference DESC, goals_for DESC) AS position,
  team, played, won, drawn, lost, goals_for, goals_against, goal_difference, points
FROM totals
ORDER BY position, team`;

/**
 * Every team's points and position after each of its matches of a season: matchday n is a team's
 * n-th match; the running SUM is a window over the team's matches in date order, and the position
 * ranks the teams that have played n matches.
 */
export const POSITIONS_SQL = `WITH ${TEAM_MATCHES},
  running AS (
    SELECT team,
      ROW_NUMBER() OVER (PARTITION BY team ORDER BY match_date) AS matchday,
      SUM(points) OVER (PARTITION BY team ORDER BY match_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS points,
      SUM(goals_for - goals_against) OVER (PARTITION BY team ORDER BY match_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS goal_difference
    FROM results
    WHERE season = @season AND division = @division
  )
SELECT matchday, team, points, goal_difference,
  RANK() OVER (PARTITION BY matchday ORDER BY points DESC, goal_difference DESC) AS position
FROM running
ORDER BY matchday, position, team`;

/** Home advantage by league: the shares of home wins, draws and away wins, and the home goal margin. */
export const HOME_ADVANTAGE_SQL = `SELECT division,
  COUNT(*) AS matches,
  ROUND(AVG(CASE WHEN home_score > away_score THEN 1 ELSE 0 END), 3) AS home_wins,
  ROUND(AVG(CASE WHEN home_score = away_score THEN 1 ELSE 0 END), 3) AS draws,
  ROUND(AVG(CASE WHEN home_score < away_score THEN 1 ELSE 0 END), 3) AS away_wins,
  ROUND(AVG(home_score - away_score), 3) AS home_goal_margin
FROM ${TABLES.matches}
GROUP BY division
ORDER BY home_wins DESC, division`;

/** Goals for and against, points and matches of every team in every season (the Pythagorean's input). */
export const TEAM_SEASONS_SQL = `WITH ${TEAM_MATCHES}
SELECT season, division, team,
  COUNT(*) AS played,
  SUM(goals_for) AS goals_for,
  SUM(goals_against) AS goals_against,
  SUM(points) AS points
FROM results
GROUP BY season, division, team
ORDER BY season, division, team`;

/** The matches of one division in the order they were played (the Elo ratings' input). */
export const MATCHES_IN_ORDER_SQL = `SELECT match_date, season, home_team, away_team, home_score, away_score
FROM ${TABLES.matches}
WHERE division = @division
ORDER BY match_date, home_team`;

export type LeagueRow = {
  position: number;
  team: string;
  played: number;
  won: number;
  drawn: number;
  lost: number;
  goals_for: number;
  goals_against: number;
  goal_difference: number;
  points: number;
};

export type PositionRow = {
  matchday: number;
  team: string;
  points: number;
  goal_difference: number;
  position: number;
};

export type HomeAdvantageRow = {
  division: string;
  matches: number;
  home_wins: number;
  draws: number;
  away_wins: number;
  home_goal_margin: number;
};

const numbers = <T>(row: Record<string, unknown>, text: string[]): T =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text.includes(k) ? String(v) : Number(v)])) as T;

/** The league table of `season` (e.g. "2015-16") and `division`. */
export async function leagueTable(wh: Warehouse, season: string, division: string): Promise<LeagueRow[]> {
  const r = await wh.query(LEAGUE_TABLE_SQL, { season: season, division: division });
  return r.rows.map((x) => numbers<LeagueRow>(x, ["team"]));
}

/** Points and position of every team after each of its matches of `season` in `division`. */
export async function positions(wh: Warehouse, season: string, division: string): Promise<PositionRow[]> {
  const r = await wh.query(POSITIONS_SQL, { season: season, division: division });
  return r.rows.map((x) => numbers<PositionRow>(x, ["team"]));
}

/** Home wins, draws, away wins and the home goal margin by league. */
export async function homeAdvantage(wh: Warehouse): Promise<HomeAdvantageRow[]> {
  const r = await wh.query(HOME_ADVANTAGE_SQL);
  return r.rows.map((x) => numbers<HomeAdvantageRow>(x, ["division"]));
}

/** The seasons in the data, in order. */
export async function seasons(wh: Warehouse): Promise<string[]> {
  const r = await wh.query<{ season: string }>(`SELECT DISTINCT season FROM ${TABLES.matches} ORDER BY season`);
  return r.rows.map((x) => String(x.season));
}
