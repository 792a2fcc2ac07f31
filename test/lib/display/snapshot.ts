/**
 * Snapshot files under test/lib/display/__snapshots__ (committed). A missing or different snapshot
 * fails the test: snapshots are written only when asked, with UPDATE_SNAPSHOTS=1, e.g.
 *   npm run build && UPDATE_SNAPSHOTS=1 node scripts/run-tests.js display
 * then review and commit the files. CI never records: there UPDATE_SNAPSHOTS=1 fails the test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { projectRoot } from "../../../lib/paths";

export const SNAPSHOT_DIR = path.join(projectRoot, "test", "lib", "display", "__snapshots__");
const RECORD_HOW = "record it with `npm run build && UPDATE_SNAPSHOTS=1 node scripts/run-tests.js display`, review the file and commit it";

export function matchSnapshot(t: TestContext, name: string, actual: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = path.join(SNAPSHOT_DIR, name);
  if (env.UPDATE_SNAPSHOTS === "1") {
    assert.ok(!/^(true|1|yes)$/i.test(env.CI ?? ""), `UPDATE_SNAPSHOTS=1 is refused in CI (CI=${env.CI}): record snapshots locally and commit them`);
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== actual) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, actual);
      t.diagnostic(`UPDATE_SNAPSHOTS=1: recorded ${file}`);
    }
    return;
  }
  assert.ok(fs.existsSync(file), `${name} has no snapshot at ${file}; ${RECORD_HOW}`);
  const expected = fs.readFileSync(file, "utf8");
  assert.equal(actual, expected, `${name} differs from its snapshot ${file}; if the change is intended, re-${RECORD_HOW}`);
}
