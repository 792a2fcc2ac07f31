import assert from "node:assert/strict";
import { test } from "node:test";
import { coverageTable, notNull, plantedTable, qualitySummary, references, resultsTable, shortDates, sqlCheck, unique, volume, type QualityResult } from "../../../lib/quality";

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

test("coverageTable counts a scenario's checks by kind; a SQL check counts under the kind it names", () => {
  const table = coverageTable([
    { scenario: "a", checks: [volume({ table: "t", min: 1 }), notNull({ table: "t", column: "x" }), sqlCheck({ table: "t", kind: "schema", name: "s", sql: "SELECT 0 AS n" })] },
    { scenario: "b", checks: [unique({ table: "t", columns: ["id"] }), references({ table: "t", column: "k", to: "d", toColumn: "k" })] },
  ]);
  const rows = table.split("\n");
  assert.equal(rows[0], "| scenario | freshness | volume | schema | uniqueness | referential | drift | checks |");
  assert.equal(rows[2], "| a | 0 | 1 | 2 | 0 | 0 | 0 | 3 |");
  assert.equal(rows[3], "| b | 0 | 0 | 0 | 1 | 1 | 0 | 2 |");
  assert.match(table, /4 of 12 cells covered/);
});

test("resultsTable and plantedTable: observed rounded, dates short, only what did not pass when asked, a planted fault whose check did not run says so", () => {
  assert.equal(shortDates("newest 2005-01-26T00:00:00.000Z, run 2001-06-30T23:05:00Z"), "newest 2005-01-26, run 2001-06-30 23:05");
  const results = [{ ...r("t", "fresh", "freshness", "warn"), observed: 24.016666, detail: "newest 2001-06-29T23:59:00.000Z" }, r("t", "rows", "volume", "pass")];
  const shown: Record<string, unknown>[] = resultsTable(results); // what show() takes (a notebook's table): this line does not compile otherwise
  assert.equal(shown.length, 2);
  assert.deepEqual(resultsTable(results, { notPassed: true }), [{ table: "t", kind: "freshness", check: "fresh", status: "warn", observed: 24.0167, detail: "newest 2001-06-29 23:59" }]);
  assert.deepEqual(resultsTable(results, { detail: false, decimals: 1 }).map((x) => [x.observed, "detail" in x]), [[24, false], [0, false]]);
  assert.deepEqual(plantedTable([{ fault: "late", check: "fresh", results }, { fault: "dup", check: "unique id", results }]).map((p) => [p.fault, p.status, p.observed]), [["late", "warn", 24.017], ["dup", "did not run", null]]);
});
