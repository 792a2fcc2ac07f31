/** Snapshot files under test/lib/display/__snapshots__ (committed). Delete a file and re-run to re-record it. */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { projectRoot } from "../../../lib/paths";

export function matchSnapshot(t: TestContext, name: string, actual: string): void {
  const file = path.join(projectRoot, "test", "lib", "display", "__snapshots__", name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    t.diagnostic(`recorded a new snapshot ${file}`);
    return;
  }
  const expected = fs.readFileSync(file, "utf8");
  assert.equal(actual, expected, `${name} differs from its snapshot ${file}; if the change is intended, delete the file and re-run to record it`);
}
