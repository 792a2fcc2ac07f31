import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { sampleImages } from "../../scenarios/image-kmeans/samples";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, tempDir } from "../helpers";

test("02-image-kmeans runs through workbook run on its default samples: the corrupt and the missing image are rejected with reasons, the warehouse is queried, the exercises are solvable", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "02-image-kmeans.ipynb");
  const result = await runNotebook({
    input: withProbe(path.join(projectRoot, "notebooks", "02-image-kmeans.ipynb"), dir), // with the lesson probe (./lesson.ts)
    cwd: path.join(projectRoot, "notebooks"),
    output,
    parameters: { k: 3, resize: 40, runner: "local", solutions: true },
    progressBar: false,
    // A work folder of its own for the warehouse file.
    env: { WORKBOOK_HOME: path.join(dir, "home") },
  });
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "02-image-kmeans.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const scraps = readScraps(output);
  assert.equal(scraps.images_processed, 12);
  assert.equal(scraps.images_rejected, 2, "the samples include a corrupt and a missing image");
  assert.equal(scraps.table_rejected, 2);
  assert.equal(typeof scraps.top_hue, "string");
  assert.equal(scraps.exercises_correct, 3);
  // the naive day load: the 12 readable samples are in the day's partition, then the second set (three
  // samples and a flat grey image, 4 files) replaces it; the keyed merge keeps 12 + 4
  assert.equal(scraps.naive_rows_before, sampleImages().length);
  assert.equal(scraps.naive_rows_left, 4);
  assert.ok((scraps.naive_rows_left as number) < (scraps.naive_rows_before as number), "the naive load lost rows");
  assert.equal(scraps.merged_rows_left, sampleImages().length + 4);
  assert.deepEqual(scraps.fewer_than_k, ["day2-flat.png"], "one colour, whatever k");
  // data quality: 14 checks declared in scenarios/image-kmeans/quality.ts (freshness 1, volume 1, schema 7,
  // uniqueness 2, referential 2, drift 1), all six kinds; both planted faults caught
  assert.equal(scraps.quality_checks, 14);
  assert.deepEqual(scraps.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.equal(scraps.quality_planted, 2);
  assert.equal(scraps.quality_caught, 2);
  assert.ok(fs.existsSync(path.join(dir, "home", "warehouse.duckdb")), "the rows went to the configured warehouse");
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /image\/svg\+xml/, "swatches were shown");
  assert.match(text, /image\/png/, "with their PNG");
  assert.match(text, /missing file: /);
  assert.match(text, /sample-013-truncated\.png/);
  assert.match(text, /corrupt image: sample-013-truncated\.png looks like PNG/, "the reason names the file, not its path");
  await checkNbformat(t, output);
});

test("02-image-kmeans is committed without outputs, as nbformat 4.5 on the tslab kernel", () => {
  const { nb, parameters } = checkCommittedNotebook(path.join(projectRoot, "notebooks", "02-image-kmeans.ipynb"));
  assert.equal(nb.metadata.kernelspec.language, "typescript");
  for (const name of ["images", "k", "resize", "runner", "solutions"]) assert.match(parameters, new RegExp(`let ${name}\\b`));
});
