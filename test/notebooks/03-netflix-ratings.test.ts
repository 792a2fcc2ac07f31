import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { RATING_HEADER } from "../../scenarios/netflix/ratings";
import { checkCommittedNotebook, checkNbformat, tempDir } from "../helpers";
import { openSql } from "../../lib/sql";
import { sqlTarget, uniqueName } from "../lib/stream/helpers";

const notebook = path.join(projectRoot, "notebooks", "03-netflix-ratings.ipynb");

/** The ratings of 2003 from the sample, two malformed lines in the middle, and at the end a rating of 2001 (late). */
function ratingsWithBadRecords(dir: string): string {
  const sample = fs.readFileSync(path.join(projectRoot, "data", "netflix", "ratings", "part-00004.csv"), "utf8").trim().split("\n").slice(1);
  const ratings = path.join(dir, "ratings.csv");
  fs.writeFileSync(ratings, [RATING_HEADER, ...sample.slice(0, 1000), "2003-13-01,1,7,3", "2003-06-01,1,7,9", ...sample.slice(1000), "2001-06-15,14,2665,5"].join("\n") + "\n");
  return ratings;
}

/** The late rating is late in the stream and in the batch, and read = counted + late + rejected. */
function assertLateAndBalanced(scraps: Record<string, unknown>): void {
  assert.equal(scraps.late, 1);
  assert.equal(scraps.oracle_late, 1);
  assert.equal(scraps.counts_balanced, true);
}

test("03-netflix-ratings runs through workbook run in mode C: windows, anomalies and rejected records are glued and the stream equals the batch", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const ratings = ratingsWithBadRecords(dir);
  const output = path.join(dir, "03-netflix-ratings.ipynb");
  const result = await runNotebook({
    input: notebook,
    output,
    parameters: { ratings, mode: "C", windowDays: 7, minRatings: 5, minMean: 4, solutions: true },
    progressBar: false,
    env: { WORKBOOK_HOME: path.join(dir, "home") },
  });
  assert.equal(result.status, "completed", result.error);
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

test("03-netflix-ratings with instances = 2: two processor processes in one consumer group write the same results as the batch", { timeout: 240_000 }, async (t) => {
  const target = sqlTarget();
  if (target.kind !== "postgres") {
    t.skip("instances > 1 needs a PostgreSQL server (DATABASE_URL); PGlite cannot be shared between processes");
    return;
  }
  // A database of its own on the shared server: other tests use the table name movie_ratings too.
  const database = uniqueName("nb_instances");
  const admin = await openSql({ url: target.url });
  await admin.exec(`CREATE DATABASE ${database}`);
  t.after(async () => {
    await admin.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.close();
  });
  const url = new URL(target.url);
  url.pathname = `/${database}`;
  const dir = tempDir(t);
  const ratings = ratingsWithBadRecords(dir);
  const output = path.join(dir, "03-netflix-ratings.ipynb");
  const result = await runNotebook({
    input: notebook,
    output,
    parameters: { ratings, mode: "A", windowDays: 7, minRatings: 5, minMean: 4, instances: 2 },
    progressBar: false,
    env: { WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: url.toString() },
  });
  assert.equal(result.status, "completed", result.error);
  const scraps = readScraps(output);
  assert.equal(scraps.oracle_match, true);
  assert.equal(scraps.rejected, 2);
  assertLateAndBalanced(scraps);
  assert.ok((scraps.windows_written as number) > 100, `windows_written=${String(scraps.windows_written)}`);
});

test("03-netflix-ratings is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters", () => {
  const { parameters: params } = checkCommittedNotebook(notebook);
  for (const name of ["ratings", "titles", "mode", "windowDays", "minRatings", "minMean", "speed", "instances"]) assert.match(params, new RegExp(`let ${name} = `));
});
