import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { callsKeepExecuted, executedCopy, tempDir, withEnv } from "./helpers";

// The browser test opens the copies the notebook tests leave instead of running each notebook once
// more: these guard the hand-over, which silently cost a full run of every notebook when it broke.
const compiled = (name: string) => path.join(__dirname, "notebooks", `${name}.test.js`);

test("callsKeepExecuted sees the call in TypeScript and in the compiled JavaScript the runner loads", () => {
  assert.equal(callsKeepExecuted('keepExecuted(output, "00-welcome.ipynb");'), true);
  assert.equal(callsKeepExecuted('(0, helpers_1.keepExecuted)(output, "00-welcome.ipynb");'), true);
  assert.equal(callsKeepExecuted("const keepExecutedLater = 1;"), false);
  // a compiled notebook test
  assert.equal(callsKeepExecuted(fs.readFileSync(compiled("00-welcome"), "utf8")), true);
});

test("executedCopy returns the copy a notebook test of this run left, and nothing at once for a notebook whose test leaves none", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "00-welcome.ipynb"), "{}");
  const keepsNone = path.join(dir, "10-other.test.js"); // a notebook test that leaves no copy
  fs.writeFileSync(keepsNone, 'test("runs", () => runNotebook({}));\n');
  withEnv(t, { EXECUTED_NOTEBOOKS_DIR: dir, TEST_FILES: [compiled("00-welcome"), keepsNone].join(path.delimiter) });
  assert.equal(await executedCopy("00-welcome.ipynb", 1000), path.join(dir, "00-welcome.ipynb"));
  const began = Date.now();
  assert.equal(await executedCopy("10-other.ipynb", 60_000), undefined);
  assert.ok(Date.now() - began < 1000, "not waited for");
  withEnv(t, { TEST_FILES: keepsNone });
  assert.equal(await executedCopy("00-welcome.ipynb", 60_000), undefined, "its test is not part of this run");
});
