import assert from "node:assert/strict";
import { test } from "node:test";
import { qualitySummary, type QualityResult } from "../../../lib/quality";

const r = (table: string, check: string, kind: QualityResult["kind"], status: QualityResult["status"]): QualityResult =>
  ({ table, check, kind, status, observed: status === "pass" ? 0 : 3, threshold: {}, blocking: true, detail: "" });

test("qualitySummary counts distinct checks over runs, lists kinds in the six-kind order, and counts a planted fault caught only when its own check did not pass", () => {
  const clean = [r("a", "unique id", "uniqueness", "pass"), r("a", "rows", "volume", "pass"), r("b", "rows", "volume", "pass")];
  const again = [r("a", "unique id", "uniqueness", "pass")]; // the same check in a second run: still one check
  const s = qualitySummary([clean, again], [
    { fault: "a duplicated id", check: "unique id", results: [r("a", "unique id", "uniqueness", "fail"), r("a", "rows", "volume", "pass")] },
    { fault: "a late file", check: "fresh", results: [r("a", "fresh", "freshness", "warn")] },
    { fault: "a drifted column", check: "rows", results: [r("a", "rows", "volume", "pass")] }, // its check passed: missed
    { fault: "a misnamed check", check: "nope", results: [r("a", "rows", "volume", "fail")] }, // no such check: missed, although another failed
  ]);
  assert.equal(s.checks, 4, "a.unique id, a.rows, b.rows, a.fresh");
  assert.deepEqual(s.kinds, ["freshness", "volume", "uniqueness"]);
  assert.equal(s.caught, 2);
  assert.equal(s.planted, 4);
  assert.equal(s.missed.length, 2);
  assert.match(s.missed[0], /a drifted column: "rows" passed/);
  assert.match(s.missed[1], /no check named "nope"/);
});
