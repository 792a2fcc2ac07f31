import assert from "node:assert/strict";
import { test } from "node:test";
import type { Output } from "../../../lib/notebook/nbformat";
import { OutputCollector } from "../../../lib/runner/outputs";

function collector() {
  const cells: Output[][] = [[], [], []];
  return { cells, c: new OutputCollector((i) => cells[i]) };
}

// Each expectation below is what nbclient's output handling produces for the same messages.
test("consecutive chunks of one stream merge; another stream or output starts a new one", () => {
  const { cells, c } = collector();
  c.handle(0, "stream", { name: "stdout", text: "a" });
  c.handle(0, "stream", { name: "stdout", text: "b\n" });
  c.handle(0, "stream", { name: "stderr", text: "e\n" });
  c.handle(0, "stream", { name: "stdout", text: "c\n" });
  assert.deepEqual(cells[0], [
    { output_type: "stream", name: "stdout", text: "ab\n" },
    { output_type: "stream", name: "stderr", text: "e\n" },
    { output_type: "stream", name: "stdout", text: "c\n" },
  ]);
});

test("update_display_data updates every output with that display_id, in any cell, and adds none", () => {
  const { cells, c } = collector();
  c.handle(0, "display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } });
  c.handle(1, "display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } });
  c.handle(1, "display_data", { data: { "text/plain": "other" }, metadata: {}, transient: { display_id: "e" } });
  c.handle(2, "update_display_data", { data: { "text/plain": "v2" }, metadata: { m: 1 }, transient: { display_id: "d" } });
  assert.deepEqual(cells[0], [{ output_type: "display_data", data: { "text/plain": "v2" }, metadata: { m: 1 } }]);
  assert.deepEqual(cells[1].map((o) => o.output_type === "display_data" && o.data["text/plain"]), ["v2", "other"]);
  assert.deepEqual(cells[2], []);
  assert.equal(c.handle(2, "update_display_data", { data: { "text/plain": "x" }, metadata: {}, transient: { display_id: "unknown" } }), false);
});

test("clear_output clears at once, or with wait before the next output", () => {
  const { cells, c } = collector();
  c.handle(0, "stream", { name: "stdout", text: "old\n" });
  c.handle(0, "clear_output", { wait: false });
  assert.deepEqual(cells[0], []);
  c.handle(0, "stream", { name: "stdout", text: "1\n" });
  c.handle(0, "clear_output", { wait: true });
  assert.equal(cells[0].length, 1, "wait: the old output stays until the next one arrives");
  c.handle(0, "stream", { name: "stdout", text: "2\n" });
  assert.deepEqual(cells[0], [{ output_type: "stream", name: "stdout", text: "2\n" }]);
});

test("a cleared display is no longer updated", () => {
  const { cells, c } = collector();
  c.handle(0, "display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } });
  c.handle(0, "clear_output", { wait: false });
  c.handle(0, "stream", { name: "stdout", text: "x" });
  c.handle(1, "update_display_data", { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } });
  assert.deepEqual(cells[0], [{ output_type: "stream", name: "stdout", text: "x" }]);
});

test("errors and execute results become outputs", () => {
  const { cells, c } = collector();
  c.handle(0, "execute_result", { data: { "text/plain": "3" }, metadata: {}, execution_count: 4 });
  c.handle(0, "error", { ename: "E", evalue: "bad", traceback: ["line"] });
  assert.deepEqual(cells[0], [
    { output_type: "execute_result", data: { "text/plain": "3" }, metadata: {}, execution_count: 4 },
    { output_type: "error", ename: "E", evalue: "bad", traceback: ["line"] },
  ]);
});
