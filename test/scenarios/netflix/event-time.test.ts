/** The event-time lesson on a small input worked out by hand (30-day windows counted from 1970-01-01: 2004-12-28, 2005-01-27, ...). */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import {
  anomalySummary, busiestUpdatedWindow, deadLetterRows, distinctValuesVsRaters, lastWindow, modelReplay, modesSummary, mostMisplacedBoundary, naiveVsEventTime, runModes, timelineSpec, windowStory,
} from "../../../scenarios/netflix/event-time";
import { tempDir } from "../../helpers";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import { TITLES, writeInput } from "./lesson-input";

test("the naive processing-time count puts the first batch (run at 2005-01-27) and the late rating in the next window: every window is wrong", async (t) => {
  const model = await modelReplay(writeInput(tempDir(t)), TITLES, { batchDays: 7 });
  assert.deepEqual(model.batches.map((b) => [new Date(b.end).toISOString().slice(0, 10), b.size]), [["2005-01-27", 3], ["2005-02-03", 2], ["2005-02-17", 2]]);
  const runs = runModes(model, TITLES);
  const naive = naiveVsEventTime(model, runs.c, TITLES);
  assert.deepEqual(naive.wrong.map((w) => [w.window_start, w.title, w.naive_count, w.event_time_count, w.difference]), [
    ["2004-12-28", "One", 0, 2, -2],
    ["2005-01-27", "One", 4, 2, 2],
    ["2005-01-27", "Two", 2, 0, 2],
    ["2004-12-28", "Two", 0, 1, -1],
  ]);
  assert.deepEqual([naive.windows, naive.misplaced], [4, 4]);
  assert.equal(mostMisplacedBoundary(model), Date.UTC(2005, 0, 27));
});

test("mode A writes a row per window per batch that changed it (4), mode C one final row per window (3), once the watermark passes its end", async (t) => {
  const model = await modelReplay(writeInput(tempDir(t)), TITLES, { batchDays: 7 });
  const runs = runModes(model, TITLES);
  assert.deepEqual(runs.a.rows.map((r) => [r.batch, r.window_start, r.movie_id, r.rating_count]), [[1, "2004-12-28", 1, 2], [1, "2004-12-28", 2, 1], [2, "2005-01-27", 1, 1], [3, "2005-01-27", 1, 2]]);
  assert.deepEqual(runs.c.rows.map((r) => [r.batch, r.window_start, r.movie_id, r.rating_count]), [[2, "2004-12-28", 1, 2], [2, "2004-12-28", 2, 1], ["end", "2005-01-27", 1, 2]]);
  assert.deepEqual(runs.c.late, [6], "the last line is late");
  assert.deepEqual(runs.a.watermarks.map((w) => new Date(w.watermark).toISOString().slice(0, 10)), ["2005-01-25", "2005-01-27", "2005-02-09"]);
  assert.deepEqual(modesSummary(runs).map((m) => [m.mode, m.rows_written, m.windows, m.most_rows_for_one_window, m.first_row_written_by_batch]), [["A (update)", 4, 3, 2, 1], ["C (append)", 3, 3, 1, 2]]);
  const busiest = busiestUpdatedWindow(runs.a);
  assert.deepEqual(busiest, { window_start: "2005-01-27", movie_id: 1 });
  assert.deepEqual(windowStory(runs, busiest), [
    { batch: 2, processed: "2005-02-03", watermark_after: "2005-01-27", mode_A_writes: "count 1, sum 2, raters 1", mode_C_writes: "-" },
    { batch: 3, processed: "2005-02-17", watermark_after: "2005-02-09", mode_A_writes: "count 2, sum 4, raters 1", mode_C_writes: "-" },
    { batch: "end", processed: "end of input", watermark_after: "+inf", mode_A_writes: "-", mode_C_writes: "count 2, sum 4, raters 1" },
  ]);
});

test("distinct rating values (the original's approx_count_distinct(\"rating\")) against distinct raters; the partial last window; the timeline", async (t) => {
  const model = await modelReplay(writeInput(tempDir(t)), TITLES, { batchDays: 7 });
  const runs = runModes(model, TITLES);
  const d = distinctValuesVsRaters(model, runs.c, TITLES);
  // W1 of One: user 13 rated 2 twice: two ratings, one value, one rater
  assert.deepEqual(d.rows.map((r) => [r.window_start, r.title, r.rating_count, r.distinct_rating_values, r.distinct_raters]), [["2004-12-28", "One", 2, 2, 2], ["2005-01-27", "One", 2, 1, 1], ["2004-12-28", "Two", 1, 1, 1]]);
  assert.deepEqual([d.maxValues, d.maxRaters, d.windows], [2, 2, 3]);
  assert.deepEqual(lastWindow(model), { start: "2005-01-27", end: "2005-02-26", lastDay: "2005-02-10", daysCovered: 15 });
  const spec = JSON.stringify(timelineSpec(model, runs.c, mostMisplacedBoundary(model)));
  assert.match(spec, /late: rated 2005-01-02/);
  assert.match(spec, /processed 2005-02-17/);
});

test("modelReplay: batchDays must be a whole number of days; an input without a valid rating is an INPUT_INVALID error naming it", async (t) => {
  const dir = tempDir(t);
  await assert.rejects(modelReplay(writeInput(dir), TITLES, { batchDays: 0 }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /batchDays=0/.test(e.message));
  const empty = path.join(dir, "empty.csv");
  fs.writeFileSync(empty, `${RATING_HEADER}\nbad line\n`);
  await assert.rejects(modelReplay(empty, TITLES), (e) => isWorkbookError(e, "INPUT_INVALID") && e.message.includes("empty.csv"));
});

test("anomalies summed up per movie, most windows first; dead letters with dates as YYYY-MM-DD", () => {
  const a = (movie: number, title: string, start: string, end: string, n: number, mean: number) => ({ window_start: `${start}T00:00:00.000Z`, window_end: `${end}T00:00:00.000Z`, movie_id: movie, title, rating_count: n, rating_mean: mean });
  assert.deepEqual(anomalySummary([a(1, "One", "2005-01-01", "2005-01-08", 5, 4.2), a(2, "Two", "2005-01-01", "2005-01-08", 6, 4), a(2, "Two", "2005-01-02", "2005-01-09", 7, 4.5)]), [
    { title: "Two", anomalous_windows: 2, first_window_start: "2005-01-01", last_window_end: "2005-01-09", most_ratings: 7, best_mean: 4.5 },
    { title: "One", anomalous_windows: 1, first_window_start: "2005-01-01", last_window_end: "2005-01-08", most_ratings: 5, best_mean: 4.2 },
  ]);
  assert.deepEqual(deadLetterRows([{ line: "x", kind: "late", reason: "event time 2001-06-15T00:00:00.000Z falls", offset: "1" }]), [{ line: "x", kind: "late", reason: "event time 2001-06-15 falls" }]);
});
