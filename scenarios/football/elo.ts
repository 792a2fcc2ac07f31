/**
 * Elo ratings through the seasons. Every team starts at `initial`; after each match the winner
 * takes rating points from the loser: K x (result - expected), where the expected result of the
 * home side is 1 / (1 + 10^((away - home - homeAdvantage) / 400)) and the result is 1, 1/2 or 0.
 * Ratings carry over from one season to the next.
 *
 * This is TypeScript over the matches in date order (MATCHES_IN_ORDER_SQL), not SQL: each rating
 * depends on the ratings left by every earlier match of both teams, a recursion across rows that
 * SQL could only write as a recursive CTE over all matches, which neither reads well nor runs fast.
 */
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { MATCHES_IN_ORDER_SQL } from "./standings";

export interface EloMatch {
  match_date: string;
  season?: string;
  home_team: string;
  away_team: string;
  home_score: number;
  away_score: number;
}

export interface EloOptions {
  /** Rating points at stake in a match. Default 20. */
  k?: number;
  /** Every team's first rating. Default 1500. */
  initial?: number;
  /** Rating points added to the home side when computing its expected result. Default 0. */
  homeAdvantage?: number;
}

/** A team's rating just after one of its matches. */
export type EloPoint = {
  match_date: string;
  season?: string;
  team: string;
  rating: number;
};

export interface EloResult {
  /** Every team's rating after its last match, best first. */
  final: { team: string; rating: number }[];
  /** Both teams' ratings after every match, in match order. */
  history: EloPoint[];
}

/** The expected result (0..1) of a side rated `a` against a side rated `b`. */
export function expectedResult(a: number, b: number): number {
  return 1 / (1 + Math.pow(10, (b - a) / 400));
}

/** Elo ratings after `matches`, taken in the order given (sort them by date first). Pure. */
export function eloRatings(matches: EloMatch[], options: EloOptions = {}): EloResult {
  const { k = 20, initial = 1500, homeAdvantage = 0 } = options;
  const ratings = new Map<string, number>();
  const history: EloPoint[] = [];
  for (const m of matches) {
    const home = ratings.get(m.home_team) ?? initial;
    const away = ratings.get(m.away_team) ?? initial;
    const result = m.home_score > m.away_score ? 1 : m.home_score === m.away_score ? 0.5 : 0;
    const change = k * (result - expectedResult(home + homeAdvantage, away));
    ratings.set(m.home_team, home + change);
    ratings.set(m.away_team, away - change);
    const at = { match_date: m.match_date, ...(m.season !== undefined ? { season: m.season } : {}) };
    history.push({ ...at, team: m.home_team, rating: home + change }, { ...at, team: m.away_team, rating: away - change });
  }
  const final = [...ratings].map(([team, rating]) => ({ team, rating })).sort((a, b) => b.rating - a.rating || a.team.localeCompare(b.team));
  return { final, history };
}

/** Elo ratings of the teams of `division` over all its matches in the warehouse. */
export async function divisionElo(wh: Warehouse, division: string, options: EloOptions = {}): Promise<EloResult> {
  const r = await wh.query(MATCHES_IN_ORDER_SQL, { division: division });
  const matches = r.rows.map((x) => ({
    match_date: String(x.match_date), season: String(x.season), home_team: String(x.home_team), away_team: String(x.away_team),
    home_score: Number(x.home_score), away_score: Number(x.away_score),
  }));
  return eloRatings(matches, options);
}
