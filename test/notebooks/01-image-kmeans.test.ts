import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { sampleImages } from "../../scenarios/image-kmeans/samples";
import { checkNbformat, tempDir } from "../helpers";

test("01-image-kmeans runs through workbook run: processed and rejected images are glued, and the warehouse is queried", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const notImage = path.join(dir, "notes.png");
  fs.writeFileSync(notImage, "not pixels");
  const images = [...sampleImages().slice(0, 3), notImage, path.join(dir, "missing.png")];
  const output = path.join(dir, "01-image-kmeans.ipynb");
  const result = await runNotebook({
    input: path.join(projectRoot, "notebooks", "01-image-kmeans.ipynb"),
    output,
    parameters: { images, k: 3, resize: 60, runner: "local" },
    progressBar: false,
    // A work folder of its own for the warehouse file.
    env: { WORKBOOK_HOME: path.join(dir, "home") },
  });
  assert.equal(result.status, "completed", result.error);
  const scraps = readScraps(output);
  assert.equal(scraps.images_processed, 3);
  assert.equal(scraps.images_rejected, 2);
  assert.equal(typeof scraps.top_hue, "string");
  assert.ok(fs.existsSync(path.join(dir, "home", "warehouse.duckdb")), "the rows went to the configured warehouse");
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /image\/svg\+xml/, "swatches were shown");
  assert.match(text, /missing file: /);
  await checkNbformat(t, output);
});

test("01-image-kmeans is committed without outputs, as nbformat 4.5 on the tslab kernel", () => {
  const nb = JSON.parse(fs.readFileSync(path.join(projectRoot, "notebooks", "01-image-kmeans.ipynb"), "utf8"));
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual([nb.metadata.kernelspec.name, nb.metadata.kernelspec.language], ["tslab", "typescript"]);
  for (const cell of nb.cells) {
    if (cell.cell_type === "code") assert.deepEqual([cell.outputs, cell.execution_count], [[], null]);
  }
  const parameters = nb.cells.find((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes("parameters"));
  for (const name of ["images", "k", "resize", "runner"]) assert.match(parameters.source, new RegExp(`let ${name}\\b`));
});
