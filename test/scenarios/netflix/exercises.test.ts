import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { openSql } from "../../../lib/sql";
import * as fs from "node:fs";
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

  // by hand: Busy 90 + 80 = 170, Steady 3 x 60 = 180; the busiest single window is Busy's 90; all windows 350
  assert.equal(await ex.busiestWindow.expected(), 180);
  assert.equal((await ex.busiestWindow.verdict(BUSIEST_WINDOW_SQL(table))).status, "correct");
  const oneWindow = await ex.busiestWindow.verdict(`SELECT rating_count FROM ${table} ORDER BY rating_count DESC LIMIT 1`);
  assert.match(oneWindow.message, /gives 90\. That is the busiest single window/);
  assert.doesNotMatch(oneWindow.message, /180/, "the expected value is not shown");
  assert.match((await ex.busiestWindow.verdict(`SELECT SUM(rating_count) FROM ${table}`)).message, /every movie together/);
  assert.equal(distinctRejectReasons(dead), 4, "out of range (9 and 0 alike), wrong column count, bad date, non-integer");
  // pinned by hand: the lines of the sample's part files, counted in plain TypeScript; 5 of the dead letters are rejected, 1 is late
  const ratingsDir = path.join(sample, "ratings");
  const lines = fs.readdirSync(ratingsDir).filter((f) => f.endsWith(".csv")).reduce((n, f) => n + fs.readFileSync(path.join(ratingsDir, f), "utf8").trim().split("\n").length - 1, 0);
  assert.equal(oracle.lines, lines);
  const percent = Math.round((5 / lines) * 100_000) / 1000;
  assert.equal(await ex.rejectedShare.expected(), percent);
  assert.equal((await ex.rejectedShare.verdict(500 / lines)).status, "correct");
  assert.match((await ex.rejectedShare.verdict(600 / lines)).message, /late records too/);
  assert.match((await ex.rejectedShare.verdict(5 / lines)).message, /in percent \(times 100\)/);
  assert.match((await ex.rejectedShare.verdict(5)).message, /number of rejected records/);

  assert.equal(oracle.lines - oracle.valid, 4, "the committed sample holds four bad lines");
  // the windows of 10 ratings or more with a mean of 4 or more, counted again over the raw CSV lines in plain TypeScript
  // would need the window arithmetic; here the batch's windows are checked against their definition, row by row
  const steady = oracle.movieRatings.filter((w) => w.rating_count >= 10 && w.rating_sum >= 4 * w.rating_count).length;
  assert.equal(await ex.steadyWindows.expected(), steady);
  assert.ok(steady > 0 && steady < oracle.movieRatings.filter((w) => w.rating_count >= 10).length);
  assert.equal((await ex.steadyWindows.verdict(steady)).status, "correct");
  assert.match((await ex.steadyWindows.verdict(oracle.movieRatings.filter((w) => w.rating_sum >= 4 * w.rating_count).length)).message, /handful of ratings/);
  assert.match((await ex.steadyWindows.verdict(oracle.movieRatings.filter((w) => w.rating_count >= 10).length)).message, /every window with enough ratings/);
  for (const e of [ex.busiestWindow, ex.rejectedShare, ex.steadyWindows]) assert.equal((await e.verdict(undefined)).status, "not-attempted");
});
