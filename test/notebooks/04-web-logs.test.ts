import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { generateWebLogs } from "../../scenarios/web-logs/generate";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, stderrOutputs, tempDir, assertLastCellClosesNothing } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "04-web-logs.ipynb");

/** The stderr stream outputs of an executed notebook (the browser test fails on any). */

test("04-web-logs runs through workbook run: every line accounted for, hours loaded and re-run for late data, warehouse = recomputation over the lake, exercises solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "02.ipynb");
  const params = { hours: 3, eventsPerHour: 800, seed: 5, solutions: true };
  const began = Date.now();
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: params, progressBar: false, env: { WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: "" } });
  t.diagnostic(`notebook ran in ${Date.now() - began} ms`);
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "04-web-logs.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const s = readScraps(output);
  const truth = generateWebLogs({ hours: 3, eventsPerHour: 800, seed: 5 }).truth;
  assert.equal(s.events, truth.lines);
  assert.equal(s.rejected, truth.malformed);
  assert.ok((s.rejected as number) > 0);
  assert.equal((s.lake_rows as number) + (s.rejected as number), s.events, "in = ok + rejected");
  assert.equal(s.hours_loaded, 3);
  assert.ok((s.hours_rerun_for_late_data as number) >= 1, "late data made an hour run again");
  assert.equal(s.rerun_unchanged, true);
  assert.equal(s.naive_doubled, true);
  assert.equal(s.warehouse_matches_lake, true);
  assert.equal(s.exercises_correct, 3);
  // data quality: the 7 checks of scenarios/web-logs/quality.ts cover the six kinds; a late lake file and an unknown state, both caught
  assert.equal(s.quality_checks, 7);
  assert.deepEqual(s.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.equal(s.quality_planted, 2);
  assert.equal(s.quality_caught, 2);
  const text = fs.readFileSync(output, "utf8");
  assert.deepEqual(stderrOutputs(output), [], "nothing is printed to stderr in a normal run");
  assert.match(text, /image\/png/, "pictures have their PNG");
  assert.match(text, /not JSON|is missing or empty|is not \\"YYYY-MM-DD HH:MM:SS\\"|neither null nor/, "dead letters are shown with their reasons");
  assert.match(text, /dag-grid/, "the grid of runs is shown");
  assert.match(text, /no events \(no data\)/, "the map has a legend entry for states without events");
  assert.match(text, /daily curve of the generator/, "the traffic chart draws the daily curve");
  assert.match(text, /10000/, "BigQuery's partition limit of today is shown");
  await checkNbformat(t, output);
});

test("04-web-logs is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters and exercises", () => {
  const { nb, parameters: params, source } = checkCommittedNotebook(notebook);
  // classroom rules (issue 16): resources opened once and left open, long work started once and interruptible
  assert.match(source, /openOnce\("lake"/);
  assert.match(source, /openOnce\("warehouse"/);
  assert.match(source, /openOnce\("DAG store"/);
  assert.match(source, /startOnce\("web-logs run"/);
  assert.match(source, /interruptible\(running\.finish\(\)\)/);
  assertLastCellClosesNothing(nb);
  for (const name of ["hours", "eventsPerHour", "speed", "lateShare", "seed", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
});
