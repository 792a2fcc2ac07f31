import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { lessonLint, unshownNumbers } from "./lesson";
import { checkNbformat, keepExecuted, tempDir } from "../helpers";

test("00-welcome runs through workbook run and every backend check passes", { timeout: 240_000 }, async (t) => {
  const output = path.join(tempDir(t), "00-welcome.ipynb");
  const result = await runNotebook({ input: path.join(projectRoot, "notebooks", "00-welcome.ipynb"), output, parameters: { name: "Ada" }, progressBar: false });
  assert.equal(result.status, "completed", result.error);
  assert.deepEqual(lessonLint(output), [], "the outputs read as a lesson (./lesson.ts)");
  assert.deepEqual(unshownNumbers(JSON.parse(fs.readFileSync(output, "utf8"))), [], "every number the markdown states shows in an output or code, or is declared as given");
  keepExecuted(output, "00-welcome.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const scraps = readScraps(output);
  assert.equal(scraps.greeting, "Hello, Ada");
  // five parts, each checked for real here (no row says "ok" without having run)
  assert.equal(scraps.backends_checked, 5);
  assert.equal(scraps.backends_ok, 5, JSON.stringify(scraps.backends));
  const parts = (scraps.backends as { part: string; mode: string; status: string }[]).map((b) => `${b.part}:${b.mode}:${b.status}`);
  assert.deepEqual(parts, ["Kafka:embedded:ok", "Warehouse:embedded:ok", `PostgreSQL:${process.env.DATABASE_URL ? "configured" : "embedded"}:ok`, "Lake:embedded:ok", "Jobs:embedded:ok"]);
  const text = fs.readFileSync(output, "utf8");
  assert.match(text, /wrote, listed, read back and deleted 1 file/, "the lake row says what it checked");
  assert.match(text, /squared 4 records in 2 worker processes/, "the jobs row ran a job");
  await checkNbformat(t, output);
});
