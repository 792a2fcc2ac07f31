import { test } from "node:test";
import assert from "node:assert/strict";
import { DAY_MS, sliding, tumbling } from "../../../lib/stream/windows";
import { isWorkbookError } from "../../../lib/errors";

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

test("tumbling windows are aligned to the epoch and contain their event", () => {
  const w = tumbling(30 * DAY_MS);
  for (const t of [0, 1, day("1999-11-11"), day("2005-12-31") + 5, 30 * DAY_MS - 1, 30 * DAY_MS]) {
    const [only, ...rest] = w.assign(t);
    assert.equal(rest.length, 0);
    assert.ok(only.start <= t && t < only.end, `window of ${t}`);
    assert.equal(only.start % (30 * DAY_MS), 0);
    assert.equal(only.end - only.start, 30 * DAY_MS);
  }
  assert.deepEqual(w.assign(30 * DAY_MS), [{ start: 30 * DAY_MS, end: 60 * DAY_MS }]);
});

test("tumbling windows honour an offset", () => {
  const w = tumbling(DAY_MS, { offsetMs: 6 * 3_600_000 });
  assert.deepEqual(w.assign(day("2000-01-02")), [{ start: day("2000-01-01") + 6 * 3_600_000, end: day("2000-01-02") + 6 * 3_600_000 }]);
});

test("sliding windows of N days advancing one day put a day in N windows, earliest first", () => {
  const w = sliding(7 * DAY_MS, DAY_MS);
  const t = day("2003-05-10") + 3600_000;
  const windows = w.assign(t);
  assert.equal(windows.length, 7);
  assert.equal(windows[0].start, day("2003-05-04"));
  assert.equal(windows[6].start, day("2003-05-10"));
  for (const x of windows) assert.ok(x.start <= t && t < x.end);
});

test("sliding windows whose size is not a multiple of the slide still cover the event exactly", () => {
  const w = sliding(10, 4);
  for (let t = -20; t < 20; t++) {
    const got = w.assign(t);
    const expected = [];
    for (let s = -40; s <= 40; s += 4) if (s <= t && t < s + 10) expected.push({ start: s, end: s + 10 });
    assert.deepEqual(got, expected, `t=${t}`);
  }
});

test("invalid window sizes are rejected with a code", () => {
  assert.throws(() => tumbling(0), (e) => isWorkbookError(e, "STREAM_WINDOW_INVALID"));
  assert.throws(() => sliding(DAY_MS, 2 * DAY_MS), (e) => isWorkbookError(e, "STREAM_WINDOW_INVALID") && /larger than sizeMs/.test((e as Error).message));
});
