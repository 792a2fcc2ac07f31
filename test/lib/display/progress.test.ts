import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inNotebook } from "../../../lib/display/output";
import { progressBundle, showProgress } from "../../../lib/display/progress";

test("a progress bundle has an HTML bar and the same line as text", () => {
  const b = progressBundle({ label: "images", done: 3, total: 4, info: "", elapsedMs: 1000, finished: false });
  assert.match(b["text/html"], /<progress value="3" max="4"/);
  assert.match(b["text/plain"], /^images \[#+-+\] {2}75% 3\/4 3\.0\/s eta 0s$/);
  assert.ok(b["text/html"].includes(b["text/plain"]));
});

test("outside a kernel showProgress is the terminal bar and stays silent off a TTY", () => {
  const seen: number[] = [];
  const p = showProgress({ total: 5, onChange: (s) => seen.push(s.done) });
  for (let i = 0; i < 5; i++) p.tick();
  p.done();
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 5]);
  assert.equal(p.state.finished, true);
});

type KernelMessage = { msg_type: "display_data" | "update_display_data"; data: Record<string, string>; display_id: unknown };

/**
 * Puts a stand-in for tslab's jupyter module in the require cache, as a running tslab kernel has it:
 * its `lastWriteDisplayData` records the iopub messages tslab would send (display_data, or
 * update_display_data when `update` is set). Removed after the test.
 */
function fakeKernel(t: TestContext): KernelMessage[] {
  const resolved = require.resolve("tslab/dist/jupyter.js");
  const previous = require.cache[resolved];
  const messages: KernelMessage[] = [];
  const lastWriteDisplayData = (message: { data: Record<string, string>; transient: Record<string, unknown> }, update: boolean) => {
    messages.push({ msg_type: update ? "update_display_data" : "display_data", data: message.data, display_id: message.transient.display_id });
  };
  require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports: { lastWriteDisplayData } } as unknown as NodeJS.Module;
  t.after(() => {
    if (previous) require.cache[resolved] = previous;
    else delete require.cache[resolved];
  });
  return messages;
}

test("in a notebook showProgress emits display_data once, then update_display_data with the same display_id", (t) => {
  const messages = fakeKernel(t);
  assert.equal(inNotebook(), true, "the kernel is detected");
  const p = showProgress({ total: 3, label: "rows", intervalMs: 0 });
  for (let i = 0; i < 3; i++) p.tick();
  p.done();
  assert.deepEqual(messages.map((m) => m.msg_type), ["display_data", "update_display_data", "update_display_data", "update_display_data"]);
  const id = messages[0].display_id;
  assert.ok(typeof id === "string" && id.length > 0, "the display has an id");
  assert.ok(messages.every((m) => m.display_id === id), "every update targets that display");
  assert.match(messages[0].data["text/plain"], /^rows \[#+-+\] +33% 1\/3/);
  const last = messages[messages.length - 1].data;
  assert.match(last["text/plain"], /^rows \[#+\] 100% 3\/3/);
  assert.match(last["text/html"], /<progress value="3" max="3"/);

  // A second display gets an id of its own; throttled updates still end on the final state.
  const q = showProgress({ total: 100 });
  for (let i = 0; i < 100; i++) q.tick();
  q.done();
  const second = messages.slice(4);
  assert.equal(second[0].msg_type, "display_data");
  assert.notEqual(second[0].display_id, id);
  assert.ok(second.slice(1).every((m) => m.msg_type === "update_display_data" && m.display_id === second[0].display_id));
  assert.match(second[second.length - 1].data["text/plain"], /100\/100/);
});
