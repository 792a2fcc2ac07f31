import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, tempDir } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "03-sparkify-star-schema.ipynb");

test("03-sparkify-star-schema runs its DAG through workbook run: the star schema matches the generator's ledger, checks of the six kinds pass, a planted fault is caught, the cluster is deleted, the exercises are solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "04.ipynb");
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: { days: 30, events: 3000, songs: 120, users: 25, seed: 3, solutions: true }, progressBar: false, env: { WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: "" } }); // PGlite in the temp home: DAG runs of other tests do not mix in
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "03-sparkify-star-schema.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const s = readScraps(output);
  assert.equal(s.dag_state, "success");
  assert.equal(s.songplays, s.expected_songplays);
  assert.equal(s.matched_songplays, s.expected_matched);
  assert.equal(s.rejected_lines, s.expected_rejected);
  assert.ok((s.rejected_lines as number) > 0);
  assert.ok((s.naive_rows as number) > (s.songplays as number), "the title-only join gives more rows than plays");
  assert.ok((s.users as number) > 0);
  assert.equal(s.dq_failed, 0);
  assert.equal(s.hours_with_plays, 24, "the daily curve: plays in every hour of the day");
  assert.equal(s.unmatched_plays, (s.expected_songplays as number) - (s.expected_matched as number), "the plays of songs the catalogue does not have");
  assert.equal(s.users_at_both_levels, s.expected_both_levels);
  assert.equal(s.song_partitions, s.expected_song_partitions);
  assert.equal(s.quality_checks, 23, "scenarios/sparkify/quality.ts declares 23 checks, and the drill runs the same ones");
  assert.deepEqual(s.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.deepEqual([s.quality_caught, s.quality_planted], [1, 1], "the play by a missing user, planted on a copy, is caught");
  assert.equal(s.cluster_deleted, true);
  assert.equal(s.exercises_correct, 3);
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /image\/png/, "pictures have their PNG");
  assert.match(text, /not JSON|is not a time in milliseconds/, "rejected lines are shown with their reasons");
  assert.match(text, /quality_checks stopped the run: DAG_QUALITY_FAILED/, "the drill's run stops at quality_checks");
  await checkNbformat(t, output);
});

test("03-sparkify-star-schema is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters and exercises", () => {
  const { parameters: params, source } = checkCommittedNotebook(notebook);
  for (const name of ["songData", "logData", "days", "events", "songs", "users", "runner", "failAt", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
});
