import assert from "node:assert/strict";
import { test } from "node:test";
import { withResource } from "../../../lib/dag";

function resource(log: string[], name: string) {
  return { name, close: () => void log.push(`close ${name}`) };
}

test("withResource closes what it opened, even when the task fails, and never what it was given", async () => {
  const log: string[] = [];
  assert.equal(await withResource(undefined, async () => resource(log, "opened"), async (r) => r.name), "opened");
  assert.deepEqual(log, ["close opened"]);
  await assert.rejects(withResource(undefined, async () => resource(log, "failing"), async () => { throw new Error("task failed"); }), /task failed/);
  assert.deepEqual(log, ["close opened", "close failing"]);
  const given = resource(log, "given");
  assert.equal(await withResource(async () => given, async () => resource(log, "unused"), async (r) => r.name), "given");
  assert.deepEqual(log, ["close opened", "close failing"], "the caller's resource stays open");
});
