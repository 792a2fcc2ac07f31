/**
 * The checks that guard the Netflix tables in PostgreSQL, declared with lib/quality:
 *
 * - netflix_ratings (every valid rating read, with its place in the replay): it has rows, the
 *   columns and types, ratings in 1..5, every movie in movie_titles, the newest rating within the
 *   interval's last 30-day window (at most 720 h before its end: a missing last file fails it), and
 *   the mix of ratings (1 to 5) does not drift from the previous run's (the largest change of one
 *   rating's share at most 10 points; a warning, not a stop);
 * - movie_ratings (the stream's windows): it has rows, its columns and types, one row per
 *   (window_start, movie_id), every movie in movie_titles, and a mean rating within 1..5;
 * - movie_titles: one row per movie_id.
 *
 * The notebook runs them in two runs, as two loads would be checked: the older half of the input,
 * then the newer half (`splitIntervals`), so drift compares the newer ratings with the older.
 */
import { WorkbookError } from "../../lib/errors";
import { assertChecks, columnsAre, drift, freshness, notNull, postgresTarget, range, references, runChecks, sqlCheck, unique, volume, type QualityCheck, type QualityResult, type QualityResultRow } from "../../lib/quality";
import type { SqlDatabase } from "../../lib/sql/sql";
import { DAY_MS } from "../../lib/stream";
import type { ReplayModel } from "./event-time";
import type { Title } from "./titles";
import { TUMBLING_DAYS } from "./pipeline";

export const QUALITY_TABLES = { ratings: "netflix_ratings", titles: "movie_titles", windows: "movie_ratings" } as const;

/** The checks; `windows` names the windows table (default movie_ratings; a planted copy has another name). */
export function netflixChecks(options: { windows?: string } = {}): QualityCheck[] {
  const { ratings, titles } = QUALITY_TABLES;
  const windows = options.windows ?? QUALITY_TABLES.windows;
  const inRatings = { table: ratings, timeColumn: "rated_on" };
  const inWindows = { table: windows, timeColumn: "window_start" };
  return [
    volume({ ...inRatings, min: 1 }),
    columnsAre({ table: ratings, columns: { line_no: "integer", rated_on: "timestamp without time zone", movie_id: "integer", user_id: "integer", rating: "integer" } }),
    range({ ...inRatings, column: "rating", min: 1, max: 5 }),
    references({ ...inRatings, column: "movie_id", to: titles, toColumn: "movie_id" }),
    freshness({ table: ratings, column: "rated_on", maxLagHours: TUMBLING_DAYS * 24, name: "newest rating within the last window" }),
    drift({ ...inRatings, column: "rating", categorical: true, threshold: 0.1, name: "mix of ratings 1-5", severity: "warn" }), // a signal to look at, not a broken load
    volume({ ...inWindows, min: 1 }),
    columnsAre({ table: windows, columns: { window_start: "timestamp without time zone", movie_id: "integer", title: "text", rating_count: "integer", rating_sum: "integer", distinct_raters: "integer" } }),
    unique({ ...inWindows, columns: ["window_start", "movie_id"], name: "one row per window and movie" }),
    references({ ...inWindows, column: "movie_id", to: titles, toColumn: "movie_id" }),
    sqlCheck({ ...inWindows, kind: "schema", name: "mean rating within 1..5", sql: `SELECT COUNT(*) AS n FROM ${windows} WHERE window_start >= @start AND window_start < @end AND (rating_sum < rating_count OR rating_sum > 5 * rating_count)` }),
    unique({ table: titles, columns: ["movie_id"] }),
    notNull({ table: titles, column: "title" }),
  ];
}

/**
 * Loads what the checks look at beside movie_ratings: every valid rating of the replay into
 * netflix_ratings and the titles into movie_titles (both replaced). Returns the row counts.
 */
export async function loadQualityTables(sql: SqlDatabase, model: ReplayModel, titles: Map<number, Title>): Promise<{ ratings: number; titles: number }> {
  const { ratings, titles: titleTable } = QUALITY_TABLES;
  await sql.exec(`DROP TABLE IF EXISTS ${ratings}; DROP TABLE IF EXISTS ${titleTable};
    CREATE TABLE ${titleTable} (movie_id integer PRIMARY KEY, year integer, title text NOT NULL);
    CREATE TABLE ${ratings} (line_no integer PRIMARY KEY, rated_on timestamp NOT NULL, movie_id integer NOT NULL, user_id integer NOT NULL, rating integer NOT NULL)`);
  const titleRows = [...titles.values()].map((t) => ({ movie_id: t.movieId, year: t.year, title: t.title }));
  await sql.upsert(titleTable, titleRows, { key: ["movie_id"] });
  const rows = model.arrivals.filter((a) => a.rating).map((a) => ({ line_no: a.index + 1, rated_on: new Date(a.eventTime), movie_id: a.rating!.movieId, user_id: a.rating!.userId, rating: a.rating!.rate }));
  await sql.upsert(ratings, rows, { key: ["line_no"] });
  return { ratings: rows.length, titles: titleRows.length };
}

/**
 * The input cut into two intervals of whole 30-day windows, as two loads would be checked: from the
 * start of the first rating's window to the start of the middle rating's, then on to the end of the
 * last rating's window (the partial last window included).
 */
export function splitIntervals(model: ReplayModel): { start: Date; end: Date }[] {
  const days = model.arrivals.filter((a) => a.rating).map((a) => a.eventTime).sort((x, y) => x - y);
  const window = TUMBLING_DAYS * DAY_MS;
  const startOf = (t: number) => Math.floor(t / window) * window;
  if (days.length === 0 || startOf(days[0]) === startOf(days[days.length - 1])) {
    throw new WorkbookError("INPUT_INVALID", `the input's ratings span ${days.length === 0 ? "no" : "one"} 30-day window; the quality runs need ratings in at least two windows to cut them into two intervals (use a longer input, e.g. data/netflix/ratings).`);
  }
  const first = startOf(days[0]);
  const middle = Math.max(startOf(days[Math.floor(days.length / 2)]), first + window);
  const end = startOf(days[days.length - 1]) + window;
  return [{ start: new Date(first), end: new Date(middle) }, { start: new Date(middle), end: new Date(end) }];
}

/**
 * Runs the checks once per interval, in order, as a scheduler would run the loads: each run's results
 * are recorded in quality_results (a re-run replaces its own), and a failed blocking check stops there
 * with DAG_QUALITY_FAILED naming the check and its value (drift only warns). Returns each run's results.
 */
export async function runNetflixQuality(sql: SqlDatabase, intervals: { start: Date; end: Date }[], options: { windows?: string; record?: boolean } = {}): Promise<QualityResult[][]> {
  const target = postgresTarget(sql);
  const runs: QualityResult[][] = [];
  for (const interval of intervals) {
    const day = interval.start.toISOString().slice(0, 10);
    const results = await runChecks(target, netflixChecks(options), { interval, runId: `netflix ${day}`, record: options.record ?? true });
    assertChecks(results, `the Netflix tables' run from ${day}`);
    runs.push(results);
  }
  return runs;
}

/**
 * The original's flaw, planted on a copy: the update-mode rows appended, as the original job did,
 * into a table without a key (movie_ratings_appended, replaced). Returns the table's name.
 */
export async function plantAppendedUpdates(sql: SqlDatabase, rows: readonly { window_start: string; movie_id: number; rating_count: number; rating_sum: number; distinct_raters: number }[], titles: Map<number, Title>, table = "movie_ratings_appended"): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new WorkbookError("OPTIONS_INVALID", `table ${JSON.stringify(table)} is not a plain lower-case name; use e.g. "movie_ratings_appended".`);
  await sql.exec(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (window_start timestamp NOT NULL, movie_id integer NOT NULL, title text NOT NULL, rating_count integer NOT NULL, rating_sum integer NOT NULL, distinct_raters integer NOT NULL)`);
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const params: unknown[] = [];
    const values = chunk.map((r, j) => {
      params.push(new Date(`${r.window_start}T00:00:00Z`), r.movie_id, titles.get(r.movie_id)?.title ?? "", r.rating_count, r.rating_sum, r.distinct_raters);
      return `(${Array.from({ length: 6 }, (_, k) => `$${j * 6 + k + 1}`).join(", ")})`;
    });
    if (chunk.length > 0) await sql.query(`INSERT INTO ${table} VALUES ${values.join(", ")}`, params);
  }
  return table;
}

/**
 * The original's append, planted and checked: the update-mode rows appended into a copy without a key
 * (`plantAppendedUpdates`), then the checks of the windows table run on the copy over `interval`
 * (not recorded, so the scorecard of the real tables is unchanged).
 */
export async function checkPlantedAppend(sql: SqlDatabase, rows: Parameters<typeof plantAppendedUpdates>[1], titles: Map<number, Title>, interval: { start: Date; end: Date }): Promise<{ table: string; results: QualityResult[] }> {
  const table = await plantAppendedUpdates(sql, rows, titles);
  const checks = netflixChecks({ windows: table }).filter((c) => c.table === table);
  return { table, results: await runChecks(postgresTarget(sql), checks, { interval, record: false }) };
}

/** The stored results of the runs over `intervals` (for the scorecard): this run's only, whatever earlier runs stored. */
export async function qualityResultRows(sql: SqlDatabase, intervals: { start: Date }[]): Promise<QualityResultRow[]> {
  const dates = new Set(intervals.map((i) => i.start.toISOString()));
  return (await postgresTarget(sql).allResults()).filter((r) => dates.has(r.logical_date));
}

/** The results as a table (lib/quality resultsTable: observed to 4 decimals, dates as YYYY-MM-DD). */
export { resultsTable as qualityTable } from "../../lib/quality";
