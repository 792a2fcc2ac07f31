import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { lessonLint } from "./lesson";
import { checkNbformat, keepExecuted, tempDir } from "../helpers";

test("00-welcome runs through workbook run and every backend check passes", { timeout: 240_000 }, async (t) => {
  const output = path.join(tempDir(t), "00-welcome.ipynb");
  const result = await runNotebook({ input: path.join(projectRoot, "notebooks", "00-welcome.ipynb"), output, parameters: { name: "Ada" }, progressBar: false });
  assert.equal(result.status, "completed", result.error);
  assert.deepEqual(lessonLint(output), [], "the outputs read as a lesson (./lesson.ts)");
  keepExecuted(output, "00-welcome.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const scraps = readScraps(output);
  assert.equal(scraps.greeting, "Hello, Ada");
  assert.equal(scraps.backends_checked, 4);
  assert.equal(scraps.backends_ok, 4, JSON.stringify(scraps.backends));
  const parts = (scraps.backends as { part: string; mode: string }[]).map((b) => `${b.part}:${b.mode}`);
  assert.deepEqual(parts, ["Kafka:embedded", "Warehouse:embedded", `PostgreSQL:${process.env.DATABASE_URL ? "configured" : "embedded"}`, "Jobs:embedded"]);
  await checkNbformat(t, output);
});
