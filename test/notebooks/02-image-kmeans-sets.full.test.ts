/**
 * 02-image-kmeans run three times on one warehouse (set A, set B the same day, A again): in the full
 * run (npm run test:full, CI) only, as three notebook runs are about a minute; npm test keeps the
 * notebook's own run (02-image-kmeans.test.ts) and the keyed merge's unit tests.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { openWarehouse } from "../../lib/warehouse";
import { makeSampleImages, sampleImages } from "../../scenarios/image-kmeans/samples";
import { tempDir } from "../helpers";

test("02-image-kmeans on set A, then set B the same day, then A again leaves |A| + |B| rows, each once", { timeout: 600_000 }, async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "home");
  // A: three samples and late.png, missing the first time; B: three other images and notes.png, not an image.
  const late = path.join(dir, "late.png");
  const a = [...sampleImages().slice(0, 3), late];
  const notImage = path.join(dir, "notes.png");
  fs.writeFileSync(notImage, "not pixels");
  const b = [...(await makeSampleImages({ dir: path.join(dir, "b"), count: 3, seed: 11 })), notImage];
  const run = async (images: string[], name: string) => {
    const output = path.join(dir, `${name}.ipynb`);
    const result = await runNotebook({
      input: path.join(projectRoot, "notebooks", "02-image-kmeans.ipynb"),
      output,
      parameters: { images, k: 3, resize: 40, runner: "local" },
      progressBar: false,
      env: { WORKBOOK_HOME: home },
    });
    assert.equal(result.status, "completed", result.error);
    const s = readScraps(output);
    return [s.images_processed, s.images_rejected, s.table_rows, s.table_rejected];
  };
  assert.deepEqual(await run(a, "a1"), [3, 1, 3, 1]);
  assert.deepEqual(await run(b, "b"), [3, 1, 6, 2], "B kept A's rows");
  fs.copyFileSync(sampleImages()[5], late);
  assert.deepEqual(await run(a, "a2"), [4, 0, 7, 1], "A again replaced its own rows; late.png left the rejected table");

  const wh = await openWarehouse({ path: path.join(home, "warehouse.duckdb") });
  t.after(() => wh.close());
  const stored = await wh.query<{ uri: string; n: number }>("SELECT uri, COUNT(*) AS n FROM image_colors GROUP BY uri ORDER BY uri");
  assert.deepEqual(stored.rows.map((r) => [r.uri, Number(r.n)]), [...a, ...b.slice(0, 3)].sort().map((uri) => [uri, 1]));
  const rejected = await wh.query("SELECT uri FROM image_colors_rejected");
  assert.deepEqual(rejected.rows, [{ uri: notImage }]);
});
