import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SNAPSHOT_DIR, matchSnapshot } from "./snapshot";

const quiet = { diagnostic: () => undefined } as unknown as TestContext;

test("a missing snapshot fails, saying how to record it, and records nothing", (t) => {
  const name = `missing-${process.pid}.txt`;
  const file = path.join(SNAPSHOT_DIR, name);
  t.after(() => fs.rmSync(file, { force: true }));
  assert.throws(() => matchSnapshot(quiet, name, "content", {}), (err: Error) => err.message.includes(file) && /UPDATE_SNAPSHOTS=1/.test(err.message));
  assert.equal(fs.existsSync(file), false, "no snapshot was written");
});

test("UPDATE_SNAPSHOTS=1 records a snapshot that later runs compare against; CI refuses to record", (t) => {
  const name = `recorded-${process.pid}.txt`;
  const file = path.join(SNAPSHOT_DIR, name);
  t.after(() => fs.rmSync(file, { force: true }));
  assert.throws(() => matchSnapshot(quiet, name, "v1", { UPDATE_SNAPSHOTS: "1", CI: "true" }), /refused in CI/);
  assert.equal(fs.existsSync(file), false);
  matchSnapshot(quiet, name, "v1", { UPDATE_SNAPSHOTS: "1" });
  assert.equal(fs.readFileSync(file, "utf8"), "v1");
  matchSnapshot(quiet, name, "v1", {});
  assert.throws(() => matchSnapshot(quiet, name, "v2", {}), (err: Error) => /differs from its snapshot/.test(err.message) && /UPDATE_SNAPSHOTS=1/.test(err.message));
});
