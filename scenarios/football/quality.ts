/**
 * The checks that guard football_matches and its clubs (football_teams), declared with lib/quality,
 * all six kinds, run once per season (the season is the data interval: July to June, `match_time`,
 * the match day as a TIMESTAMP, the time column), as a DAG would run once per interval:
 * - freshness: the season's newest match is at most 60 days before the season's end (a file cut off
 *   in March fails; a historical file has no "now" to be fresh against, so the season's end is it);
 * - volume: the season has matches, and every league-season is whole round robins: its matches are a
 *   multiple of clubs x (clubs - 1) (each club hosts each other club once per double round; the
 *   Austrian league plays two);
 * - schema: columns and types, no null team, the five leagues, scores 0..15, no team plays itself;
 * - uniqueness: one match per division, day and home team; one row per club and league-season;
 * - referential: every away team is a club of its league-season;
 * - drift: the home scores' distribution against the previous season's (PSI over 10 bins, 0.2).
 */
import { WorkbookError } from "../../lib/errors";
import { acceptedValues, columnsAre, drift, freshness, notNull, range, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck, type QualityResult } from "../../lib/quality";
import type { QualityResultRow } from "../../lib/quality";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { loadMatches, SCHEMAS, TABLES, validateMatches, type RawMatch } from "./matches";

export const DIVISIONS = ["Deutsche Bundesliga", "English Premier League", "Österreichische Bundesliga", "Primera Division", "Serie A"] as const;

/** The longest a season's newest match may lie before the season's end (June 30): 60 days, in hours. */
export const SEASON_END_LAG_HOURS = 60 * 24;
/** The largest population stability index of the home scores against the previous season's that passes. */
export const HOME_SCORE_DRIFT_PSI = 0.2;

export function footballChecks(): QualityCheck[] {
  const { matches: table, teams } = TABLES;
  const timeColumn = "match_time";
  const inSeason = "m.match_time >= @start AND m.match_time < @end";
  return [
    freshness({ table, column: timeColumn, maxLagHours: SEASON_END_LAG_HOURS, name: "newest match at most 60 days before the season's end" }),
    volume({ table, timeColumn, min: 1 }),
    sqlCheck({
      table, kind: "volume", name: "every league-season is whole round robins of its clubs",
      sql: `SELECT COUNT(*) AS n FROM (SELECT m.season, m.division, COUNT(*) AS matches FROM ${table} AS m WHERE ${inSeason} GROUP BY m.season, m.division) AS g
        JOIN (SELECT season, division, COUNT(*) AS clubs FROM ${teams} GROUP BY season, division) AS c ON c.season = g.season AND c.division = g.division
        WHERE MOD(g.matches, c.clubs * (c.clubs - 1)) <> 0`,
    }),
    columnsAre({ table, columns: Object.fromEntries(SCHEMAS.matches.columns.map((c) => [c.name, c.type])) }),
    notNull({ table, timeColumn, column: "home_team" }), notNull({ table, timeColumn, column: "away_team" }),
    acceptedValues({ table, timeColumn, column: "division", values: [...DIVISIONS] }),
    range({ table, timeColumn, column: "home_score", min: 0, max: 15 }), range({ table, timeColumn, column: "away_score", min: 0, max: 15 }),
    sqlCheck({ table, kind: "schema", name: "no team plays itself", sql: `SELECT COUNT(*) AS n FROM ${table} AS m WHERE m.home_team = m.away_team AND ${inSeason}` }),
    unique({ table, timeColumn, columns: ["division", "match_date", "home_team"], name: "one row per division, day and home team" }),
    sqlCheck({
      table, kind: "referential", name: "every away team is a club of its league-season",
      sql: `SELECT COUNT(*) AS n FROM ${table} AS m LEFT JOIN ${teams} AS t ON t.season = m.season AND t.division = m.division AND t.team = m.away_team
        WHERE t.team IS NULL AND ${inSeason}`,
    }),
    drift({ table, timeColumn, column: "home_score", threshold: HOME_SCORE_DRIFT_PSI }),
    volume({ table: teams, min: 1 }),
    unique({ table: teams, columns: ["season", "division", "team"], name: "one row per club and league-season" }),
  ];
}

/** A season's data interval: July 1 of its first year to July 1 of the next ("2015-16"). */
export function seasonInterval(season: string): { start: Date; end: Date } {
  const year = Number(season.slice(0, 4));
  if (!/^\d{4}-\d{2}$/.test(season)) throw new WorkbookError("INPUT_INVALID", `season ${JSON.stringify(season)} is not a season like "2015-16"; use one of the seasons in the data (2013-14 to 2016-17 in football.json).`);
  return { start: new Date(Date.UTC(year, 6, 1)), end: new Date(Date.UTC(year + 1, 6, 1)) };
}

/** The checks' results of every season in the warehouse, in season order (recorded in quality_results). */
export async function runFootballChecks(wh: Warehouse): Promise<{ season: string; results: QualityResult[] }[]> {
  const seasons = (await wh.query<{ season: string }>(`SELECT DISTINCT season FROM ${TABLES.matches} ORDER BY season`)).rows.map((r) => String(r.season));
  const target = warehouseTarget(wh);
  const out: { season: string; results: QualityResult[] }[] = [];
  for (const season of seasons) out.push({ season, results: await runChecks(target, footballChecks(), { interval: seasonInterval(season), runId: `season ${season}` }) });
  return out;
}

/** One row per check, one column per season with its status, and the last season's observed value. */
export function checksBySeason(runs: readonly { season: string; results: readonly QualityResult[] }[]): Record<string, string | number | null>[] {
  const last = runs[runs.length - 1];
  return (last?.results ?? []).map((r) => ({
    table: r.table, check: r.check, kind: r.kind,
    ...Object.fromEntries(runs.map((run) => [run.season, run.results.find((x) => x.table === r.table && x.check === r.check)?.status ?? "-"])),
    [`observed ${last.season}`]: r.observed === null ? null : Math.round(r.observed * 1000) / 1000,
  }));
}

/** The stored results of the football tables only (the warehouse may hold other scenarios' results). */
export async function footballResults(wh: Warehouse): Promise<QualityResultRow[]> {
  return (await warehouseTarget(wh).allResults()).filter((r) => Object.values(TABLES).some((t) => r.table_name === t));
}

/**
 * A planted fault on a separate run: the records loaded into a new in-memory DuckDB with one match
 * twice (the first valid record of `season`, appended again at the end, as a retried append would),
 * and that season's checks run there. The warehouse of the notebook is not touched.
 */
export async function plantDuplicateMatch(records: readonly RawMatch[], season: string): Promise<{ fault: string; check: string; duplicated: RawMatch; results: QualityResult[] }> {
  const { matches } = validateMatches([...records]);
  const first = matches.find((m) => m.season === season);
  if (!first) throw new WorkbookError("INPUT_INVALID", `no match of season ${JSON.stringify(season)} to duplicate; give a season of the data, like "2015-16".`);
  const duplicated: RawMatch = { date: first.match_date, division: first.division, home_team: first.home_team, away_team: first.away_team, home_score: first.home_score, away_score: first.away_score };
  const copy = await openWarehouse({ memory: true });
  try {
    await loadMatches(copy, [...records, duplicated]);
    const results = await runChecks(warehouseTarget(copy), footballChecks(), { interval: seasonInterval(season), runId: "planted duplicate", record: false });
    return { fault: "a duplicated match row", check: "one row per division, day and home team", duplicated, results };
  } finally {
    await copy.close();
  }
}
