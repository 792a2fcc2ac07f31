import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot, shownPath } from "../../lib/paths";

test("shownPath shows a path without the machine's folders: relative to the project, ~ for home, else its last two parts", () => {
  assert.equal(shownPath(path.join(projectRoot, ".workbook", "lake")), path.join(".workbook", "lake"));
  assert.equal(shownPath(projectRoot), ".");
  if (!projectRoot.startsWith(os.homedir() + path.sep)) assert.equal(shownPath(path.join(os.homedir(), "data", "x.csv")), path.join("~", "data", "x.csv"));
  const elsewhere = path.join(path.parse(projectRoot).root, "zz-not-home", "workbook-test-ab12", "home");
  assert.equal(shownPath(elsewhere), path.join("...", "workbook-test-ab12", "home"));
  assert.doesNotMatch(shownPath(elsewhere), /zz-not-home/);
  assert.equal(shownPath("gs://bucket/lake/x.parquet"), "gs://bucket/lake/x.parquet");
  assert.equal(shownPath(`file://${path.join(projectRoot, ".workbook", "lake")}`), path.join(".workbook", "lake"));
});
