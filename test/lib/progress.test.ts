import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { formatDuration, formatProgress, progress } from "../../lib/progress";

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  let out = "";
  stream.on("data", (c: Buffer) => (out += c.toString()));
  return { stream, text: () => out };
}

test("on a terminal the bar redraws one line in place and ends it on done", () => {
  const { stream, text } = capture(true);
  const bar = progress({ total: 4, label: "load", stream, intervalMs: 0, width: 8 });
  bar.tick();
  bar.update(3, "file-3");
  bar.done();
  const out = text();
  assert.equal(out.split("\n").length, 2, "one line, ended once");
  const frames = out.split("\r").filter(Boolean);
  assert.equal(frames.length, 3);
  assert.match(frames[0], /^load \[##------\] {2}25% 1\/4/);
  assert.match(frames[1], /^load \[######--\] {2}75% 3\/4 .*file-3/);
  assert.match(frames[2], /^load \[######--\] {2}75% 3\/4 (.* )?in \d+s file-3 *\n$/, "the final frame blanks what is left of the longer line before");
});

test("off a terminal the bar writes nothing unless forced", () => {
  const quiet = capture(false);
  const a = progress({ total: 2, stream: quiet.stream, intervalMs: 0 });
  a.tick(2);
  a.done();
  assert.equal(quiet.text(), "");
  const forced = capture(false);
  const b = progress({ total: 2, stream: forced.stream, intervalMs: 0, force: true });
  b.tick(2);
  b.done();
  assert.equal(forced.text().trim().split("\n").length, 2);
});

test("redraws are throttled but done always draws, and calls after done are ignored", () => {
  const { stream, text } = capture(true);
  const bar = progress({ total: 1000, stream, intervalMs: 60_000 });
  for (let i = 0; i < 1000; i++) bar.tick();
  bar.done();
  bar.tick(5);
  assert.equal(text().split("\r").filter(Boolean).length, 2);
  assert.equal(bar.state.done, 1000);
});

test("without a total the line shows a count and a rate", () => {
  assert.equal(formatProgress({ label: "rows", done: 2500, info: "", elapsedMs: 2000, finished: false }), "rows 2500 1250/s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(185), "3m05s");
});
