import { test } from "node:test";
import assert from "node:assert/strict";
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
