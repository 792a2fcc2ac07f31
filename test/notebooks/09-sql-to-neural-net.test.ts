import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, tempDir } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "09-sql-to-neural-net.ipynb");

/** Palmer penguins' species are nearly linearly separable on bill and flipper: a small network on scaled features reaches 0.9 in a few epochs. */
const FLOOR = 0.9;

test("09-sql-to-neural-net loads the penguins, trains above the floor, beats the majority baseline, reloads its model, and the exercises are solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "09.ipynb");
  const home = path.join(dir, "home");
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: { epochs: 20, solutions: true }, progressBar: false, env: { WORKBOOK_HOME: home, DATABASE_URL: "" } });
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "09-sql-to-neural-net.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const s = readScraps(output);
  assert.equal(s.records, 344);
  assert.equal(s.rows, 342);
  assert.equal(s.rejected, 2);
  assert.equal((s.rows as number) + (s.rejected as number), s.records, "in = loaded + rejected");
  assert.equal((s.train_rows as number) + (s.test_rows as number), s.rows);
  assert.ok((s.train_rows as number) > 0.7 * (s.rows as number) && (s.train_rows as number) < 0.9 * (s.rows as number), `about 80% train: ${s.train_rows}`);
  assert.ok((s.test_accuracy as number) >= FLOOR, `test accuracy ${s.test_accuracy}`);
  assert.ok((s.baseline_accuracy as number) < (s.test_accuracy as number));
  assert.ok((s.naive_accuracy as number) < (s.test_accuracy as number), "unscaled inputs do worse");
  assert.equal(s.reloaded_same, true);
  assert.equal(s.predicted_species, "Gentoo");
  assert.equal(s.exercises_correct, 3);
  // data quality: 14 checks declared in scenarios/penguins/quality.ts (freshness 1, volume 2, schema 6,
  // uniqueness 2, referential 1, drift 2), all six kinds; the planted penguin on an unknown island caught
  assert.equal(s.quality_checks, 14);
  assert.deepEqual(s.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.equal(s.quality_planted, 1);
  assert.equal(s.quality_caught, 1);
  assert.ok(fs.existsSync(path.join(home, "penguins", "model", "model.json")), "the model is saved in the work folder");
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /image\/png/, "pictures have their PNG");
  assert.match(text, /missing bill_length_mm/, "rejected records are shown with their reasons");
  assert.match(text, /every island exists in penguin_islands/, "the planted fault's check is shown");
  await checkNbformat(t, output);
});

test("09-sql-to-neural-net is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters and exercises", () => {
  const { nb, parameters: params, source } = checkCommittedNotebook(notebook);
  assert.equal(nb.metadata.kernelspec.display_name, "TypeScript");
  for (const name of ["epochs", "learningRate", "seed", "hiddenUnits", "billLength", "billDepth", "flipperLength", "bodyMass", "island", "sex", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.match(params, /let solutions = false/);
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
});
