import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, tempDir } from "../helpers";
import { ratingsWithBadRecords } from "./variants";
import { NETFLIX_SAMPLE, readTitles } from "../../scenarios/netflix";

const notebook = path.join(projectRoot, "notebooks", "05-netflix-ratings.ipynb");

const DAY = 86_400_000;
const WINDOW = 30 * DAY;

/**
 * The lesson's figures worked out a second way, apart from scenarios/netflix/event-time.ts, from the
 * same input file: the replay clock (the newest valid day so far), batches of `batchDays` days from the
 * first valid day, each processed at the end of its span; a rating is late when its 30-day window ended
 * at or before the newest day before it less one day.
 */
function lessonFigures(file: string, batchDays: number): { naiveWrong: number; modeA: number; modeC: number } {
  const movies = new Set(readTitles(NETFLIX_SAMPLE.titles).keys());
  const valid: { t: number; movie: number }[] = [];
  for (const line of fs.readFileSync(file, "utf8").trim().split("\n").slice(1)) {
    const [date, film, user, rate, ...rest] = line.trim().split(",");
    if (rest.length > 0 || rate === undefined || !/^\d+$/.test(film) || !/^\d+$/.test(user) || !/^\d+$/.test(rate)) continue;
    const t = Date.parse(`${date}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) continue;
    if (Number(rate) < 1 || Number(rate) > 5 || !movies.has(Number(film))) continue;
    valid.push({ t, movie: Number(film) });
  }
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const naive = new Map<string, number>();
  const event = new Map<string, number>();
  const touched = new Map<number, Set<string>>();
  const t0 = valid[0].t;
  let clock = t0;
  let newest = -Infinity;
  for (const r of valid) {
    clock = Math.max(clock, r.t);
    const batch = Math.floor((clock - t0) / (batchDays * DAY));
    add(naive, `${Math.floor((t0 + (batch + 1) * batchDays * DAY) / WINDOW)}|${r.movie}`);
    const w = Math.floor(r.t / WINDOW);
    const late = (w + 1) * WINDOW <= newest - DAY;
    newest = Math.max(newest, r.t);
    if (late) continue;
    add(event, `${w}|${r.movie}`);
    touched.set(batch, (touched.get(batch) ?? new Set()).add(`${w}|${r.movie}`));
  }
  const naiveWrong = [...new Set([...naive.keys(), ...event.keys()])].filter((k) => naive.get(k) !== event.get(k)).length;
  return { naiveWrong, modeA: [...touched.values()].reduce((s, keys) => s + keys.size, 0), modeC: event.size };
}

/** The late rating is late in the stream and in the batch, and read = counted + late + rejected. */
function assertLateAndBalanced(scraps: Record<string, unknown>): void {
  assert.equal(scraps.late, 1);
  assert.equal(scraps.oracle_late, 1);
  assert.equal(scraps.counts_balanced, true);
}

test("05-netflix-ratings runs through workbook run in mode C: windows, anomalies and rejected records are glued and the stream equals the batch", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const ratings = ratingsWithBadRecords(dir);
  const output = path.join(dir, "05-netflix-ratings.ipynb");
  const result = await runNotebook({
    input: withProbe(notebook, dir), // with the lesson probe (./lesson.ts)
    cwd: path.dirname(notebook),
    output,
    parameters: { ratings, mode: "C", windowDays: 7, minRatings: 5, minMean: 4, solutions: true },
    progressBar: false,
    env: { WORKBOOK_HOME: path.join(dir, "home") },
  });
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "05-netflix-ratings.ipynb"); // the browser test of this run opens this copy (its second run, instances = 2, is in test/notebooks/variants.ts)
  const scraps = readScraps(output);
  assert.equal(scraps.rejected, 2);
  assertLateAndBalanced(scraps);
  assert.equal(scraps.oracle_match, true);
  assert.equal(scraps.exercises_correct, 3, "every exercise is solvable");
  assert.ok((scraps.windows_written as number) > 100, `windows_written=${String(scraps.windows_written)}`);
  assert.ok((scraps.anomalies as number) > 0, `anomalies=${String(scraps.anomalies)}`);
  // the lesson (issue 25): the naive count is wrong, mode A writes more rows than mode C
  const expected = lessonFigures(ratings, 7);
  assert.ok(expected.naiveWrong > 0 && expected.modeC < expected.modeA, JSON.stringify(expected));
  assert.deepEqual([scraps.naive_wrong_windows, scraps.mode_a_rows, scraps.mode_c_rows], [expected.naiveWrong, expected.modeA, expected.modeC]);
  assert.ok((scraps.live_table_changes as number) >= 1, `live_table_changes=${String(scraps.live_table_changes)}`);
  // data quality (issue 27): 13 checks on the three tables and 5 on the planted copy of the windows (counted in scenarios/netflix/quality.ts)
  assert.deepEqual([scraps.quality_checks, scraps.quality_kinds, scraps.quality_caught, scraps.quality_planted], [18, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"], 1, 1]);
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /Latest windows/);
  assert.match(text, /image\/svg\+xml/, "the chart was drawn");
  assert.match(text, /Event time against processing time/, "the timeline was drawn");
  assert.match(text, /image\/png/, "the charts have a PNG beside the SVG");
  assert.match(text, /rating 9 outside 1-5/, "the dead letters are shown with their reason");
  assert.match(text, /late for movie_ratings: event time 2001-06-15/, "the late rating is shown with its reason");
  await checkNbformat(t, output);
});

test("05-netflix-ratings is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters", () => {
  const { parameters: params } = checkCommittedNotebook(notebook);
  for (const name of ["ratings", "titles", "mode", "windowDays", "minRatings", "minMean", "speed", "batchDays", "instances"]) assert.match(params, new RegExp(`let ${name} = `));
});
