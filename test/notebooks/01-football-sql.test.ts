import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, tempDir } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "01-football-sql.ipynb");

test("01-football-sql runs through workbook run: every record is a match or rejected with a reason, the exponent is football's, the exercises are solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "08.ipynb");
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: { solutions: true }, progressBar: false, env: { WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: "" } }); // the warehouse in the temp home
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "01-football-sql.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const s = readScraps(output);
  assert.equal((s.matches as number) + (s.rejected as number), s.input_records);
  assert.equal(s.input_records, 6508 + 5, "football.json and the five planted records");
  assert.equal(s.rejected, 9, "the five planted records and the file's four matches without a score");
  assert.deepEqual(s.seasons, ["2013-14", "2014-15", "2015-16", "2016-17"]);
  // with draws, goals buy points less steeply than runs buy wins in baseball (k = 2): published fits for football lie around 1.2-1.4
  const k = s.pythagorean_exponent as number;
  assert.ok(k > 1 && k < 1.6, `exponent ${k}`);
  assert.ok((s.fitted_error as number) < (s.naive_error as number), "the fitted exponent beats baseball's 2");
  assert.equal(s.champion, "Leicester City");
  assert.equal(typeof s.top_elo_team, "string");
  assert.equal(s.exercises_correct, 3);
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /image\/png/, "charts have their PNG");
  assert.match(text, /cannot play itself/, "rejected records are shown with their reasons");
  assert.match(text, /score is missing/);
  await checkNbformat(t, output);
});

test("01-football-sql is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters and exercises", () => {
  const { nb, parameters: params, source } = checkCommittedNotebook(notebook);
  assert.equal(nb.metadata.kernelspec.display_name, "TypeScript");
  const ids = nb.cells.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, "cell ids are unique");
  for (const name of ["season", "division", "top", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.match(params, /let solutions = false;/);
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
  for (const scrap of ["matches", "rejected", "seasons", "pythagorean_exponent", "top_elo_team", "exercises_correct"]) assert.match(source, new RegExp(`glue\\("${scrap}"`));
});
