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

const notebook = path.join(projectRoot, "notebooks", "05-netflix-ratings.ipynb");

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
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /Latest windows/);
  assert.match(text, /image\/svg\+xml/, "the chart was drawn");
  assert.match(text, /rating 9 outside 1-5/, "the dead letters are shown with their reason");
  assert.match(text, /late for movie_ratings: event time 2001-06-15/, "the late rating is shown with its reason");
  await checkNbformat(t, output);
});

test("05-netflix-ratings is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters", () => {
  const { parameters: params } = checkCommittedNotebook(notebook);
  for (const name of ["ratings", "titles", "mode", "windowDays", "minRatings", "minMean", "speed", "instances"]) assert.match(params, new RegExp(`let ${name} = `));
});
