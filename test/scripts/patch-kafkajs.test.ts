import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";

const script = require(path.join(projectRoot, "scripts", "patch-kafkajs.js")) as { patch(root: string): string; target(root: string): string; MARKER: string };

type Group = (args: { topic: string; partitionMetadata: unknown[]; messages: { value: string; partition: number }[]; partitioner: (a: { message: { partition: number } }) => number }) => Record<number, { value: string }[]>;

test("npm install left kafkajs's producer with the linear grouping, and it groups a send per partition in send order", () => {
  const file = script.target(projectRoot);
  assert.ok(fs.readFileSync(file, "utf8").includes(script.MARKER), `${file} is not patched: run npm install (its postinstall runs scripts/patch-kafkajs.js)`);
  const group = require(file) as Group;
  const partitions = [2, 0, 2, 1, 0, 2, 1];
  const messages = partitions.map((partition, i) => ({ value: `m${i}`, partition }));
  const out = group({ topic: "t", partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.partition });
  // By hand: partition 0 gets m1 and m4, 1 gets m3 and m6, 2 gets m0, m2 and m5.
  assert.deepEqual(Object.fromEntries(Object.entries(out).map(([p, ms]) => [p, ms.map((m) => m.value)])), { 0: ["m1", "m4"], 1: ["m3", "m6"], 2: ["m0", "m2", "m5"] });
  assert.deepEqual(group({ topic: "t", partitionMetadata: [], messages, partitioner: () => 0 }), {}, "no partitions known: nothing, as before");
});

test("patch-kafkajs replaces only the known original file, once, and leaves another version as it is", (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "patch-kafkajs-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  assert.equal(script.patch(root), "missing");
  const file = script.target(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const other = "module.exports = () => ({}) // some other kafkajs\n";
  fs.writeFileSync(file, other);
  assert.equal(script.patch(root), "unknown");
  assert.equal(fs.readFileSync(file, "utf8"), other, "an unknown version is not touched");
  fs.writeFileSync(file, "module.exports = ({ messages }) => messages.reduce((result, message) => {\n    return Object.assign(result, { [partition]: [...current, message] })\n  }, {})\n");
  assert.equal(script.patch(root), "patched");
  assert.ok(fs.readFileSync(file, "utf8").includes(script.MARKER));
  assert.equal(script.patch(root), "already");
});
