import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { openSql } from "../../../lib/sql";
import { BUSIEST_WINDOW_SQL, distinctRejectReasons, netflixExercises } from "../../../scenarios/netflix/exercises";
import { batchRecompute } from "../../../scenarios/netflix/oracle";
import { parseRating } from "../../../scenarios/netflix/ratings";
import { readTitles } from "../../../scenarios/netflix/titles";

const sample = path.join(projectRoot, "data", "netflix");
const table = "exercise_movie_ratings";

test("Netflix exercises: the references pass, typical wrong answers fail, and the expected values come from the data", { timeout: 120_000 }, async (t) => {
  const sql = await openSql({ memory: true });
  t.after(() => sql.close());
  await sql.exec(`CREATE TABLE ${table} (window_start TIMESTAMPTZ, movie_id INT, title TEXT, rating_count INT, rating_sum INT, distinct_raters INT)`);
  await sql.exec(`INSERT INTO ${table} VALUES ('2005-01-01', 1, 'Busy', 90, 400, 90), ('2005-01-02', 1, 'Busy', 80, 300, 80),
    ('2005-01-01', 2, 'Steady', 60, 200, 60), ('2005-01-02', 2, 'Steady', 60, 200, 60), ('2005-01-03', 2, 'Steady', 60, 200, 60)`);
  // dead letters as the processor writes them: the reasons parseRating gives for the committed bad lines, and one late record
  const titles = readTitles(path.join(sample, "movie_titles.csv"));
  const badLines = ["2005-12-31,14,2665,9", "2005-12-31,14,2665", "2005-02-30,28,5995,4", "2005-12-31,28,5995,4.5", "2005-12-31,14,2665,0"];
  const dead = badLines.map((line, i) => {
    const p = parseRating(line, titles);
    assert.equal(p.ok, false, line);
    return { line, kind: "rejected", reason: p.ok ? "" : p.reason, offset: String(i) };
  });
  dead.push({ line: "2003-01-05,1,7,5", kind: "late", reason: "event time 2003-01-05 is behind the watermark", offset: "9" });
  const oracle = await batchRecompute(path.join(sample, "ratings"), titles, { windowDays: 30, minRatings: 70, minMean: 4 });
  const ex = netflixExercises(sql, table, dead, oracle);

  assert.equal((await ex.busiestWindow.verdict(BUSIEST_WINDOW_SQL(table))).status, "correct");
  // the sum over all windows picks Steady (180) over Busy (170): wrong
  const summed = await ex.busiestWindow.verdict(`SELECT title FROM ${table} GROUP BY title ORDER BY SUM(rating_count) DESC LIMIT 1`);
  assert.equal(summed.status, "incorrect");
  assert.match(summed.message, /Steady/);
  assert.doesNotMatch(summed.message, /Busy/, "the expected value is not shown");

  assert.equal(distinctRejectReasons(dead), 4, "out of range (9 and 0 alike), wrong column count, bad date, non-integer");
  assert.equal((await ex.rejectedReasons.verdict(4)).status, "correct");
  assert.match((await ex.rejectedReasons.verdict(dead.length)).message, /number of dead letters/);

  assert.equal(oracle.lines - oracle.valid, 4, "the committed sample holds four bad lines");
  assert.equal((await ex.validRatings.verdict(oracle.valid)).status, "correct");
  assert.match((await ex.validRatings.verdict(oracle.lines)).message, /bad ones included/);
  for (const e of [ex.busiestWindow, ex.rejectedReasons, ex.validRatings]) assert.equal((await e.verdict(undefined)).status, "not-attempted");
});
