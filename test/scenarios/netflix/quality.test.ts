/** The Netflix checks on the small input of event-time.test.ts, in PGlite: clean runs, a drifted mix, the original's append planted. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { qualitySummary } from "../../../lib/quality";
import { openSql } from "../../../lib/sql";
import { modelReplay, runModes } from "../../../scenarios/netflix/event-time";
import { createMovieRatingsTable } from "../../../scenarios/netflix/pipeline";
import { checkPlantedAppend, loadQualityTables, netflixChecks, qualityResultRows, qualityTable, runNetflixQuality, splitIntervals } from "../../../scenarios/netflix/quality";
import { tempDir } from "../../helpers";
import { TITLES, writeInput } from "./lesson-input";

test("netflix checks: all six kinds; run 1 passes (drift: no history yet), run 2 warns of drift (rating 2's share from 0 to 100%); the appended mode-A rows fail uniqueness", { timeout: 60_000 }, async (t) => {
  const model = await modelReplay(writeInput(tempDir(t)), TITLES, { batchDays: 7 });
  const runs = runModes(model, TITLES);
  const sql = await openSql({ memory: true });
  t.after(() => sql.close());
  await createMovieRatingsTable(sql);
  await sql.upsert("movie_ratings", runs.c.rows.map((r) => ({ window_start: new Date(`${r.window_start}T00:00:00Z`), movie_id: r.movie_id, title: TITLES.get(r.movie_id)?.title, rating_count: r.rating_count, rating_sum: r.rating_sum, distinct_raters: r.distinct_raters })), { key: ["window_start", "movie_id"] });
  assert.deepEqual(await loadQualityTables(sql, model, TITLES), { ratings: 6, titles: 2 });

  const intervals = splitIntervals(model);
  assert.deepEqual(intervals.map((i) => [i.start.toISOString().slice(0, 10), i.end.toISOString().slice(0, 10)]), [["2004-12-28", "2005-01-27"], ["2005-01-27", "2005-02-26"]]);
  const [first, second] = await runNetflixQuality(sql, intervals);
  const notPassed = (rs: typeof first) => rs.filter((r) => r.status !== "pass").map((r) => [r.table, r.check, r.status, r.observed]);
  assert.deepEqual(notPassed(first), [["netflix_ratings", "mix of ratings 1-5", "warn", null]]);
  // run 1: ratings 5, 5, 4, 3; run 2: 2, 2
  assert.deepEqual(notPassed(second), [["netflix_ratings", "mix of ratings 1-5", "warn", 1]], "drift warns: a signal, not a stop");
  const volume = (rs: typeof first, table: string) => rs.find((r) => r.table === table && r.kind === "volume")?.observed;
  assert.deepEqual([volume(first, "netflix_ratings"), volume(second, "netflix_ratings"), volume(first, "movie_ratings"), volume(second, "movie_ratings")], [4, 2, 2, 1]);
  // freshness: newest rating 2005-01-26 vs 2005-01-27 (24 h), then 2005-02-10 vs 2005-02-26 (16 days)
  assert.deepEqual([first, second].map((rs) => rs.find((r) => r.kind === "freshness")?.observed), [24, 384]);
  assert.equal(new Set(netflixChecks().map((c) => c.table)).size, 3);
  assert.equal(netflixChecks().length, 13);
  assert.equal((await qualityResultRows(sql, intervals)).length, 26);

  const planted = await checkPlantedAppend(sql, runs.a.rows, TITLES, { start: intervals[0].start, end: intervals[1].end });
  assert.equal(planted.table, "movie_ratings_appended");
  assert.deepEqual(notPassed(planted.results), [["movie_ratings_appended", "one row per window and movie", "fail", 1]], "window 2005-01-27 of One was written twice");
  assert.equal(planted.results.find((r) => r.kind === "volume")?.observed, 4);
  assert.equal((await qualityResultRows(sql, intervals)).length, 26, "the planted run is not recorded");
  const summary = qualitySummary([first, second], [{ fault: "appended", check: "one row per window and movie", results: planted.results }]);
  assert.deepEqual([summary.checks, summary.kinds, summary.caught], [18, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"], 1]);
  assert.match(String(qualityTable(first).find((r) => r.kind === "freshness")?.detail), /newest rated_on 2005-01-26, 24\.00 h/);

  // a missing dimension row is a blocking failure: the run stops, naming the check and the share missing
  await sql.exec("DELETE FROM movie_titles WHERE movie_id = 2");
  await assert.rejects(runNetflixQuality(sql, intervals), (e) => isWorkbookError(e, "DAG_QUALITY_FAILED") && /every movie_id exists in movie_titles/.test(e.message) && /run from 2004-12-28/.test(e.message));
});

test("splitIntervals: ratings in one 30-day window cannot be cut in two; the error says so", async (t) => {
  const dir = tempDir(t);
  const { writeFileSync } = await import("node:fs");
  const file = `${dir}/one.csv`;
  writeFileSync(file, "date,film_id,user_id,rate\n2005-01-20,1,10,5\n2005-01-21,1,11,4\n");
  const model = await modelReplay(file, TITLES);
  assert.throws(() => splitIntervals(model), (e) => isWorkbookError(e, "INPUT_INVALID") && /one 30-day window/.test(e.message));
});
