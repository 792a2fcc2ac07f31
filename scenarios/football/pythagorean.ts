/**
 * The Pythagorean expectation (Bill James, for baseball): a team that scores GF and concedes GA
 * should win about GF^k / (GF^k + GA^k) of what there is to win. In baseball k is about 2; in
 * football, with draws, it is smaller.
 *
 * A model is checked before it is taught: taking "what there is to win" as 3 points a match
 * over-promises, as a draw hands out 2 points, not 3, and the naive expected points
 * (3 x played x share) leave most teams "below expectation". `luckSummary` shows that bias (the
 * mean of points - expected); the "handed-out" expectation shares out the points a league-season
 * really handed out, and its luck averages 0. Then k is fitted to the data: the k whose unbiased
 * expectation is closest (least squares, in points per match) to the actual points over every
 * team-season.
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

/**
 * The sum over team-seasons of the squared error, in points per match, of the unbiased ("handed-out")
 * expectation with exponent `k`: ((points - expected points) / played)^2. Give whole league-seasons.
 */
export function squaredError(teams: readonly TeamSeason[], k: number): number {
  const expected = expectedPoints(teams, k, "handed-out");
  return teams.reduce((sse, t, i) => sse + ((t.points - expected[i]) / t.played) ** 2, 0);
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
export function fitExponent(teams: readonly TeamSeason[], options: FitOptions = {}): number {
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
  /** Points the expectation gives, to one decimal. */
  expected_points: number;
  /** points - expected_points: above 0 the team beat its goals, below 0 it missed them. */
  luck: number;
};

/** Which expectation: "naive" = 3 x played x share; "handed-out" = the league-season's points shared by played x share. */
export type Expectation = "naive" | "handed-out";

const leagueSeason = (t: TeamSeason) => `${t.season}\u0000${t.division}`;

/**
 * Expected points of each team-season (exact, in the order given).
 * - "naive": 3 x played x GF^k / (GF^k + GA^k), as if every match handed out 3 points. A draw
 *   hands out 2, so over a league-season these add up to more points than were handed out: the
 *   naive expectation is biased upwards, and most teams look unlucky.
 * - "handed-out": the points the league-season actually handed out (3 per decided match, 2 per
 *   draw: the sum of its teams' points), shared among its teams in proportion to played x
 *   GF^k / (GF^k + GA^k). Over a league-season they add up to the points handed out, so the luck
 *   (points - expected) averages 0: the expectation is calibrated on each league-season.
 */
export function expectedPoints(teams: readonly TeamSeason[], k: number, expectation: Expectation = "handed-out"): number[] {
  const share = teams.map((t) => t.played * pythagorean(t.goals_for, t.goals_against, k));
  if (expectation === "naive") return share.map((w) => 3 * w);
  const handedOut = new Map<string, number>();
  const weight = new Map<string, number>();
  teams.forEach((t, i) => {
    handedOut.set(leagueSeason(t), (handedOut.get(leagueSeason(t)) ?? 0) + t.points);
    weight.set(leagueSeason(t), (weight.get(leagueSeason(t)) ?? 0) + share[i]);
  });
  return teams.map((t, i) => {
    const w = weight.get(leagueSeason(t)) ?? 0;
    return w === 0 ? 0 : (handedOut.get(leagueSeason(t)) ?? 0) * share[i] / w;
  });
}

const tenth = (x: number) => Math.round(x * 10) / 10;

/**
 * Each team-season with its expected points (exponent `k`, the "handed-out" expectation unless
 * told) and its luck, highest luck first. Give every team of a league-season: the "handed-out"
 * expectation shares the league-season's points among the teams given.
 */
export function withExpectation(teams: readonly TeamSeason[], k: number, expectation: Expectation = "handed-out"): PythagoreanRow[] {
  const expected = expectedPoints(teams, k, expectation);
  return teams
    .map((t, i) => ({ ...t, expected_points: tenth(expected[i]), luck: tenth(t.points - expected[i]) }))
    .sort((a, b) => b.luck - a.luck || a.team.localeCompare(b.team));
}

export type LuckSummary = {
  expectation: string;
  teams: number;
  /** The mean of points - expected points: about 0 for an unbiased expectation. */
  mean_luck: number;
  above_expectation: number;
  below_expectation: number;
};

/** The bias check of an expectation: its mean luck over `teams` (to one decimal) and how many teams are above and below it. */
export function luckSummary(teams: readonly TeamSeason[], k: number, expectation: Expectation): LuckSummary {
  const expected = expectedPoints(teams, k, expectation);
  const luck = teams.map((t, i) => t.points - expected[i]);
  const mean = luck.reduce((s, x) => s + x, 0) / Math.max(1, luck.length);
  return {
    expectation: expectation === "naive" ? "naive: 3 x played x share" : "points handed out, shared by played x share",
    teams: teams.length, mean_luck: tenth(mean) || 0,
    above_expectation: luck.filter((x) => x > 0.05).length, below_expectation: luck.filter((x) => x < -0.05).length,
  };
}

export type PointsHandedOut = {
  matches: number;
  draws: number;
  /** 3 per decided match, 2 per draw: the sum of the teams' points. */
  points_handed_out: number;
  /** What the naive expectation hands out: 3 per match. */
  three_per_match: number;
};

/** What a league-season's matches handed out, from its team-seasons: matches = played / 2, draws = 3 x matches - points. */
export function pointsHandedOut(teams: readonly TeamSeason[]): PointsHandedOut {
  const matches = teams.reduce((s, t) => s + t.played, 0) / 2;
  const points = teams.reduce((s, t) => s + t.points, 0);
  return { matches, draws: 3 * matches - points, points_handed_out: points, three_per_match: 3 * matches };
}
