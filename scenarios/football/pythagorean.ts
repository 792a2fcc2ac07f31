/**
 * The Pythagorean expectation (Bill James, for baseball): a team that scores GF and concedes GA
 * should win about GF^k / (GF^k + GA^k) of what there is to win. In baseball k is about 2; in
 * football, with draws, it is smaller. Here "what there is to win" is 3 points a match, and k is
 * fitted to the data: the k that makes the expected points share closest (least squares) to the
 * actual one over every team-season.
 *
 * The fit is in TypeScript, not SQL: it is a search over one number, which SQL has no verb for (a
 * grid of k values joined to every team-season would work, but reads worse than the loop below).
 */
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TEAM_SEASONS_SQL } from "./standings";

export type TeamSeason = {
  season: string;
  division: string;
  team: string;
  played: number;
  goals_for: number;
  goals_against: number;
  points: number;
};

/** GF^k / (GF^k + GA^k); 0.5 when a team neither scored nor conceded. */
export function pythagorean(goalsFor: number, goalsAgainst: number, k: number): number {
  const f = Math.pow(goalsFor, k);
  const a = Math.pow(goalsAgainst, k);
  return f + a === 0 ? 0.5 : f / (f + a);
}

/** The sum of squared errors of the expectation with exponent `k` against the actual points share. */
export function squaredError(teams: TeamSeason[], k: number): number {
  let sse = 0;
  for (const t of teams) {
    const actual = t.points / (3 * t.played);
    sse += (pythagorean(t.goals_for, t.goals_against, k) - actual) ** 2;
  }
  return sse;
}

export interface FitOptions {
  /** The range searched. Default [0.5, 4]. */
  min?: number;
  max?: number;
  /** The precision of the result. Default 0.0001. */
  tolerance?: number;
}

/**
 * The exponent minimising the squared error: a coarse grid (steps of 0.05) finds the valley, then
 * a golden-section search narrows it down to `tolerance`. The error is smooth with one minimum
 * in the range for real data, so this is enough; the grid guards against a start on a slope.
 */
export function fitExponent(teams: TeamSeason[], options: FitOptions = {}): number {
  const { min = 0.5, max = 4, tolerance = 0.0001 } = options;
  const step = 0.05;
  let best = min;
  for (let k = min; k <= max + 1e-9; k += step) if (squaredError(teams, k) < squaredError(teams, best)) best = k;
  let lo = Math.max(min, best - step);
  let hi = Math.min(max, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  while (hi - lo > tolerance) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (squaredError(teams, a) < squaredError(teams, b)) hi = b;
    else lo = a;
  }
  return Math.round(((lo + hi) / 2) / tolerance) * tolerance;
}

/** Every team's goals, points and matches of every season, from the warehouse. */
export async function teamSeasons(wh: Warehouse): Promise<TeamSeason[]> {
  const r = await wh.query(TEAM_SEASONS_SQL);
  return r.rows.map((x) => ({
    season: String(x.season), division: String(x.division), team: String(x.team),
    played: Number(x.played), goals_for: Number(x.goals_for), goals_against: Number(x.goals_against), points: Number(x.points),
  }));
}

export type PythagoreanRow = TeamSeason & {
  /** Points the expectation gives: 3 x played x GF^k / (GF^k + GA^k), to one decimal. */
  expected_points: number;
  /** points - expected_points: above 0 the team beat its goals, below 0 it missed them. */
  luck: number;
};

/** Each team-season with its expected points under exponent `k`, most above expectation first. */
export function withExpectation(teams: TeamSeason[], k: number): PythagoreanRow[] {
  return teams
    .map((t) => {
      const expected = 3 * t.played * pythagorean(t.goals_for, t.goals_against, k);
      return { ...t, expected_points: Math.round(expected * 10) / 10, luck: Math.round((t.points - expected) * 10) / 10 };
    })
    .sort((a, b) => b.luck - a.luck || a.team.localeCompare(b.team));
}
